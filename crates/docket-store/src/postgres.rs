//! The SQL of `src/sql/` compiled for PostgreSQL.

/// The database type every query here is checked against.
pub(crate) type Db = sqlx::Postgres;
/// Whether this is the PostgreSQL build (for the few statements whose dialects differ).
#[allow(dead_code)]
pub(crate) const IS_PG: bool = true;

/// Whether a pooled connection may be handed out: it answers, and it is not inside a
/// transaction. A request cancelled while its `BEGIN` was in flight (a client that went away,
/// the request timeout) returns its connection to the pool with the transaction open on the
/// server and sqlx none the wiser (sqlx 0.8 counts the transaction only once `BEGIN` has been
/// answered); the next borrower's statements would then run inside it, uncommitted, and be
/// undone by a later `ROLLBACK` on that connection. Such a connection is closed instead, which
/// rolls the stray transaction back. Inside a transaction block `transaction_timestamp()` is
/// when it began, so it differs from `statement_timestamp()`; outside, each statement is its own
/// transaction and the two are equal (asked in one simple-protocol message: with the extended
/// protocol the statement's time is that of its last message, later than the transaction's).
/// Replaces the pool's ping: one round trip either way.
pub(crate) async fn outside_transaction(conn: &mut sqlx::PgConnection) -> Result<bool, sqlx::Error> {
    use sqlx::{Executor, Row};
    // A bare string (no arguments) goes as one simple-protocol `Query` message.
    let outside: bool = conn
        .fetch_one("SELECT transaction_timestamp() = statement_timestamp()")
        .await?
        .try_get(0)?;
    if !outside {
        tracing::warn!("a pooled PostgreSQL connection was left inside a transaction; closing it");
    }
    Ok(outside)
}

#[path = "sql/activity.rs"]
pub(crate) mod activity;
#[path = "sql/activity_arms.rs"]
pub(crate) mod activity_arms;
#[path = "sql/activity_feed.rs"]
pub(crate) mod activity_feed;
#[path = "sql/activity_hidden.rs"]
pub(crate) mod activity_hidden;
#[path = "sql/activity_keys.rs"]
pub(crate) mod activity_keys;
#[path = "sql/activity_tally.rs"]
pub(crate) mod activity_tally;
#[path = "sql/archive.rs"]
pub(crate) mod archive;
#[path = "sql/assets.rs"]
pub(crate) mod assets;
#[path = "sql/auth.rs"]
pub(crate) mod auth;
#[path = "sql/automations.rs"]
pub(crate) mod automations;
#[path = "sql/counters.rs"]
pub(crate) mod counters;
#[path = "sql/day_totals.rs"]
pub(crate) mod day_totals;
#[path = "sql/deliveries.rs"]
pub(crate) mod deliveries;
#[path = "sql/demo.rs"]
pub(crate) mod demo;
#[path = "sql/email.rs"]
pub(crate) mod email;
#[path = "sql/events.rs"]
pub(crate) mod events;
#[path = "sql/folders.rs"]
pub(crate) mod folders;
#[path = "sql/groups.rs"]
pub(crate) mod groups;
#[path = "sql/guests.rs"]
pub(crate) mod guests;
#[path = "sql/idempotency.rs"]
pub(crate) mod idempotency;
#[path = "sql/kickoff_fields.rs"]
pub(crate) mod kickoff_fields;
#[path = "sql/launch.rs"]
pub(crate) mod launch;
#[path = "sql/launch_commit.rs"]
pub(crate) mod launch_commit;
#[path = "sql/launch_rows.rs"]
pub(crate) mod launch_rows;
#[path = "sql/lifecycle.rs"]
pub(crate) mod lifecycle;
#[path = "sql/orgs.rs"]
pub(crate) mod orgs;
#[path = "sql/outbox.rs"]
pub(crate) mod outbox;
#[path = "sql/provision.rs"]
pub(crate) mod provision;
#[path = "sql/rule_pass.rs"]
pub(crate) mod rule_pass;
#[path = "sql/rule_refs.rs"]
pub(crate) mod rule_refs;
#[path = "sql/run_list.rs"]
pub(crate) mod run_list;
#[path = "sql/runs.rs"]
pub(crate) mod runs;
#[path = "sql/search.rs"]
pub(crate) mod search;
#[path = "sql/sessions.rs"]
pub(crate) mod sessions;
#[path = "sql/signin_links.rs"]
pub(crate) mod signin_links;
#[path = "sql/step_captures.rs"]
pub(crate) mod step_captures;
#[path = "sql/steps.rs"]
pub(crate) mod steps;
#[path = "sql/tag_links.rs"]
pub(crate) mod tag_links;
#[path = "sql/tag_set.rs"]
pub(crate) mod tag_set;
#[path = "sql/tags.rs"]
pub(crate) mod tags;
#[path = "sql/task_create.rs"]
pub(crate) mod task_create;
#[path = "sql/task_fragments.rs"]
pub(crate) mod task_fragments;
#[path = "sql/task_list.rs"]
pub(crate) mod task_list;
#[path = "sql/task_totals.rs"]
pub(crate) mod task_totals;
#[path = "sql/tasks.rs"]
pub(crate) mod tasks;
#[path = "sql/template_clone.rs"]
pub(crate) mod template_clone;
#[path = "sql/template_fields.rs"]
pub(crate) mod template_fields;
#[path = "sql/template_steps.rs"]
pub(crate) mod template_steps;
#[path = "sql/templates.rs"]
pub(crate) mod templates;
#[path = "sql/threads.rs"]
pub(crate) mod threads;
#[path = "sql/transfer.rs"]
pub(crate) mod transfer;
#[path = "sql/users.rs"]
pub(crate) mod users;
#[path = "sql/watchers.rs"]
pub(crate) mod watchers;
#[path = "sql/where_clause.rs"]
pub(crate) mod where_clause;
#[path = "sql/word_totals.rs"]
pub(crate) mod word_totals;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::Connection;

    use crate::{Backend, Store, StoreOptions};

    /// A PostgreSQL server to test on; fails without one (leave it out with `--skip postgres`).
    fn server() -> String {
        std::env::var("DOCKET_TEST_POSTGRES_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .expect(
                "DOCKET_TEST_POSTGRES_URL is not set: this PostgreSQL test cannot run (skip with `--skip postgres`)",
            )
    }

    async fn in_transaction(conn: &mut sqlx::PgConnection) -> bool {
        !super::outside_transaction(conn).await.expect("query")
    }

    /// Sends `BEGIN` and drops its future before the answer arrives (as a cancelled request
    /// does); false when the answer was there at once (then nothing was left behind).
    async fn cancel_begin_in_flight(conn: &mut sqlx::PgConnection) -> bool {
        let mut begin = std::pin::pin!(Connection::begin(conn));
        std::future::poll_fn(|cx| std::task::Poll::Ready(begin.as_mut().poll(cx).is_pending())).await
    }

    /// A `BEGIN` whose future is dropped in flight: sqlx leaves the transaction open on the
    /// server (shown on a bare connection); the pool never hands such a connection out again.
    #[tokio::test]
    async fn a_begin_cancelled_in_flight_never_leaks_a_transaction_postgres() {
        let url = server();
        let mut bare = sqlx::PgConnection::connect(&url).await.expect("connect");
        while !cancel_begin_in_flight(&mut bare).await {}
        assert!(
            in_transaction(&mut bare).await,
            "the hazard: BEGIN took effect, sqlx does not know"
        );
        let _ = bare.close().await;

        let mut opts = StoreOptions::new(url);
        opts.max_connections = 2;
        let store = Store::connect(&opts).await.expect("store");
        let Backend::Postgres { pool, .. } = &store.backend else {
            unreachable!()
        };
        for _ in 0..5 {
            {
                let mut conn = pool.acquire().await.expect("acquire");
                while !cancel_begin_in_flight(&mut conn).await {}
            }
            // Released (sqlx pings it, so the BEGIN has been answered), then borrowed again.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let mut a = pool.acquire().await.expect("acquire");
            let mut b = pool.acquire().await.expect("acquire");
            let (ia, ib) = (in_transaction(&mut a).await, in_transaction(&mut b).await);
            assert!(!ia && !ib, "a in a transaction: {ia}, b: {ib}");
        }
        store.close().await;
    }
}
