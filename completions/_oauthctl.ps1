
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'oauthctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'oauthctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'oauthctl' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer URL of the authorization server (discovery is used for its endpoints)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client identifier')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from FILE (`-` reads standard input)')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from the environment variable VAR')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--token-store', '--token-store', [CompletionResultType]::ParameterName, 'Where tokens are cached')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Permit plain http to non-loopback hosts (loopback http is always allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Show a JWT''s header, claims and times; with --verify, check signature and claims')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List the provider presets and the configured providers')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a completion script or the man page (used to refresh the committed files)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'oauthctl;decode' {
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'Verify with the keys of this JWKS (an https or loopback URL, or a file)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Verify with this public key (PEM: RSA, EC or Ed25519)')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Verify an HMAC (HS*) token with the secret in this environment variable')
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'Allowed algorithms (repeatable or comma-separated) [default: any that fits the key, never `none`]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Required audience (`aud` must contain it); without it the audience is not checked')
            [CompletionResult]::new('--leeway', '--leeway', [CompletionResultType]::ParameterName, 'Clock skew allowed for exp, nbf and iat')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer URL of the authorization server (discovery is used for its endpoints)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client identifier')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from FILE (`-` reads standard input)')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from the environment variable VAR')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--token-store', '--token-store', [CompletionResultType]::ParameterName, 'Where tokens are cached')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check the signature and the claims (issuer, audience, expiry)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Permit plain http to non-loopback hosts (loopback http is always allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'oauthctl;providers' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer URL of the authorization server (discovery is used for its endpoints)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client identifier')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from FILE (`-` reads standard input)')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from the environment variable VAR')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--token-store', '--token-store', [CompletionResultType]::ParameterName, 'Where tokens are cached')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Permit plain http to non-loopback hosts (loopback http is always allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'oauthctl;completions' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer URL of the authorization server (discovery is used for its endpoints)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client identifier')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from FILE (`-` reads standard input)')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from the environment variable VAR')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--token-store', '--token-store', [CompletionResultType]::ParameterName, 'Where tokens are cached')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Permit plain http to non-loopback hosts (loopback http is always allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'oauthctl;generate' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the config''s default_profile, else the --provider name, else `default`]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset or configured provider (`oauthctl providers`); NAME@ARG sets the preset''s parameter, e.g. microsoft@contoso.onmicrosoft.com or gitlab@gitlab.example.com')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer URL of the authorization server (discovery is used for its endpoints)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client identifier')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from FILE (`-` reads standard input)')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from the environment variable VAR')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'The client secret itself (visible to other users in `ps`; prefer --client-secret-file)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $OAUTHCTL_HOME/config.toml, else $XDG_CONFIG_HOME/oauthctl/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--token-store', '--token-store', [CompletionResultType]::ParameterName, 'Where tokens are cached')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too (SSL_CERT_FILE replaces the system roots)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document on stdout instead of human output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace requests and responses on stderr, with every secret redacted (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but warnings and errors')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Permit plain http to non-loopback hosts (loopback http is always allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'oauthctl;help' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Show a JWT''s header, claims and times; with --verify, check signature and claims')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List the provider presets and the configured providers')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a completion script or the man page (used to refresh the committed files)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'oauthctl;help;decode' {
            break
        }
        'oauthctl;help;providers' {
            break
        }
        'oauthctl;help;completions' {
            break
        }
        'oauthctl;help;generate' {
            break
        }
        'oauthctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
