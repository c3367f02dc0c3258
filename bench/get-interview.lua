-- wrk script for bench/get-interview.sh: GET /v1/interviews/{id} cycling through the ids in a file,
-- with a bearer key. Usage: wrk ... -s get-interview.lua URL -- IDS_FILE API_KEY
-- Each thread starts at a different offset in the list; done() prints one parseable line.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  ids = {}
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  assert(#ids > 0, "no ids in " .. args[1])
  headers = { ["Authorization"] = "Bearer " .. args[2] }
  n = (tid or 0) * 7919 -- a different starting point per thread
end

function request()
  n = n + 1
  return wrk.format("GET", "/v1/interviews/" .. ids[(n % #ids) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d seconds=%.3f rps=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
