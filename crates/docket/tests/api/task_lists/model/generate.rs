//! The random data set (made through the API, mirrored in the model) and the random requests.

use super::*;

/// Builds 28–67 random tasks (three of them in runs) through the API and returns what the test knows about them.
pub(super) async fn build_model(app: &TestApp, rng: &mut Rng) -> Model {
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
pub(super) fn random_case(rng: &mut Rng, model: &Model) -> Case {
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
