//! The task bucket read through the text index (SQLite's trigram table, PostgreSQL's trigram
//! index) and by a walk newest first: with a low `list_drive_max` every page of a common word
//! is read one way or the other, and both must give the same matches, order and total as a
//! plain "title contains" over the tasks created.

use super::*;

/// Titles created in this order (so newest first is the reverse).
const TITLES: &[&str] = &[
    "Weekly report 1",
    "Budget review",
    "REPORT for the board",
    "Reporting tools",
    "Call the client",
    "Monthly reports",
    "50% done report",
    "Quarterly Report 2",
    "Plan launch",
    "report",
    "Prepare the report draft",
    "Expense Report 3",
    "re-check the rep",
];

/// The titles containing `word` (any ASCII case), newest first.
fn expected(word: &str) -> Vec<String> {
    TITLES
        .iter()
        .rev()
        .filter(|t| t.to_lowercase().contains(&word.to_lowercase()))
        .map(|t| t.to_string())
        .collect()
}

on_both!(task_bucket_reads_the_same_through_the_text_index, |c| {
    c.list_drive_max = 3;
});
async fn task_bucket_reads_the_same_through_the_text_index(app: &TestApp) {
    for title in TITLES {
        app.json(Method::POST, "/organizations/acme/tasks", json!({ "title": title }))
            .await
            .expect(201);
    }
    // A common word, its near misses, a word in one title, fewer than three letters (no
    // trigram to look up), a pattern with an escaped wildcard, and no match at all.
    for word in [
        "report", "REPORT", "reports", "ort", "rep", "re", "50%", "launch", "nothing",
    ] {
        let want = expected(word);
        for per_page in ["2", "3", "25"] {
            let mut got: Vec<String> = Vec::new();
            for page in 1..=8 {
                let page = page.to_string();
                let r = search(
                    app,
                    &[
                        ("search", word),
                        ("on", "task"),
                        ("per_page", per_page),
                        ("page", &page),
                    ],
                )
                .await
                .expect(200);
                assert_eq!(
                    r.body["task"]["meta"]["pagination"]["total"].as_i64(),
                    Some(want.len() as i64),
                    "total of {word:?}, page {page} of {per_page}"
                );
                got.extend(found(&r, "task"));
            }
            assert_eq!(got, want, "{word:?} in pages of {per_page}");
        }
    }
}
