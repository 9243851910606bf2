//! Members of organizations.

use crate::model::{Invite, Member, StatusChange};
use crate::query::MemberQuery;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Member `user_id` of `org`.
    /// Remembered between writes that can change it, like [`Store::members_by_ids`] (an
    /// assignee check on every create reads it).
    pub async fn member(&self, org: &str, user_id: i64) -> StoreResult<Option<Member>> {
        Ok(self.members_by_ids(org, &[user_id]).await?.into_iter().next())
    }

    /// Members of `org` with these ids, by id; ids that are not members are skipped.
    /// Remembered member by member between writes that can change them (see `memo.rs`), so
    /// that a feed page's or a list's actors, a different set each time, are read only once
    /// each; the ones not remembered are read in one statement.
    pub async fn members_by_ids(&self, org: &str, ids: &[i64]) -> StoreResult<Vec<Member>> {
        let key = |id: i64| format!("{org},{id}");
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.members.get(&key(id), &self.identity) {
                Some(member) => found.extend(member),
                None => missing.push(id),
            }
        }
        if !missing.is_empty() {
            let read_at = self.identity.current();
            let read = on_read!(self, users::get_many(org, &missing))?;
            for &id in &missing {
                // One member, or none: a non-member is remembered as such too.
                let member: Vec<Member> = read.iter().filter(|m| m.id == id).cloned().collect();
                self.members.put(key(id), read_at, &self.identity, member);
            }
            found.extend(read);
        }
        found.sort_by_key(|m| m.id);
        found.dedup_by_key(|m| m.id);
        Ok(found)
    }

    /// The member of `org` with this email, else with this username (ignoring case).
    pub async fn find_member(&self, org: &str, email_or_username: &str) -> StoreResult<Option<Member>> {
        Ok(on_read!(self, users::find(org, email_or_username))?)
    }

    /// A page of members and the number of matches.
    pub async fn members(&self, org: &str, q: &MemberQuery) -> StoreResult<(Vec<Member>, i64)> {
        Ok(on_read!(self, users::list(org, q))?)
    }

    /// Invites a member (U4); `Conflict` if already a member.
    pub async fn invite_member(&self, org: &str, inv: &Invite) -> StoreResult<Member> {
        on_write!(self, Stale::Identity, users::invite(org, inv))
    }

    /// Invites again a member who has not accepted yet: the invitation is re-dated and
    /// attributed to `invited_by`; name and role stay. `None` when `user_id` is not (or no
    /// longer) an invited member of `org`.
    pub async fn reinvite_member(
        &self,
        org: &str,
        user_id: i64,
        invited_by: i64,
        now: i64,
    ) -> StoreResult<Option<Member>> {
        Ok(on_write!(
            self,
            Stale::Identity,
            users::reinvite(org, user_id, invited_by, now)
        )?)
    }

    /// Changes a member's role; `Conflict("last admin")` if it would leave no admin.
    pub async fn set_member_role(&self, org: &str, user_id: i64, role: &str, now: i64) -> StoreResult<()> {
        on_write!(self, Stale::Identity, users::set_role(org, user_id, role, now))
    }

    /// Disables, enables or approves a member.
    pub async fn set_member_status(&self, org: &str, user_id: i64, change: StatusChange, now: i64) -> StoreResult<()> {
        on_write!(self, Stale::Identity, users::set_status(org, user_id, change, now))
    }

    /// The docket user id with this lower-cased email, in any organization.
    pub async fn user_id_by_email(&self, email: &str) -> StoreResult<Option<i64>> {
        Ok(on_read!(self, users::user_id_by_email(email))?)
    }
}
