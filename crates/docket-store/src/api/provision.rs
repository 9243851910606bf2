//! Provisioning (admin CLI and bootstrap file).

use crate::model::{Provision, Provisioned};
use crate::{Stale, Store, StoreResult, on_write};

impl Store {
    /// Writes organizations, users, memberships and tokens in one transaction, creating what is
    /// missing and leaving what exists as it is.
    pub async fn provision(&self, p: &Provision) -> StoreResult<Provisioned> {
        on_write!(self, Stale::Identity, provision::run(p))
    }
}
