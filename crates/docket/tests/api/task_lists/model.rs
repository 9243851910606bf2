//! Model-based check: random filter combinations against an in-memory reading of §4.0 and §2.4.

#[allow(unused_imports)]
use super::*;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

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

/// The expected ids (in order) and total of `case` per §4.0.
fn expect(model: &Model, case: &Case) -> (Vec<String>, i64, i64) {
    let get = |k: &str| {
        case.params
            .iter()
            .rev()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
    };
    let list = |k: &str| -> Vec<String> {
        get(k)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (viewer, admin) = case.caller;
    let mut out: Vec<&ModelTask> = model
        .tasks
        .iter()
        .filter(|t| admin || !t.secret || model.assigned_member(t, viewer))
        .filter(|t| match &case.scope {
            Some(Scope::Member(u)) => model.assigned_member(t, *u),
            Some(Scope::Guest(e)) => model.assigned_guest(t, e),
            None => true,
        })
        .filter(|t| match get("archived") {
            Some("true") => true,
            Some("only") => model.archived(t),
            _ => !model.archived(t),
        })
        .filter(|t| {
            let words = match get("status") {
                None if case.scope.is_some() => vec!["active".to_string()],
                None => vec![],
                Some(_) => list("status"),
            };
            words.is_empty() || words.iter().any(|w| w == "all") || words.iter().any(|w| model.condition(t, w))
        })
        .filter(|t| {
            let owners: Vec<i64> = list("owners").iter().map(|s| s.parse().expect("owner")).collect();
            owners.is_empty() || owners.iter().any(|u| model.assigned_member(t, *u))
        })
        .filter(|t| {
            let guests = list("guests");
            guests.is_empty() || guests.iter().any(|g| model.assigned_guest(t, &g.to_lowercase()))
        })
        .filter(|t| {
            let groups = list("groups");
            groups.is_empty() || t.groups.iter().any(|g| groups.contains(&model.groups[*g].0))
        })
        .filter(|t| {
            get("unassigned") != Some("true") || (t.users.is_empty() && t.guests.is_empty() && t.groups.is_empty())
        })
        .filter(|t| match get("q") {
            None => true,
            Some(q) => {
                let q = q.to_lowercase();
                t.title.to_lowercase().contains(&q)
                    || t.run.is_some_and(|r| model.runs[r].name.to_lowercase().contains(&q))
            }
        })
        .filter(|t| match get("tag") {
            None => true,
            Some(tag) => {
                let carries =
                    |i: &usize| model.tags[*i].0 == tag || model.tags[*i].1.to_lowercase() == tag.to_lowercase();
                t.tags.iter().any(carries) || t.run.is_some_and(|r| model.runs[r].tags.iter().any(carries))
            }
        })
        .filter(|_| get("is_oneoff") != Some("false"))
        .filter(|t| match get("created") {
            None => true,
            Some(v) => {
                let (a, b) = v.split_once(':').unwrap_or((v, v));
                parse_day(a) <= t.created && t.created < parse_day(b) + DAY
            }
        })
        .filter(|t| {
            if let Some(on) = get("deadline_on") {
                return parse_day(on) <= t.deadline && t.deadline < parse_day(on) + DAY;
            }
            let dt = |s: &str| docket_domain::time::parse_datetime(s).expect("date-time");
            get("deadline_start_range").is_none_or(|v| t.deadline >= if v.len() == 10 { parse_day(v) } else { dt(v) })
                && get("deadline_end_range")
                    .is_none_or(|v| t.deadline <= if v.len() == 10 { parse_day(v) + DAY - 1 } else { dt(v) })
                && get("deadline_before").is_none_or(|v| t.deadline < parse_day(v))
                && get("deadline_after").is_none_or(|v| t.deadline >= parse_day(v) + DAY)
        })
        .collect();
    let sort = get("sort").unwrap_or("deadline");
    let key_cmp = |a: &&ModelTask, b: &&ModelTask| -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let primary = match sort {
            "deadline" => a.deadline.cmp(&b.deadline),
            "-deadline" => b.deadline.cmp(&a.deadline),
            "newest" | "-created_at" => b.created.cmp(&a.created),
            "oldest" | "created_at" => a.created.cmp(&b.created),
            "completed_newest" => match (a.completed, b.completed) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            "problems" => b.problem.cmp(&a.problem).then(a.deadline.cmp(&b.deadline)),
            "position" => a.position.cmp(&b.position),
            "-position" => b.position.cmp(&a.position),
            "title" => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            "-title" => b.title.to_lowercase().cmp(&a.title.to_lowercase()),
            other => panic!("no sort {other}"),
        };
        let tie = if matches!(sort, "newest" | "-created_at") {
            b.inc.cmp(&a.inc)
        } else {
            a.inc.cmp(&b.inc)
        };
        primary.then(tie)
    };
    out.sort_by(key_cmp);
    let total = out.len() as i64;
    let all = get("without_pagination") == Some("true");
    let per_page: i64 = get("per_page").map_or(10, |v| v.parse().expect("per_page"));
    let page: i64 = get("page").map_or(1, |v| v.parse().expect("page"));
    let ids: Vec<String> = if all {
        out.iter().map(|t| t.id.clone()).collect()
    } else {
        out.iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|t| t.id.clone())
            .collect()
    };
    let total_pages = if all {
        1
    } else {
        ((total + per_page - 1) / per_page).max(1)
    };
    (ids, total, total_pages)
}

/// Builds 28–67 random tasks (three of them in runs) through the API and returns what the test knows about them.
async fn build_model(app: &TestApp, rng: &mut Rng) -> Model {
    let guests = ["gina@partner.test", "gus@partner.test", "grp@partner.test"];
    for email in &guests[..2] {
        app.json(Method::POST, "/organizations/acme/guests", json!({ "email": email }))
            .await
            .expect(201);
    }
    let groups = vec![
        (
            group(app, "Ops", &[1005], &["grp@partner.test"]).await,
            vec![1005],
            vec!["grp@partner.test".to_string()],
        ),
        (group(app, "Pair", &[1002, 1007], &[]).await, vec![1002, 1007], vec![]),
    ];
    let mut tags = Vec::new();
    for title in ["Finance", "Ops Team", "Urgent"] {
        tags.push((tag(app, title).await, title.to_string()));
    }
    let mut model = Model {
        tasks: Vec::new(),
        runs: Vec::new(),
        groups,
        tags,
    };
    let titles = [
        "Quarterly report",
        "quarterly REPORT",
        "Plan launch",
        "Budget 50% review",
        "a_b test",
        "Alpha",
        "alpha",
        "Zulu",
        "Call client",
        "Review plan",
    ];
    let deadlines = [
        -3 * DAY,
        -DAY,
        -HOUR,
        0,
        HOUR,
        12 * HOUR,
        DAY,
        DAY + HOUR,
        3 * DAY,
        10 * DAY,
    ];
    let starts = [-5 * DAY, -HOUR, 0, HOUR, 2 * DAY];
    let users = [1001, 1002, 1005, 1007];
    for (name, user) in [("Quarterly run", 1002), ("Launch 50% plan", 1005), ("Ops_sync", 1007)] {
        let (run_id, task_id) = run_of(
            app,
            name,
            user,
            json!({"deadline": ts(NOW + 2 * DAY), "started_at": ts(NOW - DAY)}),
        )
        .await;
        let r = model.runs.len();
        model.runs.push(ModelRun {
            id: run_id,
            name: name.into(),
            tags: Vec::new(),
            archived: false,
        });
        let inc = app.get(&format!("{TASKS}/{task_id}")).await.expect(200).data()["increment_id"]
            .as_i64()
            .expect("inc");
        model.tasks.push(ModelTask {
            id: task_id,
            inc,
            title: name.into(),
            run: Some(r),
            position: 1,
            status: "not-started",
            started: NOW - DAY,
            soft: false,
            deadline: NOW + 2 * DAY,
            created: NOW,
            completed: None,
            problem: false,
            secret: false,
            archived: false,
            users: vec![user],
            guests: vec![],
            groups: vec![],
            tags: vec![],
        });
    }
    // Run tags: the first run carries Finance, the second Ops Team.
    for (r, t) in [(0, 0), (1, 1)] {
        tag_run(app, &model.runs[r].id.clone(), &model.tags[t].0.clone()).await;
        model.runs[r].tags.push(t);
    }
    let extra = 25 + rng.below(40);
    for _ in 0..extra {
        let title = rng.pick(&titles).to_string();
        let deadline = NOW + rng.pick(&deadlines);
        let started = NOW + rng.pick(&starts);
        let soft = rng.chance(20);
        let mut task_users: Vec<i64> = users.iter().copied().filter(|_| rng.chance(25)).collect();
        task_users.dedup();
        let task_guests: Vec<String> = guests
            .iter()
            .filter(|_| rng.chance(12))
            .map(|g| g.to_string())
            .collect();
        let task_groups: Vec<usize> = (0..model.groups.len()).filter(|_| rng.chance(15)).collect();
        let task_tags: Vec<usize> = (0..model.tags.len()).filter(|_| rng.chance(20)).collect();
        let secret = rng.chance(15);
        let run = rng.chance(30).then(|| rng.below(model.runs.len()));
        let mut body = json!({
            "deadline": ts(deadline), "started_at": ts(started), "is_soft_start_date": soft, "top_secret": secret,
            "owners": {"users": task_users, "guests": task_guests, "groups": task_groups.iter().map(|g| model.groups[*g].0.clone()).collect::<Vec<_>>()},
            "tags": task_tags.iter().map(|t| if rng.chance(50) { model.tags[*t].1.to_uppercase() } else { model.tags[*t].0.clone() }).collect::<Vec<_>>(),
        });
        let mut position = 1;
        if let Some(r) = run {
            body["run_id"] = json!(model.runs[r].id);
            position = 1 + model.tasks.iter().filter(|t| t.run == Some(r)).count() as i64;
        }
        let t = create(app, &title, body).await;
        assert_eq!(t["position"].as_i64(), Some(position));
        model.tasks.push(ModelTask {
            id: id_of(&t),
            inc: t["increment_id"].as_i64().expect("inc"),
            title,
            run,
            position,
            status: "not-started",
            started,
            soft,
            deadline,
            created: NOW,
            completed: None,
            problem: false,
            secret,
            archived: false,
            users: task_users,
            guests: task_guests,
            groups: task_groups,
            tags: task_tags,
        });
    }
    // Statuses, creation and completion times, problems, archiving.
    let created_offsets = [0, -HOUR, -5 * HOUR, -DAY, -DAY - HOUR, -2 * DAY];
    let completed_offsets = [-HOUR, -2 * HOUR, -2 * HOUR, -DAY];
    for i in 0..model.tasks.len() {
        let id = model.tasks[i].id.clone();
        let created = NOW + rng.pick(&created_offsets);
        set_column(app, &id, "created_at", created).await;
        model.tasks[i].created = created;
        match rng.below(10) {
            0..=2 => {
                set_status(app, &id, "completed").await;
                let at = NOW + rng.pick(&completed_offsets);
                set_column(app, &id, "completed_at", at).await;
                model.tasks[i].status = "completed";
                model.tasks[i].completed = Some(at);
            }
            3 | 4 => {
                set_status(app, &id, "in-progress").await;
                model.tasks[i].status = "in-progress";
            }
            _ => {}
        }
        if rng.chance(20) {
            report_problem(app, &id).await;
            model.tasks[i].problem = true;
        }
    }
    for i in 0..model.tasks.len() {
        if model.tasks[i].run.is_none() && rng.chance(12) {
            archive_task(app, &model.tasks[i].id.clone()).await;
            model.tasks[i].archived = true;
        }
    }
    let last = model.runs.len() - 1;
    app.call(
        Method::DELETE,
        &format!("/organizations/acme/runs/{}", model.runs[last].id),
    )
    .await
    .expect(200);
    model.runs[last].archived = true;
    model
}

/// A random request.
fn random_case(rng: &mut Rng, model: &Model) -> Case {
    let callers = [(1001, true), (1002, false), (1005, false)];
    let caller = *rng.pick(&callers);
    let (path, scope) = match rng.below(10) {
        0..=4 => (TASKS.to_string(), None),
        5 | 6 => (
            "/organizations/acme/me/tasks".to_string(),
            Some(Scope::Member(caller.0)),
        ),
        7 | 8 => {
            let u = *rng.pick(&[1001, 1002, 1005, 1007]);
            (format!("/organizations/acme/users/{u}/tasks"), Some(Scope::Member(u)))
        }
        _ => {
            let g = *rng.pick(&["gina@partner.test", "gus@partner.test", "grp@partner.test"]);
            (
                format!("/organizations/acme/guests/{}/tasks", g.replace('@', "%40")),
                Some(Scope::Guest(g.to_string())),
            )
        }
    };
    let mut params: Vec<(&'static str, String)> = Vec::new();
    let status_words = [
        "all",
        "active",
        "active_visible",
        "incomplete",
        "complete",
        "completed",
        "inprogress",
        "in-progress",
        "not-started",
        "overdue",
        "due_soon",
        "due-soon",
        "hasproblem",
        "problem",
    ];
    if rng.chance(60) {
        let n = 1 + rng.below(2);
        let words: Vec<&str> = (0..n).map(|_| *rng.pick(&status_words)).collect();
        params.push(("status", words.join(",")));
    }
    if rng.chance(15) {
        params.push((
            "q",
            rng.pick(&[
                "report", "REPORT", "plan", "50%", "a_b", "_", "launch", "alpha", "zzz", "ops",
            ])
            .to_string(),
        ));
    }
    if rng.chance(20) {
        let n = 1 + rng.below(2);
        let owners: Vec<String> = (0..n)
            .map(|_| rng.pick(&[1001, 1002, 1005, 1007, 4242]).to_string())
            .collect();
        params.push(("owners", owners.join(",")));
    }
    if rng.chance(12) {
        params.push((
            "guests",
            rng.pick(&[
                "gina@partner.test",
                "GUS@Partner.test",
                "grp@partner.test",
                "gina@partner.test,gus@partner.test",
            ])
            .to_string(),
        ));
    }
    if rng.chance(12) {
        params.push(("groups", model.groups[rng.below(model.groups.len())].0.clone()));
    }
    if rng.chance(15) {
        let t = &model.tags[rng.below(model.tags.len())];
        let value = match rng.below(4) {
            0 => t.0.clone(),
            1 => t.1.to_lowercase(),
            2 => t.1.to_uppercase(),
            _ => "no such tag".to_string(),
        };
        params.push(("tag", value));
    }
    if rng.chance(12) {
        let days = ["2029-12-30", "2029-12-31", "2030-01-01"];
        let v = if rng.chance(50) {
            rng.pick(&days).to_string()
        } else {
            format!("{}:{}", rng.pick(&days[..2]), rng.pick(&days[1..]))
        };
        params.push(("created", v));
    }
    if rng.chance(25) {
        let days = ["2029-12-29", "2029-12-31", "2030-01-01", "2030-01-02", "2030-01-04"];
        match rng.below(6) {
            0 => params.push(("deadline_on", rng.pick(&days).to_string())),
            1 => params.push(("deadline_before", rng.pick(&days).to_string())),
            2 => params.push(("deadline_after", rng.pick(&days).to_string())),
            3 => params.push(("deadline_start_range", rng.pick(&days).to_string())),
            4 => params.push((
                "deadline_end_range",
                day_of(NOW + [0, HOUR, DAY][rng.below(3)])
                    + "T"
                    + &format_ts(NOW + [0, HOUR, 12 * HOUR][rng.below(3)])[11..],
            )),
            _ => {
                params.push(("deadline_start_range", format_ts(NOW - HOUR)));
                params.push(("deadline_end_range", rng.pick(&days).to_string()));
                if rng.chance(50) {
                    params.push(("deadline_on", "2030-01-01".to_string()));
                }
            }
        }
    }
    if rng.chance(10) {
        params.push(("unassigned", rng.pick(&["true", "false"]).to_string()));
    }
    if rng.chance(20) {
        params.push(("archived", rng.pick(&["true", "only", "false"]).to_string()));
    }
    if rng.chance(5) {
        params.push(("is_oneoff", rng.pick(&["true", "false"]).to_string()));
    }
    if rng.chance(70) {
        params.push(("sort", rng.pick(&SORTS).to_string()));
    }
    match rng.below(4) {
        0 => params.push(("without_pagination", "true".into())),
        1 | 2 => {
            params.push(("per_page", (1 + rng.below(8)).to_string()));
            params.push(("page", (1 + rng.below(4)).to_string()));
        }
        _ => {}
    }
    Case {
        path,
        caller,
        scope,
        params,
    }
}

const SORTS: [&str; 12] = [
    "deadline",
    "-deadline",
    "newest",
    "-created_at",
    "oldest",
    "created_at",
    "completed_newest",
    "problems",
    "position",
    "-position",
    "title",
    "-title",
];

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
    let mut rng = Rng(seed);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_filters_agree_with_the_model_sqlite() {
    random_filters_agree_with_the_model(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_filters_agree_with_the_model_postgres() {
    if Backend::postgres_available("random_filters_agree_with_the_model") {
        random_filters_agree_with_the_model(Backend::Postgres).await;
    }
}
