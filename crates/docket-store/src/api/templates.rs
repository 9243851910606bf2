//! Templates (CL1–CL9).

use crate::model::{
    CloneTemplate, NewTemplate, TemplateFieldRow, TemplateFolder, TemplatePatch, TemplateQuery, TemplateRefusal,
    TemplateRow, TemplateRule,
};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Template `id` of `org` (archived included).
    pub async fn template(&self, org: &str, id: &str) -> StoreResult<Option<TemplateRow>> {
        Ok(on_read!(self, templates::get(org, id))?)
    }

    /// Templates of `org` by id (archived included), in the order of `ids`; missing ones skipped.
    pub async fn templates_by_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<TemplateRow>> {
        Ok(on_read!(self, templates::by_ids(org, ids))?)
    }

    /// A page of templates and the number of matches (CL1).
    pub async fn templates(&self, org: &str, q: &TemplateQuery) -> StoreResult<(Vec<TemplateRow>, i64)> {
        Ok(on_read!(self, templates::list(org, q))?)
    }

    /// The rules of these templates, each template's in creation order.
    pub async fn template_rules(&self, org: &str, ids: &[String]) -> StoreResult<Vec<TemplateRule>> {
        Ok(on_read!(self, templates::rules_of(org, ids))?)
    }

    /// Creates a template with its tag links in one transaction (CL2).
    pub async fn create_template(
        &self,
        org: &str,
        new: &NewTemplate,
    ) -> StoreResult<Result<TemplateRow, TemplateRefusal>> {
        on_write!(self, Stale::Data, templates::create(org, new))
    }

    /// Applies a partial change (CL4); `NotFound` when the template is missing.
    pub async fn update_template(
        &self,
        org: &str,
        id: &str,
        patch: &TemplatePatch,
    ) -> StoreResult<Result<TemplateRow, TemplateRefusal>> {
        on_write!(self, Stale::Data, templates::update(org, id, patch))
    }

    /// Archives (CL5) or restores (CL6) a template; a template already in that state is unchanged.
    pub async fn set_template_archived(
        &self,
        org: &str,
        id: &str,
        archive: bool,
        by: i64,
        now: i64,
    ) -> StoreResult<TemplateRow> {
        on_write!(self, Stale::Data, templates::set_archived(org, id, archive, by, now))
    }

    /// Deletes an archived template and everything it holds (CL7), its assets included: the
    /// stored files they named, for the caller to release once no row names them.
    pub async fn delete_template(&self, org: &str, id: &str) -> StoreResult<Result<Vec<String>, TemplateRefusal>> {
        on_write!(self, Stale::Data, templates::delete(org, id))
    }

    /// Folder `id` of `org` as a template's `folder` include shows it.
    pub async fn template_folder(&self, org: &str, id: &str) -> StoreResult<Option<TemplateFolder>> {
        Ok(on_read!(self, templates::folder(org, id))?)
    }

    /// Copies a template with its steps, fields, rules and tag links (CL8); `NotFound` when
    /// the source does not exist.
    pub async fn clone_template(&self, org: &str, source: &str, c: &CloneTemplate) -> StoreResult<TemplateRow> {
        on_write!(self, Stale::Data, template_clone::clone(org, source, c))
    }

    /// The kick-off fields of these templates, each template's by position.
    pub async fn template_kickoff_fields(&self, ids: &[String]) -> StoreResult<Vec<TemplateFieldRow>> {
        Ok(on_read!(self, kickoff_fields::of_templates(ids))?)
    }

    /// Every step capture of template `id`, by step position then capture position.
    pub async fn template_captures(&self, id: &str) -> StoreResult<Vec<TemplateFieldRow>> {
        Ok(on_read!(self, kickoff_fields::captures(id))?)
    }

    /// Deletes a kick-off field (CL11); `NotFound` when the template or field is missing.
    pub async fn delete_kickoff_field(
        &self,
        org: &str,
        checklist_id: &str,
        field_id: &str,
        by: i64,
        now: i64,
    ) -> StoreResult<Result<(), TemplateRefusal>> {
        on_write!(
            self,
            Stale::Data,
            kickoff_fields::delete(org, checklist_id, field_id, by, now)
        )
    }
}
