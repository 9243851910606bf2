//! Records of the pages for people: sign-in sessions and what they resolve to.

use sqlx::FromRow;

/// What a session cookie resolves to, with the member's standing in the organization asked
/// about (as [`super::TokenLookup`] for a bearer token).
#[derive(Debug, Clone, FromRow)]
pub struct SessionLookup {
    /// The session's member.
    pub user_id: i64,
    /// The CSRF token every form of the session carries.
    pub csrf: String,
    /// When the session ends.
    pub expires_at: i64,
    /// 1 when the organization asked about exists, else 0.
    pub org_found: i64,
    /// The member's role there, if a member.
    pub role: Option<String>,
    /// Their status there, if a member.
    pub status: Option<String>,
}

/// A member's stored password, found by email.
#[derive(Debug, Clone, FromRow)]
pub struct StoredPassword {
    /// The member.
    pub user_id: i64,
    /// The argon2id PHC string, if a password was ever set.
    pub hash: Option<String>,
    /// Whether they may sign in to the pages: one of their memberships is active or invited.
    pub may_sign_in: bool,
}

/// A new sign-in session (the cookie's id only as its hash).
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie's id.
    pub id_hash: String,
    /// The member.
    pub user_id: i64,
    /// The session's CSRF token.
    pub csrf: String,
    /// Sign-in time.
    pub now: i64,
    /// When it ends.
    pub expires_at: i64,
}

/// The member a new sign-in link was stored for, and the address it goes to.
#[derive(Debug, Clone, FromRow)]
pub struct SigninLinkMember {
    /// The member.
    pub user_id: i64,
    /// Their email address, as stored.
    pub email: String,
}

/// What a one-time sign-in link is worth (migration 0019).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigninLink {
    /// Unused, unexpired, and its member may sign in: the member (when redeeming, the link is
    /// now used up).
    Valid(i64),
    /// Already used.
    Used,
    /// Past its 15 minutes.
    Expired,
    /// No such link (or expired long enough ago to be removed).
    Unknown,
    /// Its member has no active or invited membership left: nobody signs in (when redeeming,
    /// the link is used up all the same).
    Disabled,
}
