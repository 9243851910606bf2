//! Steps of templates and their captures (form fields).

use docket_domain::template_field::{FieldPatch, TemplateFieldDef};

use crate::model::{StepRefusal, StepWithCaptures, StepWrite, TemplateFieldRow};
use crate::{Stale, Store, StoreResult, on_read, on_write};

/// A write's answer: the result, or the refusal found in its transaction.
type Outcome<T> = StoreResult<Result<T, StepRefusal>>;

impl Store {
    /// Whether template `checklist_id` of `org` is archived; `None` when there is no such
    /// template.
    pub async fn template_archived(&self, org: &str, checklist_id: &str) -> StoreResult<Option<bool>> {
        Ok(on_read!(self, steps::template_archived(org, checklist_id))?)
    }

    /// Every step of a template by position, each with its captures (two queries; empty when
    /// the template has none or does not exist).
    pub async fn template_steps(&self, org: &str, checklist_id: &str) -> StoreResult<Vec<StepWithCaptures>> {
        Ok(on_read!(self, steps::of_template(org, checklist_id))?)
    }

    /// Step `step_id` of a template, with its captures.
    pub async fn template_step(
        &self,
        org: &str,
        checklist_id: &str,
        step_id: &str,
    ) -> StoreResult<Option<StepWithCaptures>> {
        Ok(on_read!(self, steps::get(org, checklist_id, step_id))?)
    }

    /// Adds a step at the end of a template (ST2). `NotFound` when the template is gone.
    pub async fn create_step(&self, org: &str, checklist_id: &str, w: &StepWrite) -> Outcome<StepWithCaptures> {
        on_write!(self, Stale::Data, steps::create(org, checklist_id, w))
    }

    /// Changes a step (ST4). `NotFound` when the template or step is gone.
    pub async fn update_step(
        &self,
        org: &str,
        checklist_id: &str,
        step_id: &str,
        w: &StepWrite,
    ) -> Outcome<StepWithCaptures> {
        on_write!(self, Stale::Data, steps::update(org, checklist_id, step_id, w))
    }

    /// Deletes a step and its captures (ST5).
    pub async fn delete_step(
        &self,
        org: &str,
        checklist_id: &str,
        step_id: &str,
        user_id: i64,
        now: i64,
    ) -> Outcome<()> {
        on_write!(
            self,
            Stale::Data,
            steps::delete(org, checklist_id, step_id, user_id, now)
        )
    }

    /// Copies a step to the position after it (ST6).
    pub async fn clone_step(
        &self,
        org: &str,
        checklist_id: &str,
        step_id: &str,
        user_id: i64,
        now: i64,
    ) -> Outcome<StepWithCaptures> {
        on_write!(
            self,
            Stale::Data,
            steps::clone(org, checklist_id, step_id, user_id, now)
        )
    }

    /// Moves a step to `position`, clamped (ST7).
    pub async fn reorder_step(
        &self,
        org: &str,
        checklist_id: &str,
        step_id: &str,
        position: i64,
        user_id: i64,
        now: i64,
    ) -> Outcome<StepWithCaptures> {
        on_write!(
            self,
            Stale::Data,
            steps::reorder(org, checklist_id, step_id, position, user_id, now)
        )
    }

    /// Appends a capture to a step (CP1).
    pub async fn add_capture(
        &self,
        org: &str,
        (checklist_id, step_id): (&str, &str),
        def: &TemplateFieldDef,
        user_id: i64,
        now: i64,
    ) -> Outcome<TemplateFieldRow> {
        on_write!(
            self,
            Stale::Data,
            step_captures::add(org, checklist_id, step_id, def, user_id, now)
        )
    }

    /// Changes a capture of a step and moves it when `position` is given (CP2).
    pub async fn update_capture(
        &self,
        org: &str,
        (checklist_id, step_id, capture_id): (&str, &str, &str),
        patch: &FieldPatch,
        position: Option<i64>,
        user_id: i64,
        now: i64,
    ) -> Outcome<TemplateFieldRow> {
        on_write!(
            self,
            Stale::Data,
            step_captures::update(org, checklist_id, step_id, capture_id, patch, position, user_id, now)
        )
    }

    /// Deletes a capture of a step (CP3).
    pub async fn delete_capture(
        &self,
        org: &str,
        (checklist_id, step_id, capture_id): (&str, &str, &str),
        user_id: i64,
        now: i64,
    ) -> Outcome<()> {
        on_write!(
            self,
            Stale::Data,
            step_captures::delete(org, checklist_id, step_id, capture_id, user_id, now)
        )
    }

    /// Moves a capture to another step of the template (CP4).
    pub async fn move_capture(
        &self,
        org: &str,
        (checklist_id, step_id, capture_id): (&str, &str, &str),
        (target, position): (&str, i64),
        user_id: i64,
        now: i64,
    ) -> Outcome<TemplateFieldRow> {
        on_write!(
            self,
            Stale::Data,
            step_captures::move_out(org, checklist_id, step_id, capture_id, target, position, user_id, now)
        )
    }

    /// Moves one capture within its step; the step's captures in order (CP5).
    pub async fn reorder_capture(
        &self,
        org: &str,
        (checklist_id, step_id, capture_id): (&str, &str, &str),
        position: i64,
        user_id: i64,
        now: i64,
    ) -> Outcome<Vec<TemplateFieldRow>> {
        on_write!(
            self,
            Stale::Data,
            step_captures::reorder(org, checklist_id, step_id, capture_id, position, user_id, now)
        )
    }
}
