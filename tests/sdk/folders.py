"""Drives docket's folders with the official Tallyfy Python SDK (`folder_management`, unchanged).

Run by the Rust API suite (tests/api/sdk.rs). Environment: DOCKET_BASE_URL, DOCKET_TOKEN,
DOCKET_ORG. Member 1005 exists in the organization. Exits non-zero on the first mismatch.

Filing a template (`add_object_to_folder(..., 'checklist')`) reads the template, then updates it
with its title and the folder id.
"""

import os
import sys

from tallyfy import TallyfySDK, TallyfyError

org = os.environ["DOCKET_ORG"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=os.environ["DOCKET_BASE_URL"], max_retries=0)


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


# create_folder: top level, then nested.
finance = sdk.create_folder(org, "Finance")
check("create_folder", (finance.name, finance.parent_id, finance.position, finance.folder_type, finance.total),
      ("Finance", None, 1, "checklist", 0))
check("create_folder id", len(finance.id), 32)
ops = sdk.create_folder(org, "Operations")
check("create_folder appended", ops.position, 2)
reports = sdk.create_folder(org, "Reports", parent_id=finance.id)
check("create_folder nested", (reports.parent_id, reports.position), (finance.id, 1))
monthly = sdk.create_folder(org, "Monthly", parent_id=reports.id)

# get_folders: top level with children nested (wrapped, unwrapped by Folder.from_dict).
folders = sdk.get_folders(org)
check("get_folders top level", [(f.name, f.position) for f in folders], [("Finance", 1), ("Operations", 2)])
check("get_folders children", [c.name for c in folders[0].children], ["Reports"])
check("get_folders grandchildren", [c.name for c in folders[0].children[0].children], ["Monthly"])
check("get_folders q at every depth", [f.name for f in sdk.get_folders(org, q="month")], ["Monthly"])
check("get_folders run folders", sdk.get_folders(org, folder_type="run"), [])

# get_folder.
got = sdk.get_folder(org, reports.id)
check("get_folder", (got.id, got.name, got.parent_id), (reports.id, "Reports", finance.id))

# update_folder: rename only (the SDK reads the folder first to send its name), then move.
renamed = sdk.update_folder(org, reports.id, name="Quarterly reports")
check("update_folder rename", (renamed.name, renamed.parent_id), ("Quarterly reports", finance.id))
moved = sdk.update_folder(org, reports.id, parent_id=ops.id)
check("update_folder move", (moved.name, moved.parent_id, moved.position), ("Quarterly reports", ops.id, 1))
try:
    sdk.update_folder(org, ops.id, parent_id=monthly.id)
    check("update_folder into a sub-folder is refused", "accepted", "refused")
except TallyfyError as e:
    check("update_folder into a sub-folder is refused", getattr(e, "status_code", None), 422)

# add_object_to_folder with a run: the folder object, whose integer id removes it again.
created = sdk._make_request("POST", f"organizations/{org}/tasks", data={
    "title": "Close the books", "owners": {"users": [1005, 1001]}, "separate_task_for_each_assignee": True,
})
run_id = created["data"]["run"]["id"]
filed = sdk.add_object_to_folder(org, finance.id, run_id, "run")
check("add_object_to_folder", (filed["folder_id"], filed["subject_id"], filed["subject_type"]),
      (finance.id, run_id, "Run"))
check("add_object_to_folder integer id", isinstance(filed["id"], int), True)
again = sdk.add_object_to_folder(org, finance.id, run_id, "run")
check("add_object_to_folder twice", again["id"], filed["id"])
check("folder total", sdk.get_folder(org, finance.id).total, 1)
runs = sdk.get_organization_runs(org, folder=finance.id)
check("get_organization_runs folder", [r.id for r in runs.data], [run_id])
with_folders = sdk._make_request("GET", f"organizations/{org}/runs/{run_id}", params={"with": "folders"})
check("run with=folders", [f["id"] for f in with_folders["data"]["folders"]["data"]], [finance.id])

# add_object_to_folder with a template: CL3, then CL4 {title, folder_id}; answers True.
template = sdk.templates.create_template(org, "Month-end close")
check("add_object_to_folder checklist", sdk.add_object_to_folder(org, finance.id, template.id, "checklist"), True)


def stored_template(template_id):
    return sdk._make_request("GET", f"organizations/{org}/checklists/{template_id}")["data"]


check("template filed", (stored_template(template.id)["folder_id"], stored_template(template.id)["title"]),
      (finance.id, "Month-end close"))
check("get_all_templates folder", [t.id for t in sdk.templates.get_all_templates(org, folder=finance.id).data],
      [template.id])
check("get_all_templates other folder", sdk.templates.get_all_templates(org, folder=ops.id).data, [])
check("add_object_to_folder checklist again", sdk.add_object_to_folder(org, ops.id, template.id, "checklist"), True)
check("template moved", stored_template(template.id)["folder_id"], ops.id)
try:
    sdk.add_object_to_folder(org, finance.id, "0" * 32, "checklist")
    check("add_object_to_folder unknown template", "filed", "404")
except TallyfyError as e:
    check("add_object_to_folder unknown template", getattr(e, "status_code", None), 404)

# remove_object_from_folder takes the integer id as returned.
check("remove_object_from_folder", sdk.remove_object_from_folder(org, filed["id"]), True)
check("folder total after removal", sdk.get_folder(org, finance.id).total, 0)
check("get_organization_runs folder after removal", sdk.get_organization_runs(org, folder=finance.id).data, [])
try:
    sdk.remove_object_from_folder(org, filed["id"])
    check("remove_object_from_folder twice", "removed", "404")
except TallyfyError as e:
    check("remove_object_from_folder twice", getattr(e, "status_code", None), 404)

# delete_folder removes the sub-folders too.
check("delete_folder", sdk.delete_folder(org, ops.id), True)
check("get_folders after delete", [f.name for f in sdk.get_folders(org)], ["Finance"])
check("get_folders q after delete", sdk.get_folders(org, q="quarterly"), [])
try:
    sdk.get_folder(org, monthly.id)
    check("sub-folder deleted", "found", "404")
except TallyfyError as e:
    check("sub-folder deleted", getattr(e, "status_code", None), 404)

print("SDK folders drive passed")
