-- What the wrk 4.1 scripts of the benchmarks share: reading DATA_DIR, and the per-thread tally
-- of answers with the report done() prints. A script loads it relative to its own path:
--   local report = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "bench-report.lua")
-- and takes `report.lines` and `report.pick`; bench-feed, bench-mix and bench-pages also take
-- `setup, response, done = report.setup, report.response, report.done`. Their request() fills
-- the thread's globals `samples` (the first few requests, up to 4, kept as `SAMPLE` lines) and,
-- with one connection per thread, `pending` (the request a refusal is reported with).
-- done() prints `RESULT rps p50_ms p99_ms non2xx total socket_errors_and_timeouts`,
-- `STATUS code:count …`, the sampled requests (`SAMPLE …`) and the first refused requests of
-- each thread with their status and body (`REFUSED …`); scripts/bench-* read these lines.

local report = {}

-- The non-empty lines of DATA_DIR's file `name`; none if it is missing.
function report.lines(dir, name)
  local out = {}
  local f = io.open(dir .. "/" .. name, "r")
  if not f then return out end
  for line in f:lines() do
    if line ~= "" then out[#out + 1] = line end
  end
  f:close()
  return out
end

function report.pick(t) return t[math.random(#t)] end

-- Per-thread state, read back by done() through thread:get.
codes, non2xx, samples, refused, pending = {}, 0, {}, {}, nil

local threads, counter = {}, 0
function report.setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  threads[#threads + 1] = thread
end

function report.response(status, hdrs, body)
  codes[status] = (codes[status] or 0) + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if #refused < 3 then
      refused[#refused + 1] = status .. " " .. (pending or "(request unknown at c>1 per thread)")
        .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function report.done(summary, latency, requests)
  local all, bad, lines_out = {}, 0, {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    for code, n in pairs(t:get("codes") or {}) do all[code] = (all[code] or 0) + n end
    for _, s in ipairs(t:get("samples") or {}) do lines_out[#lines_out + 1] = "SAMPLE " .. s end
    for _, s in ipairs(t:get("refused") or {}) do lines_out[#lines_out + 1] = "REFUSED " .. s end
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n", summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad, summary.requests,
    e.connect + e.read + e.write + e.timeout))
  local st = {}
  for code, n in pairs(all) do st[#st + 1] = code .. ":" .. n end
  table.sort(st)
  io.write("STATUS " .. table.concat(st, " ") .. "\n")
  for _, l in ipairs(lines_out) do io.write(l .. "\n") end
end

return report
