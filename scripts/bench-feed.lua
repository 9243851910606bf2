-- wrk 4.1 script of scripts/bench-feed: activity-feed pages of 100, every request drawn at random.
--   wrk -tT -cN -dS -s scripts/bench-feed.lua http://HOST:PORT -- FAMILY DATA_DIR N/T
-- DATA_DIR holds the space read from the seeded database, one value a line: org, max_id (the
-- feed's last id), days (the UTC days entries were made on, YYYY-MM-DD), members (actor ids),
-- tasks, runs and checklists (ids entries name), admin_token, member_tokens (standard members).
-- Each request is made as the admin or, half the time, as a random standard member, for whom
-- the visibility condition applies (top-secret tasks they are not assigned to are left out).
-- FAMILY is one of:
--   newest   the feed as a client opens it: a sort drawn from the four (mostly the default,
--            `-created_at`), pages 1-3 mostly, sometimes up to 10
--   after    the `after=<id>` cursor at a random point of the whole feed
--   tail     incremental sync: `after=` a point among the last 2,000 entries
--   filters  one to three of type, verb, actor_id, created_after/created_before (a window of
--            1 to 30 days), source, with a random sort, pages 1-3, or the cursor
--   entity   entity_type=task|run|checklist with an id that has entries, a random sort
--   mix      every family above, drawn uniformly
--   static   the reference: nginx serving a feed page as a static file
-- done() prints `RESULT rps p50_ms p99_ms non2xx total socket_errors_and_timeouts`,
-- `STATUS code:count …` and a few sampled requests (`SAMPLE …`); with one connection per thread
-- also the first refused requests (`REFUSED …`).

-- The DATA_DIR reader and the report done() prints, shared (scripts/bench-report.lua).
local report = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "bench-report.lua")
local lines, pick = report.lines, report.pick
setup, response, done = report.setup, report.response, report.done

local SORTS = { "", "", "", "", "&sort=-created_at", "&sort=created_at", "&sort=id", "&sort=-id" }
local TYPES = { "Task", "Task", "Task", "Comment", "Process", "Blueprint", "Task,Comment", "Process,Blueprint" }
local VERBS = { "created", "updated", "completed", "commented", "owners-updated", "re-opened",
  "issue-reported", "completed,re-opened", "created,updated" }
local SOURCES = { "Member", "Webhook" }

local function page()
  local r = math.random(10)
  if r <= 6 then return "&page=1" elseif r <= 9 then return "&page=" .. math.random(2, 3) end
  return "&page=" .. math.random(4, 10)
end

local base -- "/organizations/ORG/activity-feeds?per_page=100"
local families = {}

families["newest"] = function() return base .. pick(SORTS) .. page() end
families["after"] = function() return base .. "&after=" .. math.random(0, max_id) end
families["tail"] = function() return base .. "&after=" .. math.max(0, max_id - math.random(0, 2000)) end
families["filters"] = function()
  local p, n = base, 0
  local want = math.random(3)
  local options = {
    function() return "&type=" .. pick(TYPES) end,
    function() return "&verb=" .. pick(VERBS) end,
    function() return "&actor_id=" .. pick(members) end,
    function()
      local i = math.random(#days)
      local j = math.min(#days, i + math.random(0, 29))
      return "&created_after=" .. days[i] .. "&created_before=" .. days[j]
    end,
    function() return "&source=" .. pick(SOURCES) end,
  }
  -- a random subset of `want` distinct filters
  local order = {}
  for i = 1, #options do order[i] = i end
  for i = #order, 2, -1 do
    local j = math.random(i)
    order[i], order[j] = order[j], order[i]
  end
  for k = 1, want do p = p .. options[order[k]]() end
  if math.random(4) == 1 then return p .. "&after=" .. math.random(0, max_id) end
  return p .. pick(SORTS) .. page()
end
families["entity"] = function()
  local r = math.random(10)
  local p
  if r <= 6 then p = "&entity_type=task&entity_id=" .. pick(tasks)
  elseif r <= 9 then p = "&entity_type=run&entity_id=" .. pick(runs)
  else p = "&entity_type=checklist&entity_id=" .. pick(checklists) end
  return base .. p .. pick(SORTS)
end

local READS = { "newest", "after", "tail", "filters", "entity" }
families["mix"] = function() return families[pick(READS)]() end
families["static"] = function() return "/feed.json?n=" .. math.random(1e9) end

local family, one_conn, admin_headers, member_headers
function init(args)
  family, dir, one_conn = args[1], args[2], tonumber(args[3] or "0") == 1
  if not families[family] then error("unknown family " .. tostring(family)) end
  math.randomseed(tid * 1000003 + os.time())
  for _ = 1, 10 do math.random() end
  max_id = tonumber(lines(dir, "max_id")[1])
  days, members = lines(dir, "days"), lines(dir, "members")
  tasks, runs, checklists = lines(dir, "tasks"), lines(dir, "runs"), lines(dir, "checklists")
  base = "/organizations/" .. lines(dir, "org")[1] .. "/activity-feeds?per_page=100"
  admin_headers = { ["Authorization"] = "Bearer " .. lines(dir, "admin_token")[1], ["X-Tallyfy-Client"] = "bench-feed" }
  member_headers = {}
  for i, t in ipairs(lines(dir, "member_tokens")) do
    member_headers[i] = { ["Authorization"] = "Bearer " .. t, ["X-Tallyfy-Client"] = "bench-feed" }
  end
end

function request()
  local path = families[family]()
  local h, who = admin_headers, "admin"
  if #member_headers > 0 and math.random(2) == 1 then h, who = pick(member_headers), "member" end
  if #samples < 4 and (#samples < 2 or math.random(50) == 1) then samples[#samples + 1] = who .. " GET " .. path end
  if one_conn then pending = who .. " GET " .. path end
  local copy = {}
  for k, v in pairs(h) do copy[k] = v end
  return wrk.format("GET", path, copy)
end
