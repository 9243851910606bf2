"""Drives docket's tasks, processes, comments and tags with the official Tallyfy Python SDK.

Run by the Rust API suite (tests/api/sdk.rs). Environment: DOCKET_BASE_URL, DOCKET_TOKEN,
DOCKET_ORG. Member 1005 exists in the organization. Exits non-zero on the first mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK

org = os.environ["DOCKET_ORG"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=os.environ["DOCKET_BASE_URL"], max_retries=0)


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


# Standalone tasks.
task = sdk.create_task(org, "Review contract", "2030-01-15 17:00:00", user_ids=[1005], description="Read it all")
check("create_task title", task.title, "Review contract")
check("create_task owners", list(task.owners.users), [1005])
check("create_task deadline", task.deadline, "2030-01-15T17:00:00.000Z")
got = sdk.get_standalone_task(org, task.id)
check("get_standalone_task summary", got.summary, "Read it all")
check("get_standalone_task status", got.status, "not-started")
upd = sdk.update_standalone_task(org, task.id, title="Review the contract", summary="Every clause")
check("update_standalone_task", (upd.title, upd.summary), ("Review the contract", "Every clause"))
check("update_standalone_task read back", sdk.get_standalone_task(org, task.id).title, "Review the contract")
done = sdk.complete_standalone_task(org, task.id)
check("complete_standalone_task", (done.status, done.completer_id), ("completed", 1001))
reopened = sdk.reopen_standalone_task(org, task.id)
check("reopen_standalone_task", (reopened.status, reopened.completed_at), ("in-progress", None))

# Comments and problems on the standalone task.
comment = sdk.add_task_comment(org, task.id, "Looks fine")
check("add_task_comment", (comment.content, comment.author_id), ("Looks fine", 1001))
edited = sdk.update_task_comment(org, task.id, comment.id, "Looks fine to me")
check("update_task_comment", edited.content, "Looks fine to me")
comments = sdk.get_standalone_task_comments(org, task.id)
check("get_standalone_task_comments", [c.content for c in comments], ["Looks fine to me"])
issue = sdk.report_task_issue(org, task.id, "Clause 7 is missing")
check("report_task_issue label", issue.label, "problem")
check("problem flag set", sdk.get_standalone_task(org, task.id).problem, True)
sdk.threads.resolve_task_issues(org, task.id, issue.id)
check("threads.resolve_task_issues clears problem", sdk.get_standalone_task(org, task.id).problem, False)
sdk.delete_task_comment(org, task.id, comment.id)
check("delete_task_comment", [c.content for c in sdk.get_standalone_task_comments(org, task.id)],
      ["Clause 7 is missing", "Resolved"])
sdk.delete_standalone_task(org, task.id)
try:
    sdk.get_standalone_task(org, task.id)
    check("delete_standalone_task hides the task", "still readable", "404")
except Exception as e:  # the SDK raises on 404
    check("delete_standalone_task hides the task", "404" in str(e), True)

# An empty process: one task per assignee (seed 001 shape, sent through the SDK's transport),
# then grown with run_id.
created = sdk._make_request("POST", f"organizations/{org}/tasks", data={
    "title": "Submit timesheet", "summary": "Hours for week 23",
    "owners": {"users": [1005, 1001], "guests": [], "groups": []},
    "separate_task_for_each_assignee": True, "task_type": "task", "deadline": "2030-06-06 17:00:00",
})
run_id = created["data"]["run"]["id"]
check("fan-out run progress", created["data"]["run"]["progress"]["total"], 2)
added = sdk._make_request("POST", f"organizations/{org}/tasks", data={"title": "Approve timesheets", "run_id": run_id,
                                                                      "task_type": "approval", "owners": {"users": [1001]}})
check("grown with run_id", added["data"]["position"], 3)

tasks = sdk.get_tasks_for_process(org, process_id=run_id)
check("get_tasks_for_process", [t.title for t in tasks.data], ["Submit timesheet", "Submit timesheet", "Approve timesheets"])
first = tasks.data[0]
one = sdk.get_task(org, run_id, first.id)
check("get_task", (one.id, one.run_id, one.position), (first.id, run_id, 1))
moved = sdk.update_task(org, run_id, first.id, title="Submit your timesheet", deadline="2030-06-07 12:00:00")
check("update_task", (moved.title, moved.deadline), ("Submit your timesheet", "2030-06-07T12:00:00.000Z"))
done = sdk.complete_task(org, run_id, first.id)
check("complete_task", done.status, "completed")
check("process progress after one completion", sdk.get_process(org, run_id).progress.complete, 1)
again = sdk.reopen_task(org, run_id, first.id)
check("reopen_task", again.status, "in-progress")
approval = sdk.complete_task(org, run_id, added["data"]["id"], is_approved=False)
check("complete approval rejected", (approval.status, approval.status_label), ("completed", "rejected"))

process = sdk.get_process(org, run_id)
check("get_process", (process.name, process.checklist_title), ("Submit timesheet", "MISC"))
renamed = sdk.update_process(org, run_id, name="Timesheets week 23", starred=True)
check("update_process", (renamed.name, renamed.starred), ("Timesheets week 23", True))

tag = sdk.create_tag(org, "payroll", color="#00aa00")
sdk.tag_process(org, run_id, tag.id)
with_tags = sdk._make_request("GET", f"organizations/{org}/runs/{run_id}", params={"with": "tags"})
check("tag_process", [t["tag_id"] for t in with_tags["data"]["tags"]["data"]], [tag.id])
sdk.untag_process(org, run_id, tag.id)
with_tags = sdk._make_request("GET", f"organizations/{org}/runs/{run_id}", params={"with": "tags"})
check("untag_process", with_tags["data"]["tags"]["data"], [])

sdk.archive_process(org, run_id)
check("archive_process", sdk.get_process(org, run_id).status, "archived")
back = sdk.reactivate_process(org, run_id)
check("reactivate_process", back.status, "active")
check("reactivate_process read back", sdk.get_process(org, run_id).archived_at, None)

print("SDK tasks drive passed")
