//! Members' passwords: argon2id (RFC 9106) with the cost of `[web]` in the configuration
//! (default m = 19456 KiB, t = 2, p = 1: OWASP's minimum for argon2id), a random 16-byte salt
//! per password, stored as a PHC string that carries its own parameters, so a later change of
//! the cost applies to new passwords and old ones still verify. Hashing is CPU- and
//! memory-bound, so it runs on the blocking pool.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::config::WebConfig;

/// The shortest password accepted.
pub const MIN_LEN: usize = 10;
/// The longest password accepted (bytes hashed per attempt stay bounded).
pub const MAX_LEN: usize = 200;

/// The cost of new hashes.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// Memory, KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
}

impl Cost {
    /// The configured cost.
    pub fn of(web: &WebConfig) -> Cost {
        Cost {
            memory_kib: web.password_memory_kib,
            iterations: web.password_iterations,
        }
    }
}

/// Why a new password is refused, as a sentence for the form.
pub fn check_new(password: &str, confirm: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("The password must be at least {MIN_LEN} characters."));
    }
    if password.len() > MAX_LEN {
        return Err(format!("The password may not be longer than {MAX_LEN} bytes."));
    }
    if password != confirm {
        return Err("The two passwords do not match.".into());
    }
    Ok(())
}

/// The PHC string of `password` at `cost`.
pub async fn hash(password: &str, cost: Cost) -> anyhow::Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_now(&password, cost)).await?
}

fn hash_now(password: &str, cost: Cost) -> anyhow::Result<String> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let hashed = hasher
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub async fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_LEN {
        return false;
    }
    let (password, stored) = (password.to_string(), stored.to_string());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so that both cases take about as long.
pub async fn verify_nothing(password: &str, cost: Cost) {
    let _ = hash(password, cost).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Cost = Cost {
        memory_kib: 64,
        iterations: 1,
    };

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery", CHEAP).await.unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h).await);
        assert!(!verify("correct horse battery!", &h).await);
        assert!(!verify("x", "not a hash").await);
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new("short", "short").is_err());
        assert!(check_new("long enough pw", "long enough px").is_err());
        assert!(check_new("long enough pw", "long enough pw").is_ok());
    }
}
