-- wrk 4.1 script of scripts/bench-launch: every launch drawn at random.
--   wrk -tT -cN -dS -s scripts/bench-launch.lua http://HOST:PORT -- DATA_DIR
-- DATA_DIR (written by scripts/bench-launch.py setup): templates (id, three kick-off field ids,
-- step ids joined by commas), members, org, token.
-- done() prints `RESULT rps p50_ms p99_ms non2xx total` and the first refused launches.

-- The DATA_DIR reader, shared (scripts/bench-report.lua); this script's report is its own.
local report = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "bench-report.lua")
local lines, pick = report.lines, report.pick
local function split(s, sep)
  local out = {}
  for piece in string.gmatch(s, "[^" .. sep .. "]+") do out[#out + 1] = piece end
  return out
end

local templates, members, org, token
local counter, refused = 0, 0
local PLANS = { "Basic", "Pro", "Enterprise" }
local NAMES = { "Globex", "Initech", "Umbrella", "Hooli", "Vehement", "Soylent", "Acme", "Stark" }

function setup(thread) thread:set("id", counter); counter = counter + 1 end

function init(args)
  local dir = args[1]
  templates = {}
  for _, line in ipairs(lines(dir, "templates")) do
    local f = split(line, " ")
    templates[#templates + 1] = { id = f[1], customer = f[2], plan = f[3], start = f[4], steps = split(f[5], ",") }
  end
  members = lines(dir, "members")
  org = lines(dir, "org")[1]
  token = lines(dir, "token")[1]
  math.randomseed(os.time() + (id or 0) * 7919)
end

function request()
  local t = pick(templates)
  local customer = pick(NAMES) .. " " .. math.random(100000)
  local prerun = string.format('"%s": "%s"', t.customer, customer)
  if math.random() < 0.7 then prerun = prerun .. string.format(', "%s": "%s"', t.plan, pick(PLANS)) end
  if math.random() < 0.5 then
    prerun = prerun .. string.format(', "%s": "%s"', t.start, os.date("!%Y-%m-%d", os.time() + math.random(0, 60) * 86400))
  end
  local tasks = ""
  if math.random() < 0.5 then
    tasks = string.format(', "tasks": {"%s": {"owners": {"users": [%s]}}}', pick(t.steps), pick(members))
  end
  local body = string.format('{"checklist_id": "%s", "name": "Onboarding %s", "prerun": {%s}%s}',
    t.id, customer, prerun, tasks)
  return wrk.format("POST", "/organizations/" .. org .. "/runs", {
    ["Authorization"] = "Bearer " .. token, ["X-Tallyfy-Client"] = "bench",
    ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 201 and refused < 3 then
    refused = refused + 1
    io.write("REFUSED ", status, " ", string.sub(body or "", 1, 300), "\n")
  end
end

function done(summary, latency, requests)
  local bad = summary.errors.status
  io.write(string.format("RESULT %f %f %f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad, summary.requests))
end
