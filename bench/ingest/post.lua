-- wrk script: posts the pre-signed Lazada webhooks of $CSGW_BENCH_REQUESTS in turn, each once
-- (the file holds more requests than one run sends, so no request repeats and every one is a new
-- event to store durably).
local requests = {}
local next_index = 1

function init(args)
  local path = os.getenv("CSGW_BENCH_REQUESTS")
  for line in io.lines(path) do
    local tab = line:find("\t", 1, true)
    local sig = line:sub(1, tab - 1)
    local body = line:sub(tab + 1)
    requests[#requests + 1] = wrk.format("POST", "/v1/webhooks/lazada",
      {["Content-Type"] = "application/json", ["Authorization"] = sig}, body)
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index + 1
  if next_index > #requests then next_index = 1 end
  return r
end

function done(summary, latency, requests_)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
