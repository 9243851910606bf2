//! `docket admin seed-demo`: a realistic organization for trials and benchmarks. Members,
//! groups, guests and tags first (through the ordinary store calls), then runs and tasks in
//! large batched transactions with a deterministic generator, so the same seed gives the same
//! data. Distributions: about a third of tasks belong to runs of 3–8 tasks; 55 % not started,
//! 15 % in progress, 30 % completed; deadlines spread over ±90 days around now; one or two
//! member assignees (sometimes a group or a guest, 3 % unassigned); 0–2 tags; 2 % with an open
//! problem; 1 % top secret. Before the tasks, the first seed of an organization makes three
//! templates and launches a few processes from each (`demo_templates.rs`).

use anyhow::Context;
use docket_domain::ids;
use docket_domain::task::{TaskStatus, TaskType};
use docket_store::Store;
use docket_store::model::{
    DemoBatch, DemoRun, DemoTask, NewGroup, NewGuest, NewMembership, NewOrg, NewUser, Provision, Tag,
};
use docket_store::query::{
    GroupQuery, GroupSortColumn, GuestQuery, GuestSortColumn, Sort, TagQuery, TagSortColumn, Window,
};
use serde::Serialize;

const MEMBERS: usize = 50;
const GROUPS: usize = 6;
const GUESTS: usize = 20;
const TAGS: usize = 15;
const DAY: i64 = 86_400_000;

/// What was generated.
#[derive(Debug, Serialize)]
pub struct DemoSummary {
    /// The organization.
    pub org_id: String,
    /// Tasks created by this run of the command.
    pub tasks: u64,
    /// Runs created by this run of the command.
    pub runs: u64,
    /// Members of the organization used as assignees.
    pub members: usize,
    /// Templates made (on the first seed of an organization only).
    pub templates: u64,
    /// Processes launched from those templates.
    pub template_runs: u64,
    /// Tasks of those processes (not counted in `tasks`).
    pub template_tasks: u64,
}

/// SplitMix64: small, fast and good enough for test data (not for secrets).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The people, groups, guests and tags tasks are assigned and tagged with.
struct Cast {
    admin: i64,
    members: Vec<i64>,
    groups: Vec<String>,
    guests: Vec<i64>,
    tags: Vec<String>,
}

async fn cast(store: &Store, org: &str, now: i64) -> anyhow::Result<Cast> {
    let mut p = Provision {
        now,
        ..Default::default()
    };
    p.orgs.push(NewOrg {
        id: org.to_string(),
        name: format!("Demo {org}"),
        timezone: None,
        allow_user_invite: None,
        allow_manage_groups: None,
        default_deadline: None,
        profile: None,
        must_be_new: false,
    });
    let domain = format!("{}.demo", org.to_lowercase().replace('_', "-"));
    for i in 0..=MEMBERS {
        let (email, role) = if i == 0 {
            (format!("admin@{domain}"), "admin")
        } else {
            (
                format!("member{i}@{domain}"),
                if i % 5 == 0 { "light" } else { "standard" },
            )
        };
        p.users.push(NewUser {
            id: None,
            email,
            username: format!("member{i}"),
            first_name: format!("Member{i}"),
            last_name: "Demo".into(),
            profile: None,
        });
        p.memberships.push(NewMembership {
            org_id: org.to_string(),
            user: i,
            role: role.into(),
            status: "active".into(),
        });
    }
    let ids = store.provision(&p).await?.user_ids;
    let (admin, members) = (ids[0], ids[1..].to_vec());

    let mut rng = Rng(0xD0C4E7);
    for g in 0..GROUPS {
        let picked: Vec<i64> = (0..8)
            .map(|_| *rng.pick(&members))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let new = NewGroup {
            name: format!("Demo team {}", g + 1),
            description: None,
            members: picked,
            guests: Vec::new(),
            now,
        };
        if let Err(e) = store.create_group(org, &new).await
            && !matches!(e, docket_store::StoreError::Conflict(_))
        {
            return Err(e.into());
        }
    }
    for i in 0..GUESTS {
        let new = NewGuest {
            email: format!("guest{}@{domain}", i + 1),
            first_name: None,
            last_name: None,
            details: Default::default(),
            now,
        };
        if let Err(e) = store.create_guest(org, &new).await
            && !matches!(e, docket_store::StoreError::Conflict(_))
        {
            return Err(e.into());
        }
    }
    for i in 0..TAGS {
        let title = format!("demo-tag-{}", i + 1);
        if store.tag_by_title(org, &title).await?.is_none() {
            let tag = Tag {
                id: ids::new_id32(),
                org_id: org.to_string(),
                title,
                color: None,
                created_at: now,
                updated_at: now,
            };
            store.create_tag(&tag).await?;
        }
    }
    let all = Window { limit: None, offset: 0 };
    let groups = store
        .groups(
            org,
            &GroupQuery {
                q: None,
                sort: Sort {
                    column: GroupSortColumn::CreatedAt,
                    desc: false,
                },
                window: all,
            },
        )
        .await?
        .0
        .into_iter()
        .map(|g| g.id)
        .collect();
    let guests = store
        .guests(
            org,
            &GuestQuery {
                q: None,
                sort: Sort {
                    column: GuestSortColumn::CreatedAt,
                    desc: false,
                },
                window: all,
            },
        )
        .await?
        .0
        .into_iter()
        .map(|g| g.id)
        .collect();
    let tags = store
        .tags(
            org,
            &TagQuery {
                q: None,
                auto_generated: None,
                sort: Sort {
                    column: TagSortColumn::Title,
                    desc: false,
                },
                window: all,
            },
        )
        .await?
        .0
        .into_iter()
        .map(|t| t.id)
        .collect();
    Ok(Cast {
        admin,
        members,
        groups,
        guests,
        tags,
    })
}

/// Adds `count` tasks (and their runs) to organization `org`, creating it and its cast if
/// needed; `progress` is called with the number of tasks written so far.
pub async fn seed(
    store: &Store,
    org: &str,
    count: u64,
    seed: u64,
    batch: usize,
    now: i64,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<DemoSummary> {
    anyhow::ensure!(
        ids::is_valid_org_id(org),
        "--org must be 1-255 characters of A-Z, a-z, 0-9, _ and -"
    );
    let cast = cast(store, org, now)
        .await
        .context("cannot create the demo members, groups, guests and tags")?;
    let people = crate::demo_templates::People {
        admin: cast.admin,
        members: &cast.members,
        groups: &cast.groups,
    };
    let made = crate::demo_templates::seed(store, org, &people, now)
        .await
        .context("cannot create the demo templates")?;
    let (mut task_seq, mut run_seq) = store.sequences(org).await?.unwrap_or((0, 0));
    let mut rng = Rng(seed ^ 0x5EED);
    let titles = [
        "Review contract",
        "Prepare report",
        "Call client",
        "Update forecast",
        "Check invoice",
        "Plan launch",
        "Fix onboarding",
        "Audit access",
        "Draft proposal",
        "Renew licence",
    ];
    let (mut written, mut runs_made) = (0u64, 0u64);
    let mut pending_run: Option<(String, i64, i64)> = None; // (run id, tasks left, next position)
    while written < count {
        let mut b = DemoBatch {
            org_id: org.to_string(),
            ..Default::default()
        };
        while (b.tasks.len() as u64) < (batch as u64).min(count - written) {
            let created_at = now - rng.below(180) as i64 * DAY - rng.below(DAY as u64) as i64;
            let (run_id, position) = match pending_run.take() {
                Some((id, left, pos)) => {
                    if left > 1 {
                        pending_run = Some((id.clone(), left - 1, pos + 1));
                    }
                    (Some(id), pos)
                }
                None if rng.chance(8) => {
                    run_seq += 1;
                    runs_made += 1;
                    let id = ids::new_id32();
                    let size = 3 + rng.below(6) as i64;
                    b.runs.push(DemoRun {
                        id: id.clone(),
                        increment_id: run_seq,
                        name: format!("Demo process {run_seq}"),
                        owner_id: *rng.pick(&cast.members),
                        created_at,
                    });
                    pending_run = Some((id.clone(), size - 1, 2));
                    (Some(id), 1)
                }
                None => (None, 1),
            };
            task_seq += 1;
            let roll = rng.below(100);
            let status = if roll < 55 {
                TaskStatus::NotStarted
            } else if roll < 70 {
                TaskStatus::InProgress
            } else {
                TaskStatus::Completed
            };
            let task_type = if rng.chance(10) {
                TaskType::Approval
            } else {
                TaskType::Task
            };
            let deadline = now + (rng.below(180 * 24) as i64 - 90 * 24) * 3_600_000;
            let mut users = vec![*rng.pick(&cast.members)];
            if rng.chance(25) {
                let second = *rng.pick(&cast.members);
                if second != users[0] {
                    users.push(second);
                }
            }
            let (mut guests, mut groups) = (Vec::new(), Vec::new());
            if rng.chance(10) && !cast.groups.is_empty() {
                groups.push(rng.pick(&cast.groups).clone());
            }
            if rng.chance(5) && !cast.guests.is_empty() {
                guests.push(*rng.pick(&cast.guests));
            }
            if rng.chance(3) {
                users.clear();
                groups.clear();
                guests.clear();
            }
            let mut tags: Vec<String> = (0..rng.below(3)).map(|_| rng.pick(&cast.tags).clone()).collect();
            tags.sort();
            tags.dedup();
            let completed = (status == TaskStatus::Completed).then(|| {
                (
                    created_at + rng.below(30) as i64 * DAY,
                    users.first().copied().unwrap_or(cast.admin),
                )
            });
            b.tasks.push(DemoTask {
                id: ids::new_id32(),
                increment_id: task_seq,
                run_id,
                position,
                title: format!("{} #{task_seq}", rng.pick(&titles)),
                task_type,
                status,
                is_approved: (status == TaskStatus::Completed && task_type == TaskType::Approval)
                    .then(|| rng.chance(80)),
                started_at: created_at,
                deadline,
                created_at,
                completed,
                starter_id: cast.admin,
                top_secret: rng.chance(1),
                problem: status != TaskStatus::Completed && rng.chance(2),
                users,
                guests,
                groups,
                tags,
            });
        }
        written += b.tasks.len() as u64;
        store.insert_demo_batch(&b).await?;
        progress(written);
    }
    store.finish_demo(org, task_seq, run_seq, now).await?;
    Ok(DemoSummary {
        org_id: org.to_string(),
        tasks: written,
        runs: runs_made,
        members: cast.members.len() + 1,
        templates: made.templates,
        template_runs: made.runs,
        template_tasks: made.tasks,
    })
}
