-- wrk 4.1 script of scripts/bench-mix: every request drawn at random from the realistic space.
--   wrk -tT -cN -dS -s scripts/bench-mix.lua http://HOST:PORT -- FAMILY DATA_DIR N/T N
-- DATA_DIR holds the space read from the seeded database, one value a line: org, tasks (ids),
-- writable (standalone tasks without a problem), members, tokens (one per sampled member, for
-- me/tasks), tags (titles), words, guests (guest codes), runs (ids), admin_token.
-- FAMILY is one of the read families below, `mix` (every read family, drawn uniformly), or
-- `writes` (creates, updates, completes, comments, drawn uniformly, paced by `delay()` at
-- WRITE_RATE requests/s in total when that is set in the environment), or `creates` alone.
-- done() prints `RESULT rps p50_ms p99_ms non2xx total socket_errors_and_timeouts`,
-- `STATUS code:count …`, a few sampled requests (`SAMPLE …`) and, with one connection per
-- thread, the first refused requests with their status and body (`REFUSED …`).

local DAY = 86400

-- A monotonic clock in milliseconds (wrk's Lua is LuaJIT, whose ffi reaches libc).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_mix_timespec;
  int clock_gettime(int clock, bench_mix_timespec *ts);
]]
local ts = ffi.new("bench_mix_timespec")
function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- The DATA_DIR reader and the report done() prints, shared (scripts/bench-report.lua).
local report = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "bench-report.lua")
local lines, pick = report.lines, report.pick
setup, response, done = report.setup, report.response, report.done

-- Task-list parameters (spec §4.0): the status values and sorts clients send.
local STATUSES = { "all", "active", "completed", "not-started", "in-progress", "overdue", "due_soon", "hasproblem" }
local LIST_STATUSES = { "active", "all" }
local SORTS = { "deadline", "-deadline", "newest", "oldest", "title", "-title", "completed_newest", "problems" }
local RUN_STATUSES = { "active", "complete", "problem", "delayed" }
local RUN_SORTS = { "created_at", "-created_at", "name", "-name", "last_updated", "-last_updated",
  "started_at", "-started_at", "due_date", "-due_date" }
local RUN_TASK_SORTS = { "position", "-position", "deadline", "-deadline" }
local WORD_SUFFIXES = { "", "", "", "s", "ing" } -- mostly whole words, sometimes a near miss

local function page() return "&page=" .. math.random(5) .. "&per_page=25" end

-- A two-week deadline window somewhere in the seeded ±90 days around now.
local function window()
  local start = os.time() + (math.random(0, 180) - 90) * DAY
  return "deadline_start_range=" .. os.date("!%Y-%m-%d", start)
    .. "&deadline_end_range=" .. os.date("!%Y-%m-%d", start + 14 * DAY)
end

local function word() return pick(words) .. pick(WORD_SUFFIXES) end

local base -- "/organizations/ORG"
local families = {}

families["get-task"] = function() return base .. "/tasks/" .. pick(tasks) end
families["status-owners"] = function()
  return base .. "/tasks?status=" .. pick(STATUSES) .. "&owners=" .. pick(members) .. page()
end
families["status-sort"] = function()
  return base .. "/tasks?status=" .. pick(LIST_STATUSES) .. "&sort=" .. pick(SORTS) .. page()
end
families["tag"] = function()
  return base .. "/tasks?tag=" .. pick(tags) .. "&status=" .. pick(STATUSES) .. page()
end
families["q"] = function()
  return base .. "/tasks?q=" .. word() .. "&status=" .. pick(STATUSES) .. page()
end
families["deadline"] = function()
  return base .. "/tasks?" .. window() .. "&status=" .. pick(LIST_STATUSES) .. page()
end
families["member-tasks"] = function()
  return base .. "/users/" .. pick(members) .. "/tasks?status=" .. pick(STATUSES)
    .. "&sort=" .. pick(SORTS) .. page()
end
families["search"] = function()
  return base .. "/search?on=task&search=" .. word() .. page()
end
families["runs"] = function()
  local p = base .. "/runs?sort=" .. pick(RUN_SORTS)
  if math.random(2) == 1 then p = p .. "&status=" .. pick(RUN_STATUSES) end
  if math.random(2) == 1 then p = p .. "&owners=" .. pick(members) end
  return p .. page()
end
families["run-tasks"] = function()
  return base .. "/runs/" .. pick(runs) .. "/tasks?status=" .. pick(STATUSES)
    .. "&sort=" .. pick(RUN_TASK_SORTS) .. page()
end
-- me/tasks: the caller is a random sampled member (their own token).
families["me-tasks"] = function()
  local i = math.random(#tokens)
  return base .. "/me/tasks?status=" .. pick(STATUSES) .. "&sort=" .. pick(SORTS) .. page(), i
end
families["guest-tasks"] = function()
  return base .. "/guests/" .. pick(guests) .. "/tasks?status=" .. pick(STATUSES)
    .. "&sort=" .. pick(SORTS) .. page()
end
-- without_pagination: a whole run (the SDK's get_tasks_for_process default), a guest's
-- active tasks, or one member's tasks in a two-week window.
families["stream"] = function()
  local r = math.random(4)
  if r <= 2 then
    return base .. "/runs/" .. pick(runs) .. "/tasks?without_pagination=true"
  elseif r == 3 then
    return base .. "/guests/" .. pick(guests) .. "/tasks?status=active&without_pagination=true"
  end
  return base .. "/tasks?owners=" .. pick(members) .. "&status=active&" .. window()
    .. "&without_pagination=true"
end

local READS = {}
for name in pairs(families) do READS[#READS + 1] = name end
table.sort(READS)
families["mix"] = function() return families[pick(READS)]() end
-- The reference: nginx serving a task's JSON as a static file (it ignores the query), through
-- this same script, so that wrk's own cost per request is the same as in the families.
families["static"] = function() return "/task.json?id=" .. pick(tasks) end

-- Writes, with bodies shaped like the clients' (tests/api and the seeds).
local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end
local TITLES = { "Review contract", "Prepare report", "Call client", "Update forecast", "Check invoice",
  "Plan launch", "Fix onboarding", "Audit access", "Draft proposal", "Renew licence" }
local writes = {
  function() -- create a standalone task
    local owners = '{"users":[' .. pick(members) .. ']}'
    return "POST", base .. "/tasks", string.format(
      '{"title":"%s %d","summary":"Created by the mix benchmark","task_type":"task","owners":%s,"deadline":"%s"}',
      pick(TITLES), math.random(1e9), owners, iso(os.time() + math.random(-30, 60) * DAY))
  end,
  function() -- update: new title and deadline, (re)opened
    return "PUT", base .. "/tasks/" .. pick(writable), string.format(
      '{"title":"%s (updated %d)","deadline":"%s","status":"in-progress"}',
      pick(TITLES), math.random(1e9), iso(os.time() + math.random(-30, 60) * DAY))
  end,
  function() -- complete a standalone task (already completed answers 200)
    return "POST", base .. "/completed-tasks",
      string.format('{"task_id":"%s","is_approved":true}', pick(writable))
  end,
  function() -- comment
    return "POST", base .. "/tasks/" .. pick(writable) .. "/comment",
      string.format('{"content":"Progress note %d: waiting on the client.","label":"comment"}', math.random(1e9))
  end,
}

local family, one_conn, headers, token_headers
function init(args)
  family, dir, one_conn = args[1], args[2], tonumber(args[3] or "0") == 1
  math.randomseed(tid * 1000003 + os.time())
  for _ = 1, 10 do math.random() end
  tasks, writable, members = lines(dir, "tasks"), lines(dir, "writable"), lines(dir, "members")
  tokens, tags, words = lines(dir, "tokens"), lines(dir, "tags"), lines(dir, "words")
  guests, runs = lines(dir, "guests"), lines(dir, "runs")
  base = "/organizations/" .. lines(dir, "org")[1]
  local admin = lines(dir, "admin_token")[1]
  headers = { ["Authorization"] = "Bearer " .. admin, ["X-Tallyfy-Client"] = "bench-mix",
    ["Content-Type"] = "application/json" }
  token_headers = {}
  for i, t in ipairs(tokens) do
    token_headers[i] = { ["Authorization"] = "Bearer " .. t, ["X-Tallyfy-Client"] = "bench-mix" }
  end
  if family ~= "writes" and family ~= "creates" and not families[family] then
    error("unknown family " .. tostring(family))
  end
  local rate = tonumber(os.getenv("WRITE_RATE") or "0")
  if family == "writes" and rate > 0 then
    -- Paced on a schedule: each request of this thread takes the next free slot, one every
    -- `interval` ms, so that all threads together send `rate` per second for as long as
    -- enough of the connections are free (fewer when the server answers too slowly).
    local n_threads = tonumber(args[4]) / tonumber(args[3])
    local interval, next_slot = 1000 * n_threads / rate, now_ms()
    -- defined only here: wrk arms a timer per request when a script has delay()
    delay = function()
      local now = now_ms()
      local slot = math.max(now, next_slot)
      next_slot = slot + interval
      return slot - now
    end
  end
end

function request()
  local method, path, body, h = "GET", nil, nil, headers
  if family == "writes" then
    method, path, body = pick(writes)()
  elseif family == "creates" then
    method, path, body = writes[1]()
  else
    local who
    path, who = families[family]()
    if who then h = token_headers[who] end
  end
  if #samples < 4 and (#samples < 2 or math.random(50) == 1) then samples[#samples + 1] = method .. " " .. path end
  if one_conn then pending = method .. " " .. path end
  -- wrk.format adds Host and Content-Length to the table it is given: give it a copy
  local copy = {}
  for k, v in pairs(h) do copy[k] = v end
  if not body then copy["Content-Type"] = nil end
  return wrk.format(method, path, copy, body)
end
