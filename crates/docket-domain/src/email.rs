//! Email address syntax, as far as the API checks it: enough to refuse what cannot be an
//! address, without any network lookup.

/// Whether `s` has valid address syntax: one `@`, a non-empty local part without spaces, and a
/// domain of at least two dot-separated labels of letters, digits and hyphens.
pub fn is_valid(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') || local.contains("..") {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// The stored form of an address: trimmed and lower-cased (spec §1.5).
pub fn normalize(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_refuses_the_rest() {
        for ok in ["jane@example.com", "a.b+tag@sub.example.co.uk", "client@partner.test"] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            "a@b@c.com",
            "a@-x.com",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
