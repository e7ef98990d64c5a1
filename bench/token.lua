-- wrk script for bench/serve-load.sh: POST /token, client credentials, client_secret_basic
-- for the built-in demo-service client ("demo-service:demo-secret" in base64).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=api%3Aread"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VjcmV0"

done = function(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "RESULT tokens_per_s=%.0f requests=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
        "socket_errors=%d non2xx_or_3xx=%d\n",
        summary.requests / secs, summary.requests,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        e.connect + e.read + e.write + e.timeout, e.status))
end
