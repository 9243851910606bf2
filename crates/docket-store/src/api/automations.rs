//! Automation rules of templates.

use docket_domain::automation::Catalog;

use crate::model::{AutomationRow, RuleRefusal, RuleTemplate, RuleWrite};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Template `id` of `org` as the rule routes need it (archived, rule count).
    pub async fn rule_template(&self, org: &str, id: &str) -> StoreResult<Option<RuleTemplate>> {
        Ok(on_read!(self, automations::template(org, id))?)
    }

    /// What a rule of template `id` may name: steps, step captures, kick-off fields.
    pub async fn rule_catalog(&self, org: &str, id: &str) -> StoreResult<Catalog> {
        Ok(on_read!(self, automations::catalog(org, id))?)
    }

    /// The rules of template `id`, in creation order.
    pub async fn automations(&self, org: &str, id: &str) -> StoreResult<Vec<AutomationRow>> {
        Ok(on_read!(self, automations::of_template(org, id))?)
    }

    /// Rule `id` of template `checklist`.
    pub async fn automation(&self, org: &str, checklist: &str, id: &str) -> StoreResult<Option<AutomationRow>> {
        Ok(on_read!(self, automations::get(org, checklist, id))?)
    }

    /// Adds rule `id` to template `checklist` and moves the template's `last_updated`, in one
    /// transaction; refused when the template is gone or archived.
    pub async fn create_automation(
        &self,
        org: &str,
        checklist: &str,
        id: &str,
        w: &RuleWrite,
    ) -> StoreResult<Result<AutomationRow, RuleRefusal>> {
        Ok(on_write!(
            self,
            Stale::Data,
            automations::insert(org, checklist, id, w)
        )?)
    }

    /// Replaces rule `id` of template `checklist` and moves the template's `last_updated`.
    pub async fn update_automation(
        &self,
        org: &str,
        checklist: &str,
        id: &str,
        w: &RuleWrite,
    ) -> StoreResult<Result<AutomationRow, RuleRefusal>> {
        Ok(on_write!(
            self,
            Stale::Data,
            automations::update(org, checklist, id, w)
        )?)
    }

    /// Deletes rule `id` of template `checklist` and moves the template's `last_updated`.
    pub async fn delete_automation(
        &self,
        org: &str,
        checklist: &str,
        id: &str,
        actor: i64,
        now: i64,
    ) -> StoreResult<Result<(), RuleRefusal>> {
        Ok(on_write!(
            self,
            Stale::Data,
            automations::delete(org, checklist, id, actor, now)
        )?)
    }
}
