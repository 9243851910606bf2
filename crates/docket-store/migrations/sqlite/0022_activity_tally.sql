-- The activity feed's exact totals without counting its entries (issue 16), kept in step with
-- migrations/postgres.
--
-- `activity_tally` holds the number of numbered entries per organization and grain, kept by
-- the numbering itself (sql/activity_tally.rs): the statement that gives entries their ids adds
-- them here in the same transaction, so the counts and the entries a reader sees always agree.
-- A feed total is then the sum of a few of these rows (see sql/activity_tally.rs for the grains
-- and which one each filter reads). Every entry is counted in twelve rows:
--   actor   the member who acted, or -1 for every actor (entries without a member only there);
--   detail  1: by source, type, verb and guest flag; 0: all of them ('' and -1 in those columns);
--   day     the UTC day (`created_at / 86400000`) or -1 for every day;
--   block   the id block (`id / 4096`) or -1 for every block; day -1 with a block is a block
--           over every day, day and block both -1 is all time.
-- Derived data: export skips it and import rebuilds it.
CREATE TABLE activity_tally (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor  BIGINT NOT NULL,
    detail INTEGER NOT NULL,
    day    BIGINT NOT NULL,
    block  BIGINT NOT NULL,
    source TEXT NOT NULL,
    type   TEXT NOT NULL,
    verb   TEXT NOT NULL,
    guest  INTEGER NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (org_id, actor, detail, day, block, source, type, verb, guest)
) WITHOUT ROWID;

-- A member's total subtracts the matching entries of the top-secret tasks hidden from them,
-- counted through this index: it carries every column the feed's filters compare, so that
-- count reads the index alone (with a filter it read each entry's row: 50-70 ms for 7,000
-- entries at 1,000,000, against a few ms).
DROP INDEX activity_org_task;
CREATE INDEX activity_org_task ON activity (org_id, task_id, id, created_at, type, verb, source, actor_id, actor_guest_id);

-- The entries numbered so far (sql/activity_tally.rs `REBUILD`, as an import runs it).
WITH e (org_id, actor_id, day, block, source, type, verb, guest, c) AS (
        SELECT a.org_id, a.actor_id, a.created_at / 86400000, (a.id) / 4096, a.source, a.type, a.verb,
                CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END, COUNT(*) FROM activity a WHERE a.id IS NOT NULL
          GROUP BY a.org_id, a.actor_id, a.created_at / 86400000, a.id / 4096, a.source, a.type, a.verb,
                   CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END),
      g (by_actor, span, detail) AS (VALUES (0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 2, 0), (0, 2, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1), (1, 2, 0), (1, 2, 1))
INSERT INTO activity_tally (org_id, actor, detail, day, block, source, type, verb, guest, n)
SELECT org_id, actor, detail, day, block, source, type, verb, guest, CAST(SUM(c) AS BIGINT) FROM (
  SELECT e.org_id,
         CASE WHEN g.by_actor = 1 THEN e.actor_id ELSE -1 END AS actor,
         g.detail AS detail,
         CASE WHEN g.span = 2 THEN e.day ELSE -1 END AS day,
         CASE WHEN g.span >= 1 THEN e.block ELSE -1 END AS block,
         CASE WHEN g.detail = 1 THEN e.source ELSE '' END AS source,
         CASE WHEN g.detail = 1 THEN e.type ELSE '' END AS type,
         CASE WHEN g.detail = 1 THEN e.verb ELSE '' END AS verb,
         CASE WHEN g.detail = 1 THEN e.guest ELSE -1 END AS guest,
         e.c AS c
    FROM e CROSS JOIN g
   WHERE g.by_actor = 0 OR e.actor_id IS NOT NULL) x
 WHERE 1 = 1
 GROUP BY org_id, actor, detail, day, block, source, type, verb, guest
ON CONFLICT (org_id, actor, detail, day, block, source, type, verb, guest) DO UPDATE SET n = activity_tally.n + excluded.n;
