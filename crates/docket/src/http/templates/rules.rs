//! CL2's `automated_actions` (a docket extension): each entry an AU1 body, read by the rule
//! rules against the steps and fields of the same body, every problem under
//! `automated_actions.{i}.…`. Entries of `prerun`, `steps` and `steps[*].captures` that carry an
//! `id` (an import) are named by the rules under that id; the store rewrites those references to
//! the new ids when it creates the rules, after the steps and fields, in the same transaction.

use docket_domain::automation::definition;
use docket_domain::automation::{Catalog, CatalogField};
use docket_domain::template_field::TemplateFieldDef;
use docket_domain::{ValidationErrors, ids, limits};
use docket_store::model::{NewTemplateRule, NewTemplateStep};
use serde_json::Value;

use crate::error::Result;
use crate::http::automations::resolve_assignees;
use crate::http::extract::Ctx;

/// The most rules one create may carry.
const MAX_RULES: usize = 100;

/// What the rules of a create body may name: the entries that carry an `id`, under that id.
pub fn catalog(prerun: &[(TemplateFieldDef, Option<String>)], steps: &[NewTemplateStep]) -> Catalog {
    let field = |id: &str, def: &TemplateFieldDef, step_id: Option<String>| CatalogField {
        id: id.to_string(),
        field_type: def.field_type.clone(),
        step_id,
    };
    Catalog {
        steps: steps.iter().filter_map(|s| s.old_id.clone()).collect(),
        captures: steps
            .iter()
            .flat_map(|s| {
                let step = s.old_id.clone().unwrap_or_default();
                s.write
                    .captures
                    .iter()
                    .zip(&s.capture_ids)
                    .filter_map(move |(def, id)| id.as_deref().map(|id| field(id, def, Some(step.clone()))))
            })
            .collect(),
        kickoff: prerun
            .iter()
            .filter_map(|(def, id)| id.as_deref().map(|id| field(id, def, None)))
            .collect(),
    }
}

/// Reads the `automated_actions` of a create body against `catalog`.
pub async fn read_rules(
    ctx: &Ctx,
    org: &str,
    items: &[Value],
    catalog: &Catalog,
    errors: &mut ValidationErrors,
) -> Result<Vec<NewTemplateRule>> {
    let mut out = Vec::new();
    if !limits::within(errors, "automated_actions", items.len(), MAX_RULES) {
        return Ok(out);
    }
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("automated_actions.{i}");
        let Some(obj) = item.as_object() else {
            errors.add(prefix, "The rule must be an object.");
            continue;
        };
        let mut local = ValidationErrors::new();
        let draft = definition::parse_create(obj, catalog, i, &mut local);
        if let Some(mut draft) = draft.filter(|_| local.is_empty()) {
            resolve_assignees(ctx, org, &mut draft, &mut local).await?;
            out.push(NewTemplateRule {
                id: ids::new_id32(),
                def: draft.def,
            });
        }
        for (k, msgs) in local.entries() {
            for m in msgs {
                errors.add(format!("{prefix}.{k}"), m.clone());
            }
        }
    }
    Ok(out)
}
