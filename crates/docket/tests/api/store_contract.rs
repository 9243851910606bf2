//! The store's contract for the two aggregates, called directly (no HTTP): tasks and runs are
//! created, read back, updated, and refused with the refusal the caller maps to an answer, on
//! both backends. The API tests check the same through the routes; these pin what the store
//! itself promises, so a change of its SQL cannot hide behind a handler's own check.

use docket_store::model::{
    ArchiveRefusal, CreateTasks, LifecycleCaller, LifecycleRefusal, NewTaskSpec, OwnerSet, RunPatch, RunRefusal,
    RunTarget, TaskCompletion, TaskReopen, TaskUpdate,
};

use docket::webhooks::payload::completion_events;
use docket_domain::Role;
use docket_domain::task::TaskType;

use crate::support::TestApp;

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000_000;
const DAY: i64 = 86_400_000;

// The store's inputs are built in these helpers only, so a change of their types is an edit
// here, not in the tests.

fn spec(title: &str) -> NewTaskSpec {
    NewTaskSpec {
        title: title.into(),
        summary: None,
        task_type: TaskType::Task,
        started_at: NOW,
        deadline: NOW + DAY,
        everyone_must_complete: false,
        can_complete_only_assignees: false,
        max_assignable: 0,
        webhook: None,
        prevent_guest_comment: false,
        top_secret: false,
        is_soft_start_date: false,
    }
}

fn users(ids: &[i64]) -> OwnerSet {
    OwnerSet {
        users: ids.to_vec(),
        ..OwnerSet::default()
    }
}

fn create(owners: Vec<OwnerSet>, target: RunTarget, title: &str) -> CreateTasks {
    CreateTasks {
        org_id: "acme".into(),
        starter_id: 1001,
        spec: spec(title),
        owners,
        form_fields: Vec::new(),
        tags: Vec::new(),
        target,
        now: NOW,
    }
}

fn caller(user_id: i64, light: bool, expected_version: Option<i64>) -> LifecycleCaller {
    LifecycleCaller {
        user_id,
        role: if light { Role::Light } else { Role::Admin },
        expected_version,
        guest_id: None,
    }
}

/// The organization's admin, 1001.
fn admin(expected_version: Option<i64>) -> LifecycleCaller {
    caller(1001, false, expected_version)
}

fn completion(task_id: &str, now: i64) -> TaskCompletion {
    TaskCompletion {
        org_id: "acme".into(),
        task_id: task_id.into(),
        caller: admin(None),
        completer_id: 1001,
        is_approved: None,
        comment: None,
        events: completion_events("http://docket.test".into()),
        now,
    }
}

fn reopening(task_id: &str, now: i64) -> TaskReopen {
    TaskReopen {
        org_id: "acme".into(),
        task_id: task_id.into(),
        caller: admin(None),
        now,
    }
}

/// An update of `task_id` that changes nothing yet.
fn update(task_id: &str, caller: LifecycleCaller) -> TaskUpdate {
    TaskUpdate {
        org_id: "acme".into(),
        task_id: task_id.into(),
        caller,
        title: None,
        summary: None,
        deadline: None,
        started_at: None,
        owners: None,
        taskdata: Vec::new(),
        file_values: Vec::new(),
        status: None,
        is_approved: None,
        task_type: None,
        webhook: None,
        prevent_guest_comment: None,
        top_secret: None,
        everyone_must_complete: None,
        can_complete_only_assignees: None,
        is_soft_start_date: None,
        max_assignable: None,
        position: None,
        tags: None,
        events: completion_events("http://docket.test".into()),
        now: NOW + 1,
    }
}

on_both!(a_task_is_created_read_updated_completed_and_refused);
async fn a_task_is_created_read_updated_completed_and_refused(app: &TestApp) {
    let store = app.store();
    app.add_member("acme", 1002, "sam@acme.test", "light").await;
    let created = store
        .create_tasks(&create(vec![users(&[1001])], RunTarget::Standalone, "Contract"))
        .await
        .expect("create")
        .expect("not refused");
    assert_eq!((created.task_ids.len(), created.run_id.as_deref()), (1, None));
    let id = created.task_ids[0].clone();

    let task = store.task("acme", &id).await.expect("read").expect("found");
    assert_eq!(
        (
            task.row.title.as_str(),
            task.row.status.as_str(),
            task.row.run_id.as_deref()
        ),
        ("Contract", "not-started", None)
    );
    assert_eq!((task.users.as_slice(), task.row.deadline), (&[1001][..], NOW + DAY));
    assert!(
        store.task("beta", &id).await.expect("read").is_none(),
        "another organization's task is not found"
    );

    // An update changes what it names, and the version.
    let version = task.row.version;
    let mut u = update(&id, admin(Some(version)));
    u.title = Some("Renamed".into());
    u.summary = Some(Some("Now with a summary".into()));
    let done = store.update_task(&u).await.expect("update").expect("not refused");
    assert!(done.changed);
    let task = store.task("acme", &id).await.expect("read").expect("found");
    assert_eq!(
        (task.row.title.as_str(), task.row.summary.as_deref(), task.row.deadline),
        ("Renamed", Some("Now with a summary"), NOW + DAY)
    );
    assert!(task.row.version > version);

    // Refusals: a stale version, a task that is not there, a light member not assigned.
    let mut stale = update(&id, admin(Some(version)));
    stale.title = Some("Lost".into());
    assert_eq!(
        store.update_task(&stale).await.expect("update"),
        Err(LifecycleRefusal::VersionMismatch)
    );
    let mut missing = update("no-such-task", admin(None));
    missing.title = Some("Lost".into());
    assert_eq!(
        store.update_task(&missing).await.expect("update"),
        Err(LifecycleRefusal::Missing)
    );
    let light = caller(1002, true, None);
    let mut not_theirs = update(&id, light);
    not_theirs.title = Some("Lost".into());
    assert!(store.update_task(&not_theirs).await.expect("update").is_err());
    let task = store.task("acme", &id).await.expect("read").expect("found");
    assert_eq!(task.row.title, "Renamed", "a refused update changes nothing");

    // Completion and reopening.
    let complete = completion(&id, NOW + 2);
    assert!(store.complete_task(&complete).await.expect("complete").is_ok());
    let task = store.task("acme", &id).await.expect("read").expect("found");
    assert_eq!(
        (task.row.status.as_str(), task.row.completed_at, task.row.completer_id),
        ("completed", Some(NOW + 2), Some(1001))
    );
    let reopen = reopening(&id, NOW + 3);
    assert!(store.reopen_task(&reopen).await.expect("reopen").is_ok());
    let task = store.task("acme", &id).await.expect("read").expect("found");
    assert_ne!(task.row.status.as_str(), "completed");
    assert_eq!(task.row.completed_at, None);
    assert_eq!(
        store.reopen_task(&reopen).await.expect("reopen"),
        Err(LifecycleRefusal::NotCompleted)
    );

    // Archive and restore of a standalone task.
    assert_eq!(store.archive_task("acme", &id, NOW + 4).await.expect("archive"), Ok(()));
    assert!(
        store
            .task("acme", &id)
            .await
            .expect("read")
            .expect("found")
            .row
            .archived_at
            .is_some()
    );
    assert_eq!(store.restore_task("acme", &id, NOW + 5).await.expect("restore"), Ok(()));
    assert_eq!(
        store
            .task("acme", &id)
            .await
            .expect("read")
            .expect("found")
            .row
            .archived_at,
        None
    );
    assert_eq!(
        store.archive_task("acme", "no-such-task", NOW).await.expect("archive"),
        Err(ArchiveRefusal::Missing)
    );
}

on_both!(a_run_is_created_read_updated_archived_and_refused);
async fn a_run_is_created_read_updated_archived_and_refused(app: &TestApp) {
    let store = app.store();
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    // One task per assignee, in a new run.
    let created = store
        .create_tasks(&create(
            vec![users(&[1001]), users(&[1002])],
            RunTarget::NewRun,
            "Fan out",
        ))
        .await
        .expect("create")
        .expect("not refused");
    let run_id = created.run_id.clone().expect("a run");
    assert_eq!(created.task_ids.len(), 2);
    assert_eq!(
        store.task_ids_of_run("acme", &run_id).await.expect("ids"),
        created.task_ids
    );
    let run = store.run("acme", &run_id, NOW).await.expect("read").expect("found");
    assert_eq!((run.row.owner_id, run.row.status.as_str()), (1001, "active"));
    assert!(store.run("beta", &run_id, NOW).await.expect("read").is_none());
    for id in &created.task_ids {
        let t = store.task("acme", id).await.expect("read").expect("found");
        assert_eq!(t.row.run_id.as_deref(), Some(run_id.as_str()));
    }

    // A task added to the run, at a position.
    let target = RunTarget::Existing {
        run_id: run_id.clone(),
        position: Some(1),
    };
    let added = store
        .create_tasks(&create(vec![users(&[1002])], target.clone(), "First"))
        .await
        .expect("create")
        .expect("not refused");
    let ids = store.task_ids_of_run("acme", &run_id).await.expect("ids");
    assert_eq!((ids.len(), ids[0].as_str()), (3, added.task_ids[0].as_str()));

    // Update.
    let patch = RunPatch {
        name: Some("Renamed run".into()),
        starred: Some(true),
        expected_version: Some(run.row.version),
        now: NOW + 1,
        ..RunPatch::default()
    };
    assert_eq!(store.update_run("acme", &run_id, &patch).await.expect("update"), Ok(()));
    let after = store.run("acme", &run_id, NOW).await.expect("read").expect("found");
    assert_eq!((after.row.name.as_str(), after.row.starred), ("Renamed run", true));
    assert_eq!(
        store.update_run("acme", &run_id, &patch).await.expect("update"),
        Err(ArchiveRefusal::VersionMismatch),
        "the version moved on"
    );

    // A run task is archived with its run, not on its own.
    assert_eq!(
        store.archive_task("acme", &ids[0], NOW).await.expect("archive"),
        Err(ArchiveRefusal::InRun)
    );
    assert_eq!(
        store.delete_run("acme", &run_id).await.expect("delete"),
        Err(ArchiveRefusal::NotArchived)
    );
    assert_eq!(
        store.archive_run("acme", &run_id, NOW + 2).await.expect("archive"),
        Ok(())
    );
    // Archiving again changes nothing (R4 answers the run unchanged).
    assert_eq!(
        store.archive_run("acme", &run_id, NOW + 3).await.expect("archive"),
        Ok(())
    );
    let archived = store.run("acme", &run_id, NOW).await.expect("read").expect("found");
    assert_eq!(archived.row.status.as_str(), "archived");
    let refused = store
        .create_tasks(&create(vec![users(&[1002])], target, "Late"))
        .await
        .expect("create");
    assert_eq!(
        refused.err(),
        Some(RunRefusal::Archived),
        "no task is added to an archived run"
    );
    let mut u = update(&ids[1], admin(None));
    u.title = Some("Lost".into());
    assert_eq!(
        store.update_task(&u).await.expect("update"),
        Err(LifecycleRefusal::RunArchived)
    );

    assert_eq!(
        store.activate_run("acme", &run_id, NOW + 4).await.expect("activate"),
        Ok(())
    );
    assert_eq!(store.task_ids_of_run("acme", &run_id).await.expect("ids").len(), 3);
    assert_eq!(
        store.activate_run("acme", "no-such-run", NOW).await.expect("activate"),
        Err(ArchiveRefusal::Missing)
    );
    assert_eq!(
        store.archive_run("acme", &run_id, NOW + 5).await.expect("archive"),
        Ok(())
    );
    assert_eq!(store.delete_run("acme", &run_id).await.expect("delete"), Ok(Vec::new()));
    assert!(store.run("acme", &run_id, NOW).await.expect("read").is_none());
    assert!(
        store.task("acme", &ids[0]).await.expect("read").is_none(),
        "its tasks went with it"
    );
}
