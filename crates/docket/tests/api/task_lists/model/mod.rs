//! Model-based check: random filter combinations against an in-memory reading of §4.0 and §2.4.

#[allow(unused_imports)]
use super::*;

mod expect;
use expect::expect;
mod generate;
use generate::{build_model, random_case};

use crate::support::rng::Rng;

/// What the test knows about one task.
#[derive(Debug, Clone)]
struct ModelTask {
    id: String,
    inc: i64,
    title: String,
    run: Option<usize>,
    position: i64,
    status: &'static str,
    started: i64,
    soft: bool,
    deadline: i64,
    created: i64,
    completed: Option<i64>,
    problem: bool,
    secret: bool,
    archived: bool,
    users: Vec<i64>,
    guests: Vec<String>,
    groups: Vec<usize>,
    tags: Vec<usize>,
}

struct ModelRun {
    id: String,
    name: String,
    tags: Vec<usize>,
    archived: bool,
}

struct Model {
    tasks: Vec<ModelTask>,
    runs: Vec<ModelRun>,
    /// (id, members, guest emails)
    groups: Vec<(String, Vec<i64>, Vec<String>)>,
    /// (id, title)
    tags: Vec<(String, String)>,
}

impl Model {
    fn assigned_member(&self, t: &ModelTask, user: i64) -> bool {
        t.users.contains(&user) || t.groups.iter().any(|g| self.groups[*g].1.contains(&user))
    }

    fn assigned_guest(&self, t: &ModelTask, email: &str) -> bool {
        t.guests.iter().any(|g| g == email) || t.groups.iter().any(|g| self.groups[*g].2.iter().any(|e| e == email))
    }

    fn archived(&self, t: &ModelTask) -> bool {
        t.archived || t.run.is_some_and(|r| self.runs[r].archived)
    }

    fn condition(&self, t: &ModelTask, word: &str) -> bool {
        let incomplete = t.status != "completed";
        match word {
            "active" | "active_visible" => incomplete && (t.soft || t.started <= NOW),
            "incomplete" => incomplete,
            "complete" | "completed" => !incomplete,
            "inprogress" | "in-progress" => t.status == "in-progress",
            "not-started" => t.status == "not-started",
            "overdue" => incomplete && t.deadline < NOW,
            "due_soon" | "due-soon" => incomplete && NOW <= t.deadline && t.deadline < NOW + DAY,
            "hasproblem" | "problem" => t.problem,
            other => panic!("no condition {other}"),
        }
    }
}

/// One generated request: the endpoint, the caller, the parameters.
struct Case {
    path: String,
    caller: (i64, bool),
    scope: Option<Scope>,
    params: Vec<(&'static str, String)>,
}

#[derive(Clone)]
enum Scope {
    Member(i64),
    Guest(String),
}

fn day_of(ms: i64) -> String {
    format_ts(ms)[..10].to_string()
}

fn parse_day(s: &str) -> i64 {
    docket_domain::time::start_of_day(docket_domain::time::parse_date(s).expect("date"))
}

/// The seed of this run: `DOCKET_TEST_SEED` (to replay a failure), else a fresh one. Every
/// assertion names it.
fn seed() -> u64 {
    match std::env::var("DOCKET_TEST_SEED") {
        Ok(s) => s.trim().parse().expect("DOCKET_TEST_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x5eed_0004, |d| d.as_nanos() as u64),
    }
}

on_both!(random_filters_agree_with_the_model, backend);
async fn random_filters_agree_with_the_model(backend: Backend) {
    // A low threshold, so that pages are read both from their selective filters (totals up
    // to 10) and by walking the sort order (larger totals): the two must agree.
    let app = TestApp::spawn_with(backend, |c| {
        c.now = Some(NOW);
        c.list_drive_max = 10;
    })
    .await;
    let (sam, ann, _) = members(&app).await;
    let seed = seed();
    let mut rng = Rng::new(seed);
    let model = build_model(&app, &mut rng).await;
    let mut non_empty = 0;
    for n in 0..400 {
        let case = random_case(&mut rng, &model);
        let token = match case.caller.0 {
            1001 => app.token.clone(),
            1002 => sam.clone(),
            _ => ann.clone(),
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &case.params {
            query.append_pair(k, v);
        }
        let url = format!("{}?{}", case.path, query.finish());
        let r = get_as(&app, &token, &url).await;
        assert_eq!(r.status, 200, "seed {seed} case {n} {url}: {}", r.text);
        let (want, want_total, want_pages) = expect(&model, &case);
        let got = ids(&r);
        let name = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|id| {
                    model
                        .tasks
                        .iter()
                        .find(|t| &t.id == id)
                        .map_or_else(|| id.clone(), |t| format!("{}#{}", t.title, t.inc))
                })
                .collect()
        };
        assert_eq!(
            name(&got),
            name(&want),
            "seed {seed} case {n} as {}: {url}",
            case.caller.0
        );
        assert_eq!(total(&r), want_total, "seed {seed}: total of case {n}: {url}");
        assert_eq!(
            pagination(&r)["total_pages"].as_i64(),
            Some(want_pages),
            "seed {seed}: pages of case {n}: {url}"
        );
        assert_eq!(
            pagination(&r)["count"].as_i64(),
            Some(want.len() as i64),
            "seed {seed}: count of case {n}: {url}"
        );
        if !want.is_empty() {
            non_empty += 1;
        }
    }
    assert!(
        non_empty > 100,
        "seed {seed}: the generated cases mostly select something ({non_empty})"
    );
    app.stop().await;
}
