-- wrk script for bench/serve-load.sh and bench/run.sh: POST /token, client credentials,
-- client_secret_basic. Defaults to the dev server's built-in demo-service client
-- ("demo-service:demo-secret" in base64); WRK_BASIC (base64 of id:secret) and WRK_BODY
-- (the form body) point it at another server's client, e.g. node-oidc-provider's.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or "grant_type=client_credentials&scope=api%3Aread"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("WRK_BASIC") or "ZGVtby1zZXJ2aWNlOmRlbW8tc2VjcmV0")

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
