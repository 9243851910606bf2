-- wrk 4.1 script of scripts/bench-pages: the member pages under /app, every request drawn at random.
--   wrk -tT -cN -dS -s scripts/bench-pages.lua http://HOST:PORT -- FAMILY DATA_DIR N/T
-- DATA_DIR holds, one value a line: org, cookies (one `docket_session=…` per signed-in member),
-- and for member i (its line in cookies) tasks-i: ids of tasks assigned to them; tasks: ids
-- of tasks any member may see (not top secret); words (search terms).
-- Each request is made as a random signed-in member. FAMILY is one of:
--   inbox   /app/{org}?view=today|overdue|upcoming|completed, page 1 mostly, sometimes 2-5,
--           with a search term one time in five (what the inbox's tabs, search and pager send)
--   task    /app/{org}/tasks/{id}: one of the member's own tasks (4 in 5) or any task they see
--   mix     both, drawn uniformly
--   static  the reference: nginx serving a saved inbox page as a static file
-- done() prints `RESULT rps p50_ms p99_ms non2xx total socket_errors_and_timeouts`,
-- `STATUS code:count …` and a few sampled requests (`SAMPLE …`); with one connection per thread
-- also the first refused requests (`REFUSED …`).

-- The DATA_DIR reader and the report done() prints, shared (scripts/bench-report.lua).
local report = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "bench-report.lua")
local lines, pick = report.lines, report.pick
setup, response, done = report.setup, report.response, report.done

local VIEWS = { "today", "overdue", "upcoming", "completed" }

local base -- "/app/ORG"
local families = {}
families["inbox"] = function(who)
  local p = base .. "?view=" .. pick(VIEWS)
  local r = math.random(10)
  if r == 10 then p = p .. "&page=" .. math.random(2, 5) end
  if math.random(5) == 1 then p = p .. "&q=" .. pick(words) end
  return p
end
families["task"] = function(who)
  local own = own_tasks[who]
  if #own > 0 and math.random(5) <= 4 then return base .. "/tasks/" .. pick(own) end
  return base .. "/tasks/" .. pick(tasks)
end
families["mix"] = function(who)
  if math.random(2) == 1 then return families["inbox"](who) end
  return families["task"](who)
end
families["static"] = function(who) return "/inbox.html?n=" .. math.random(1e9) end

local family, one_conn
function init(args)
  family, dir, one_conn = args[1], args[2], tonumber(args[3] or "0") == 1
  if not families[family] then error("unknown family " .. tostring(family)) end
  math.randomseed(tid * 1000003 + os.time())
  for _ = 1, 10 do math.random() end
  base = "/app/" .. lines(dir, "org")[1]
  cookies, tasks, words = lines(dir, "cookies"), lines(dir, "tasks"), lines(dir, "words")
  own_tasks = {}
  for i = 1, #cookies do own_tasks[i] = lines(dir, "tasks-" .. i) end
end

function request()
  local who = math.random(#cookies)
  local path = families[family](who)
  if #samples < 4 and (#samples < 2 or math.random(50) == 1) then samples[#samples + 1] = "member " .. who .. " GET " .. path end
  if one_conn then pending = "GET " .. path end
  return wrk.format("GET", path, { ["Cookie"] = cookies[who], ["Accept-Encoding"] = "gzip" })
end
