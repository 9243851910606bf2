"""Drives docket's files (assets) with the official Tallyfy Python SDK's file_management methods.

Run by the Rust API suite (tests/api/assets/sdk_drive.rs), which writes the subjects first.
Environment: DOCKET_BASE_URL, DOCKET_TOKEN, DOCKET_ORG, and DOCKET_TASK_ID (a one-off task),
DOCKET_TEMPLATE_ID (a template), DOCKET_RUN_ID (a process launched from it), DOCKET_STEP_ID (a
step of the template), DOCKET_KICKOFF_ID (a kick-off field of the template). Exits non-zero on
the first mismatch.
"""

import os
import sys

from tallyfy import TallyfySDK, TallyfyError
from tallyfy.models import TallyfyFileTooLargeError

org = os.environ["DOCKET_ORG"]
task = os.environ["DOCKET_TASK_ID"]
template = os.environ["DOCKET_TEMPLATE_ID"]
run = os.environ["DOCKET_RUN_ID"]
step = os.environ["DOCKET_STEP_ID"]
kickoff = os.environ["DOCKET_KICKOFF_ID"]
base = os.environ["DOCKET_BASE_URL"]
sdk = TallyfySDK(api_key=os.environ["DOCKET_TOKEN"], base_url=base, max_retries=0)


def check(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


# Binary content, every byte value, to a one-off task.
content = bytes(range(256)) * 300
asset = sdk.upload_file(org, content, "scan.pdf", "ko_field", "Task", task)
check("upload_file (Task) id", len(asset.id), 32)
check("upload_file (Task) fields", (asset.filename, asset.version, asset.uploaded_from, asset.source),
      ("scan.pdf", 1, "ko_field", "local"))
check("upload_file (Task) subject", asset.subject, {"id": task, "type": "Task"})
check("upload_file (Task) uploaded_to_s3", asset.uploaded_to_s3, False)
check("download_file bytes", sdk.download_file(org, asset.id), content)

# The relative url and the full_url a file value carries both download.
url = f"organizations/{org}/file/{asset.id}/dl"
check("download_file_from_url (relative)", sdk.download_file_from_url(url), content)
check("download_file_from_url (full, /api)", sdk.download_file_from_url(f"{base}/api/{url}"), content)

# The cap: a file over max_bytes raises rather than coming back cut short.
try:
    sdk.download_file(org, asset.id, max_bytes=1000)
    check("download_file over max_bytes raises", "no error", "TallyfyFileTooLargeError")
except TallyfyFileTooLargeError as e:
    check("download_file over max_bytes declared size", e.declared_bytes, len(content))

# A template's kick-off form, and a process launched from it (with step and template ids).
t_asset = sdk.upload_file(org, b"hello", "notes.txt", "ko_field", "Checklist", template)
check("upload_file (Checklist) subject", t_asset.subject, {"id": template, "type": "Checklist"})
check("download_file (Checklist)", sdk.download_file(org, t_asset.id), b"hello")
r_asset = sdk.upload_file(org, b"\x89PNG\r\n", "photo.png", kickoff, "Run", run,
                          step_id=step, checklist_id=template)
check("upload_file (Run) fields", (r_asset.subject, r_asset.step_id, r_asset.uploaded_from),
      ({"id": run, "type": "Run"}, step, kickoff))
check("download_file (Run)", sdk.download_file(org, r_asset.id), b"\x89PNG\r\n")

# Refusals come back as TallyfyError with docket's status and message.
try:
    sdk.upload_file(org, b"MZ", "tool.exe", "ko_field", "Task", task)
    check("upload_file wrong type refused", "stored", "422")
except TallyfyError as e:
    check("upload_file wrong type status", e.status_code, 422)
try:
    sdk.upload_file(org, b"x", "x.txt", "ko_field", "Task", "0123456789abcdef0123456789abcdef")
    check("upload_file unknown subject refused", "stored", "422")
except TallyfyError as e:
    check("upload_file unknown subject status", e.status_code, 422)
try:
    sdk.download_file(org, "0123456789abcdef0123456789abcdef")
    check("download_file unknown refused", "bytes", "404")
except TallyfyError as e:
    check("download_file unknown status", e.status_code, 404)

print("files: all SDK file_management methods passed")
