"""Drives docket's templates with the official Tallyfy Python SDK: the template-level methods of
template_management, template search, and tags on templates.

Run by the Rust API suite (tests/api/sdk_templates.rs). Environment: DOCKET_BASE_URL,
DOCKET_TOKEN, DOCKET_ORG. Member 1005 exists in the organization. Exits non-zero on the first
mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK

org = os.environ["DOCKET_ORG"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=os.environ["DOCKET_BASE_URL"], max_retries=0)
templates = sdk.templates


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


# create_template
t = templates.create_template(org, "Client Onboarding", type="form", summary="Welcome new clients",
                              owner_id=1005, guidance="Be kind", icon="fa-handshake", starred=True,
                              is_public=False)
check("create_template title", t.title, "Client Onboarding")
check("create_template type", t.type, "form")
check("create_template fields", (t.summary, t.owner_id, t.guidance, t.icon, t.starred, t.is_public),
      ("Welcome new clients", 1005, "Be kind", "fa-handshake", True, False))
check("create_template alias", t.alias, "client-onboarding-" + t.id[:6])
check("create_template prerun and rules", (t.prerun, t.automated_actions), ([], []))
other = templates.create_template(org, "Quarterly Review")

# get_template by id and by name
got = templates.get_template(org, template_id=t.id)
check("get_template by id", (got.id, got.title, got.created_by), (t.id, "Client Onboarding", 1001))
got = templates.get_template(org, template_name="quarterly review")
check("get_template by name", got.id, other.id)
check("search_templates_by_name", sdk.searches.search_templates_by_name(org, "Client Onboarding"), t.id)
check("templates.search_templates_by_name", templates.search_templates_by_name(org, "quarterly"), other.id)

# update_template_metadata, with kick-off fields
upd = templates.update_template_metadata(org, t.id, title="Client Onboarding v2", is_featured=True,
                                         kickoff_title="Before we start", can_add_oot=True,
                                         prerun=[{"label": "Client name", "field_type": "text", "required": True},
                                                 {"label": "Tier", "field_type": "dropdown", "required": False,
                                                  "options": [{"text": "Gold"}, {"text": "Silver"}]}])
check("update_template_metadata", (upd.title, upd.is_featured, upd.kickoff_title, upd.summary),
      ("Client Onboarding v2", True, "Before we start", "Welcome new clients"))
check("update_template_metadata prerun", [f.alias for f in upd.prerun], ["client-name", "tier"])

# get_kickoff_form_fields
fields = templates.get_kickoff_form_fields(org, t.id)
check("get_kickoff_form_fields", [(f["label"], f["required"]) for f in fields],
      [("Client name", True), ("Tier", False)])

# get_template_with_steps
templates.add_step_to_template(org, t.id, {"title": "Say hello"})
full = templates.get_template_with_steps(org, template_id=t.id)
check("get_template_with_steps counts", (full["step_count"], full["automation_count"], full["prerun_field_count"]),
      (1, 0, 2))
check("get_template_with_steps steps", [s["title"] for s in full["steps"]], ["Say hello"])
check("get_template_with_steps template", [s.title for s in full["template"].steps], ["Say hello"])
by_name = templates.get_template_with_steps(org, template_name="Client Onboarding v2")
check("get_template_with_steps by name", (by_name["template"].id, by_name["step_count"]), (t.id, 1))

# get_all_templates
listed = templates.get_all_templates(org)
check("get_all_templates", sorted(x.title for x in listed.data), ["Client Onboarding v2", "Quarterly Review"])
check("get_all_templates count", listed.count, 2)

# search_templates / search(on='blueprint')
found = sdk.searches.search_templates(org, "onboarding")
check("search_templates", [r.id for r in found.data], [t.id])
check("search_templates fields", (found.data[0].title, found.data[0].type, found.data[0].steps_count),
      ("Client Onboarding v2", "form", 1))
found = sdk.searches.search(org, "review", on="blueprint", tags=True)
check("search on blueprint", [r.title for r in found.data], ["Quarterly Review"])
found = sdk.searches.search_all(org, "onboarding", tags=True)
check("search_all types", sorted(found), ["blueprint", "process", "snippet", "task"])
check("search_all blueprint", [(r.id, r.steps_count) for r in found["blueprint"].data], [(t.id, 1)])
check("search_all others", (found["process"].data, found["task"].data, found["snippet"].data), ([], [], []))
found = sdk.searches.search_all(org, "review", types=["blueprint"])
check("search_all blueprint only", [r.id for r in found["blueprint"].data], [other.id])

# tag_template / untag_template
tag = sdk.tags.create_tag(org, "clients")
check("tag_template", sdk.tags.tag_template(org, t.id, tag.id), True)
tagged = templates.get_template(org, template_id=t.id)
check("tagged template tags", [x.title for x in tagged.tags], ["clients"])
check("untag_template", sdk.tags.untag_template(org, tag.id, template_id=t.id), True)
check("untagged template tags", templates.get_template(org, template_id=t.id).tags, [])

# duplicate_template (form body with tenant)
copy = templates.duplicate_template(org, t.id, "Onboarding copy", org)
check("duplicate_template", (copy.title, copy.summary, copy.owner_id, copy.created_by),
      ("Onboarding copy", "Welcome new clients", 1001, 1001))
check("duplicate_template prerun", [f.alias for f in copy.prerun], ["client-name", "tier"])
check("duplicate_template steps", [s.title for s in templates.get_template(org, template_id=copy.id).steps], ["Say hello"])
check("duplicate_template new ids", any(f.id in [g["id"] for g in fields] for f in copy.prerun), False)

# delete_template_with_references / delete_template (archive)
result = templates.delete_template_with_references(org, copy.id)
check("delete_template_with_references", result["deleted_references"], [])
check("archived", templates.get_template(org, template_id=copy.id).archived_at is not None, True)
check("delete_template", templates.delete_template(org, other.id), True)
check("archived ones leave the list", [x.title for x in templates.get_all_templates(org).data],
      ["Client Onboarding v2"])
check("archived ones leave search", sdk.searches.search_templates(org, "review").data, [])
