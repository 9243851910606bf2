"""Drives docket's template steps and their form fields with the official Tallyfy Python SDK:
every method of form_fields_management and the step methods of template_management.

Run by the Rust API suite (tests/api/sdk_form_fields.rs). Environment: DOCKET_BASE_URL,
DOCKET_TOKEN, DOCKET_ORG. Members 1002 and 1005 exist in the organization. Exits non-zero on
the first mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK

org = os.environ["DOCKET_ORG"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=os.environ["DOCKET_BASE_URL"], max_retries=0)
templates = sdk.templates
fields = sdk.form_fields


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


tpl = templates.create_template(org, "Vendor intake").id

# add_step_to_template
first = templates.add_step_to_template(org, tpl, {
    "title": "Collect documents", "summary": "<p>ID and contract</p>", "step_type": "task",
    "assignees": [1002], "guests": ["vendor@partner.example"], "max_assignable": 5,
    "deadline": {"value": 2, "unit": "days", "option": "from", "step": "start_run"},
    "everyone_must_complete": True, "position": 5,
})
check("add_step_to_template", (first["title"], first["position"], first["alias"], first["checklist_id"]),
      ("Collect documents", 1, "collect-documents", tpl))
check("add_step_to_template buckets", (first["assignees"], first["guests"], first["groups"]),
      ([1002], ["vendor@partner.example"], []))
check("add_step_to_template deadline", first["deadline"],
      {"value": 2, "unit": "days", "option": "from", "step": "start_run"})
second = templates.add_step_to_template(org, tpl, {"title": "Review", "step_type": "approval"})
third = templates.add_step_to_template(org, tpl, {"title": "Sign off"})
check("steps append", (second["position"], third["position"]), (2, 3))

# get_template_steps (walks pages of 100)
steps = templates.get_template_steps(org, tpl)
check("get_template_steps", [(s.title, s.position) for s in steps],
      [("Collect documents", 1), ("Review", 2), ("Sign off", 3)])

# edit_description_on_step keeps the assignees
upd = templates.edit_description_on_step(org, tpl, first["id"], "Passport and signed contract")
check("edit_description_on_step", (upd["summary"], upd["assignees"], upd["guests"]),
      ("Passport and signed contract", [1002], ["vendor@partner.example"]))

# add_assignees_to_step merges with the current assignees
upd = templates.add_assignees_to_step(org, tpl, first["id"], [1005], guests=["second@partner.example"])
check("add_assignees_to_step", (sorted(upd["assignees"]), sorted(upd["guests"])),
      ([1002, 1005], ["second@partner.example", "vendor@partner.example"]))

# add_form_field_to_step (position 1 by default: appended anyway)
name = fields.add_form_field_to_step(org, tpl, first["id"], {"label": "Company name", "field_type": "text"})
check("add_form_field_to_step", (name.label, name.field_type, name.required, name.position, name.step_id),
      ("Company name", "text", True, 1, first["id"]))
kind = fields.add_form_field_to_step(org, tpl, first["id"], {
    "label": "Vendor kind", "field_type": "dropdown", "required": False,
    "options": [{"text": "Goods"}, {"text": "Services"}]})
check("add_form_field_to_step appends", kind.position, 2)
notes = fields.add_form_field_to_step(org, tpl, first["id"], {"label": "Notes", "field_type": "textarea",
                                                              "guidance": "Anything else"})
check("add_form_field_to_step guidance", (notes.position, notes.guidance), (3, "Anything else"))

# get_step
step = fields.get_step(org, tpl, first["id"])
check("get_step", (step.title, [c.label for c in step.captures]),
      ("Collect documents", ["Company name", "Vendor kind", "Notes"]))

# update_form_field (partial)
upd = fields.update_form_field(org, tpl, first["id"], name.id, label="Legal company name", required=False)
check("update_form_field", (upd.label, upd.required, upd.field_type, upd.position),
      ("Legal company name", False, "text", 1))

# dropdown options: read, replace, add, remove, reorder
check("get_dropdown_options", fields.get_dropdown_options(org, tpl, first["id"], kind.id), ["Goods", "Services"])
check("update_dropdown_options",
      fields.update_dropdown_options(org, tpl, first["id"], kind.id, ["Goods", "Services", "Software"]), True)
check("options replaced", fields.get_dropdown_options(org, tpl, first["id"], kind.id),
      ["Goods", "Services", "Software"])
check("add_dropdown_option", fields.add_dropdown_option(org, tpl, first["id"], kind.id, "Hardware", position=0), True)
check("option added", fields.get_dropdown_options(org, tpl, first["id"], kind.id),
      ["Hardware", "Goods", "Services", "Software"])
check("remove_dropdown_option", fields.remove_dropdown_option(org, tpl, first["id"], kind.id, "Goods"), True)
check("reorder_dropdown_options",
      fields.reorder_dropdown_options(org, tpl, first["id"], kind.id, ["Software", "Services", "Hardware"]), True)
check("options reordered", fields.get_dropdown_options(org, tpl, first["id"], kind.id),
      ["Software", "Services", "Hardware"])
step = fields.get_step(org, tpl, first["id"])
check("option edits keep the field", [(c.label, c.position) for c in step.captures],
      [("Legal company name", 1), ("Vendor kind", 2), ("Notes", 3)])

# reorder_form_fields: one call per field
check("reorder_form_fields", fields.reorder_form_fields(org, tpl, first["id"], [
    {"id": notes.id, "position": 1}, {"id": name.id, "position": 2}, {"id": kind.id, "position": 3}]), True)
step = fields.get_step(org, tpl, first["id"])
check("fields reordered", [c.label for c in step.captures], ["Notes", "Legal company name", "Vendor kind"])

# move_form_field to another step
check("move_form_field", fields.move_form_field(org, tpl, first["id"], notes.id, second["id"], position=1), True)
check("moved out", [c.label for c in fields.get_step(org, tpl, first["id"]).captures],
      ["Legal company name", "Vendor kind"])
check("moved in", [(c.label, c.position) for c in fields.get_step(org, tpl, second["id"]).captures], [("Notes", 1)])

# delete_form_field
check("delete_form_field", fields.delete_form_field(org, tpl, second["id"], notes.id), True)
check("field deleted", fields.get_step(org, tpl, second["id"]).captures, [])

# clone_step: copied after itself, with its fields
copy = templates.clone_step(org, tpl, first["id"])
check("clone_step", (copy["title"], copy["position"], copy["alias"]), ("Collect documents", 2, "collect-documents-2"))
check("clone_step fields", [c["label"] for c in copy["captures"]], ["Legal company name", "Vendor kind"])

# reorder_step
moved = templates.reorder_step(org, tpl, third["id"], 1)
check("reorder_step", moved["position"], 1)
check("steps after reorder", [s.title for s in templates.get_template_steps(org, tpl)],
      ["Sign off", "Collect documents", "Collect documents", "Review"])

# delete_step
check("delete_step", templates.delete_step(org, tpl, copy["id"]), True)
check("steps after delete", [(s.title, s.position) for s in templates.get_template_steps(org, tpl)],
      [("Sign off", 1), ("Collect documents", 2), ("Review", 3)])

print("all form field and step checks passed")
