//! CL2's `steps` (a docket extension): each entry an ST2 body with optional nested `captures`,
//! read by the step rules, every problem under `steps.{i}.…`.

use docket_domain::step::{self, StepDef};
use docket_domain::template_field;
use docket_domain::{ValidationErrors, limits};
use docket_store::model::{NewTemplateStep, StepWrite};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::extract::Ctx;
use crate::service::steps::resolve_buckets;

/// The most steps one create may carry.
const MAX_STEPS: usize = 200;

/// Copies `from` into `to` with every key under `prefix.`.
fn rekey(from: &ValidationErrors, prefix: &str, to: &mut ValidationErrors) {
    for (k, msgs) in from.entries() {
        for m in msgs {
            to.add(format!("{prefix}.{k}"), m.clone());
        }
    }
}

/// An error of step entry `i` with its keys under `steps.{i}.`.
pub fn step_error(i: usize, e: Error) -> Error {
    match e {
        Error::Invalid(errors) => {
            let mut out = ValidationErrors::new();
            rekey(&errors, &format!("steps.{i}"), &mut out);
            Error::Invalid(out)
        }
        other => other,
    }
}

/// Reads the `steps` of a create body.
pub async fn read_steps(
    ctx: &Ctx,
    org: &str,
    items: &[Value],
    user_id: i64,
    errors: &mut ValidationErrors,
) -> Result<Vec<NewTemplateStep>> {
    let mut out = Vec::new();
    if !limits::within(errors, "steps", items.len(), MAX_STEPS) {
        return Ok(out);
    }
    for (i, item) in items.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            errors.add(format!("steps.{i}"), "The step must be an object.");
            continue;
        };
        let mut local = ValidationErrors::new();
        let mut patch = step::parse(obj, true, &mut local);
        let tags = resolve_buckets(&ctx.state, org, obj, &mut patch, &mut local).await?;
        let mut captures = Vec::new();
        let mut capture_ids = Vec::new();
        match docket_domain::input::Fields::new(obj).get("captures") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                if limits::within(&mut local, "captures", list.len(), limits::MAX_FORM_FIELDS) {
                    for (j, c) in list.iter().enumerate() {
                        if let Some(def) = template_field::parse_new_value(c, &format!("captures.{j}"), &mut local) {
                            captures.push(def);
                            capture_ids.push(c.as_object().and_then(template_field::entry_id));
                        }
                    }
                }
            }
            Some(_) => local.add("captures", "The captures must be an array."),
        }
        if local.is_empty() {
            step::check(&patch.apply(&StepDef::default()), &mut local);
        }
        rekey(&local, &format!("steps.{i}"), errors);
        out.push(NewTemplateStep {
            old_id: template_field::entry_id(obj),
            write: StepWrite {
                patch,
                tags,
                captures,
                user_id,
                now: ctx.now,
            },
            capture_ids,
        });
    }
    Ok(out)
}
