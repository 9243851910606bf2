"""Drives docket's automation rules (AU1–AU3) and the SDK's rule analysis (step dependencies,
step visibility, the template with its steps) with the official Tallyfy Python SDK.

Run by the Rust API suite (tests/api/automations/sdk_drive.rs), which writes the template
first. Environment: DOCKET_BASE_URL, DOCKET_TOKEN, DOCKET_ORG, DOCKET_TEMPLATE_ID, and
DOCKET_STEP1 / 2 / 3 (its steps), DOCKET_AMOUNT (a number kick-off field).
Exits non-zero on the first mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK, TallyfyError
from tallyfy.models import AutomatedAction

org = os.environ["DOCKET_ORG"]
template = os.environ["DOCKET_TEMPLATE_ID"]
step1 = os.environ["DOCKET_STEP1"]
step2 = os.environ["DOCKET_STEP2"]
step3 = os.environ["DOCKET_STEP3"]
amount = os.environ["DOCKET_AMOUNT"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=os.environ["DOCKET_BASE_URL"], max_retries=0)


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


# The SDK's create call, with its aliases (`alias`, `actions`) and a top-level condition_logic.
created = sdk.templates.create_automation_rule(org, template, {
    "alias": "Large orders",
    "condition_logic": "OR",
    "conditions": [
        {"conditionable_type": "Prerun", "conditionable_id": amount, "operation": "greater_than", "statement": "10000"},
        {"conditionable_type": "Step", "conditionable_id": step1, "operation": "completed", "statement": "on_time"},
    ],
    "actions": [
        {"action_type": "visibility", "action_verb": "show", "target_step_id": step2},
        {"action_type": "deadline", "target_step_id": step2,
         "deadline": {"value": 2, "unit": "day", "option": "from", "step": "start_run"}},
    ],
})
rule = AutomatedAction.from_dict(created)
check("create: alias", rule.automated_alias, "Large orders")
check("create: conditions", [(c.conditionable_type, c.operation, c.logic, c.position) for c in rule.conditions],
      [("Prerun", "greater_than", "or", 1), ("Step", "completed", "or", 2)])
check("create: time clause", rule.conditions[1].statement, "on-time")
check("create: actions", [(a.action_type, a.action_verb, a.position) for a in rule.then_actions],
      [("visibility", "show", 1), ("deadline", "deadline", 2)])
check("create: deadline", (rule.then_actions[1].deadline.value, rule.then_actions[1].deadline.unit), (2, "days"))
check("create: ids", all(len(x.id) == 32 for x in [rule, *rule.conditions, *rule.then_actions]), True)

# A refused rule surfaces as the SDK's error, naming the field.
try:
    sdk.templates.create_automation_rule(org, template, {
        "conditions": [{"conditionable_type": "Step", "conditionable_id": step1, "operation": "equals"}],
        "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": step2}],
    })
    check("create: refused", "accepted", "422")
except TallyfyError as e:
    check("create: refused status", getattr(e, "status_code", None), 422)
    check("create: refused field", "operation" in str(e) or "operation" in str(getattr(e, "response_data", "")), True)

# get_template_with_steps reads the steps, rules and kick-off fields of CL3.
full = sdk.templates.get_template_with_steps(org, template_id=template)
check("with steps: counts", (full["step_count"], full["automation_count"], full["prerun_field_count"]), (3, 1, 2))
check("with steps: steps", [(s["id"], s["title"], s["position"]) for s in full["steps"]],
      [(step1, "Step 1", 1), (step2, "Step 2", 2), (step3, "Step 3", 3)])
check("with steps: template", [s.id for s in full["template"].steps], [step1, step2, step3])
check("with steps: rule", [a.id for a in full["template"].automated_actions], [rule.id])

# get_step_dependencies: step 1 is watched by the rule, which acts on step 2.
deps = sdk.templates.get_step_dependencies(org, template, step1)
check("dependencies: step", (deps["step_info"]["id"], deps["step_info"]["title"], deps["step_info"]["position"]),
      (step1, "Step 1", 1))
check("dependencies: outgoing", [(d["step_id"], d["action_type"], d["automation_id"]) for d in deps["dependencies"]["outgoing"]],
      [(step2, "visibility_show", rule.id), (step2, "deadline_deadline", rule.id)])
check("dependencies: incoming", deps["dependencies"]["incoming"], [])
deps = sdk.templates.get_step_dependencies(org, template, step2)
# (the SDK lists a condition once per action of the rule that targets the step)
check("dependencies: incoming of step 2", [(d["step_id"], d["condition_type"]) for d in deps["dependencies"]["incoming"]],
      [(amount, "greater_than")] * 2 + [(step1, "completed")] * 2)
check("dependencies: visibility of step 2", [d["action_type"] for d in deps["dependencies"]["conditional_visibility"]],
      ["show_step"])
check("dependencies: step 3 is independent", deps["complexity_analysis"]["total_dependencies"] > 0
      and sdk.templates.get_step_dependencies(org, template, step3)["complexity_analysis"]["total_dependencies"] == 0, True)

# get_step_visibility_conditions: step 2 is shown by the rule.
vis = sdk.templates.get_step_visibility_conditions(org, template, step2)
check("visibility: default", vis["step_info"]["default_visibility"], "conditionally_visible")
show = vis["visibility_rules"]["show_rules"]
check("visibility: show rules", [(r["automation_id"], r["action_type"], r["conditions_count"]) for r in show],
      [(rule.id, "show_step", 2)])
check("visibility: conditions", show[0]["conditions"][1], "'Step 1' is completed")
check("visibility: step 1", sdk.templates.get_step_visibility_conditions(org, template, step1)["step_info"]["default_visibility"],
      "visible")

# update_automation_rule: the SDK reads the rule through CL3 and sends it back merged with the change.
updated = sdk.templates.update_automation_rule(org, template, rule.id, {
    "alias": "Large orders, hidden",
    "then_actions": [{"action_type": "visibility", "action_verb": "hide", "target_step_id": step3}],
})
updated = AutomatedAction.from_dict(updated)
check("update: alias", updated.automated_alias, "Large orders, hidden")
check("update: conditions kept", [(c.id, c.operation) for c in updated.conditions],
      [(c.id, c.operation) for c in rule.conditions])
check("update: actions replaced", [(a.action_verb, a.target_step_id, a.position) for a in updated.then_actions],
      [("hide", step3, 1)])
stored = sdk.templates.get_template(org, template_id=template).automated_actions
check("update: stored", [(r.id, r.automated_alias, [a.action_verb for a in r.then_actions]) for r in stored],
      [(rule.id, "Large orders, hidden", ["hide"])])
vis = sdk.templates.get_step_visibility_conditions(org, template, step3)
check("update: step 3 hide rule", [r["automation_id"] for r in vis["visibility_rules"]["hide_rules"]], [rule.id])
renamed = sdk.templates.update_automation_rule(org, template, rule.id, {"automated_alias": "Renamed"})
check("update: alias only", (renamed["automated_alias"], [a["id"] for a in renamed["then_actions"]]),
      ("Renamed", [a.id for a in updated.then_actions]))

sdk.templates.delete_automation_rule(org, template, rule.id)
try:
    sdk.templates.delete_automation_rule(org, template, rule.id)
    check("delete twice", "deleted", "404")
except TallyfyError as e:
    check("delete twice: status", getattr(e, "status_code", None), 404)
print("all automation checks passed")
