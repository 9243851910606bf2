//! The member pages other than the task page: home (which organization), the inbox, a process,
//! the template list.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use docket_domain::Actor;
use docket_store::query::TaskAssignee;
use maud::html;
use serde::Deserialize;
use serde_json::Value;

use crate::http::extract::{Query as ApiQuery, Standing};
use crate::http::task_filters::{self, ASSIGNED_TASKS};
use crate::state::AppState;
use crate::web::client::{Answer, Api, seg, with_query};
use crate::web::fields::{FieldView, People, Problems, answers, field};
use crate::web::layout::{Nav, day_start, error, page, respond, when, zone};
use crate::web::session::{self, Member};
use crate::web::task_page::people_of;

/// What every page of one organization starts from: the member, the top bar, the API.
pub struct OrgPage {
    /// The signed-in member.
    pub member: Member,
    /// The top bar (name, time zone).
    pub nav: Nav,
    /// The organization.
    pub org: String,
    /// The in-process API.
    pub api: Api,
    /// The page's request headers.
    pub headers: HeaderMap,
    /// The request time.
    pub now: i64,
}

impl OrgPage {
    /// The signed-in member on a page of `org`; else the sign-in redirect, or the API's 404/403
    /// when they are no member of it.
    pub async fn open(
        state: &AppState,
        api: Api,
        headers: HeaderMap,
        org: &str,
        uri: &Uri,
    ) -> Result<OrgPage, Response> {
        let Some(member) = session::member(state, &headers, Some(org)).await else {
            let next = with_query("/app/sign-in", &[("next", uri.path())]);
            return Err(Redirect::to(&next).into_response());
        };
        let me = api
            .call(
                &member.who(),
                Method::GET,
                &format!("/organizations/{}/me", seg(org)),
                None,
                &headers,
            )
            .await;
        if !me.ok() {
            return Err(error(me.status, &me.message(), None));
        }
        let d = me.data();
        let name = d["full_name"]
            .as_str()
            .filter(|s| !s.is_empty())
            .or(d["email"].as_str())
            .unwrap_or("");
        let nav = Nav {
            org: org.to_string(),
            name: name.to_string(),
            csrf: member.csrf.clone(),
            tz: zone(d["timezone"].as_str()),
        };
        Ok(OrgPage {
            member,
            nav,
            org: org.to_string(),
            api,
            headers,
            now: state.clock.now(),
        })
    }

    /// `GET path` as the member.
    pub async fn get(&self, path: &str) -> Answer {
        self.api
            .call(&self.member.who(), Method::GET, path, None, &self.headers)
            .await
    }

    /// A write as the member.
    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Answer {
        self.api
            .call(&self.member.who(), method, path, Some(body), &self.headers)
            .await
    }

    /// `/organizations/{org}` + `rest`.
    pub fn api_path(&self, rest: &str) -> String {
        format!("/organizations/{}{rest}", seg(&self.org))
    }

    /// The error page for an API refusal.
    pub fn refused(&self, a: &Answer) -> Response {
        error(a.status, &a.message(), Some(&self.nav))
    }
}

/// `GET /app`: the member's organization (a list when they belong to several).
pub async fn home(State(state): State<AppState>, Extension(api): Extension<Api>, headers: HeaderMap) -> Response {
    let Some(member) = session::member(&state, &headers, None).await else {
        return Redirect::to("/app/sign-in").into_response();
    };
    let orgs = api
        .call(
            &member.who(),
            Method::GET,
            "/me/organizations?per_page=100",
            None,
            &headers,
        )
        .await;
    let list = orgs.data().as_array().cloned().unwrap_or_default();
    if let [only] = list.as_slice()
        && let Some(id) = only["id"].as_str()
    {
        return Redirect::to(&format!("/app/{}", seg(id))).into_response();
    }
    respond(
        StatusCode::OK,
        page(
            "Organizations",
            None,
            html! {
                div.card.narrow {
                    h1 { "Your organizations" }
                    @if list.is_empty() { p { "You are not a member of any organization." } }
                    ul { @for o in &list {
                        li { a href={ "/app/" (seg(o["id"].as_str().unwrap_or(""))) } { (o["name"].as_str().unwrap_or("")) } }
                    } }
                    form method="post" action="/app/sign-out" {
                        input type="hidden" name="_csrf" value=(member.csrf);
                        button.secondary type="submit" { "Sign out" }
                    }
                }
            },
        ),
    )
}

/// The inbox's parameters.
#[derive(Debug, Deserialize, Default)]
pub struct InboxQuery {
    view: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

/// The inbox's views: (key, label).
const VIEWS: &[(&str, &str)] = &[
    ("today", "Due today"),
    ("overdue", "Overdue"),
    ("upcoming", "Upcoming"),
    ("completed", "Completed"),
];

/// The API's list parameters of an inbox view (the same filters a JSON client would send).
fn view_params(view: &str, now: i64, tz: chrono_tz::Tz) -> Vec<(&'static str, String)> {
    match view {
        "overdue" => vec![("status", "overdue".into())],
        "upcoming" => vec![
            ("status", "incomplete".into()),
            ("deadline_start_range", day_start(now, tz, 1)),
        ],
        "completed" => vec![("status", "complete".into()), ("sort", "-deadline".into())],
        _ => vec![
            ("status", "incomplete".into()),
            ("deadline_start_range", day_start(now, tz, 0)),
            ("deadline_end_range", day_start(now, tz, 1)),
        ],
    }
}

/// The number of the member's tasks in each of [`VIEWS`] with the search `search`: each view's
/// `GET /me/tasks` parameters read by the API's own parser, so each count is the `total` that
/// list answers, and counted together over the member's tasks (`Store::task_counts`: one
/// statement, which also leaves each total remembered for the list of the view shown).
async fn view_counts(state: &AppState, p: &OrgPage, search: &str) -> Result<Vec<i64>, Response> {
    let Some(Standing::Member(role)) = p.member.standing.clone() else {
        return Err(error(StatusCode::NOT_FOUND, "Not found.", Some(&p.nav)));
    };
    let me = Actor {
        user_id: p.member.user_id,
        org_id: p.org.clone(),
        role,
    };
    let unavailable = || {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The counts could not be read just now. Try again.",
            Some(&p.nav),
        )
    };
    let mut qs = Vec::with_capacity(VIEWS.len());
    for (key, _) in VIEWS {
        let mut params = view_params(key, p.now, p.nav.tz);
        params.push(("q", search.to_string()));
        let query = ApiQuery(params.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        let (mut q, _) = task_filters::parse(&query, &me, p.now, &ASSIGNED_TASKS).map_err(|_| unavailable())?;
        q.assignee = Some(TaskAssignee::Member(me.user_id));
        qs.push(q);
    }
    state.store.task_counts(&p.org, &qs).await.map_err(|e| {
        tracing::warn!(error = %e, "inbox counts");
        unavailable()
    })
}

fn status_class(task: &Value) -> &'static str {
    match task["status"].as_str() {
        Some("completed") => "completed",
        _ if task["problem"].as_bool() == Some(true) => "problem",
        _ if task["status_label"].as_str() == Some("overdue") => "overdue",
        _ => "",
    }
}

/// `GET /app/{org}`: my tasks, by view, with search, paging and counts.
pub async fn inbox(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<InboxQuery>,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let view = q
        .view
        .as_deref()
        .filter(|v| VIEWS.iter().any(|(k, _)| k == v))
        .unwrap_or("today")
        .to_string();
    let search = q.q.unwrap_or_default();
    let page_no = q
        .page
        .as_deref()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1)
        .to_string();
    let tz = p.nav.tz;
    let list_path = p.api_path("/me/tasks");
    let mut params = view_params(&view, p.now, tz);
    params.extend([
        ("q", search.clone()),
        ("page", page_no),
        ("per_page", "20".into()),
        ("with", "run".into()),
    ]);
    // Every view's count first, in one statement; the list then finds its total remembered.
    let counts = match view_counts(&state, &p, &search).await {
        Ok(counts) => counts,
        Err(r) => return r,
    };
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let list = p.get(&with_query(&list_path, &borrowed)).await;
    if !list.ok() {
        return p.refused(&list);
    }
    let tasks = list.data().as_array().cloned().unwrap_or_default();
    let pg = &list.body["meta"]["pagination"];
    let (current, pages) = (
        pg["current_page"].as_i64().unwrap_or(1),
        pg["total_pages"].as_i64().unwrap_or(1),
    );
    let base = format!("/app/{}", seg(&org));
    let link = |v: &str, page: i64| with_query(&base, &[("view", v), ("q", &search), ("page", &page.to_string())]);
    let body = html! {
        h1 { "My tasks" }
        nav.tabs aria-label="Views" {
            @for (i, (key, label)) in VIEWS.iter().enumerate() {
                a href=(link(key, 1)) aria-current=[(*key == view).then_some("page")] {
                    (label) span.count { (counts[i]) }
                }
            }
        }
        form.search method="get" action=(base) role="search" {
            input type="hidden" name="view" value=(view);
            label.skip for="q" { "Search my tasks" }
            input #q type="search" name="q" value=(search) placeholder="Search my tasks";
            button type="submit" { "Search" }
        }
        @if tasks.is_empty() {
            p.card { "No tasks here." }
        } @else {
            table.list {
                thead { tr { th { "Task" } th { "Process" } th { "Deadline" } th { "Status" } } }
                tbody { @for t in &tasks {
                    tr {
                        td { a href={ (base) "/tasks/" (seg(t["id"].as_str().unwrap_or(""))) } { (t["title"].as_str().unwrap_or("")) } }
                        td { (t["run"]["data"]["name"].as_str().unwrap_or("")) }
                        td { (when(t["deadline"].as_str(), tz)) }
                        td { span.status.(status_class(t)) { (t["status_label"].as_str().or(t["status"].as_str()).unwrap_or("")) } }
                    }
                } }
            }
            nav.pager aria-label="Pages" {
                @if current > 1 { a href=(link(&view, current - 1)) rel="prev" { "← Previous" } }
                span { "Page " (current) " of " (pages.max(1)) }
                @if current < pages { a href=(link(&view, current + 1)) rel="next" { "Next →" } }
            }
        }
    };
    respond(StatusCode::OK, page("My tasks", Some(&p.nav), body))
}

/// `GET /app/{org}/runs/{run_id}`: a process, its tasks in order and its progress.
pub async fn run(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, run_id)): Path<(String, String)>,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let run = p.get(&p.api_path(&format!("/runs/{}", seg(&run_id)))).await;
    if !run.ok() {
        return p.refused(&run);
    }
    let tasks = p
        .get(&p.api_path(&format!("/runs/{}/tasks?per_page=100&sort=position", seg(&run_id))))
        .await;
    if !tasks.ok() {
        return p.refused(&tasks);
    }
    let r = run.data();
    let tz = p.nav.tz;
    let percent = r["progress"]["percent"].as_f64().unwrap_or(0.0).clamp(0.0, 100.0);
    let base = format!("/app/{}", seg(&org));
    let body = html! {
        h1 { (r["name"].as_str().unwrap_or("")) }
        div.card {
            dl.facts {
                dt { "Template" } dd { (r["checklist_title"].as_str().unwrap_or("")) }
                dt { "Status" } dd { (r["status"].as_str().unwrap_or("")) }
                dt { "Started" } dd { (when(r["started_at"].as_str(), tz)) }
                dt { "Progress" } dd {
                    (r["progress"]["complete"]) " of " (r["progress"]["total"]) " tasks"
                    // The bar's width is a class step (no inline style under the CSP).
                    progress max="100" value=(percent) { (percent) "%" }
                }
            }
        }
        h2 { "Tasks" }
        ol.steps { @for t in tasks.data().as_array().into_iter().flatten() {
            li {
                a href={ (base) "/tasks/" (seg(t["id"].as_str().unwrap_or(""))) } { (t["title"].as_str().unwrap_or("")) }
                " " span.status.(status_class(t)) { (t["status_label"].as_str().or(t["status"].as_str()).unwrap_or("")) }
                @if let Some(d) = t["deadline"].as_str() { " " span.hint { "due " (when(Some(d), tz)) } }
            }
        } }
    };
    respond(
        StatusCode::OK,
        page(r["name"].as_str().unwrap_or("Process"), Some(&p.nav), body),
    )
}

/// `GET /app/{org}/templates`: the organization's templates.
pub async fn templates(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path(org): Path<String>,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let list = p.get(&p.api_path("/checklists?per_page=100")).await;
    if !list.ok() {
        return p.refused(&list);
    }
    let tz = p.nav.tz;
    let body = html! {
        h1 { "Templates" }
        @let items = list.data().as_array().cloned().unwrap_or_default();
        @if items.is_empty() { p.card { "No templates yet." } } @else {
            table.list {
                thead { tr { th { "Template" } th { "Steps" } th { "Last changed" } } }
                tbody { @for t in &items {
                    tr {
                        td { a href={ "/app/" (seg(&org)) "/templates/" (seg(t["id"].as_str().unwrap_or(""))) "/launch" } {
                            (t["title"].as_str().unwrap_or("")) } }
                        td { (t["steps_count"].as_i64().map(|n| n.to_string()).unwrap_or_default()) }
                        td { (when(t["last_updated"].as_str(), tz)) }
                    }
                } }
            }
        }
    };
    respond(StatusCode::OK, page("Templates", Some(&p.nav), body))
}

/// `GET /app/{org}/templates/{template_id}/launch`: the kick-off form.
pub async fn launch_page(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, template_id)): Path<(String, String)>,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let t = p
        .get(&p.api_path(&format!("/checklists/{}?with=prerun", seg(&template_id))))
        .await;
    if !t.ok() {
        return p.refused(&t);
    }
    let people = people_of(&p, &prerun_of(t.data())).await;
    respond(
        StatusCode::OK,
        launch_form(&p, t.data(), &Problems::default(), None, people.as_ref()),
    )
}

/// A template's kick-off fields.
fn prerun_of(t: &Value) -> Vec<Value> {
    t["prerun"]["data"]
        .as_array()
        .or(t["prerun"].as_array())
        .cloned()
        .unwrap_or_default()
}

fn launch_form(
    p: &OrgPage,
    t: &Value,
    problems: &Problems,
    name: Option<&str>,
    people: Option<&People>,
) -> maud::Markup {
    let fields = prerun_of(t);
    let view = FieldView {
        read_only: false,
        people,
        org: None,
    };
    let title = t["title"].as_str().unwrap_or("");
    let action = format!(
        "/app/{}/templates/{}/launch",
        seg(&p.org),
        seg(t["id"].as_str().unwrap_or(""))
    );
    let body = html! {
        h1 { "Launch: " (title) }
        @if let Some(m) = &problems.message { p.flash.bad role="alert" { (m) } }
        form.card method="post" action=(action) novalidate {
            input type="hidden" name="_csrf" value=(p.nav.csrf);
            label for="run-name" { "Process name" }
            input #run-name type="text" name="name" value=(name.unwrap_or(title));
            @if let Some(m) = problems.fields.get("name") { p.error { (m) } }
            @if !fields.is_empty() { h2 { "Kick-off form" } }
            @for f in &fields { (field(f, problems, &view)) }
            div.actions { button type="submit" { "Launch" } }
        }
    };
    page(&format!("Launch {title}"), Some(&p.nav), body)
}

/// `POST /app/{org}/templates/{template_id}/launch`: `POST /organizations/{org}/runs`.
pub async fn launch(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, template_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let pairs = crate::web::form_pairs(&body);
    if !p.member.csrf_ok(crate::web::value_of(&pairs, "_csrf").as_deref()) {
        return error(
            StatusCode::FORBIDDEN,
            "The form had expired. Reload the page and try again.",
            Some(&p.nav),
        );
    }
    let t = p
        .get(&p.api_path(&format!("/checklists/{}?with=prerun", seg(&template_id))))
        .await;
    if !t.ok() {
        return p.refused(&t);
    }
    let defs = prerun_of(t.data());
    let prerun = answers(&defs, &pairs);
    let name = crate::web::value_of(&pairs, "name").unwrap_or_default();
    let a = p
        .send(
            Method::POST,
            &p.api_path("/runs"),
            &serde_json::json!({"checklist_id": template_id, "name": name, "prerun": prerun}),
        )
        .await;
    if !a.ok() {
        let mut problems = Problems::from_answer(&a);
        problems.sent = prerun;
        let people = people_of(&p, &defs).await;
        return respond(
            a.status,
            launch_form(&p, t.data(), &problems, Some(&name), people.as_ref()),
        );
    }
    let run = a.data()["id"].as_str().unwrap_or("");
    let mut r = Redirect::to(&format!("/app/{}/runs/{}", seg(&org), seg(run))).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}
