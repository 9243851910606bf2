-- Feed pages filtered by type, verb, source or actor (issue 16), kept in step with the other
-- backend's migrations.
--
-- Such a page walked the organization's order (`activity_org_created`, `activity_org_id`)
-- until it had a page of matches: for a rare filter (a member's re-openings, an automation's
-- comments) most of the organization's entries, 1-2.5 s at 1,000,000. A filtered page is now
-- read kind by kind (sql/activity_feed.rs): the tally names the `(source, type, verb)` kinds
-- the filter lets through, and the page merges one ordered range of these indexes per kind, in
-- the page's order (by `created_at` or by id), among one member's entries when it names an
-- actor. Only numbered entries: an entry's first write has no id, and only its numbering adds
-- it here.
CREATE INDEX activity_org_kind_created ON activity (org_id, source, type, verb, created_at, id) WHERE id IS NOT NULL;
CREATE INDEX activity_org_kind_id ON activity (org_id, source, type, verb, id) WHERE id IS NOT NULL;
CREATE INDEX activity_org_actor_created ON activity (org_id, actor_id, source, type, verb, created_at, id) WHERE id IS NOT NULL;
CREATE INDEX activity_org_actor_id ON activity (org_id, actor_id, source, type, verb, id) WHERE id IS NOT NULL;
