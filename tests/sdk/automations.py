"""Drives docket's automation rules (AU1, AU3) with the official Tallyfy Python SDK.

Run by the Rust API suite (tests/api/automations/sdk_drive.rs), which writes the template
first. Environment: DOCKET_BASE_URL, DOCKET_TOKEN, DOCKET_ORG, DOCKET_TEMPLATE_ID, and
DOCKET_STEP1 / DOCKET_STEP2 (two steps of it), DOCKET_AMOUNT (a number kick-off field).
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

sdk.templates.delete_automation_rule(org, template, rule.id)
try:
    sdk.templates.delete_automation_rule(org, template, rule.id)
    check("delete twice", "deleted", "404")
except TallyfyError as e:
    check("delete twice: status", getattr(e, "status_code", None), 404)
print("all automation checks passed")
