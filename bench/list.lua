-- wrk script for bench/list.sh: one GET path over and over, with a bearer key.
-- Usage: wrk ... -s list.lua URL -- PATH API_KEY. done() prints one parseable line.

function init(args)
  path = args[1]
  headers = { ["Authorization"] = "Bearer " .. args[2] }
end

function request()
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d seconds=%.3f rps=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
