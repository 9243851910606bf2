//! `TestApp`: docket started through the same seam as `main`, on `127.0.0.1:0`, over a fresh
//! database, with an organization, an admin and a typed client.

use docket::admin::{BootstrapArgs, bootstrap};
use docket::config::Config;
use docket::startup::{Running, build_state, start};
use docket_domain::ids;
use docket_store::model::{NewMembership, NewToken, NewUser, Provision};
use reqwest::Method;
use serde_json::Value;

use super::backend::{Backend, TestDb};

/// A response: status, headers, and the body as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Parsed body.
    pub body: Value,
    /// Raw body.
    pub text: String,
}

impl Resp {
    /// `body.data`.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }

    /// Asserts a 422 whose `errors` has `field`, and returns its first message.
    #[track_caller]
    pub fn expect_invalid(&self, field: &str) -> String {
        assert_eq!(self.status, 422, "expected 422 on {field}; body: {}", self.text);
        assert_eq!(self.body["code"], "VALIDATION_ERROR", "{}", self.text);
        self.body["errors"][field][0]
            .as_str()
            .unwrap_or_else(|| panic!("no error on {field}: {}", self.text))
            .to_string()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The local file storage directory of the test database `url` (one per database, so that a
/// server's start-up sweep never touches another test's files; the same for a second server on
/// the same database).
pub fn asset_dir_for(url: &str) -> std::path::PathBuf {
    let key = ids::token_hash(url);
    std::env::temp_dir()
        .join("docket-tests")
        .join(format!("assets-{}", &key[..16]))
}

/// A running docket with one organization.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The organization's id.
    pub org: String,
    /// The organization admin's token.
    pub token: String,
    /// The admin's user id.
    pub admin_id: i64,
    /// Which database this runs on.
    pub backend: Backend,
    client: reqwest::Client,
    running: Running,
    url: String,
    _db: Option<TestDb>,
}

impl TestApp {
    /// Starts docket on a fresh database with an organization `acme` and admin 1001.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As `spawn`, after `tune` has adjusted the configuration.
    pub async fn spawn_with(backend: Backend, tune: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_with_db(TestDb::create(backend).await, backend, tune).await
    }

    /// As `spawn_with`, over `db` (a fresh database the server then owns).
    pub async fn spawn_with_db(db: TestDb, backend: Backend, tune: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config {
            database_url: db.url.clone(),
            listen: "127.0.0.1:0".into(),
            ..Config::default()
        };
        config.storage.dir = Some(asset_dir_for(&db.url));
        tune(&mut config);
        let state = build_state(config).await.expect("state");
        let token = ids::new_token();
        let out = bootstrap(
            &state.store,
            BootstrapArgs {
                org_name: "Acme".into(),
                email: "bob@acme.test".into(),
                org_id: Some("acme".into()),
                user_id: Some(1001),
                token: Some(token.clone()),
                first_name: "Bob".into(),
                last_name: "Stone".into(),
            },
            state.clock.now(),
        )
        .await
        .expect("bootstrap");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let running = start(state, listener).expect("start");
        TestApp {
            base: format!("http://{}", running.addr),
            org: out.org_id,
            token,
            admin_id: out.user_id,
            backend,
            client: reqwest::Client::new(),
            running,
            url: db.url.clone(),
            _db: Some(db),
        }
    }

    /// Starts another docket on the existing database `url` (made by another `TestApp`, which
    /// keeps owning it), with a fresh token for admin 1001 of `acme`.
    pub async fn spawn_on(url: &str, backend: Backend, tune: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config {
            database_url: url.to_string(),
            listen: "127.0.0.1:0".into(),
            ..Config::default()
        };
        config.storage.dir = Some(asset_dir_for(url));
        tune(&mut config);
        let state = build_state(config).await.expect("state");
        let token = ids::new_token();
        state
            .store
            .add_token(1001, &ids::token_hash(&token), state.clock.now())
            .await
            .expect("token");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let running = start(state, listener).expect("start");
        TestApp {
            base: format!("http://{}", running.addr),
            org: "acme".into(),
            token,
            admin_id: 1001,
            backend,
            client: reqwest::Client::new(),
            running,
            url: url.to_string(),
            _db: None,
        }
    }

    /// Stops the server but keeps its database, returned for a later `spawn_on`.
    pub async fn stop_keeping_db(mut self) -> Option<TestDb> {
        let db = self._db.take();
        self.running.stop().await;
        db
    }

    /// Stops the server and drops the database.
    pub async fn stop(self) {
        self.running.stop().await;
    }

    /// The database URL, for running the binary against the same database.
    pub fn store_url(&self) -> String {
        self.url.clone()
    }

    /// The directory of the server's local file storage.
    pub fn asset_dir(&self) -> std::path::PathBuf {
        docket::storage::local::default_dir(&self.running.state.config)
    }

    /// The server's state (storage, configuration).
    pub fn state(&self) -> &docket::state::AppState {
        &self.running.state
    }

    /// The store behind the server.
    pub fn store(&self) -> &docket_store::Store {
        &self.running.state.store
    }

    /// Adds a member of `org` with `role`; returns their id and token.
    pub async fn add_member(&self, org: &str, id: i64, email: &str, role: &str) -> (i64, String) {
        let token = ids::new_token();
        let p = Provision {
            users: vec![NewUser {
                id: Some(id),
                email: email.into(),
                username: email.split('@').next().unwrap_or("").into(),
                first_name: format!("First{id}"),
                last_name: format!("Last{id}"),
                profile: None,
            }],
            memberships: vec![NewMembership {
                org_id: org.into(),
                user: 0,
                role: role.into(),
                status: "active".into(),
            }],
            tokens: vec![NewToken {
                user: 0,
                hash: ids::token_hash(&token),
            }],
            now: docket_domain::time::now_ms(),
            ..Default::default()
        };
        let done = self.store().provision(&p).await.expect("provision member");
        (done.user_ids[0], token)
    }

    /// Creates another organization with its own admin; returns (org id, admin token).
    pub async fn add_org(&self, org_id: &str, admin_id: i64) -> String {
        let token = ids::new_token();
        bootstrap(
            self.store(),
            BootstrapArgs {
                org_name: format!("Org {org_id}"),
                email: format!("admin{admin_id}@{org_id}.test"),
                org_id: Some(org_id.into()),
                user_id: Some(admin_id),
                token: Some(token.clone()),
                first_name: "Other".into(),
                last_name: "Admin".into(),
            },
            docket_domain::time::now_ms(),
        )
        .await
        .expect("second org");
        token
    }

    /// A request with the admin's token and the client header.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.request_as(&self.token, method, path)
    }

    /// A request with `token` and the client header.
    pub fn request_as(&self, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("X-Tallyfy-Client", "APIClient")
    }

    /// A request with no headers at all.
    pub fn bare(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// Sends and reads the response.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let r = rb.send().await.expect("request sent");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// GET as the admin.
    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request(Method::GET, path)).await
    }

    /// A JSON request as the admin.
    pub async fn json(&self, method: Method, path: &str, body: Value) -> Resp {
        self.send(self.request(method, path).json(&body)).await
    }

    /// A request without a body as the admin.
    pub async fn call(&self, method: Method, path: &str) -> Resp {
        self.send(self.request(method, path)).await
    }

    /// `/organizations/{org}` + `rest`.
    pub fn org_path(&self, rest: &str) -> String {
        format!("/organizations/{}{rest}", self.org)
    }
}
