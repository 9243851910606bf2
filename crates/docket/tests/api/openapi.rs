//! The OpenAPI document (`GET /openapi.json`) and the reference page (`GET /docs`), spec §1.14:
//! public, OpenAPI 3.1, every route of the spec with its methods, the §1.9 error envelope behind
//! every 4xx, and a page that loads nothing from the internet.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

/// Every route of spec §3 that docket serves, the webhook delivery log of §1.14 and the operational routes.
const SPEC_ROUTES: &[(&str, &str)] = &[
    ("post", "/organizations/{org}/tasks"),
    ("get", "/organizations/{org}/tasks"),
    ("get", "/organizations/{org}/tasks/{task_id}"),
    ("put", "/organizations/{org}/tasks/{task_id}"),
    ("delete", "/organizations/{org}/tasks/{task_id}"),
    ("delete", "/organizations/{org}/tasks/{task_id}/delete"),
    ("put", "/organizations/{org}/tasks/{task_id}/restore"),
    ("post", "/organizations/{org}/completed-tasks"),
    ("delete", "/organizations/{org}/completed-tasks/{task_id}"),
    ("get", "/organizations/{org}/me/tasks"),
    ("get", "/organizations/{org}/users/{user_id}/tasks"),
    ("get", "/organizations/{org}/guests/{guest}/tasks"),
    ("get", "/organizations/{org}/runs"),
    ("get", "/organizations/{org}/runs/{run_id}"),
    ("put", "/organizations/{org}/runs/{run_id}"),
    ("delete", "/organizations/{org}/runs/{run_id}"),
    ("put", "/organizations/{org}/runs/{run_id}/activate"),
    ("delete", "/organizations/{org}/runs/{run_id}/delete"),
    ("get", "/organizations/{org}/runs/{run_id}/tasks"),
    ("get", "/organizations/{org}/runs/{run_id}/form-fields"),
    ("post", "/organizations/{org}/runs"),
    ("post", "/organizations/{org}/runs/{run_id}/complete-prerun"),
    ("delete", "/organizations/{org}/runs/{run_id}/complete-prerun"),
    ("get", "/organizations/{org}/runs/{run_id}/tasks/{task_id}"),
    ("put", "/organizations/{org}/runs/{run_id}/tasks/{task_id}"),
    ("post", "/organizations/{org}/runs/{run_id}/completed-tasks"),
    ("delete", "/organizations/{org}/runs/{run_id}/completed-tasks/{task_id}"),
    ("post", "/organizations/{org}/tasks/{task_id}/comment"),
    ("put", "/organizations/{org}/tasks/{task_id}/comment/{comment_id}"),
    ("delete", "/organizations/{org}/tasks/{task_id}/comment/{comment_id}"),
    ("post", "/organizations/{org}/tasks/{task_id}/problem"),
    ("post", "/organizations/{org}/tasks/{task_id}/resolved-threads"),
    ("get", "/organizations/{org}/tags"),
    ("post", "/organizations/{org}/tags"),
    ("get", "/organizations/{org}/tags/{tag_id}"),
    ("put", "/organizations/{org}/tags/{tag_id}"),
    ("delete", "/organizations/{org}/tags/{tag_id}"),
    ("get", "/organizations/{org}/checklists"),
    ("post", "/organizations/{org}/checklists"),
    ("get", "/organizations/{org}/checklists/{checklist_id}"),
    ("put", "/organizations/{org}/checklists/{checklist_id}"),
    ("delete", "/organizations/{org}/checklists/{checklist_id}"),
    ("put", "/organizations/{org}/checklists/{checklist_id}/restore"),
    ("delete", "/organizations/{org}/checklists/{checklist_id}/delete"),
    ("post", "/organizations/{org}/checklists/{checklist_id}/clone"),
    ("put", "/organizations/{org}/checklists/{checklist_id}/publish"),
    ("get", "/organizations/{org}/checklists/{checklist_id}/form-fields"),
    (
        "delete",
        "/organizations/{org}/checklists/{checklist_id}/preruns/{field_id}",
    ),
    ("post", "/organizations/{org}/checklists/tags"),
    ("delete", "/organizations/{org}/checklists/tags/{association_id}"),
    ("get", "/organizations/{org}/folders"),
    ("post", "/organizations/{org}/folders"),
    ("get", "/organizations/{org}/folders/{folder_id}"),
    ("put", "/organizations/{org}/folders/{folder_id}"),
    ("delete", "/organizations/{org}/folders/{folder_id}"),
    ("post", "/organizations/{org}/folders/add-object"),
    ("delete", "/organizations/{org}/folders-objects/{folder_object_id}"),
    (
        "post",
        "/organizations/{org}/checklists/{checklist_id}/automated-actions",
    ),
    (
        "put",
        "/organizations/{org}/checklists/{checklist_id}/automated-actions/{automation_id}",
    ),
    (
        "delete",
        "/organizations/{org}/checklists/{checklist_id}/automated-actions/{automation_id}",
    ),
    ("get", "/organizations/{org}/groups"),
    ("post", "/organizations/{org}/groups"),
    ("get", "/organizations/{org}/groups/{group_id}"),
    ("put", "/organizations/{org}/groups/{group_id}"),
    ("delete", "/organizations/{org}/groups/{group_id}"),
    ("get", "/organizations/{org}/guests"),
    ("get", "/organizations/{org}/guests-list"),
    ("post", "/organizations/{org}/guests"),
    ("get", "/organizations/{org}/guests/{guest}"),
    ("put", "/organizations/{org}/guests/{guest}"),
    ("delete", "/organizations/{org}/guests/{guest}"),
    ("delete", "/organizations/{org}/guests/{guest}/disable"),
    ("put", "/organizations/{org}/guests/{guest}/enable"),
    ("get", "/organizations/{org}/users"),
    ("get", "/organizations/{org}/users-list"),
    ("get", "/organizations/{org}/users/{user_id}"),
    ("post", "/organizations/{org}/users/invite"),
    ("put", "/organizations/{org}/users/{user_id}/role"),
    ("delete", "/organizations/{org}/users/{user_id}/disable"),
    ("put", "/organizations/{org}/users/{user_id}/enable"),
    ("put", "/organizations/{org}/users/{user_id}/approve"),
    ("get", "/organizations/{org}/me"),
    ("put", "/organizations/{org}/me"),
    ("get", "/organizations/{org}"),
    ("get", "/me"),
    ("get", "/me/organizations"),
    ("get", "/organizations/{org}/search"),
    ("get", "/organizations/{org}/webhook-events"),
    ("get", "/organizations/{org}/webhook-events/{event_id}"),
    ("post", "/organizations/{org}/webhook-events/{event_id}/redeliver"),
    ("get", "/organizations/{org}/checklists/{checklist_id}/steps"),
    ("post", "/organizations/{org}/checklists/{checklist_id}/steps"),
    ("get", "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}"),
    ("put", "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}"),
    (
        "delete",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}",
    ),
    (
        "post",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/clone",
    ),
    (
        "put",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/reorder",
    ),
    (
        "post",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures",
    ),
    (
        "put",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures",
    ),
    (
        "put",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures/{capture_id}",
    ),
    (
        "delete",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures/{capture_id}",
    ),
    (
        "put",
        "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures/{capture_id}/move-out",
    ),
    ("get", "/organizations/{org}/activity-feeds"),
    ("get", "/organizations/{org}/watchers"),
    ("post", "/organizations/{org}/users/{user_id}/add-watcher"),
    ("delete", "/organizations/{org}/remove-watcher/{watcher_id}"),
    ("post", "/organizations/{org}/assets"),
    ("post", "/organizations/{org}/file"),
    ("get", "/organizations/{org}/assets/{asset_id}"),
    ("delete", "/organizations/{org}/assets/{asset_id}"),
    ("get", "/organizations/{org}/file/{asset_id}"),
    ("delete", "/organizations/{org}/file/{asset_id}"),
    ("get", "/organizations/{org}/file/{asset_id}/dl"),
    ("get", "/health"),
    ("get", "/ready"),
];

const METHODS: [&str; 4] = ["get", "put", "post", "delete"];

async fn document(app: &TestApp) -> Value {
    let r = app.send(app.bare(Method::GET, "/openapi.json")).await.expect(200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.headers
    );
    r.body
}

/// Every (method, path) of the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(m).is_some() {
                out.insert((m.to_string(), path.clone()));
            }
        }
    }
    out
}

/// `path` with every `{param}` replaced by a value that names nothing.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{org}" => "acme",
            "{user_id}" | "{association_id}" => "999999",
            "{guest}" => "nobody%40example.com",
            s if s.starts_with('{') => "0123456789abcdef0123456789abcdef",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

on_both!(the_document_is_public_openapi_3_1_and_names_both_prefixes);
async fn the_document_is_public_openapi_3_1_and_names_both_prefixes(app: &TestApp) {
    let doc = document(app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(doc["info"]["title"], "docket");
    let description = doc["info"]["description"].as_str().expect("description");
    assert!(
        description.contains("`/api`") && description.contains("un-prefixed"),
        "{description}"
    );
    // Documented paths are the canonical ones, never the `/api` copies.
    assert!(operations(&doc).iter().all(|(_, p)| !p.starts_with("/api/")));
}

on_both!(the_document_lists_every_route_of_the_spec_with_its_methods_and_nothing_else);
async fn the_document_lists_every_route_of_the_spec_with_its_methods_and_nothing_else(app: &TestApp) {
    let doc = document(app).await;
    let documented = operations(&doc);
    let expected: BTreeSet<(String, String)> = SPEC_ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(missing.is_empty(), "routes missing from the document: {missing:?}");
    assert!(extra.is_empty(), "documented routes the spec does not have: {extra:?}");
    let mut ids = BTreeSet::new();
    for (m, p) in &documented {
        let op = &doc["paths"][p][m];
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{m} {p} has no operationId"));
        assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        // Every `{param}` of the path is a documented, required path parameter.
        for seg in p.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            let found = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|q| q["name"] == name && q["in"] == "path" && q["required"] == true);
            assert!(found, "{m} {p}: path parameter {name} is not documented");
        }
    }
}

on_both!(every_documented_operation_is_routed_under_both_prefixes);
async fn every_documented_operation_is_routed_under_both_prefixes(app: &TestApp) {
    let doc = document(app).await;
    for (m, p) in operations(&doc) {
        let method = Method::from_bytes(m.to_uppercase().as_bytes()).expect("method");
        let prefixes: &[&str] = if p == "/health" || p == "/ready" {
            &[""]
        } else {
            &["", "/api"]
        };
        for prefix in prefixes {
            let url = format!("{prefix}{}", concrete(&p));
            let r = app.send(app.request(method.clone(), &url).body("{}")).await;
            assert_ne!(r.status, 405, "{m} {url} is not routed: {}", r.text);
            assert_ne!(r.body["code"], "ENDPOINT_NOT_FOUND", "{m} {url} is not routed");
            assert!(r.status < 500, "{m} {url}: {} {}", r.status, r.text);
        }
    }
}

on_both!(the_task_list_parameters_of_the_spec_are_documented);
async fn the_task_list_parameters_of_the_spec_are_documented(app: &TestApp) {
    let doc = document(app).await;
    let names = |m: &str, p: &str| -> BTreeSet<String> {
        doc["paths"][p][m]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|q| q["in"] == "query")
            .filter_map(|q| q["name"].as_str().map(str::to_string))
            .collect()
    };
    let task_params = [
        "q",
        "status",
        "owners",
        "guests",
        "roles",
        "groups",
        "tag",
        "folder",
        "created",
        "deadline_start_range",
        "deadline_end_range",
        "deadline_on",
        "deadline_before",
        "deadline_after",
        "is_oneoff",
        "unassigned",
        "archived",
        "with",
        "sort",
        "page",
        "per_page",
        "without_pagination",
    ];
    for p in [
        "/organizations/{org}/tasks",
        "/organizations/{org}/me/tasks",
        "/organizations/{org}/users/{user_id}/tasks",
        "/organizations/{org}/guests/{guest}/tasks",
    ] {
        let got = names("get", p);
        for want in task_params {
            assert!(got.contains(want), "GET {p} lacks the query parameter {want}: {got:?}");
        }
    }
    let runs = names("get", "/organizations/{org}/runs");
    for want in [
        "q",
        "status",
        "task_status",
        "owners",
        "tag",
        "starred",
        "type",
        "archived",
        "sort",
        "page",
    ] {
        assert!(runs.contains(want), "GET runs lacks {want}: {runs:?}");
    }
    let search = names("get", "/organizations/{org}/search");
    for want in ["search", "on", "page", "per_page", "tags"] {
        assert!(search.contains(want), "GET search lacks {want}: {search:?}");
    }
}

on_both!(every_4xx_response_is_the_error_envelope);
async fn every_4xx_response_is_the_error_envelope(app: &TestApp) {
    let doc = document(app).await;
    let envelope = &doc["components"]["schemas"]["Error"];
    let required: BTreeSet<&str> = envelope["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, BTreeSet::from(["code", "error", "message"]), "{envelope}");
    assert!(envelope["properties"]["errors"].is_object(), "{envelope}");
    let codes = envelope["properties"]["code"].to_string() + &doc["components"]["schemas"]["ErrorCode"].to_string();
    for code in [
        "VALIDATION_ERROR",
        "RESOURCE_NOT_FOUND",
        "RATE_LIMIT_EXCEEDED",
        "UNAUTHENTICATED",
    ] {
        assert!(codes.contains(code), "code {code} is not in the envelope's schema");
    }
    for (m, p) in operations(&doc) {
        let responses = doc["paths"][&p][&m]["responses"].as_object().expect("responses");
        let public = p == "/health" || p == "/ready";
        for status in ["401", "404", "422", "429"] {
            assert_eq!(responses.contains_key(status), !public, "{m} {p}: response {status}");
        }
        for (status, response) in responses {
            if !status.starts_with('4') {
                continue;
            }
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/Error", "{m} {p} {status}: {response}");
        }
    }
    // And the server answers with that shape.
    let r = app.get("/organizations/nope/tasks").await.expect(404);
    assert_eq!(
        (r.body["error"].clone(), r.body["code"].clone()),
        (Value::Bool(true), Value::from("RESOURCE_NOT_FOUND"))
    );
}

on_both!(every_api_operation_requires_the_bearer_token_and_the_client_header);
async fn every_api_operation_requires_the_bearer_token_and_the_client_header(app: &TestApp) {
    let doc = document(app).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(
        schemes["bearer"]["scheme"].as_str().map(str::to_lowercase).as_deref(),
        Some("bearer")
    );
    assert_eq!(schemes["client"]["type"], "apiKey");
    assert_eq!(schemes["client"]["in"], "header");
    assert_eq!(schemes["client"]["name"], "X-Tallyfy-Client");
    let global = doc["security"].as_array().expect("global security");
    assert_eq!(global.len(), 1, "{global:?}");
    assert!(
        global[0].get("bearer").is_some() && global[0].get("client").is_some(),
        "{global:?}"
    );
    for p in ["/health", "/ready"] {
        assert_eq!(
            doc["paths"][p]["get"]["security"],
            serde_json::json!([{}]),
            "{p} is public"
        );
    }
    // As the server behaves: no token, 401.
    let r = app.send(app.bare(Method::GET, &app.org_path("/tasks"))).await;
    assert_eq!(r.status, 401, "{}", r.text);
}

on_both!(the_reference_page_is_public_and_loads_only_local_assets);
async fn the_reference_page_is_public_and_loads_only_local_assets(app: &TestApp) {
    let r = app.send(app.bare(Method::GET, "/docs")).await.expect(200);
    assert!(
        r.header("content-type").is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.headers
    );
    let html = r.text.to_lowercase();
    assert!(html.contains("<base href=\"/docs/\""), "{html}");
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let url = &rest[..rest.find('"').expect("closing quote")];
            assert!(!url.contains("//"), "the page loads {url} from elsewhere");
            if url.ends_with(".js") || url.ends_with(".css") {
                assets.push(url.trim_start_matches("./").to_string());
            }
        }
    }
    assert!(assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")), "{assets:?}");
    for asset in &assets {
        let r = app
            .send(app.bare(Method::GET, &format!("/docs/{asset}")))
            .await
            .expect(200);
        assert!(!r.text.is_empty(), "{asset} is empty");
        if asset == "swagger-initializer.js" {
            assert!(r.text.contains("/openapi.json"), "{}", r.text);
        }
    }
    let r = app
        .send(app.bare(Method::GET, "/docs/no-such-file.js"))
        .await
        .expect(404);
    assert_eq!(r.body["code"], "ENDPOINT_NOT_FOUND");
}

/// Every route the server registers is documented: API routes go through
/// `OpenApiRouter::routes(routes!(…))`, which needs a `#[utoipa::path]` per handler, so a plain
/// axum `.route(` is allowed only for the operational routes and the reference itself.
#[test]
fn no_route_is_registered_outside_the_documented_routers() {
    let http = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut offenders = Vec::new();
    let mut stack = vec![http.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/http") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&http)
                .expect("under src/http")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).expect("source");
            let allowed = match rel.as_str() {
                "mod.rs" => section(&text, "fn operational_routes()"),
                "openapi/ui.rs" => section(&text, "pub fn routes<"),
                _ => "",
            };
            let count = text.matches(".route(").count() + text.matches(".route_service(").count();
            let allowed_count = allowed.matches(".route(").count();
            if count != allowed_count {
                offenders.push(format!("{rel}: {} plain route(s)", count - allowed_count));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes registered without an OpenAPI operation: {offenders:?}"
    );
    let mod_rs = std::fs::read_to_string(http.join("mod.rs")).expect("mod.rs");
    let operational = section(&mod_rs, "fn operational_routes()");
    assert!(
        operational.contains("\"/health\"") && operational.contains("\"/ready\""),
        "{operational}"
    );
}

/// The text of the function starting at `signature`, up to its closing `}` at column 0.
fn section<'a>(text: &'a str, signature: &str) -> &'a str {
    let start = text.find(signature).unwrap_or_else(|| panic!("{signature} not found"));
    let len = text[start..]
        .find("\n}\n")
        .unwrap_or_else(|| panic!("end of {signature} not found"));
    &text[start..start + len]
}

/// Every string of `v` (keys and values), with where it is.
fn strings(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((at.to_string(), s.clone())),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, x)| strings(x, &format!("{at}/{i}"), out)),
        Value::Object(map) => map.iter().for_each(|(k, x)| {
            out.push((at.to_string(), k.clone()));
            strings(x, &format!("{at}/{k}"), out)
        }),
        _ => {}
    }
}

/// Whether `word` is a numbered route code of a document a reader of this one does not have
/// (`T1`, `R12`, `GU3`, …).
fn is_route_code(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_uppercase());
    let letters = &word[..word.len() - digits.len()];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && ["T", "R", "C", "TG", "GR", "GU", "U", "M", "S", "F"].contains(&letters)
}

on_both!(the_document_explains_itself_and_points_to_the_guide);
async fn the_document_explains_itself_and_points_to_the_guide(app: &TestApp) {
    let doc = document(app).await;
    let mut all = Vec::new();
    strings(&doc, "", &mut all);
    for (at, text) in &all {
        for banned in ["§", "../shared", "spec ", "Spec "] {
            assert!(!text.contains(banned), "{at}: {banned:?} in {text:?}");
        }
        let code = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| is_route_code(w));
        assert!(code.is_none(), "{at}: the route code {code:?} in {text:?}");
    }
    let description = doc["info"]["description"].as_str().expect("description");
    assert!(description.contains("`docs/README.md`"), "{description}");
}
