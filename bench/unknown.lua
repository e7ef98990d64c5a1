-- wrk script for bench/serve-compare.sh: GET of a path the dev server does not have, answered
-- 404 with a short JSON body: the request goes through the whole HTTP server and the
-- router, and nothing else (no signature, no token), so its cost is the server's own.
wrk.method = "GET"
wrk.path = "/bench/unknown"

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
