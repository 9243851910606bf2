"""Drives docket with the official Tallyfy Python SDK (PyPI `tallyfy`): identity calls.

Run by the Rust API suite (tests/api/sdk.rs) against a live docket. Environment:
DOCKET_BASE_URL, DOCKET_TOKEN, DOCKET_ORG. Member 1006 (active.member@example.com, active)
exists in the organization. Exits non-zero on the first mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK, TallyfyError

base = os.environ["DOCKET_BASE_URL"]
org = os.environ["DOCKET_ORG"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=base, max_retries=0)


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


me = sdk.get_current_user_info(org)
check("get_current_user_info id", me.id, 1001)
check("get_current_user_info email", me.email, "bob@acme.test")
check("get_current_user_info full_name", me.full_name, "Bob Stone")

organization = sdk.get_organization(org)
check("get_organization id", organization.id, org)
check("get_organization name", organization.name, "Acme")

invited = sdk.invite_user_to_organization(org, "new.member@example.com", "New", "Member", role="standard")
check("invite_user_to_organization email", invited.email, "new.member@example.com")
check("invite_user_to_organization name", (invited.first_name, invited.last_name), ("New", "Member"))

# resend_invitation re-invites with placeholder names and role light: the pending member comes
# back unchanged (200), re-sent; an active member is still refused.
check("resend_invitation", sdk.users.resend_invitation(org, "new.member@example.com"), True)
pending = [u for u in sdk.get_organization_users(org).data if u.email == "new.member@example.com"]
check("resend_invitation keeps the member", [(u.id, u.first_name, u.last_name, u.role) for u in pending],
      [(invited.id, "New", "Member", "standard")])
try:
    sdk.users.resend_invitation(org, "active.member@example.com")
    check("resend_invitation to an active member", "accepted", "refused")
except TallyfyError as e:
    check("resend_invitation to an active member", getattr(e, "status_code", None), 422)

users = sdk.get_organization_users(org)
emails = sorted(u.email for u in users.data)
check("get_organization_users emails", emails, ["active.member@example.com", "bob@acme.test", "new.member@example.com"])
check("get_organization_users total", users.meta.total if users.meta else None, 3)

guest = sdk.create_guest(org, "Client@Example.com", "Cli", "Ent", phone="555-0100", company_name="Partner Inc")
check("create_guest email", guest.email, "client@example.com")
check("create_guest guest_id from link", len(guest.guest_id or ""), 40)
fetched = sdk.get_guest(org, "client@example.com")
check("get_guest names", (fetched.first_name, fetched.last_name), ("Cli", "Ent"))
check("get_guest company", fetched.details.company_name if fetched.details else None, "Partner Inc")
check("get_guest phone", fetched.details.phone_1 if fetched.details else None, "555-0100")

group = sdk.create_group(org, "Reviewers", description="People who review", members=[1001], guests=["client@example.com"])
check("create_group name", group.name, "Reviewers")
got = sdk.get_group(org, group.id)
check("get_group members", list(got.members or []), [1001])
check("get_group guests", list(got.guests or []), ["client@example.com"])
check("get_group description", got.description, "People who review")

tag = sdk.create_tag(org, "finance", color="#e74c3c")
check("create_tag title", tag.title, "finance")
got = sdk.get_tag(org, tag.id)
check("get_tag", (got.id, got.title, got.color), (tag.id, "finance", "#e74c3c"))

print("SDK identity drive passed")
