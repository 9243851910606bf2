//! Identifier and secret generation, and the one-way hash under which tokens are stored.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A fresh 32-character lower-case hex id, the format of task, run, tag, group, comment and
/// capture ids (spec §1.5). It is a UUIDv7: 48 bits of the current millisecond, then 74 random
/// bits. Ids made later sort after earlier ones, so the B-tree indexes keyed by an id (a task's
/// primary key, its assignees, captures, tag links, feed entries) grow at their right edge
/// instead of dirtying a random page per insert; a launch of ten tasks writes a few pages to the
/// SQLite WAL instead of dozens. The random part keeps ids unguessable; nothing secret is an id
/// (tokens and guest codes are made by the functions below).
pub fn new_id32() -> String {
    Uuid::now_v7().simple().to_string()
}

/// A fresh 32-character lower-case hex id of 128 random bits (UUIDv4), for ids whose first
/// characters must differ between two made close together: a template's default alias ends in
/// the first 6 characters of its id (spec: `slug(title)-` + those 6), which in a
/// [`new_id32`] are the same for every id made within a few hours.
pub fn new_random_id32() -> String {
    Uuid::new_v4().simple().to_string()
}

/// A fresh bearer token: 64 hex characters carrying 244 random bits.
pub fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// A fresh webhook signing secret, shaped like a token with a readable prefix.
pub fn new_secret() -> String {
    format!("whsec_{}", new_token())
}

/// A fresh 40-character `[A-Za-z0-9]` guest code, the handle inside a guest's link.
pub fn new_guest_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(40);
    while out.len() < 40 {
        for byte in Uuid::new_v4().into_bytes() {
            // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
            if byte < 248 && out.len() < 40 {
                out.push(ALPHABET[usize::from(byte) % 62] as char);
            }
        }
    }
    out
}

/// The hex SHA-256 of a token: the only form in which tokens are stored. Tokens are long random
/// strings (or operator-chosen ones looked up by exact value), so a plain hash suffices and a
/// lookup costs one index probe.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `id` is a valid organization id: 1–255 characters of `[A-Za-z0-9_-]` (spec §1.5).
pub fn is_valid_org_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_documented_shapes() {
        let id = new_id32();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let code = new_guest_code();
        assert_eq!(code.len(), 40);
        assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(new_token(), new_token());
        let (first, second) = (new_id32(), new_id32());
        assert_ne!(first, second);
        assert!(
            first < second,
            "ids made later sort after earlier ones: {first} {second}"
        );
    }

    #[test]
    fn token_hash_is_stable_and_hides_the_token() {
        let h = token_hash("YOUR_PERSONAL_ACCESS_TOKEN");
        assert_eq!(h, token_hash("YOUR_PERSONAL_ACCESS_TOKEN"));
        assert_eq!(h.len(), 64);
        assert!(!h.contains("TOKEN"));
    }

    #[test]
    fn org_ids_follow_the_sdk_alphabet() {
        assert!(is_valid_org_id("YOUR_ORGANIZATION_ID"));
        assert!(is_valid_org_id("your-org-id"));
        assert!(!is_valid_org_id(""));
        assert!(!is_valid_org_id("a/b"));
        assert!(!is_valid_org_id(&"x".repeat(256)));
    }
}
