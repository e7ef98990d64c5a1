# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oauthctl_global_optspecs
    string join \n p/profile= provider= issuer= client-id= client-secret-file= client-secret-env= client-secret= config= j/json color= v/verbose q/quiet token-store= cacert= insecure-http h/help V/version
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
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "decode" -d 'Show a JWT\'s header, claims and times; with --verify, check signature and claims'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "providers" -d 'List the provider presets and the configured providers'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "generate" -d 'Print a completion script or the man page (used to refresh the committed files)'
complete -c oauthctl -n "__fish_oauthctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l jwks -d 'Verify with the keys of this JWKS (an https or loopback URL, or a file)' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l key -d 'Verify with this public key (PEM: RSA, EC or Ed25519)' -r -F
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l secret-env -d 'Verify an HMAC (HS*) token with the secret in this environment variable' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l alg -d 'Allowed algorithms (repeatable or comma-separated) [default: any that fits the key, never `none`]' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l audience -d 'Required audience (`aud` must contain it); without it the audience is not checked' -r
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l leeway -d 'Clock skew allowed for exp, nbf and iat' -r
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
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l verify -d 'Check the signature and the claims (issuer, audience, expiry)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand decode" -s V -l version -d 'Print version'
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
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand providers" -s V -l version -d 'Print version'
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
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s j -l json -d 'Print a JSON document on stdout instead of human output'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s v -l verbose -d 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s q -l quiet -d 'Print nothing on stderr but warnings and errors'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -l insecure-http -d 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand generate" -s V -l version -d 'Print version'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode providers completions generate help" -f -a "decode" -d 'Show a JWT\'s header, claims and times; with --verify, check signature and claims'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode providers completions generate help" -f -a "providers" -d 'List the provider presets and the configured providers'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode providers completions generate help" -f -a "completions" -d 'Print a shell completion script'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode providers completions generate help" -f -a "generate" -d 'Print a completion script or the man page (used to refresh the committed files)'
complete -c oauthctl -n "__fish_oauthctl_using_subcommand help; and not __fish_seen_subcommand_from decode providers completions generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
