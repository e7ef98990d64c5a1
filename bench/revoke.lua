-- wrk script for the revocation phase of bench/serve-soak.sh: every connection alternates
-- POST /token (client credentials, client_secret_basic for the built-in demo-service
-- client) and POST /revoke of an access token it got, so that the server's denylist of
-- revoked tokens fills. WRK_BASIC (base64 of id:secret) points it at another client.
local basic = "Basic " .. (os.getenv("WRK_BASIC") or "ZGVtby1zZXJ2aWNlOmRlbW8tc2VjcmV0")
local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = basic,
}
local token_body = "grant_type=client_credentials&scope=api%3Aread"
-- Access tokens received and not revoked yet (per wrk thread).
local pending = {}

request = function()
    local token = table.remove(pending)
    if token then
        -- base64url segments and dots need no form encoding.
        return wrk.format("POST", "/revoke", headers, "token=" .. token)
    end
    return wrk.format("POST", "/token", headers, token_body)
end

response = function(status, _, body)
    if status == 200 and body then
        local token = string.match(body, '"access_token":"([^"]+)"')
        if token then
            table.insert(pending, token)
        end
    end
end

done = function(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "RESULT requests_per_s=%.0f requests=%d p50_ms=%.2f p99_ms=%.2f " ..
        "socket_errors=%d non2xx_or_3xx=%d\n",
        summary.requests / secs, summary.requests,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.connect + e.read + e.write + e.timeout, e.status))
end
