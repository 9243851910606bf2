"""A person using docket's pages in headless Chromium (Playwright for Python, the system browser).

Run by the Rust API suite (crates/docket/tests/api/web/e2e.rs), which makes the data first and
checks what the pages wrote afterwards. Environment:

  DOCKET_BASE_URL                 the live test server
  DOCKET_E2E_EMAIL, _PASSWORD     a member with a password (organization DOCKET_ORG)
  DOCKET_E2E_TASK                 the title of a task with a field of every type
  DOCKET_E2E_KEYBOARD_TASK        the title of the task completed with the keyboard alone
  DOCKET_E2E_TEMPLATE             the title of the template launched
  DOCKET_E2E_GUEST_URL            the link a guest received by email
  DOCKET_E2E_SCREENSHOTS          where the screenshots go (made if missing)
  DOCKET_TEST_CHROMIUM            the browser (default /usr/bin/chromium)
  DOCKET_E2E_AXE                  axe.min.js (default: the copy axe-playwright-python ships)

One browser for the whole run. Every page visited is checked with axe-core (a violation of
impact serious or critical fails the run) and photographed at 1280x800 and 390x844. Exits
non-zero with what went wrong.
"""

import os
import re
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

BASE = os.environ["DOCKET_BASE_URL"].rstrip("/")
ORG = os.environ["DOCKET_ORG"]
EMAIL = os.environ["DOCKET_E2E_EMAIL"]
PASSWORD = os.environ["DOCKET_E2E_PASSWORD"]
TASK = os.environ["DOCKET_E2E_TASK"]
KEYBOARD_TASK = os.environ["DOCKET_E2E_KEYBOARD_TASK"]
TEMPLATE = os.environ["DOCKET_E2E_TEMPLATE"]
GUEST_URL = os.environ["DOCKET_E2E_GUEST_URL"]
SHOTS = Path(os.environ["DOCKET_E2E_SCREENSHOTS"])
CHROMIUM = os.environ.get("DOCKET_TEST_CHROMIUM") or "/usr/bin/chromium"

# Generous waits: on CI the browser shares two cores with the rest of the test suite.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The flags of a browser with no network but loopback: nothing phones home.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def axe_source():
    path = os.environ.get("DOCKET_E2E_AXE")
    if not path:
        import axe_playwright_python

        path = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    return Path(path).read_text(encoding="utf-8")


AXE = axe_source()
problems = []  # what fails the run, reported together at the end
checked = []  # the pages checked, in order
started = time.monotonic()
current = ""  # the last step, named in what fails


def step(text):
    global current
    current = text
    print(f"[{time.monotonic() - started:5.1f}s] {text}", flush=True)


def axe(page, name):
    """axe-core's violations on the page as it is; those of impact serious or critical fail the
    run, the others are printed. Returns how many rules passed."""
    # Playwright evaluates through the DevTools protocol, which the page's CSP does not govern.
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for v in result["violations"]:
        where = "; ".join(str(n["target"]) for n in v["nodes"][:5])
        line = f"{name}: axe {v['impact']} {v['id']}: {v['help']} ({where})"
        if v["impact"] in ("serious", "critical"):
            problems.append(line)
            print("FAIL " + line, flush=True)
        else:
            print("note " + line, flush=True)
    return len(result["passes"])


def check(page, name):
    """axe-core at each size (the narrow layout differs), and a screenshot at each size."""
    page.wait_for_load_state("load")
    passed = 0
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        passed = axe(page, f"{name} {size['width']}x{size['height']}")
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))
    page.set_viewport_size(DESKTOP)
    # A screenshot leaves `style=""` on the inputs (Playwright hides the caret); htmx would copy
    # it onto the next page's element of the same id, which the CSP refuses. The pages
    # themselves have no inline style.
    page.evaluate("document.querySelectorAll('[style]').forEach(e => e.removeAttribute('style'))")
    checked.append(name)
    step(f"checked {name} ({page.url.replace(BASE, '')}): axe passed {passed} rules")


def field(page, label):
    """The block of the form field labelled `label` (its label or its legend)."""
    return page.locator("div.field").filter(
        has=page.locator(f"xpath=./label[normalize-space()='{label}'] | ./fieldset/legend[normalize-space()='{label}']")
    )


def tab_to(page, describe, want, limit=80):
    """Presses Tab until the focused element is the one `want` (a JavaScript predicate on
    `document.activeElement`, as `el => …`) picks; fails after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(({want}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {describe}")


def axe_catches(browser):
    """axe finds a missing label and poor contrast on a page made to have them: the check
    above can fail."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><title>bad</title><main><h1>Bad</h1><input type="text">'
        '<p class="x">faint</p></main></html>'
    )
    page.add_style_tag(content=".x { color: #eee; background: #fff; }")
    page.evaluate(AXE)
    found = {v["id"]: v["impact"] for v in page.evaluate("axe.run(document)")["violations"]}
    page.close()
    if found.get("label") != "critical" or found.get("color-contrast") != "serious":
        raise AssertionError(f"axe did not find what the bad page has: {found}")


def sign_in(page):
    page.goto(f"{BASE}/app")
    expect(page).to_have_url(re.compile(r"/app/sign-in"))
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    check(page, "01-sign-in")
    page.locator("#email").fill(EMAIL)  # the password form (the sign-in link form has its own)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{BASE}/app/{ORG}")
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    step("signed in")


def upcoming(page):
    """The inbox's Upcoming view (links and forms are boosted by htmx: each step waits for what
    the new page shows, never for a navigation)."""
    tab = page.get_by_role("navigation", name="Views").get_by_role("link", name=re.compile(r"^Upcoming"))
    tab.click()
    expect(tab).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"view=upcoming"))


def find_in_inbox(page, title):
    """Searches the inbox view for `title` and opens the task."""
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    rows = page.locator("table.list tbody tr")
    expect(rows).not_to_have_count(1)
    page.get_by_role("searchbox", name="Search my tasks").fill(title)
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def fill_every_field(page, upload):
    # A file first: its form is its own (an upload reloads the page, the other answers with it).
    files = page.locator("div.field").filter(has=page.get_by_role("heading", name="Contract"))
    files.get_by_label("Add a file").set_input_files(str(upload))
    files.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("File added.")
    expect(page.get_by_role("link", name=upload.name)).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Kim Novak")
    page.get_by_label("Notes", exact=True).fill("Two lines\nof notes")
    page.get_by_label("Contact email", exact=True).fill("not an address")
    page.get_by_label("Website", exact=True).fill("https://partner.example/kim")
    page.get_by_label("Hours", exact=True).fill("3.5")
    page.get_by_label("Visit date", exact=True).fill("2099-03-04")
    page.get_by_label("Start time", exact=True).fill("14:30")
    page.get_by_label("Handover", exact=True).fill("2099-03-05T09:15")
    field(page, "Signed").get_by_label("Yes").check()
    field(page, "Colour").get_by_label("Blue").check()
    page.get_by_label("Size", exact=True).select_option("M")
    extras = field(page, "Extras")
    extras.get_by_label("Box").check()
    extras.get_by_label("Rope").check()
    items = field(page, "Items")
    items.get_by_label("Item, row 1").fill("Boxes")
    items.get_by_label("Count, row 1").fill("12")
    helpers = field(page, "Helpers")
    helpers.get_by_role("checkbox", name="Bob Stone").check()
    helpers.get_by_label(re.compile(r"^Guests")).fill("mover@partner.test")


def work_the_task(page, upload):
    find_in_inbox(page, TASK)
    check(page, "03-task")
    fill_every_field(page, upload)
    step("filled every field")

    # A bad email address: the API's message beside the field, the other answers kept.
    page.get_by_role("button", name="Save", exact=True).click()
    email = field(page, "Contact email")
    expect(email.locator(".error")).to_have_text("The value must be a valid email address.")
    expect(email.get_by_role("textbox")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Kim Novak")
    expect(field(page, "Items").get_by_label("Item, row 1")).to_have_value("Boxes")
    check(page, "04-task-invalid")
    step("saw the validation message")

    email.get_by_role("textbox").fill("kim@partner.example")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Contact email", exact=True)).to_have_value("kim@partner.example")
    # The table kept its row and offers an empty one.
    expect(field(page, "Items").get_by_label("Item, row 2")).to_have_value("")

    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Task completed.")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    step("completed the task")

    page.get_by_label("Comment or problem").fill("Delivered the boxes to Kim.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("status")).to_have_text("Comment added.")
    expect(page.locator("ul.comments")).to_contain_text("Delivered the boxes to Kim.")
    check(page, "05-task-completed")


def launch_template(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", level=1, name="Templates")).to_be_visible()
    check(page, "06-templates")
    page.get_by_role("link", name=TEMPLATE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Launch: {TEMPLATE}")
    check(page, "07-launch")
    page.get_by_label("Process name").fill("Onboarding Globex")
    page.get_by_label("Client name").fill("Globex Inc")
    page.get_by_label("Plan").select_option("Enterprise")
    page.get_by_role("button", name="Launch").click()
    expect(page).to_have_url(re.compile(rf"/app/{ORG}/runs/\w+$"))
    expect(page.get_by_role("heading", level=1, name="Onboarding Globex")).to_be_visible()
    expect(page.locator("ol.steps")).to_contain_text("Collect documents")
    check(page, "08-process")
    step("launched the template")


def keyboard_only(page):
    """The keyboard task: found, filled, saved and completed with Tab, Enter, Space and typing."""
    page.goto(f"{BASE}/app/{ORG}?view=upcoming")
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    if skip != "Skip to content":
        problems.append(f"keyboard: the first Tab stop is {skip!r}, not the skip link")
    tab_to(page, f"the link {KEYBOARD_TASK!r}", f"el => el.tagName === 'A' && el.textContent === {KEYBOARD_TASK!r}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=KEYBOARD_TASK)).to_be_visible()
    tab_to(page, "the Reference field", "el => el.labels && el.labels[0] && el.labels[0].textContent.startsWith('Reference')")
    page.keyboard.type("PO-4471")
    tab_to(page, "the Checked box", "el => el.type === 'checkbox'")
    page.keyboard.press("Space")
    tab_to(page, "the Save button", "el => el.tagName === 'BUTTON' && el.textContent === 'Save'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    tab_to(page, "the Complete button", "el => el.tagName === 'BUTTON' && el.textContent === 'Complete'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Task completed.")
    step("completed a task with the keyboard alone")


def guest(browser):
    """A guest opens the link from their email (no account, no sign-in), answers the form,
    comments and completes the task."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch(page)
    page.goto(GUEST_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the delivery note")
    check(page, "09-guest-task")
    page.get_by_label("Delivery reference", exact=True).fill("DN-2231")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Delivery reference", exact=True)).to_have_value("DN-2231")
    page.get_by_label("Comment or problem").fill("Signed and sent back.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Comment added.")
    expect(page.locator("ul.comments")).to_contain_text("Signed and sent back.")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Task completed.")
    check(page, "10-guest-task-completed")
    step("the guest completed their task")
    context.close()


def watch(page):
    """Script errors, console errors (a CSP violation is one) and answers of 404 or 5xx fail the
    run. A 422 is a validation message the run asks for; the browser's own favicon request
    has no page to find."""

    def console(m):
        if m.type == "error" and not m.text.startswith("Failed to load resource"):
            problems.append(f"console error on {page.url} ({current}): {m.text}")

    def response(r):
        if (r.status == 404 and not r.url.endswith("/favicon.ico")) or r.status >= 500:
            problems.append(f"{r.status} for {r.request.method} {r.url} ({current})")

    page.on("pageerror", lambda e: problems.append(f"page error on {page.url} ({current}): {e}"))
    page.on("console", console)
    page.on("response", response)


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        upload = Path(tmp) / "delivery-note.txt"
        upload.write_text("Delivered: 12 boxes\n", encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            step(f"browser {browser.version}")
            try:
                axe_catches(browser)
                context = browser.new_context(viewport=DESKTOP)
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                watch(page)
                sign_in(page)
                check(page, "02-inbox-today")
                upcoming(page)
                expect(page.get_by_role("link", name=TASK, exact=True)).to_be_visible()
                check(page, "02-inbox")
                work_the_task(page, upload)
                launch_template(page)
                keyboard_only(page)
                context.close()
                guest(browser)
            except (AssertionError, PlaywrightError) as e:
                problems.append(f"{type(e).__name__}: {e}")
            finally:
                browser.close()
    step(f"pages checked: {', '.join(checked)}")
    if problems:
        print("\n".join(["FAILED:"] + problems), file=sys.stderr)
        sys.exit(1)
    print("all pages passed")


if __name__ == "__main__":
    main()
