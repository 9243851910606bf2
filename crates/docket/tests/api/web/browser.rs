//! A tiny browser: keeps cookies, follows no redirects by itself, reads hidden CSRF fields.

use std::collections::BTreeMap;

use reqwest::Method;
use reqwest::header::HeaderMap;

use crate::support::TestApp;

/// A page as received.
#[derive(Debug)]
pub struct Page {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body.
    pub text: String,
}

impl Page {
    /// Asserts the status.
    #[track_caller]
    pub fn expect_status(self, status: u16) -> Page {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }

    /// `Location`.
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The `Set-Cookie` header of cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The first hidden `_csrf` value of the page.
    pub fn csrf(&self) -> String {
        field_value(&self.text, "_csrf").expect("a _csrf field")
    }
}

/// The `value` of the first input named `name`.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// A client with a cookie jar.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    /// Cookies by name.
    pub cookies: BTreeMap<String, String>,
    /// Extra headers sent with every request (e.g. `X-Forwarded-Proto`).
    pub extra: Vec<(String, String)>,
}

impl Browser {
    /// A fresh browser for `app`.
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
            extra: Vec::new(),
        }
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let body = form.map(|f| {
            let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(f).finish();
            ("application/x-www-form-urlencoded".to_string(), body.into_bytes())
        });
        self.send_body(method, path, body).await
    }

    async fn send_body(&mut self, method: Method, path: &str, body: Option<(String, Vec<u8>)>) -> Page {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            rb = rb.header("cookie", c.join("; "));
        }
        for (k, v) in &self.extra {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some((content_type, bytes)) = body {
            rb = rb.header("content-type", content_type).body(bytes);
        }
        let r = rb.send().await.expect("request sent");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        for v in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            let first = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                let gone = v.contains("Max-Age=0");
                if gone || val.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
        let text = r.text().await.expect("body");
        Page { status, headers, text }
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    /// POST a form.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(form)).await
    }

    /// POST a `multipart/form-data` form: the text parts in order, then the file part `file`
    /// (`filename`, bytes), as a browser sends an upload form.
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Page {
        const B: &str = "browserboundaryQ8x2kZ";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        if let Some((filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        self.send_body(
            Method::POST,
            path,
            Some((format!("multipart/form-data; boundary={B}"), body)),
        )
        .await
    }

    /// POST a form with the CSRF token of the page at `from`.
    pub async fn submit(&mut self, from: &str, path: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.get(from).await.expect_status(200).csrf();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(form);
        self.post(path, &all).await
    }

    /// Opens the sign-in page and signs in.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let csrf = self.get("/app/sign-in").await.expect_status(200).csrf();
        self.post(
            "/app/sign-in",
            &[
                ("_csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/app"),
            ],
        )
        .await
    }
}
