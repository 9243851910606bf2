//! The examples of the README and of the guide in `docs/`, run as written: every fenced block
//! preceded by a `<!-- tested: sh -->`, `<!-- tested: bash -->` or `<!-- tested: python -->`
//! line runs against a live server with `BASE`, `TOKEN` and `ORG` set (its address, an
//! admin's token, the organization), `DOCKET_DATABASE_URL` naming its database and the built
//! `docket` binary first on `PATH`, and must exit 0.
//!
//! The shell blocks of one file run in order as one script, so a later block may use what an
//! earlier one defined: with `sh` (dash, so no bash-only syntax slips in) when every block of
//! the file is marked `sh`, else with bash. Python blocks run one by one with the SDK's Python.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::TestApp;

/// A tested block: its language, its text and where it starts.
#[derive(Debug)]
struct Example {
    lang: String,
    code: String,
    line: usize,
}

/// The tested blocks of `text` (the file `name`), in order.
fn examples(name: &str, text: &str) -> Vec<Example> {
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
            "{name} line {}: a tested marker must precede a fence",
            n + 1
        );
        let code: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let lang = lang.trim().to_string();
        assert!(
            matches!(lang.as_str(), "sh" | "bash" | "python"),
            "{name} line {}: unknown tested language {lang:?}",
            n + 1
        );
        out.push(Example {
            lang,
            code: code.join("\n"),
            line: n + 1,
        });
    }
    out
}

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The documents whose examples run: README.md, then every `docs/*.md` by name.
fn documents() -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("a docs/ entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    names.sort();
    names.insert(0, "README.md".into());
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(root().join(&n)).unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, text)
        })
        .collect()
}

/// The shell script of one document: its shell blocks in order, each announced on stderr so a
/// failure names its block; and the shell to run it with.
fn shell_script(name: &str, found: &[Example]) -> Option<(&'static str, String)> {
    let blocks: Vec<&Example> = found.iter().filter(|e| e.lang != "python").collect();
    if blocks.is_empty() {
        return None;
    }
    let shell = if blocks.iter().all(|e| e.lang == "sh") {
        "sh"
    } else {
        "bash"
    };
    let mut script = String::from("set -eu\n");
    for e in blocks {
        script.push_str(&format!("echo '--- {name} line {} ({})' >&2\n", e.line, e.lang));
        script.push_str(&e.code);
        script.push('\n');
    }
    Some((shell, script))
}

#[test]
fn every_document_marks_examples_and_points_nowhere_outside_the_repository() {
    let docs = documents();
    assert!(docs.len() > 2, "README.md and a guide in docs/: {docs:?}");
    for (name, text) in &docs {
        let found = examples(name, text);
        assert!(!found.is_empty(), "{name} has no tested example");
        assert!(found.iter().all(|e| !e.code.trim().is_empty()), "{name}: {found:?}");
        for banned in ["../shared", "§"] {
            assert!(!text.contains(banned), "{name} mentions {banned:?}");
        }
    }
    let readme = examples("README.md", &docs[0].1);
    let langs: Vec<&str> = readme.iter().map(|e| e.lang.as_str()).collect();
    assert!(langs.contains(&"sh") && langs.contains(&"python"), "{langs:?}");
}

#[test]
fn sh_blocks_use_no_bash_arrays() {
    // dash rejects `H=(…)` with a syntax error; the live test proves it, this says why quickly.
    for (name, text) in documents() {
        for e in examples(&name, &text).iter().filter(|e| e.lang == "sh") {
            assert!(
                !e.code.contains("=(") && !e.code.contains("[@]"),
                "{name} line {}: a bash array in a block marked sh",
                e.line
            );
        }
    }
}

/// Runs `argv` with the example environment of `app`; panics with its output if it fails.
fn run_example(app: &TestApp, argv: &[String], what: &str) {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_docket"))
        .parent()
        .expect("the binary's directory");
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .env("BASE", &app.base)
        .env("TOKEN", &app.token)
        .env("ORG", &app.org)
        .env("DOCKET_DATABASE_URL", app.store_url())
        .env("PATH", path)
        .output()
        .expect("the interpreter runs");
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both!(the_documented_examples_run_against_a_live_server);
async fn the_documented_examples_run_against_a_live_server(app: &TestApp) {
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| {
        for (name, text) in documents() {
            let found = examples(&name, &text);
            if let Some((shell, script)) = shell_script(&name, &found) {
                run_example(
                    app_ref,
                    &[shell.into(), "-c".into(), script],
                    &format!("{name} ({shell})"),
                );
            }
            for e in found.iter().filter(|e| e.lang == "python") {
                // A Python example that cannot run must not pass: scripts/test leaves this test
                // out (`--skip readme::`) where the SDK cannot be installed, never on CI.
                let python = std::env::var("DOCKET_TEST_PYTHON")
                    .ok()
                    .filter(|p| !p.trim().is_empty())
                    .unwrap_or_else(|| {
                        panic!(
                            "DOCKET_TEST_PYTHON is not set, so the Python example at {name} line {} cannot run; \
                             set it (scripts/test prepares one) or leave this test out with `-- --skip readme::`",
                            e.line
                        )
                    });
                run_example(
                    app_ref,
                    &[python, "-c".into(), e.code.clone()],
                    &format!("{name} line {} (python)", e.line),
                );
            }
        }
    });
}
