//! The command line explains itself (issue 6): every subcommand's `--help` works and names the
//! exit codes, every flag has help text, and the exit codes are the documented ones.

use std::process::Command;

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env_remove("DOCKET_CONFIG")
        .envs(env.iter().copied())
        .output()
        .expect("docket runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every (sub)command path, e.g. `["admin", "bootstrap"]`, with its clap definition.
fn commands(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, clap::Command)>) {
    out.push((path.clone(), cmd.clone()));
    for sub in cmd.get_subcommands() {
        let mut p = path.clone();
        p.push(sub.get_name().to_string());
        commands(sub, p, out);
    }
}

#[test]
fn every_subcommand_has_complete_help_naming_the_exit_codes() {
    let mut all = Vec::new();
    commands(&docket::cli::command(), Vec::new(), &mut all);
    let names: Vec<String> = all.iter().map(|(p, _)| p.join(" ")).collect();
    for expected in [
        "serve",
        "migrate",
        "backup",
        "export",
        "import",
        "admin bootstrap",
        "admin seed-demo",
        "config example",
    ] {
        assert!(names.iter().any(|n| n == expected), "no `docket {expected}`: {names:?}");
    }
    for (path, cmd) in &all {
        assert!(
            cmd.get_about().is_some() || path.is_empty(),
            "`docket {}` has no description",
            path.join(" ")
        );
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(
                arg.get_help().is_some(),
                "`docket {}` flag {id} has no help text",
                path.join(" ")
            );
        }
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let (code, stdout, stderr) = run(&args, &[]);
        assert_eq!(code, 0, "docket {args:?}: {stderr}");
        for needle in ["Exit codes:", "0  success", "1  failure", "2  invalid command line"] {
            assert!(
                stdout.contains(needle),
                "docket {args:?} does not say {needle:?}:\n{stdout}"
            );
        }
    }
}

#[test]
fn exit_codes_are_the_documented_ones() {
    let (code, _, stderr) = run(&["--no-such-flag"], &[]);
    assert_eq!(code, 2, "usage error: {stderr}");
    let (code, _, stderr) = run(&["frobnicate"], &[]);
    assert_eq!(code, 2, "unknown subcommand: {stderr}");
    let (code, _, stderr) = run(&["migrate"], &[("DOCKET_RATE_LIMIT", "lots")]);
    assert_eq!(code, 2, "configuration error: {stderr}");
    assert!(stderr.contains("DOCKET_RATE_LIMIT"), "{stderr}");
    let (code, _, stderr) = run(&["migrate", "--config", "/nonexistent/docket.toml"], &[]);
    assert_eq!(code, 2, "a missing config file is a configuration error: {stderr}");
    let (code, _, stderr) = run(&["migrate", "--database-url", "mysql://nope"], &[]);
    assert_eq!(code, 1, "a failure at run time: {stderr}");
    assert!(stderr.contains("unsupported database URL"), "{stderr}");
    let (code, stdout, _) = run(&["config", "example"], &[("DOCKET_TYPO_SETTING", "1")]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("[metrics]") && stdout.contains("DOCKET_METRICS_TOKEN"),
        "{stdout}"
    );
    let db = std::env::temp_dir()
        .join("docket-tests")
        .join(format!("{}-cli.db", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let url = format!("sqlite://{}", db.display());
    let (code, _, stderr) = run(&["migrate", "--database-url", &url], &[("DOCKET_TYPO_SETTING", "1")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("unknown environment variable DOCKET_TYPO_SETTING"),
        "unknown DOCKET_* variables are warned about: {stderr}"
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}
