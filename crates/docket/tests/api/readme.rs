//! The README's examples, run as written: every fenced block preceded by a
//! `<!-- tested: sh -->` or `<!-- tested: python -->` line runs against a live server with
//! `DOCKET_URL`, `TOKEN` and `ORG` set, and must exit 0.

use std::process::Command;

use crate::support::TestApp;

/// A tested block of the README: its language and its text.
#[derive(Debug)]
struct Example {
    lang: String,
    code: String,
    line: usize,
}

/// The tested blocks of `text`, in order.
fn examples(text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        let Some(lang) = line
            .trim()
            .strip_prefix("<!-- tested:")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let (n, fence) = lines.next().expect("a code block after the tested marker");
        assert!(
            fence.starts_with("```"),
            "README line {}: a tested marker must precede a fence",
            n + 1
        );
        let code: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.starts_with("```"))
            .collect();
        out.push(Example {
            lang: lang.trim().to_string(),
            code: code.join("\n"),
            line: n + 1,
        });
    }
    out
}

fn readme() -> String {
    std::fs::read_to_string(format!("{}/../../README.md", env!("CARGO_MANIFEST_DIR"))).expect("README.md")
}

/// The interpreter for `lang`, or `None` to skip (the SDK's Python outside CI).
fn interpreter(lang: &str) -> Option<Vec<String>> {
    match lang {
        "sh" => Some(vec!["bash".into(), "-euo".into(), "pipefail".into(), "-c".into()]),
        "python" => crate::sdk::python("README python example").map(|p| vec![p, "-c".into()]),
        other => panic!("README: unknown tested language {other:?}"),
    }
}

#[test]
fn the_readme_marks_examples_of_both_languages() {
    let found = examples(&readme());
    let langs: Vec<&str> = found.iter().map(|e| e.lang.as_str()).collect();
    assert!(langs.contains(&"sh") && langs.contains(&"python"), "{langs:?}");
    assert!(found.iter().all(|e| !e.code.trim().is_empty()), "{found:?}");
}

on_both!(the_readme_examples_run_against_a_live_server);
async fn the_readme_examples_run_against_a_live_server(app: &TestApp) {
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| {
        for example in examples(&readme()) {
            let Some(mut argv) = interpreter(&example.lang) else {
                continue;
            };
            argv.push(example.code.clone());
            let out = Command::new(&argv[0])
                .args(&argv[1..])
                .env("DOCKET_URL", &app_ref.base)
                .env("TOKEN", &app_ref.token)
                .env("ORG", &app_ref.org)
                .output()
                .expect("the interpreter runs");
            assert!(
                out.status.success(),
                "README example at line {} ({}) failed:\n{}{}",
                example.line,
                example.lang,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    });
}
