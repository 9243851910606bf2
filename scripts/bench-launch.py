"""Templates for scripts/bench-launch, made over the API, and the 200-step timing.

  python3 scripts/bench-launch.py setup BASE ORG TOKEN DATA_DIR   five 10-step templates
  python3 scripts/bench-launch.py big BASE ORG TOKEN DATA_DIR     30 launches of a 200-step one
  python3 scripts/bench-launch.py run BASE ORG TOKEN DATA_DIR     launches a 10-step run, prints its id
`setup` writes DATA_DIR/templates (one line a template: id, the three kick-off field ids, the
step ids joined by commas), DATA_DIR/members, DATA_DIR/org and DATA_DIR/token for the Lua script.
"""

import json
import random
import statistics
import sys
import time
import urllib.request

mode, base, org, token, data = sys.argv[1:6]


def call(method, path, body=None):
    req = urllib.request.Request(
        f"{base}/organizations/{org}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "X-Tallyfy-Client": "bench", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


def members():
    users = call("GET", "/users?per_page=100")["data"]
    return [u["id"] for u in users if u.get("status", "active") == "active"][:50]


def template(title, steps, people):
    t = call("POST", "/checklists", {
        "title": title, "type": "procedure",
        "prerun": [
            {"label": "Customer", "field_type": "text", "required": True},
            {"label": "Plan", "field_type": "dropdown", "required": False, "options": ["Basic", "Pro", "Enterprise"]},
            {"label": "Start date", "field_type": "date", "required": False},
        ],
    })["data"]
    ids, prev = [], None
    for i in range(steps):
        step = call("POST", f"/checklists/{t['id']}/steps", {
            "title": f"Step {i + 1} of {title}",
            "assignees": random.sample(people, 1 + i % 2),
            "deadline": {"value": 1 + i % 3, "unit": "days", "option": "from", "step": prev or "start_run"},
            "captures": [{"label": "Notes", "field_type": "textarea", "required": False}],
        })["data"]
        ids.append(step["id"])
        prev = step["id"] if i % 2 else None
    return t["id"], [f["id"] for f in t["prerun"]], ids


if mode == "setup":
    people = members()
    lines = []
    for n in range(5):
        tid, fields, steps = template(f"Bench onboarding {n + 1}", 10, people)
        lines.append(" ".join([tid, *fields, ",".join(steps)]))
    open(f"{data}/templates", "w").write("\n".join(lines) + "\n")
    open(f"{data}/members", "w").write("\n".join(map(str, people)) + "\n")
    open(f"{data}/org", "w").write(org + "\n")
    open(f"{data}/token", "w").write(token + "\n")
elif mode == "big":
    people = members()
    tid, fields, steps = template("Bench 200 steps", 200, people)
    times = []
    for n in range(30):
        start = time.perf_counter()
        run = call("POST", "/runs", {"checklist_id": tid, "name": f"Big launch {n}", "prerun": {fields[0]: f"Customer {n}"}})
        times.append((time.perf_counter() - start) * 1000)
    tasks = call("GET", f"/runs/{run['data']['id']}/tasks?per_page=1")["meta"]["pagination"]["total"]
    print(f"200-step template: {len(times)} launches one after another, median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms ({tasks} tasks in the last run)")
elif mode == "run":
    tid, customer, *_ = open(f"{data}/templates").readline().split()
    run = call("POST", "/runs", {"checklist_id": tid, "name": "Task list run", "prerun": {customer: "Globex"}})
    print(run["data"]["id"])
