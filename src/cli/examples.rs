//! The EXAMPLES section of each subcommand's `--help` (clap `after_help`), also rendered
//! into the man page. A test parses every `oauthctl …` command in them with the real
//! parser, so they stay valid as the interface changes.

pub(super) const DECODE: &str = "\
Examples:
  oauthctl token | oauthctl decode                  # any JWT, from standard input
  oauthctl decode --id-token                        # the profile's cached ID token
  oauthctl decode --verify \"$JWT\"                   # keys from the issuer named in `iss`
  oauthctl decode --verify --jwks https://as.example/jwks --audience api \"$JWT\"
  oauthctl decode --json - < token.txt";

pub(super) const LOGIN: &str = "\
Examples:
  oauthctl login --provider local                   # the server `oauthctl serve` runs
  oauthctl login --provider google --client-id 123.apps.googleusercontent.com
  oauthctl login --issuer https://login.example --client-id cli --scope 'openid offline_access'
  oauthctl login --provider local --no-browser      # print the URL, open it yourself
  oauthctl login --issuer https://login.example --client-id cli \
      --redirect-uri http://localhost:8765/oauth/cb # the URI registered for the client
  oauthctl login --resource-url https://mcp.example.com/mcp   # the API names the server
  oauthctl login --flow device --provider github --client-id Iv1.abc
  oauthctl login --flow client-credentials --issuer https://login.example --client-id svc \\
      --client-secret-file - < secret.txt
  oauthctl login --issuer https://login.example --client-id cli --dpop   # DPoP-bound tokens
  oauthctl login --flow client-credentials --issuer https://login.example --client-id svc \\
      --client-key-file svc-key.pem                 # private_key_jwt
  oauthctl login --flow client-credentials --issuer https://login.example --client-id svc \\
      --client-cert svc.pem --client-key svc.key    # mutual TLS
  oauthctl -p bot login --flow jwt-bearer --issuer https://login.example --client-id svc \\
      --client-key-file svc.pem --assertion-key svc.pem --assertion-sub alice
  oauthctl -p ci login --flow jwt-bearer --provider local --client-id svc --assertion-file -";

pub(super) const EXCHANGE: &str = "\
Examples:
  oauthctl -p api exchange --subject-profile default --audience https://api.example
  oauthctl -p narrow exchange --subject-profile work --scope api:read
  oauthctl -p agent-for-alice exchange --subject-profile alice --actor-profile agent
  oauthctl -p k8s exchange --subject-token-file /var/run/secrets/token --subject-token-type jwt
  oauthctl -p id exchange --subject-profile work --requested-token-type id_token
  oauthctl -p api exchange                          # the same exchange again";

pub(super) const TOKEN: &str = "\
Examples:
  curl -H \"$(oauthctl token --format header)\" https://api.example/items
  eval \"$(oauthctl token --format env)\"             # OAUTHCTL_ACCESS_TOKEN=…
  oauthctl -p work token --min-ttl 5m               # valid for at least five more minutes
  oauthctl token --id-token | oauthctl decode
  oauthctl token --dpop-proof GET https://api.example/items | curl -H @- https://api.example/items";

pub(super) const REFRESH: &str = "\
Examples:
  oauthctl refresh
  oauthctl -p work refresh --json";

pub(super) const CALL: &str = "\
Examples:
  oauthctl call http://127.0.0.1:9400/api/me
  oauthctl call POST https://api.example/items --json '{\"name\": \"x\"}'
  oauthctl call --fail -i https://api.example/items -o items.json
  oauthctl -p work call DELETE https://api.example/items/7
  oauthctl call https://mcp.example.com/mcp --login --json '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}'";

pub(super) const INTROSPECT: &str = "\
Examples:
  oauthctl introspect                               # the profile's access token
  oauthctl introspect --json
  oauthctl token | oauthctl introspect -";

pub(super) const REVOKE: &str = "\
Examples:
  oauthctl revoke                                   # the refresh token, else the access token
  oauthctl revoke --token-type-hint access_token
  oauthctl -p work revoke --delete                  # then forget the profile's tokens here
  oauthctl token | oauthctl revoke -";

pub(super) const USERINFO: &str = "\
Examples:
  oauthctl userinfo
  oauthctl -p work userinfo --json";

pub(super) const EXEC: &str = "\
Examples:
  oauthctl exec -- sh -c 'curl -H \"Authorization: Bearer $OAUTHCTL_ACCESS_TOKEN\" https://api.example/'
  oauthctl -p work exec -- ./deploy.sh";

pub(super) const LOGOUT: &str = "\
Examples:
  oauthctl logout
  oauthctl -p work logout --no-revoke               # delete locally, revoke nothing
  oauthctl -p mcp.example.com-mcp logout --forget-registration";

pub(super) const STATUS: &str = "\
Examples:
  oauthctl status
  oauthctl status --json";

pub(super) const PROVIDERS: &str = "\
Examples:
  oauthctl providers
  oauthctl providers --json";

pub(super) const DEMO: &str = "\
Examples:
  oauthctl demo                                     # everything, against a throw-away server";

pub(super) const SERVE: &str = "\
Examples:
  oauthctl serve                                    # http://127.0.0.1:9400 (first stdout line)
  oauthctl serve --port 0 --auto-approve alice      # a free port; alice approves without a page
  oauthctl serve --server-config serve.toml --key-file keys.pem
  oauthctl serve --require-dpop --dpop-nonce --require-par   # DPoP with nonces, and PAR
  oauthctl serve --tls                              # https; stderr names the CA to trust
  oauthctl serve --clock-offset -1h                 # the server's clock an hour behind
  oauthctl serve --mint --user alice --scope \"openid api:read\" --ttl 15m   # token from the running server";

pub(super) const JWT: &str = "\
Examples:
  oauthctl jwt sign --secret-env JWT_SECRET_KEY --sub alice
  oauthctl jwt sign --key private.pem --aud api '{\"roles\": [\"admin\"]}' | oauthctl decode";

pub(super) const JWT_SIGN: &str = "\
Examples:
  oauthctl jwt sign --secret-env JWT_SECRET_KEY --sub alice --exp 1h
  oauthctl jwt sign --key private.pem --alg PS256 --kid k1 --iss https://as.example @claims.json
  echo '{\"sub\": \"bob\", \"type\": \"access\"}' | oauthctl jwt sign --secret-env S -";

pub(super) const GIT_CREDENTIAL: &str = "\
Examples:
  # git config --global credential.https://git.example.com.helper \"!oauthctl git-credential\"
  printf 'protocol=https\\nhost=git.example.com\\n\\n' | oauthctl git-credential get
  oauthctl -p work git-credential get < request.txt";

pub(super) const DOCTOR: &str = "\
Examples:
  oauthctl doctor
  oauthctl -p work doctor https://api.example.com/
  oauthctl --provider local doctor --json";

pub(super) const COMPLETIONS: &str = "\
Examples:
  oauthctl completions bash > ~/.local/share/bash-completion/completions/oauthctl
  oauthctl completions fish > ~/.config/fish/completions/oauthctl.fish";

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use crate::cli::Cli;

    /// Every `oauthctl …` command on an example line, up to the end of its shell word list
    /// (a pipe, a redirection, a closing `$(…)` or a comment).
    fn commands(help: &str) -> Vec<String> {
        let joined = help.replace("\\\n", " ");
        let mut found = Vec::new();
        for line in joined.lines().filter(|l| *l != "Examples:") {
            // A comment ends the shell line.
            let mut rest = line.split_once(" # ").map_or(line, |(code, _)| code);
            while let Some(i) = rest.find("oauthctl ") {
                let tail = &rest[i..];
                let (mut quote, mut end) = (None, tail.len());
                for (j, c) in tail.char_indices() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '|' | ')' | '<' | '>' | '#') => {
                            end = j;
                            break;
                        }
                        _ => {}
                    }
                }
                found.push(tail[..end].trim().to_owned());
                rest = &tail[end..];
            }
        }
        found
    }

    #[test]
    fn every_example_parses_and_every_subcommand_has_examples() {
        let cmd = Cli::command();
        let mut checked = 0;
        for sc in cmd.get_subcommands().filter(|sc| !sc.is_hide_set()) {
            if sc.get_name() == "help" {
                continue;
            }
            let help = sc
                .get_after_help()
                .unwrap_or_else(|| panic!("`{}` has no examples", sc.get_name()))
                .to_string();
            assert!(help.starts_with("Examples:\n"), "{help}");
            let lines = commands(&help);
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(&format!(" {} ", sc.get_name()))
                        || l.ends_with(sc.get_name())),
                "`{}` has no example of itself: {lines:?}",
                sc.get_name()
            );
            for line in lines {
                let words = shlex::split(&line).unwrap_or_else(|| panic!("{line}"));
                if let Err(e) = Cli::command().try_get_matches_from(&words) {
                    panic!("example `{line}` does not parse: {e}");
                }
                checked += 1;
            }
        }
        assert!(checked > 30, "{checked}");
    }
}
