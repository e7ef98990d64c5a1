# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oauthctl_global_optspecs
    string join \n p/profile= provider= issuer= client-id= client-secret-file= client-secret-env= client-secret= config= j/json color= v/verbose q/quiet token-store= cacert= insecure-http client-key-file= client-key-id= client-cert= client-key= h/help V/version
end

function __fish_oauthctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_oauthctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_oauthctl_using_subcommand
    set -l cmd (__fish_oauthctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c oauthctl -n "__fish_oauthctl_needs_command" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "decode" -d 'Show a JWT\'s header, claims and times; with --verify, check signature and claims'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "login" -d 'Sign in and cache the tokens (authorization code + PKCE, device code, client credentials)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "token" -d 'Print the cached access token, refreshing it first when it is about to expire'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "refresh" -d 'Refresh the cached tokens now'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "exchange" -d 'Exchange a token for another (RFC 8693 token exchange), cached as its own profile (-p NAME) and renewed from the profile it came from'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "call" -d 'Call an API with the profile\'s access token (curl-like: -H, -d, --json, -i, -o, -L)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "introspect" -d 'Ask the authorization server whether a token is active (RFC 7662 introspection)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "revoke" -d 'Revoke a token at the authorization server (RFC 7009): the profile\'s refresh token (else its access token), or one from standard input'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "userinfo" -d 'Show the OpenID Connect userinfo claims for the profile\'s login'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "exec" -d 'Run a command with the access token in its environment (never in its arguments)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "logout" -d 'Revoke the cached tokens (RFC 7009) and delete them from every store'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "status" -d 'Show the cached logins and the configured profiles: issuer, client, subject, scopes, expiry (no secrets)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "providers" -d 'List the provider presets and the configured providers'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "demo" -d 'Run the whole main job against a built-in development server, narrated'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "serve" -d 'Run the development authorization server and its protected demo API (local testing only)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "jwt" -d 'JWT tools: `jwt sign` mints test tokens (`decode` reads them)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "git-credential" -d 'A git credential helper: the profile\'s access token as the password for the git hosts the configuration maps to it'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "doctor" -d 'Check the setup: configuration, keyring, browser, loopback port, clock, provider metadata, TLS and file permissions; each problem with its fix'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "generate" -d 'Print a completion script or the man page (used to refresh the committed files)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l jwks -d 'Verify with the keys of this JWKS (an https or loopback URL, or a file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l key -d 'Verify with this public key (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l secret-env -d 'Verify an HMAC (HS*) token with the secret in this environment variable' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l alg -d 'Allowed algorithms (repeatable or comma-separated) [default: any that fits the key, never `none`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l audience -d 'Required audience (`aud` must contain it); without it the audience is not checked' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l leeway -d 'Clock skew allowed for exp, nbf and iat' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l access-token -d 'Decode the profile\'s cached access token'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l id-token -d 'Decode the profile\'s cached ID token'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l verify -d 'Check the signature and the claims (issuer, audience, expiry)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l flow -d 'The grant to use' -r -f -a "code\t'Authorization code + PKCE through the browser and a loopback redirect'
device\t'Device authorization grant (RFC 8628): enter a code on another device'
client-credentials\t'Client credentials (a confidential client acting for itself)'
jwt-bearer\t'JWT bearer grant (RFC 7523): a signed assertion (--assertion-file, or signed with --assertion-key)'
token-exchange\t'Token exchange (RFC 8693), as `oauthctl exchange` does (--subject-profile, …)'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l scope -d 'Scope to request (repeatable; a space-separated list works too)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l audience -d 'Audience to request (`audience` parameter; repeatable for a token exchange)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l resource -d 'Resource indicator to request (RFC 8707; repeatable for a token exchange)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l resource-url -d 'Log in for the API at URL: its protected resource metadata (RFC 9728) names the authorization server, a client is found or registered there, and the tokens are for that resource (the profile is named after it unless -p names one)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l client-metadata-url -d 'With --resource-url: the URL of this client\'s metadata document, used as its client id where the authorization server supports client ID metadata documents' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l param -d 'Extra authorization request parameter (repeatable)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l prompt -d '`prompt` parameter (login, consent, select_account, none)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l login-hint -d '`login_hint` parameter' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l port -d 'Loopback port for the redirect [default: the redirect URI\'s, else any free port]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l redirect-uri -d 'Redirect URI registered for the client: `http://127.0.0.1/PATH`, `http://[::1]/PATH` or `http://localhost/PATH`, with a port or without (then a free one) [default: the profile\'s, the preset\'s, else http://127.0.0.1/callback]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l origin -d 'Send `Origin: URL` with the token requests (the code exchange and refreshes), for a client Entra ID registered as a single-page application (remembered)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l timeout -d 'How long to wait for the browser or the device approval' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l browser-command -d 'Open the URL with CMD (split into words without a shell; the URL is appended)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l auth-method -d 'Client authentication at the token endpoint' -r -f -a "client_secret_basic\t'HTTP Basic with form-urlencoded id and secret'
client_secret_post\t'id and secret in the form body'
none\t'public client: only `client_id`'
private_key_jwt\t'a JWT signed with the client\'s private key (--client-key-file)'
client_secret_jwt\t'a JWT with an HMAC of the client secret'
tls_client_auth\t'a client certificate issued by a CA the server trusts (--client-cert)'
self_signed_tls_client_auth\t'a self-signed client certificate registered with the server (--client-cert)'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l leeway -d 'Clock skew allowed for the ID token\'s exp, nbf and iat (remembered for refreshes)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-file -d '--flow jwt-bearer: a ready assertion in FILE (`-` reads standard input); a server takes it once, so the tokens cannot be renewed without a new one' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-key -d '--flow jwt-bearer: sign the assertion with this private key (PEM: RSA, EC or Ed25519; its algorithm is the key\'s); a new one is signed at each renewal (the path is remembered, not the key)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-iss -d 'The assertion\'s `iss` [default: the client id]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-sub -d 'The assertion\'s `sub`, whom the token is for [default: its `iss`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-aud -d 'The assertion\'s `aud` [default: the issuer identifier]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-exp -d 'How long the assertion is valid (`exp` after `iat`) [default: 5m]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l assertion-kid -d 'The `kid` the assertion\'s header names [default: none]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l subject-profile -d 'Exchange this profile\'s current token (renewed first when needed); the new profile is renewed from it [default: the profile\'s last exchange]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l subject-token-file -d 'Exchange the token in FILE (`-` reads standard input; a file is read again at each renewal)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l subject-token-type -d 'The subject token\'s type: access_token, id_token (a profile\'s ID token), jwt, refresh_token, or a URI [default: access_token]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l actor-profile -d 'Delegation: this profile\'s current token acts for the subject (`act`)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l actor-token-file -d 'Delegation: the actor token in FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l actor-token-type -d 'The actor token\'s type (as --subject-token-type) [default: access_token]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l requested-token-type -d 'The type of token to ask for: access_token, id_token, jwt, or a URI [default: the server\'s choice, usually an access token]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l no-browser -d 'Print the authorization URL instead of opening a browser'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l no-qr -d 'Do not draw the device flow\'s QR code (it is drawn only on a terminal)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l dpop -d 'Bind the tokens to a proof key kept with them (DPoP, RFC 9449): every request that uses them carries a proof signed with it [default: when the provider refuses tokens without it]'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -l par -d 'Push the authorization request to the provider first (PAR, RFC 9126) [default: when the provider requires it]'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand login" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l format -d 'Output format' -r -f -a "raw\t'The token alone'
header\t'`Authorization: Bearer TOKEN` (a DPoP-bound token needs --dpop-proof instead)'
json\t'A JSON document (no refresh token unless --include-refresh-token)'
env\t'`export OAUTHCTL_ACCESS_TOKEN=…` lines for `eval`'
exec-credential\t'A kubectl `ExecCredential` (client.authentication.k8s.io/v1, or the apiVersion in KUBERNETES_EXEC_INFO)'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l min-ttl -d 'Refresh first when the token expires within this time' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l dpop-proof -d 'Print the headers of one METHOD request to URL instead: `Authorization`, and for a DPoP-bound token the `DPoP` proof for that request (for `curl -H @-`)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l id-token -d 'Print the ID token instead of the access token'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l no-refresh -d 'Never refresh; fail when the cached token has expired'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -l include-refresh-token -d 'Include the refresh token in `--format json`'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand token" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand refresh" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l subject-profile -d 'Exchange this profile\'s current token (renewed first when needed); the new profile is renewed from it [default: the profile\'s last exchange]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l subject-token-file -d 'Exchange the token in FILE (`-` reads standard input; a file is read again at each renewal)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l subject-token-type -d 'The subject token\'s type: access_token, id_token (a profile\'s ID token), jwt, refresh_token, or a URI [default: access_token]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l actor-profile -d 'Delegation: this profile\'s current token acts for the subject (`act`)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l actor-token-file -d 'Delegation: the actor token in FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l actor-token-type -d 'The actor token\'s type (as --subject-token-type) [default: access_token]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l requested-token-type -d 'The type of token to ask for: access_token, id_token, jwt, or a URI [default: the server\'s choice, usually an access token]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l scope -d 'Scope to request (repeatable; a space-separated list works too) [default: the server\'s, usually the subject token\'s]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l audience -d 'Audience of the new token (repeatable)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l resource -d 'Resource the new token is for (RFC 8707; repeatable)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l auth-method -d 'Client authentication at the token endpoint' -r -f -a "client_secret_basic\t'HTTP Basic with form-urlencoded id and secret'
client_secret_post\t'id and secret in the form body'
none\t'public client: only `client_id`'
private_key_jwt\t'a JWT signed with the client\'s private key (--client-key-file)'
client_secret_jwt\t'a JWT with an HMAC of the client secret'
tls_client_auth\t'a client certificate issued by a CA the server trusts (--client-cert)'
self_signed_tls_client_auth\t'a self-signed client certificate registered with the server (--client-cert)'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exchange" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s H -l header -d 'Request header `NAME: VALUE` (repeatable). `!NAME: VALUE` marks it as a secret: it is redacted in traces and dropped on a redirect to another origin' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s d -l data -d 'Request body, sent as is: DATA, @FILE, or @- for standard input (Content-Type application/x-www-form-urlencoded unless -H sets one)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l json -d 'JSON request body: BODY, @FILE or @- (sets Content-Type and Accept to application/json)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l form -d 'Form field K=V (repeatable), sent urlencoded' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s o -l output -d 'Write the body to FILE instead of standard output (`-` is standard output)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l max-time -d 'Give up on the whole exchange after this long: connecting, redirects, the retry and the whole body [default: no limit]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l token-env -d 'Send the token in the environment variable VAR instead of the profile\'s (a token oauthctl did not obtain: never refreshed; no login or configuration needed)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l token-file -d 'Send the token in FILE (`-`: standard input) instead of the profile\'s (never refreshed; no login or configuration needed)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-metadata-url -d 'With --login: the URL of this client\'s metadata document, used as its client id where the authorization server supports client ID metadata documents' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l login-timeout -d 'With --login: how long a login waits for the browser [default: 5m]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l browser-command -d 'With --login: open the authorization URL with CMD (split into words without a shell; the URL is appended) [default: $BROWSER, else the system\'s browser]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l json-report -d 'Ignored (`call --json` takes a request body; the response body is the output)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s i -l include -d 'Write the status line and the response headers before the body'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l fail -d 'Exit with status 8 when the API answers HTTP 400 or above (the body is still written)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s L -l location -d 'Follow redirects (at most 10); credentials go to the original origin only'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l login -d 'Log in when the API asks for it: without a login for the URL the request goes out without a token, and its 401 challenge leads to the authorization server (RFC 9728), a login and the same request again; a 403 insufficient_scope to a login for the missing scopes (at most 3 logins)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand call" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l token-type-hint -d '`token_type_hint` (access_token, refresh_token) [default: access_token for the profile\'s token, none otherwise]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand introspect" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l token-type-hint -d 'Which of the profile\'s tokens to revoke; sent as `token_type_hint` (with TOKEN, only sent)' -r -f -a "access_token\t'The access token'
refresh_token\t'The refresh token'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -l delete -d 'After the server confirmed, delete the profile\'s cached tokens from every store (as `logout --no-revoke` does)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand userinfo" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l min-ttl -d 'Refresh first when the token expires within this time' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand exec" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l no-revoke -d 'Delete the cached tokens without revoking them at the server'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -l forget-registration -d 'Also forget the client oauthctl registered for the profile at its authorization server (RFC 7591): its secret leaves the token store, and the server is asked to delete it (RFC 7592) where it allows that; the next login there registers anew'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand logout" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand demo" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l port -d 'Port to listen on (0 picks a free port)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l listen -d 'Address to bind [default: 127.0.0.1]; a non-loopback address exposes the server to the network and prints a warning' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l server-config -d 'Server configuration (TOML: clients, users, scopes, lifetimes, rate limit); distinct from the global --config, which is the CLI\'s own configuration' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l access-token-ttl -d 'Access-token lifetime [default: 1h]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l refresh-token-ttl -d 'Refresh-token lifetime [default: 30d]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l code-ttl -d 'Authorization-code lifetime [default: 60s]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l rate-limit -d 'Token-endpoint requests per client per minute, 0 = unlimited [default: 120]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l auto-approve -d 'Sign USER in and approve every authorization request without showing a page (tests and scripts only)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l key-file -d 'Keep the signing keys in FILE (PKCS#8 PEM, created 0600) so tokens survive restarts' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l alg -d 'Signing algorithm for new keys' -r -f -a "ES256\t'ECDSA P-256 / SHA-256'
RS256\t'RSA 2048 PKCS#1 v1.5 / SHA-256'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l refresh-reuse-grace -d 'Accept a just-rotated refresh token again within this window (off by default)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l misbehave -d 'Misbehave on purpose, as a hostile mock server for a client\'s negative tests (repeatable; never use it for anything else)' -r -f -a "id-token-bad-signature\t'ID tokens carry a corrupted signature'
id-token-alg-none\t'ID tokens are unsigned (`alg: none`)'
id-token-hs256-with-rsa-pubkey\t'ID tokens are HS256, keyed with the server\'s RSA public key (PEM); implies RS256 keys'
id-token-wrong-iss\t'ID tokens name the issuer with a trailing slash as `iss`'
id-token-wrong-aud\t'ID tokens are for another client (`aud`)'
id-token-extra-aud\t'ID tokens name another audience next to the client (with `azp`)'
id-token-no-sub\t'ID tokens have no `sub`'
id-token-no-iat\t'ID tokens have no `iat`'
id-token-expired\t'ID tokens expired ten minutes ago'
id-token-nonce-mismatch\t'ID tokens carry a `nonce` other than the one requested'
unknown-kid\t'ID tokens are signed with a key (and `kid`) that the JWKS never publishes'
kid-absent-multi-key\t'ID tokens have no `kid`, and the JWKS publishes a second key of the same type'
jwks-unparseable-key\t'The JWKS starts with an extra, unparseable key next to the good one'
userinfo-sub-mismatch\t'`/userinfo` answers with another `sub` than the ID token\'s'
discovery-issuer-mismatch\t'Discovery documents name the issuer with a trailing slash'
callback-missing-iss\t'Authorization responses carry no `iss` although discovery promises it'
callback-wrong-iss\t'Authorization responses carry the issuer with a trailing slash as `iss`'
error-without-state\t'`/authorize` redirects at once with `error=access_denied` and no `state`'
duplicate-callback-params\t'Authorization responses carry every parameter twice'
token-307\t'`/token` answers 307 to a decoy port that counts connections'
token-200-with-error\t'`/token` answers HTTP 200 with `{"error":"invalid_grant"}`'
huge-expires-in\t'Token responses say `expires_in: 18446744073709551615`'
wrong-token-type\t'Token responses say `token_type: mac`'
token-control-chars\t'Access tokens carry CR LF, a smuggled header and request, NUL and ESC'
refresh-control-chars\t'Like `token-control-chars`, but only in answers to the refresh token grant'
device-slow-down\t'Device-flow polls get `slow_down` (+5 s) for the first two polls, however slow'
introspection-active-string\t'Introspection answers `"active": "true"` (a string) for active tokens'
refresh-new-sub\t'A refresh returns an ID token for another `sub`'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l tls-dir -d 'Keep the development CA of --tls in DIR [default: serve-tls in the state directory]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l clock-offset -d 'Start the server\'s clock this far from the real time, e.g. -1h or +30m (a signed humantime duration or seconds); every token time, expiry and the Date header follow it, and POST /admin/clock moves it while the server runs' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l user -d '--mint: the user the token is about [default: none, a token for the client itself]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l scope -d '--mint: space-separated scopes [default: the client\'s]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l ttl -d '--mint: the access token\'s lifetime [default: the server\'s access-token lifetime]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l resource -d '--mint: the resource the token is for (RFC 8707), a URL this server hosts' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l audience -d '--mint: the audience of the token, a name taken as it is (RFC 8693)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l jkt -d '--mint: bind the token to the DPoP key with this JWK thumbprint (RFC 7638)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l rotate-key -d 'Rotate the signing key at start: a new key signs, the previous one stays published in the JWKS (with --key-file, the rotation is saved)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l no-registration -d 'Turn off dynamic client registration (RFC 7591, POST /register), which is open to anyone who can reach the server by default'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l no-client-id-metadata-documents -d 'Turn off Client ID Metadata Documents (a client_id that is an https URL, fetched by the server), which are accepted by default'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l require-dpop -d 'Require a DPoP proof (RFC 9449) with every token request, so that every access token is bound to the client\'s key'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l dpop-nonce -d 'Require the server\'s nonce in DPoP proofs (answered with use_dpop_nonce and a DPoP-Nonce header)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l require-par -d 'Require pushed authorization requests (RFC 9126, POST /par) from every client'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l tls -d 'Serve https, with a certificate from a development CA whose file is printed on stderr (pass it to clients as --cacert); enables mTLS client authentication'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -l mint -d 'Do not start a server: mint a token at the one running on --port (on this machine, through its admin endpoint) and print the access token (--json: the token response)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand serve" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -f -a "sign" -d 'Sign claims into a JWT (test tokens): HS256/384/512 with a secret from the environment, RS256, PS256, ES256, ES384 or EdDSA with a PEM private key'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and not __fish_seen_subcommand_from sign help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l key -d 'Sign with the private key in this PEM file (PKCS#8, SEC1 or PKCS#1: RSA, EC P-256/P-384, Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l secret-env -d 'Sign with HMAC, the secret being the value of this environment variable (never an argument: argv is visible to other users)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l alg -d 'Algorithm [default: HS256 with --secret-env; with --key the key\'s own: RS256, ES256, ES384 or EdDSA]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l exp -d 'Expire after this long (`exp` = `iat` + DURATION) [default: 15m, unless the claims have an `exp`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l iss -d '`iss` claim' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l sub -d '`sub` claim' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l aud -d '`aud` claim (repeatable: several make an array)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l kid -d '`kid` header [default: none]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l typ -d '`typ` header' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l no-exp -d 'Add no `exp`'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l no-iat -d 'Add no `iat` (issued now) claim'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l no-jti -d 'Add no `jti` (random identifier) claim'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -l nbf -d 'Also set `nbf` (not before) to now'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from sign" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from help" -f -a "sign" -d 'Sign claims into a JWT (test tokens): HS256/384/512 with a secret from the environment, RS256, PS256, ES256, ES384 or EdDSA with a PEM private key'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand jwt; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand git-credential" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s p -l profile -d 'Profile to use [default: the config\'s default_profile, else the --provider name, else `default`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l provider -d 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset\'s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l issuer -d 'Issuer URL of the authorization server (discovery is used for its endpoints)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-id -d 'OAuth client identifier' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-secret-file -d 'Read the client secret from FILE (`-` reads standard input)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-secret-env -d 'Read the client secret from the environment variable VAR' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-secret -d 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l config -d 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l color -d 'When to colour output (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l token-store -d 'Where tokens are cached' -r -f -a "auto\t'The OS keyring when it answers, else files (with a warning)'
keyring\t'The OS keyring only'
file\t'Files under OAUTHCTL_HOME (or the XDG state directory) only'"
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l cacert -d 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-key-file -d 'The client\'s private key for private_key_jwt (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-key-id -d 'The key id (`kid`) of --client-key-file as the provider registered it' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-cert -d 'The client certificate for mutual TLS (PEM; RFC 8705), with --client-key' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l client-key -d 'The private key of --client-cert (PEM)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "decode" -d 'Show a JWT\'s header, claims and times; with --verify, check signature and claims'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "login" -d 'Sign in and cache the tokens (authorization code + PKCE, device code, client credentials)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "token" -d 'Print the cached access token, refreshing it first when it is about to expire'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "refresh" -d 'Refresh the cached tokens now'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "exchange" -d 'Exchange a token for another (RFC 8693 token exchange), cached as its own profile (-p NAME) and renewed from the profile it came from'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "call" -d 'Call an API with the profile\'s access token (curl-like: -H, -d, --json, -i, -o, -L)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "introspect" -d 'Ask the authorization server whether a token is active (RFC 7662 introspection)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "revoke" -d 'Revoke a token at the authorization server (RFC 7009): the profile\'s refresh token (else its access token), or one from standard input'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "userinfo" -d 'Show the OpenID Connect userinfo claims for the profile\'s login'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "exec" -d 'Run a command with the access token in its environment (never in its arguments)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "logout" -d 'Revoke the cached tokens (RFC 7009) and delete them from every store'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "status" -d 'Show the cached logins and the configured profiles: issuer, client, subject, scopes, expiry (no secrets)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "providers" -d 'List the provider presets and the configured providers'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "demo" -d 'Run the whole main job against a built-in development server, narrated'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "serve" -d 'Run the development authorization server and its protected demo API (local testing only)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "jwt" -d 'JWT tools: `jwt sign` mints test tokens (`decode` reads them)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "git-credential" -d 'A git credential helper: the profile\'s access token as the password for the git hosts the configuration maps to it'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "doctor" -d 'Check the setup: configuration, keyring, browser, loopback port, clock, provider metadata, TLS and file permissions; each problem with its fix'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "completions" -d 'Print a shell completion script'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "generate" -d 'Print a completion script or the man page (used to refresh the committed files)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode login token refresh exchange call introspect revoke userinfo exec logout status providers demo serve jwt git-credential doctor completions generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and __fish_seen_subcommand_from jwt" -f -a "sign" -d 'Sign claims into a JWT (test tokens): HS256/384/512 with a secret from the environment, RS256, PS256, ES256, ES384 or EdDSA with a PEM private key'
