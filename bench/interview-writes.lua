-- wrk script for bench/compare.sh: the write paths of /v1/interviews with a bearer key.
--
--   wrk ... -s interview-writes.lua URL -- post   API_KEY BODY_FILE
--   wrk ... -s interview-writes.lua URL -- delete API_KEY IDS_FILE THREADS
--
-- post:   POST /v1/interviews with the JSON body in BODY_FILE, on every request.
-- delete: DELETE /v1/interviews/{id}, each id of IDS_FILE at most once: thread t (0-based) of
--         THREADS takes lines t+1, t+1+THREADS, ... so no two threads share an id, and the
--         connections of a thread take turns on its slice. When a thread's slice runs out it asks
--         for an id that does not exist (a 404, counted as non-2xx) and counts it as "exhausted":
--         the pool was too small for the run, and the figures are not to be trusted.
-- done() prints one parseable line (WRK key=value ...), as get-interview.lua does.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  headers = { ["Authorization"] = "Bearer " .. args[2] }
  exhausted = 0
  if mode == "post" then
    local f = assert(io.open(args[3], "rb"))
    body = f:read("*a")
    f:close()
    headers["Content-Type"] = "application/json"
    req = wrk.format("POST", "/v1/interviews", headers, body)
  elseif mode == "delete" then
    assert(tid ~= nil, "setup() did not run before init()")
    local nthreads = tonumber(args[4])
    ids = {}
    local i = 0
    for line in io.lines(args[3]) do
      if #line > 0 then
        if i % nthreads == tid then ids[#ids + 1] = line end
        i = i + 1
      end
    end
    assert(#ids > 0, "no ids for thread " .. tid .. " in " .. args[3])
    n = 0
  else
    error("mode must be post or delete, not " .. tostring(mode))
  end
end

function request()
  if mode == "post" then return req end
  n = n + 1
  if n > #ids then
    exhausted = exhausted + 1
    return wrk.format("DELETE", "/v1/interviews/00000000-0000-4000-8000-000000000000", headers)
  end
  return wrk.format("DELETE", "/v1/interviews/" .. ids[n], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local ex = 0
  for _, t in ipairs(threads) do ex = ex + (t:get("exhausted") or 0) end
  io.write(string.format(
    "WRK requests=%d seconds=%.3f rps=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d exhausted=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, ex))
end
