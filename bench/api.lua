-- wrk script for bench/run.sh: GET of a protected API with a bearer token from WRK_TOKEN
-- (the dev server's GET /api/data, scope api:read).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("WRK_TOKEN") or "")

done = function(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "RESULT requests_per_s=%.0f requests=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
        "socket_errors=%d non2xx_or_3xx=%d\n",
        summary.requests / secs, summary.requests,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        e.connect + e.read + e.write + e.timeout, e.status))
end
