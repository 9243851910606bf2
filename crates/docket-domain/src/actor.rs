//! Who is calling, in one organization, and what the role matrix of spec §1.11 lets them do.

use crate::role::Role;
use crate::task_rules::Caller;

/// An authenticated member acting in one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The member's user id.
    pub user_id: i64,
    /// The organization the request addresses.
    pub org_id: String,
    /// Their role there.
    pub role: Role,
}

impl Actor {
    /// The caller as the task rules (`task_rules`) see them.
    pub fn caller(&self) -> Caller {
        Caller {
            user_id: self.user_id,
            role: self.role,
        }
    }

    /// Admin of the organization.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Tag CRUD and tag associations: admin and standard.
    pub fn can_manage_tags(&self) -> bool {
        self.role != Role::Light
    }

    /// Guest create/update/disable/enable/delete: admin and standard.
    pub fn can_manage_guests(&self) -> bool {
        self.role != Role::Light
    }

    /// Group CRUD: admin, and standard when the organization allows it.
    pub fn can_manage_groups(&self, org_allows_standard: bool) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Standard => org_allows_standard,
            Role::Light => false,
        }
    }

    /// Inviting a member with `role`: admin any role; standard non-admin roles when the
    /// organization allows invites; light never.
    pub fn can_invite(&self, role: Role, org_allows_standard: bool) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Standard => org_allows_standard && role != Role::Admin,
            Role::Light => false,
        }
    }

    /// Role changes, disable, enable, approve: admin only.
    pub fn can_administer_members(&self) -> bool {
        self.is_admin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            org_id: "o".into(),
            role,
        }
    }

    #[test]
    fn the_role_matrix_of_the_spec() {
        let (a, s, l) = (actor(Role::Admin), actor(Role::Standard), actor(Role::Light));
        assert!(a.can_manage_tags() && s.can_manage_tags() && !l.can_manage_tags());
        assert!(a.can_manage_groups(false) && s.can_manage_groups(true) && !s.can_manage_groups(false));
        assert!(!l.can_manage_groups(true));
        assert!(a.can_invite(Role::Admin, false));
        assert!(
            s.can_invite(Role::Light, true) && !s.can_invite(Role::Admin, true) && !s.can_invite(Role::Light, false)
        );
        assert!(!l.can_invite(Role::Light, true));
        assert!(a.can_administer_members() && !s.can_administer_members());
    }
}
