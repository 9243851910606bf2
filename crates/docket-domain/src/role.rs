//! Member roles and statuses within an organization (spec §1.11, §2.12).

use std::fmt;
use std::str::FromStr;

/// A member's role in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Full rights, including permanent deletes and member administration.
    Admin,
    /// Everyday rights: tasks, runs, tags, guests, (optionally) groups and invites.
    Standard,
    /// Restricted: may act only on tasks assigned to them and runs they own.
    Light,
}

impl Role {
    /// The lower-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Standard => "standard",
            Role::Light => "light",
        }
    }
}

impl FromStr for Role {
    type Err = ();
    /// Accepts the three names in any letter case (DOC shows `Admin`; the SDK sends lower case).
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "standard" => Ok(Role::Standard),
            "light" => Ok(Role::Light),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member's status in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    /// A working member.
    Active,
    /// Invited through the API and not yet active; can still call the API with a token.
    Invited,
    /// Disabled by an admin: their token no longer works for this organization.
    Disabled,
}

impl MemberStatus {
    /// The lower-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Invited => "invited",
            MemberStatus::Disabled => "disabled",
        }
    }
}

impl FromStr for MemberStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(MemberStatus::Active),
            "invited" => Ok(MemberStatus::Invited),
            "disabled" => Ok(MemberStatus::Disabled),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_in_any_case_and_emit_lower_case() {
        assert_eq!("Admin".parse::<Role>(), Ok(Role::Admin));
        assert_eq!("LIGHT".parse::<Role>(), Ok(Role::Light));
        assert!("owner".parse::<Role>().is_err());
        assert_eq!(Role::Standard.to_string(), "standard");
    }
}
