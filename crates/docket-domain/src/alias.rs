//! Aliases (slugs) of templates, steps and form field definitions: lower-case ASCII letters and
//! digits, every other run of characters becomes one `-`, no `-` at either end. Step aliases and
//! field aliases are made unique within their template by suffixing `-2`, `-3`, …

/// The fallback alias of a template whose title has no letter or digit.
pub const TEMPLATE: &str = "template";
/// The fallback alias of a step whose title has no letter or digit.
pub const STEP: &str = "step";
/// The fallback alias of a field whose label has no letter or digit.
pub const FIELD: &str = "field";

/// The slug of `text`; `fallback` when nothing of `text` survives.
///
/// ```
/// use docket_domain::alias::{slug, STEP};
/// assert_eq!(slug("  Collect ID & contract! ", STEP), "collect-id-contract");
/// assert_eq!(slug("¿?", STEP), "step");
/// ```
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            out.push(c);
            dash = false;
        } else {
            dash = true;
        }
    }
    if out.is_empty() { fallback.to_string() } else { out }
}

/// `base` when `taken` says it is free, else the first free one of `base-2`, `base-3`, …
///
/// ```
/// use docket_domain::alias::unique;
/// let taken = ["intake", "intake-2"];
/// assert_eq!(unique("intake", |a| taken.contains(&a)), "intake-3");
/// assert_eq!(unique("review", |a| taken.contains(&a)), "review");
/// ```
pub fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2u64..)
        .map(|n| format!("{base}-{n}"))
        .find(|a| !taken(a))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_alias_rule() {
        assert_eq!(slug("Client Onboarding", TEMPLATE), "client-onboarding");
        assert_eq!(slug("--A__b  c--", FIELD), "a-b-c");
        assert_eq!(slug("Über 18?", FIELD), "ber-18");
        assert_eq!(slug("", FIELD), "field");
        assert_eq!(slug("!!!", STEP), "step");
        assert_eq!(slug("Step 2", STEP), "step-2");
    }

    #[test]
    fn unique_suffixes_in_order() {
        let taken = std::collections::HashSet::from(["a".to_string(), "a-2".to_string(), "a-4".to_string()]);
        assert_eq!(unique("a", |x| taken.contains(x)), "a-3");
        assert_eq!(unique("b", |x| taken.contains(x)), "b");
    }
}
