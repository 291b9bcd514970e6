-- wrk script: POST the pre-generated body file to /api/v1/logs as JSON.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
wrk.headers["X-Tenant-ID"] = "bench"

local errors = 0
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non200=%d\n", summary.errors.status))
  io.write(string.format("p50_ms=%.2f p99_ms=%.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("requests=%d seconds=%.2f\n", summary.requests, summary.duration / 1e6))
end
