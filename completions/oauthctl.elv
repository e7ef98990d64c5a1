
use builtin;
use str;

set edit:completion:arg-completer[oauthctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'oauthctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'oauthctl'= {
            cand -p 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --profile 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --provider 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com'
            cand --issuer 'Issuer URL of the authorization server (discovery is used for its endpoints)'
            cand --client-id 'OAuth client identifier'
            cand --client-secret-file 'Read the client secret from FILE (`-` reads standard input)'
            cand --client-secret-env 'Read the client secret from the environment variable VAR'
            cand --client-secret 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)'
            cand --config 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]'
            cand --color 'When to colour output (NO_COLOR is honoured by `auto`)'
            cand --token-store 'Where tokens are cached'
            cand --cacert 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)'
            cand -j 'Print a JSON document on stdout instead of human output'
            cand --json 'Print a JSON document on stdout instead of human output'
            cand -v 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand --verbose 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand -q 'Print nothing on stderr but warnings and errors'
            cand --quiet 'Print nothing on stderr but warnings and errors'
            cand --insecure-http 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand decode 'Show a JWT''s header, claims and times; with --verify, check signature and claims'
            cand providers 'List the provider presets and the configured providers'
            cand completions 'Print a shell completion script'
            cand generate 'Print a completion script or the man page (used to refresh the committed files)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'oauthctl;decode'= {
            cand --jwks 'Verify with the keys of this JWKS (an https or loopback URL, or a file)'
            cand --key 'Verify with this public key (PEM: RSA, EC or Ed25519)'
            cand --secret-env 'Verify an HMAC (HS*) token with the secret in this environment variable'
            cand --alg 'Allowed algorithms (repeatable or comma-separated) [default: any that fits the key, never `none`]'
            cand --audience 'Required audience (`aud` must contain it); without it the audience is not checked'
            cand --leeway 'Clock skew allowed for exp, nbf and iat'
            cand -p 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --profile 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --provider 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com'
            cand --issuer 'Issuer URL of the authorization server (discovery is used for its endpoints)'
            cand --client-id 'OAuth client identifier'
            cand --client-secret-file 'Read the client secret from FILE (`-` reads standard input)'
            cand --client-secret-env 'Read the client secret from the environment variable VAR'
            cand --client-secret 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)'
            cand --config 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]'
            cand --color 'When to colour output (NO_COLOR is honoured by `auto`)'
            cand --token-store 'Where tokens are cached'
            cand --cacert 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)'
            cand --verify 'Check the signature and the claims (issuer, audience, expiry)'
            cand -j 'Print a JSON document on stdout instead of human output'
            cand --json 'Print a JSON document on stdout instead of human output'
            cand -v 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand --verbose 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand -q 'Print nothing on stderr but warnings and errors'
            cand --quiet 'Print nothing on stderr but warnings and errors'
            cand --insecure-http 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthctl;providers'= {
            cand -p 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --profile 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --provider 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com'
            cand --issuer 'Issuer URL of the authorization server (discovery is used for its endpoints)'
            cand --client-id 'OAuth client identifier'
            cand --client-secret-file 'Read the client secret from FILE (`-` reads standard input)'
            cand --client-secret-env 'Read the client secret from the environment variable VAR'
            cand --client-secret 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)'
            cand --config 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]'
            cand --color 'When to colour output (NO_COLOR is honoured by `auto`)'
            cand --token-store 'Where tokens are cached'
            cand --cacert 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)'
            cand -j 'Print a JSON document on stdout instead of human output'
            cand --json 'Print a JSON document on stdout instead of human output'
            cand -v 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand --verbose 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand -q 'Print nothing on stderr but warnings and errors'
            cand --quiet 'Print nothing on stderr but warnings and errors'
            cand --insecure-http 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthctl;completions'= {
            cand -p 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --profile 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --provider 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com'
            cand --issuer 'Issuer URL of the authorization server (discovery is used for its endpoints)'
            cand --client-id 'OAuth client identifier'
            cand --client-secret-file 'Read the client secret from FILE (`-` reads standard input)'
            cand --client-secret-env 'Read the client secret from the environment variable VAR'
            cand --client-secret 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)'
            cand --config 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]'
            cand --color 'When to colour output (NO_COLOR is honoured by `auto`)'
            cand --token-store 'Where tokens are cached'
            cand --cacert 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)'
            cand -j 'Print a JSON document on stdout instead of human output'
            cand --json 'Print a JSON document on stdout instead of human output'
            cand -v 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand --verbose 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand -q 'Print nothing on stderr but warnings and errors'
            cand --quiet 'Print nothing on stderr but warnings and errors'
            cand --insecure-http 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthctl;generate'= {
            cand -p 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --profile 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]'
            cand --provider 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com'
            cand --issuer 'Issuer URL of the authorization server (discovery is used for its endpoints)'
            cand --client-id 'OAuth client identifier'
            cand --client-secret-file 'Read the client secret from FILE (`-` reads standard input)'
            cand --client-secret-env 'Read the client secret from the environment variable VAR'
            cand --client-secret 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)'
            cand --config 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]'
            cand --color 'When to colour output (NO_COLOR is honoured by `auto`)'
            cand --token-store 'Where tokens are cached'
            cand --cacert 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)'
            cand -j 'Print a JSON document on stdout instead of human output'
            cand --json 'Print a JSON document on stdout instead of human output'
            cand -v 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand --verbose 'Trace requests and responses on stderr, with every secret redacted (repeatable)'
            cand -q 'Print nothing on stderr but warnings and errors'
            cand --quiet 'Print nothing on stderr but warnings and errors'
            cand --insecure-http 'Permit plain http to non-loopback hosts (loopback http is always allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthctl;help'= {
            cand decode 'Show a JWT''s header, claims and times; with --verify, check signature and claims'
            cand providers 'List the provider presets and the configured providers'
            cand completions 'Print a shell completion script'
            cand generate 'Print a completion script or the man page (used to refresh the committed files)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'oauthctl;help;decode'= {
        }
        &'oauthctl;help;providers'= {
        }
        &'oauthctl;help;completions'= {
        }
        &'oauthctl;help;generate'= {
        }
        &'oauthctl;help;help'= {
        }
    ]
    $completions[$command]
}
