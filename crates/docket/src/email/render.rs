//! What each mail says: a subject and a plain-text body from a job of the email outbox. A member
//! gets the link of the task's page under `/app`; a guest the link of their `taskUrls` entry.
//! Also the one mail that is not a job: a one-time sign-in link ([`signin_link`]).

use docket_store::model::EmailJob;
use serde_json::Value;

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub body: String,
}

/// Who a job goes to, from its `recipient`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A member.
    Member(i64),
    /// A guest.
    Guest(i64),
}

impl Recipient {
    /// Reads `user:<id>` or `guest:<id>`.
    pub fn parse(s: &str) -> Option<Recipient> {
        if let Some(id) = s.strip_prefix("user:") {
            id.parse().ok().map(Recipient::Member)
        } else {
            s.strip_prefix("guest:")
                .and_then(|id| id.parse().ok())
                .map(Recipient::Guest)
        }
    }
}

/// The link to task `task_id` for the job's recipient: `{base}/app/{org}/tasks/{id}` for a
/// member, `{base}/guest/{code}/tasks/{id}` for a guest with `guest_code`.
pub fn task_link(base: &str, org: &str, task_id: &str, guest_code: Option<&str>) -> String {
    let base = base.trim_end_matches('/');
    match guest_code {
        Some(code) => format!("{}/tasks/{task_id}", crate::http::guests::guest_link(base, code)),
        None => format!("{base}/app/{org}/tasks/{task_id}"),
    }
}

/// The mail of `job`; `guest_code` for a guest's job (their link). `None` when the job's kind
/// or payload is unknown.
pub fn render(job: &EmailJob, base: &str, guest_code: Option<&str>) -> Option<Mail> {
    let p: Value = serde_json::from_str(&job.payload).ok()?;
    let text = |k: &str| p[k].as_str().unwrap_or("").to_string();
    let title = text("title");
    let who = p["actor"].as_str().filter(|a| !a.is_empty()).unwrap_or("Someone");
    let link = || {
        job.task_id
            .as_deref()
            .map(|t| task_link(base, &job.org_id, t, guest_code))
            .unwrap_or_default()
    };
    let quoted = |s: &str| s.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n");
    Some(match job.kind.as_str() {
        "assignment" => Mail {
            subject: format!("Assigned to you: {title}"),
            body: format!("{who} assigned you a task: {title}\n\nOpen it: {}\n", link()),
        },
        "comment" => Mail {
            subject: format!("New comment on {title}"),
            body: format!(
                "{who} commented on {title}:\n\n{}\n\nOpen it: {}\n",
                quoted(&text("text")),
                link()
            ),
        },
        "problem" => Mail {
            subject: format!("Problem reported on {title}"),
            body: format!(
                "{who} reported a problem on {title}:\n\n{}\n\nOpen it: {}\n",
                quoted(&text("text")),
                link()
            ),
        },
        "digest" => digest(&p, base, &job.org_id),
        _ => return None,
    })
}

/// The mail with a one-time sign-in link (`{base}/app/sign-in/{token}`), valid for `minutes`.
/// Not a job of the outbox: it is sent straight away (see `web/signin_link.rs`).
pub fn signin_link(link: &str, minutes: i64) -> Mail {
    Mail {
        subject: "Your sign-in link".to_string(),
        body: format!(
            "Someone asked for a link to sign in to docket with this address.\n\n\
             Sign in: {link}\n\n\
             The link works once, within {minutes} minutes. If it was not you, ignore this mail: \
             nobody can sign in without the link.\n"
        ),
    }
}

/// A day's digest: overdue tasks, then those due within a day, each with its link.
fn digest(p: &Value, base: &str, org: &str) -> Mail {
    let tasks = p["tasks"].as_array().cloned().unwrap_or_default();
    let overdue: Vec<&Value> = tasks.iter().filter(|t| t["overdue"] == true).collect();
    let soon: Vec<&Value> = tasks.iter().filter(|t| t["overdue"] != true).collect();
    let line = |t: &Value| {
        let id = t["id"].as_str().unwrap_or("");
        let deadline = t["deadline"]
            .as_i64()
            .map(docket_domain::time::format_ts)
            .unwrap_or_default();
        format!(
            "- {} (due {deadline})\n  {}",
            t["title"].as_str().unwrap_or(""),
            task_link(base, org, id, None)
        )
    };
    let mut body = format!("Your tasks on {}:\n", p["date"].as_str().unwrap_or(""));
    for (label, list) in [("Overdue", &overdue), ("Due within a day", &soon)] {
        if !list.is_empty() {
            body.push_str(&format!("\n{label}:\n"));
            for t in list.iter() {
                body.push_str(&line(t));
                body.push('\n');
            }
        }
    }
    Mail {
        subject: format!("Your tasks: {} overdue, {} due soon", overdue.len(), soon.len()),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(kind: &str, payload: &str, recipient: &str) -> EmailJob {
        EmailJob {
            id: "j1".into(),
            event_key: "activity:1".into(),
            recipient: recipient.into(),
            org_id: "acme".into(),
            kind: kind.into(),
            task_id: Some("t1".into()),
            to_address: "ann@acme.test".into(),
            payload: payload.into(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: 0,
            first_attempt_at: None,
            last_error: None,
            created_at: 0,
            sent_at: None,
        }
    }

    #[test]
    fn members_get_the_app_link_and_guests_their_guest_link() {
        let a = job("assignment", r#"{"title":"Order paper","actor":"Bob Stone"}"#, "user:2");
        let m = render(&a, "https://d.example/", None).expect("renders");
        assert_eq!(m.subject, "Assigned to you: Order paper");
        assert!(m.body.contains("Bob Stone assigned you"), "{}", m.body);
        assert!(m.body.contains("https://d.example/app/acme/tasks/t1"), "{}", m.body);
        let g = render(&a, "https://d.example", Some("CODE")).expect("renders");
        assert!(g.body.contains("https://d.example/guest/CODE/tasks/t1"), "{}", g.body);
        let c = job(
            "comment",
            r#"{"title":"T","actor":null,"text":"line 1\nline 2"}"#,
            "user:2",
        );
        let m = render(&c, "http://x", None).expect("renders");
        assert!(
            m.body.starts_with("Someone commented on T:\n\n> line 1\n> line 2"),
            "{}",
            m.body
        );
        assert_eq!(Recipient::parse("guest:7"), Some(Recipient::Guest(7)));
        assert_eq!(Recipient::parse("user:x"), None);
        assert!(render(&job("weekly", "{}", "user:2"), "http://x", None).is_none());
    }

    #[test]
    fn a_signin_link_mail_names_the_link_and_how_long_it_works() {
        let m = signin_link("https://d.example/app/sign-in/abc", 15);
        assert_eq!(m.subject, "Your sign-in link");
        assert!(
            m.body.contains("Sign in: https://d.example/app/sign-in/abc\n"),
            "{}",
            m.body
        );
        assert!(m.body.contains("within 15 minutes"), "{}", m.body);
    }
}
