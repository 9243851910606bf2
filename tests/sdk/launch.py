"""Drives docket's launch of a run from a template with the official Tallyfy Python SDK.

Run by the Rust API suite (tests/api/launch/sdk_drive.rs), which writes the template first.
Environment: DOCKET_BASE_URL, DOCKET_TOKEN, DOCKET_ORG, and DOCKET_TEMPLATE_ID,
DOCKET_KICKOFF_ID (a required text kick-off field), DOCKET_STEP_ID (the first step, due two
days after launch), DOCKET_REVIEW_STEP_ID (due one day after the first step). Member 1005
exists. Exits non-zero on the first mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK, TallyfyError, TallyfyPayloadError

org = os.environ["DOCKET_ORG"]
template = os.environ["DOCKET_TEMPLATE_ID"]
kickoff = os.environ["DOCKET_KICKOFF_ID"]
step = os.environ["DOCKET_STEP_ID"]
review = os.environ["DOCKET_REVIEW_STEP_ID"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=os.environ["DOCKET_BASE_URL"], max_retries=0)


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


# A launch with kick-off values and a per-step override (the SDK docstring's override keys).
run = sdk.launch_process(
    org, template, "Onboarding - Globex", summary="From the SDK",
    prerun={kickoff: "Globex"},
    tasks={step: {"position": 1, "deadline": "2030-01-10 17:00:00", "max_assignable": 1,
                  "owners": {"users": [1005]}}},
    is_public=True, assign_someone_else=False, publicly_hidden_fields=["comments"],
)
check("launch_process name", run.name, "Onboarding - Globex")
check("launch_process checklist", (run.checklist_id, run.checklist_title), (template, "Client onboarding"))
check("launch_process prerun", run.prerun[kickoff], "Globex")
check("launch_process prerun_length", run.prerun_length, 2)
check("launch_process progress", (run.progress.complete, run.progress.total), (0, 2))
check("launch_process started_by", run.started_by, 1001)
check("launch_process due date", run.due_date, "2030-01-11T17:00:00.000Z")

tasks = sdk.get_tasks_for_process(org, process_id=run.id).data
check("tasks of the launched run", [t.title for t in tasks], ["Collect documents", "Review"])
check("override owners", list(tasks[0].owners.users), [1005])
check("override deadline", tasks[0].deadline, "2030-01-10T17:00:00.000Z")
check("anchored deadline", tasks[1].deadline, "2030-01-11T17:00:00.000Z")
check("launcher assigned", list(tasks[1].owners.users), [1001])

got = sdk.get_process(org, run.id)
check("get_process checklist_id", got.checklist_id, template)
check("get_process summary", got.summary, "From the SDK")

# The required kick-off field: omitted, the API answers 422 naming it.
try:
    sdk.launch_process(org, template, "Without kick-off")
    check("launch without required kick-off", "launched", "422")
except TallyfyError as e:
    check("launch without required kick-off status", e.status_code, 422)
    check("launch without required kick-off message", "Customer name is required." in str(e.response_data), True)

# An unknown kick-off key fails closed.
try:
    sdk.launch_process(org, template, "Unknown key", prerun={kickoff: "X", "0" * 32: "Y"})
    check("launch with an unknown kick-off key", "launched", "422")
except TallyfyError as e:
    check("launch with an unknown kick-off key", e.status_code, 422)

# Roles are refused, not silently dropped.
try:
    sdk.launch_process(org, template, "Roles", prerun={kickoff: "X"}, roles={"r1": {"users": [1005]}})
    check("launch with roles", "launched", "422")
except TallyfyError as e:
    check("launch with roles", e.status_code, 422)

# The SDK refuses a list-shaped prerun itself; nothing is sent.
try:
    sdk.launch_process(org, template, "List prerun", prerun=[{"id": kickoff, "value": "X"}])
    check("list prerun refused locally", "sent", "refused")
except (TallyfyPayloadError, ValueError, TallyfyError) as e:
    check("list prerun refused locally", getattr(e, "status_code", None), None)

# An unknown template.
try:
    sdk.launch_process(org, "0123456789abcdef0123456789abcdef", "Nothing", prerun={kickoff: "X"})
    check("launch of an unknown template", "launched", "422")
except TallyfyError as e:
    check("launch of an unknown template", e.status_code, 422)

print("launch drive passed")
