//! One-time sign-in links by email (docs/web.md, "Signing in"): asked for on the sign-in page,
//! received by the SMTP sink of the email tests, opened (a page with a button, so that opening
//! does not spend it), used once; expired, unknown and disabled cases; the same answer for
//! every address; CSRF; the sign-in rate limit; nothing without SMTP.

use std::net::SocketAddr;
use std::time::Duration;

use docket::config::{Config, SmtpTls};
use docket_domain::ids;
use reqwest::Method;

use super::{Browser, PASSWORD, cheap, set_password};
use crate::email::smtp::SmtpSink;
use crate::support::fixtures::count_rows;
use crate::support::{Backend, TestApp};

const BASE: &str = "https://docket.test";
const SENT: &str = "If that address belongs to a member, a link is on its way.";

/// Mail through the sink at `addr`; links start with [`BASE`]; `limit` sign-in attempts.
fn mail_via(addr: SocketAddr, limit: i64) -> impl FnOnce(&mut Config) + Clone {
    move |c: &mut Config| {
        cheap(c);
        c.email.smtp_host = Some("127.0.0.1".into());
        c.email.smtp_port = addr.port();
        c.email.smtp_tls = SmtpTls::None;
        c.email.timeout_secs = 5;
        c.public_url = Some(BASE.into());
        c.web.signin_limit = limit;
    }
}

/// Asks for a sign-in link for `email` from the sign-in page.
async fn ask(b: &mut Browser, email: &str) -> super::browser::Page {
    let page = b.get("/app/sign-in").await.expect_status(200);
    assert!(page.text.contains("Email me a sign-in link"), "{}", page.text);
    let csrf = page.csrf();
    b.post("/app/sign-in/email", &[("_csrf", &csrf), ("email", email)])
        .await
}

/// The path of the `n`-th (from 1) link mailed to `to`, and its token.
async fn link_in_mail(sink: &SmtpSink, to: &str, n: usize) -> (String, String) {
    let mail = sink.wait_for(to, n).await;
    let m = &mail[n - 1];
    assert_eq!(m.subject(), "Your sign-in link");
    let body = m.body();
    let at = body
        .find(&format!("{BASE}/app/sign-in/"))
        .unwrap_or_else(|| panic!("no link in {body}"));
    let path: String = body[at + BASE.len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let token = path.trim_start_matches("/app/sign-in/").to_string();
    assert_eq!(token.len(), 64, "{path}");
    (path, token)
}

/// Posts the button of the link's page (after opening it, as a browser would).
async fn use_link(b: &mut Browser, path: &str) -> super::browser::Page {
    b.submit(path, path, &[]).await
}

on_both!(a_mailed_sign_in_link_signs_in_once, backend);
async fn a_mailed_sign_in_link_signs_in_once(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr, 10)).await;
    // Bob has no password: the link alone signs him in. The address matches in any case.
    let mut b = Browser::new(&app);
    let asked = ask(&mut b, "Bob@Acme.TEST").await.expect_status(200);
    assert!(asked.text.contains(SENT), "{}", asked.text);
    let (path, token) = link_in_mail(&sink, "bob@acme.test", 1).await;

    // Only the token's SHA-256 is stored.
    let stored = count_rows(
        &app,
        "SELECT COUNT(*) FROM web_signin_links WHERE hash = $1",
        &ids::token_hash(&token),
    )
    .await;
    assert_eq!(stored, 1);
    let plain = count_rows(&app, "SELECT COUNT(*) FROM web_signin_links WHERE hash = $1", &token).await;
    assert_eq!(plain, 0);

    // Opening the link (twice, as a mail client's scanner and then the member) spends nothing.
    let mut scanner = Browser::new(&app);
    scanner.get(&path).await.expect_status(200);
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains(&format!("action=\"{path}\"")), "{}", page.text);
    assert!(page.set_cookie("docket_session").is_none());

    // The button signs in: a new session cookie, then the inbox.
    let signed = use_link(&mut b, &path).await.expect_status(303);
    assert_eq!(signed.location(), "/app");
    let cookie = signed.set_cookie("docket_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    b.get("/app").await.expect_status(303);
    let inbox = b.get("/app/acme").await.expect_status(200);
    assert!(inbox.text.contains("Sign out"), "{}", inbox.text);

    // The same link a second time, from anywhere: refused, nobody signed in.
    let mut other = Browser::new(&app);
    let again = other.get(&path).await.expect_status(410);
    assert!(again.text.contains("already used"), "{}", again.text);
    let csrf = other.get("/app/sign-in").await.expect_status(200).csrf();
    let again = other.post(&path, &[("_csrf", &csrf)]).await.expect_status(410);
    assert!(again.set_cookie("docket_session").is_none());
    other.get("/app/acme").await.expect_status(303);

    // A token nobody was sent: a clear 404 page, not an error.
    let unknown = format!("/app/sign-in/{}", ids::new_token());
    let page = other.get(&unknown).await.expect_status(404);
    assert!(page.text.contains("not valid"), "{}", page.text);
    other.post(&unknown, &[("_csrf", &csrf)]).await.expect_status(404);
    app.stop().await;
}

on_both!(an_expired_sign_in_link_is_refused, backend);
async fn an_expired_sign_in_link_is_refused(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr, 10)).await;
    let mut b = Browser::new(&app);
    ask(&mut b, "bob@acme.test").await.expect_status(200);
    let (path, _) = link_in_mail(&sink, "bob@acme.test", 1).await;
    // Another docket on the same database whose clock reads 16 minutes later.
    let later_now = docket_domain::time::now_ms() + 16 * 60_000;
    let later = TestApp::spawn_on(&app.store_url(), backend, move |c: &mut Config| {
        c.now = Some(later_now);
    })
    .await;
    let mut late = Browser::new(&later);
    let page = late.get(&path).await.expect_status(410);
    assert!(page.text.contains("expired"), "{}", page.text);
    let csrf = late.get("/app/sign-in").await.expect_status(200).csrf();
    let r = late.post(&path, &[("_csrf", &csrf)]).await.expect_status(410);
    assert!(r.set_cookie("docket_session").is_none());
    late.get("/app/acme").await.expect_status(303);
    // On time, the same link still works once.
    use_link(&mut b, &path).await.expect_status(303);
    later.stop().await;
    app.stop().await;
}

on_both!(every_address_gets_the_same_answer_and_only_members_a_mail, backend);
async fn every_address_gets_the_same_answer_and_only_members_a_mail(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr, 10)).await;
    let (ann, _) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    app.call(Method::DELETE, &app.org_path(&format!("/users/{ann}/disable")))
        .await
        .expect(200);
    let mut b = Browser::new(&app);
    let nobody = ask(&mut b, "nobody@acme.test").await.expect_status(200);
    let disabled = ask(&mut b, "ann@acme.test").await.expect_status(200);
    let member = ask(&mut b, "bob@acme.test").await.expect_status(200);
    assert_eq!(nobody.text, member.text, "the same page for a stranger");
    assert_eq!(disabled.text, member.text, "the same page for a disabled member");
    assert!(member.text.contains(SENT), "{}", member.text);
    link_in_mail(&sink, "bob@acme.test", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.to("nobody@acme.test").is_empty());
    assert!(sink.to("ann@acme.test").is_empty());
    assert_eq!(sink.messages().len(), 1);
    let links = count_rows(&app, "SELECT COUNT(*) FROM web_signin_links WHERE hash <> $1", "").await;
    assert_eq!(links, 1, "a link stored for bob only");
    app.stop().await;
}

on_both!(a_member_disabled_after_the_mail_cannot_sign_in, backend);
async fn a_member_disabled_after_the_mail_cannot_sign_in(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr, 10)).await;
    let (ann, _) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    let mut b = Browser::new(&app);
    ask(&mut b, "ann@acme.test").await.expect_status(200);
    let (path, _) = link_in_mail(&sink, "ann@acme.test", 1).await;
    app.call(Method::DELETE, &app.org_path(&format!("/users/{ann}/disable")))
        .await
        .expect(200);
    let page = b.get(&path).await.expect_status(403);
    assert!(page.text.contains("disabled"), "{}", page.text);
    let csrf = b.get("/app/sign-in").await.expect_status(200).csrf();
    let r = b.post(&path, &[("_csrf", &csrf)]).await.expect_status(403);
    assert!(r.set_cookie("docket_session").is_none());
    b.get("/app/acme").await.expect_status(303);
    app.stop().await;
}

on_both!(link_forms_are_csrf_checked_and_rate_limited, backend);
async fn link_forms_are_csrf_checked_and_rate_limited(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr, 3)).await;
    set_password(&app, "bob@acme.test", PASSWORD).await;
    // Without the form's token (no cookie, then a cookie without the field): 403, no mail.
    let mut b = Browser::new(&app);
    b.post("/app/sign-in/email", &[("email", "bob@acme.test")])
        .await
        .expect_status(403);
    b.get("/app/sign-in").await.expect_status(200);
    b.post("/app/sign-in/email", &[("email", "bob@acme.test")])
        .await
        .expect_status(403);
    b.post(
        "/app/sign-in/email",
        &[("_csrf", "0".repeat(64).as_str()), ("email", "bob@acme.test")],
    )
    .await
    .expect_status(403);

    // Within the limit (3): each request counts, whoever the address is.
    ask(&mut b, "bob@acme.test").await.expect_status(200);
    let (path, _) = link_in_mail(&sink, "bob@acme.test", 1).await;
    // The link's button without the token: 403, and the link is not spent.
    let mut c = Browser::new(&app);
    c.get(&path).await.expect_status(200);
    let r = c.post(&path, &[]).await.expect_status(403);
    assert!(r.set_cookie("docket_session").is_none());
    ask(&mut b, "bob@acme.test").await.expect_status(200);
    ask(&mut b, "nobody@acme.test").await.expect_status(200);
    // Past it, from this client: 429, and no more mail.
    let r = ask(&mut b, "someone@acme.test").await.expect_status(429);
    assert_eq!(r.headers["retry-after"], "900");
    // The same limit as the password form's: it waits too, from this client address.
    let mut fresh = Browser::new(&app);
    fresh.sign_in("bob@acme.test", PASSWORD).await.expect_status(429);
    sink.wait_for("bob@acme.test", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2, "two links for bob, nothing else");
    // The unspent link still signs in.
    use_link(&mut c, &path).await.expect_status(303);
    c.get("/app/acme").await.expect_status(200);
    app.stop().await;
}

on_both!(without_smtp_there_are_no_sign_in_links, backend);
async fn without_smtp_there_are_no_sign_in_links(backend: Backend) {
    let app = TestApp::spawn_with(backend, cheap).await;
    let mut b = Browser::new(&app);
    let page = b.get("/app/sign-in").await.expect_status(200);
    assert!(!page.text.contains("sign-in link"), "{}", page.text);
    assert!(!page.text.contains("/app/sign-in/email"), "{}", page.text);
    let csrf = page.csrf();
    b.post(
        "/app/sign-in/email",
        &[("_csrf", csrf.as_str()), ("email", "bob@acme.test")],
    )
    .await
    .expect_status(404);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let links = count_rows(&app, "SELECT COUNT(*) FROM web_signin_links WHERE hash <> $1", "").await;
    assert_eq!(links, 0);
    app.stop().await;
}
