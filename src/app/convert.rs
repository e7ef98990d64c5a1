//! From the parsed command line to what the layers below take: the global [`Flags`], the
//! [`UiOptions`], each command's options, and the domain's own value enums.

use crate::cli::{self, GlobalArgs};
use crate::commands::{
    call, decode, exchange, exec, introspect, jwt_bearer, login, logout, revoke, serve, token,
};
use crate::config::Flags;
use crate::devserver::SigningAlg;
use crate::oauth::client_auth::AuthMethod;
use crate::oauth::grant::Grant;
use crate::oauth::secret::ClientSecret;
use crate::output::{ColorChoice, Rerun, UiOptions};
use crate::store::StoreChoice;

/// The global options that take part in resolving settings.
pub(super) fn flags(g: &GlobalArgs) -> Flags {
    Flags {
        profile: g.profile.clone(),
        provider: g.provider.clone(),
        issuer: g.issuer.clone(),
        client_id: g.client_id.clone(),
        client_secret_file: g.client_secret_file.clone(),
        client_secret_env: g.client_secret_env.clone(),
        client_secret: g.client_secret.clone().map(ClientSecret::new),
        config: g.config.clone(),
        token_store: g.token_store.map(Into::into),
        cacert: g.cacert.clone(),
        insecure_http: g.insecure_http,
        client_key_file: g.client_key_file.clone(),
        client_key_id: g.client_key_id.clone(),
        client_cert: g.client_cert.clone(),
        client_key: g.client_key.clone(),
    }
}

/// Format, verbosity and colour, and the flags suggested commands repeat.
pub(super) fn ui_options(g: &GlobalArgs) -> UiOptions {
    UiOptions {
        json: g.json,
        quiet: g.quiet,
        verbose: g.verbose,
        color: g.color.into(),
        rerun: rerun(g),
    }
}

/// The flags of `g` that choose the configuration, profile, provider and client: `--config`,
/// `-p`, `--provider`, `--issuer`, `--client-id`, where the client secret comes from
/// (`--client-secret-file`, `--client-secret-env`; never a secret given on the command
/// line), `--cacert` and `--insecure-http`, and the client's key and certificate files. A command suggested in a hint repeats them, so
/// that it works as printed.
fn rerun(g: &GlobalArgs) -> Rerun {
    let mut r = Rerun::default();
    r.path("--config", g.config.as_deref())
        .value("-p", g.profile.as_deref())
        .value("--provider", g.provider.as_deref())
        .value("--issuer", g.issuer.as_deref())
        .value("--client-id", g.client_id.as_deref())
        .path("--client-secret-file", g.client_secret_file.as_deref())
        .value("--client-secret-env", g.client_secret_env.as_deref())
        .path("--cacert", g.cacert.as_deref())
        .switch("--insecure-http", g.insecure_http)
        .path("--client-key-file", g.client_key_file.as_deref())
        .value("--client-key-id", g.client_key_id.as_deref())
        .path("--client-cert", g.client_cert.as_deref())
        .path("--client-key", g.client_key.as_deref());
    r
}

impl From<cli::ColorChoice> for ColorChoice {
    fn from(c: cli::ColorChoice) -> Self {
        match c {
            cli::ColorChoice::Auto => Self::Auto,
            cli::ColorChoice::Always => Self::Always,
            cli::ColorChoice::Never => Self::Never,
        }
    }
}

impl From<cli::TokenStoreChoice> for StoreChoice {
    fn from(c: cli::TokenStoreChoice) -> Self {
        match c {
            cli::TokenStoreChoice::Auto => Self::Auto,
            cli::TokenStoreChoice::Keyring => Self::Keyring,
            cli::TokenStoreChoice::File => Self::File,
        }
    }
}

impl From<cli::AuthMethod> for AuthMethod {
    fn from(m: cli::AuthMethod) -> Self {
        match m {
            cli::AuthMethod::ClientSecretBasic => Self::ClientSecretBasic,
            cli::AuthMethod::ClientSecretPost => Self::ClientSecretPost,
            cli::AuthMethod::None => Self::None,
            cli::AuthMethod::PrivateKeyJwt => Self::PrivateKeyJwt,
            cli::AuthMethod::ClientSecretJwt => Self::ClientSecretJwt,
            cli::AuthMethod::TlsClientAuth => Self::TlsClientAuth,
            cli::AuthMethod::SelfSignedTlsClientAuth => Self::SelfSignedTlsClientAuth,
        }
    }
}

impl From<cli::Flow> for Grant {
    fn from(f: cli::Flow) -> Self {
        match f {
            cli::Flow::Code => Self::AuthorizationCode,
            cli::Flow::Device => Self::DeviceCode,
            cli::Flow::ClientCredentials => Self::ClientCredentials,
            cli::Flow::JwtBearer => Self::JwtBearer,
            cli::Flow::TokenExchange => Self::TokenExchange,
        }
    }
}

impl From<cli::TokenFormat> for token::Format {
    fn from(f: cli::TokenFormat) -> Self {
        match f {
            cli::TokenFormat::Raw => Self::Raw,
            cli::TokenFormat::Header => Self::Header,
            cli::TokenFormat::Json => Self::Json,
            cli::TokenFormat::Env => Self::Env,
            cli::TokenFormat::ExecCredential => Self::ExecCredential,
        }
    }
}

impl From<cli::ServeAlg> for SigningAlg {
    fn from(a: cli::ServeAlg) -> Self {
        match a {
            cli::ServeAlg::Es256 => Self::Es256,
            cli::ServeAlg::Rs256 => Self::Rs256,
        }
    }
}

impl From<cli::TokenArgs> for token::Options {
    fn from(a: cli::TokenArgs) -> Self {
        Self {
            format: a.format.into(),
            id_token: a.id_token,
            no_refresh: a.no_refresh,
            min_ttl: a.min_ttl,
            include_refresh_token: a.include_refresh_token,
            dpop_proof: a.dpop_proof.and_then(|v| match <[String; 2]>::try_from(v) {
                Ok([method, url]) => Some((method, url)),
                Err(_) => None,
            }),
        }
    }
}

impl From<cli::CallArgs> for call::Options {
    fn from(a: cli::CallArgs) -> Self {
        // `json_report` only frees `--json` for the request body; it has no meaning.
        Self {
            target: a.target,
            headers: a.headers,
            data: a.data,
            json_body: a.json_body,
            form: a.form,
            include: a.include,
            output: a.output,
            fail: a.fail,
            max_time: a.max_time,
            location: a.location,
            token_env: a.token_env,
            token_file: a.token_file,
            login: a.login,
            client_metadata_url: a.client_metadata_url,
            login_timeout: a.login_timeout,
            browser_command: a.browser_command,
        }
    }
}

impl From<cli::IntrospectArgs> for introspect::Options {
    fn from(a: cli::IntrospectArgs) -> Self {
        Self {
            token: a.token,
            token_type_hint: a.token_type_hint,
        }
    }
}

impl From<cli::ExecArgs> for exec::Options {
    fn from(a: cli::ExecArgs) -> Self {
        Self {
            command: a.command,
            min_ttl: a.min_ttl,
        }
    }
}

impl From<cli::LogoutArgs> for logout::Options {
    fn from(a: cli::LogoutArgs) -> Self {
        Self {
            no_revoke: a.no_revoke,
            forget_registration: a.forget_registration,
        }
    }
}

impl From<cli::LoginArgs> for login::Options {
    fn from(a: cli::LoginArgs) -> Self {
        Self {
            flow: a.flow.into(),
            scopes: a.scopes,
            audiences: a.audiences,
            resources: a.resources,
            resource_url: a.resource_url,
            client_metadata_url: a.client_metadata_url,
            params: a.params,
            prompt: a.prompt,
            login_hint: a.login_hint,
            port: a.port,
            timeout: a.timeout,
            no_browser: a.no_browser,
            browser_command: a.browser_command,
            auth_method: a.auth_method.map(Into::into),
            leeway: a.leeway,
            dpop: a.dpop.then_some(true),
            par: a.par,
            redirect_uri: a.redirect_uri,
            origin: a.origin,
            no_qr: a.no_qr,
            assertion: (*a.assertion).into(),
            exchange: (*a.exchange).into(),
        }
    }
}

impl From<cli::RevokeArgs> for revoke::Options {
    fn from(a: cli::RevokeArgs) -> Self {
        Self {
            token: a.token,
            hint: a.token_type_hint.map(|h| match h {
                cli::TokenTypeHint::AccessToken => revoke::Hint::AccessToken,
                cli::TokenTypeHint::RefreshToken => revoke::Hint::RefreshToken,
            }),
            delete: a.delete,
        }
    }
}

impl From<cli::AssertionArgs> for jwt_bearer::Options {
    fn from(a: cli::AssertionArgs) -> Self {
        Self {
            file: a.assertion_file,
            key: a.assertion_key,
            issuer: a.assertion_iss,
            subject: a.assertion_sub,
            audience: a.assertion_aud,
            lifetime: a.assertion_exp,
            key_id: a.assertion_kid,
        }
    }
}

/// Where a token handed to an exchange comes from: a profile, or a file (`-`: standard
/// input).
fn token_source(
    profile: Option<String>,
    file: Option<std::path::PathBuf>,
) -> Option<crate::store::index::TokenSource> {
    use crate::store::index::TokenSource;
    profile.map(TokenSource::Profile).or_else(|| {
        file.map(|f| {
            if f.as_os_str() == "-" {
                TokenSource::Stdin
            } else {
                TokenSource::File(f)
            }
        })
    })
}

impl From<cli::ExchangeArgs> for exchange::Options {
    fn from(a: cli::ExchangeArgs) -> Self {
        Self {
            subject: token_source(a.subject_profile, a.subject_token_file),
            subject_token_type: a.subject_token_type,
            actor: token_source(a.actor_profile, a.actor_token_file),
            actor_token_type: a.actor_token_type,
            requested_token_type: a.requested_token_type,
            ..Self::default()
        }
    }
}

impl From<cli::ExchangeCommandArgs> for exchange::Options {
    fn from(a: cli::ExchangeCommandArgs) -> Self {
        Self {
            scopes: a.scopes,
            audiences: a.audiences,
            resources: a.resources,
            auth_method: a.auth_method.map(Into::into),
            ..a.exchange.into()
        }
    }
}

impl From<cli::DecodeArgs> for decode::Options {
    fn from(a: cli::DecodeArgs) -> Self {
        Self {
            token: a.token,
            access_token: a.access_token,
            id_token: a.id_token,
            verify: a.verify,
            jwks: a.jwks,
            key: a.key,
            secret_env: a.secret_env,
            alg: a.alg,
            audience: a.audience,
            leeway: a.leeway,
        }
    }
}

impl From<cli::ServeArgs> for serve::Options {
    fn from(a: cli::ServeArgs) -> Self {
        Self {
            port: a.port,
            listen: a.listen,
            server_config: a.server_config,
            access_token_ttl: a.access_token_ttl,
            refresh_token_ttl: a.refresh_token_ttl,
            code_ttl: a.code_ttl,
            rate_limit: a.rate_limit,
            auto_approve: a.auto_approve,
            key_file: a.key_file,
            alg: a.alg.into(),
            rotate_key: a.rotate_key,
            refresh_reuse_grace: a.refresh_reuse_grace,
            no_registration: a.no_registration,
            no_client_id_metadata_documents: a.no_client_id_metadata_documents,
            misbehave: a.misbehave.into_iter().map(|m| m.0).collect(),
            require_dpop: a.require_dpop,
            dpop_nonce: a.dpop_nonce,
            require_par: a.require_par,
            tls: a.tls,
            tls_dir: a.tls_dir,
            clock_offset: a.clock_offset,
            mint: a.mint.then_some(serve::Mint {
                user: a.user,
                client_id: None,
                scope: a.scope,
                ttl: a.ttl,
                resource: a.resource,
                audience: a.audience,
                jkt: a.jkt,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{Parser as _, ValueEnum as _};

    use super::*;

    fn parse(line: &str) -> cli::Cli {
        cli::Cli::try_parse_from(std::iter::once("oauthctl").chain(line.split_whitespace()))
            .unwrap()
    }

    #[test]
    fn hints_repeat_the_flags_that_choose_the_profile_and_never_a_secret() {
        let g = GlobalArgs {
            config: Some("my dir/config.toml".into()),
            profile: Some("work".into()),
            issuer: Some("https://as.example/realms/a b".into()),
            client_id: Some("cli".into()),
            client_secret: Some("s3cret".into()),
            client_secret_env: Some("CLI_SECRET".into()),
            insecure_http: true,
            json: true,
            verbose: 2,
            ..GlobalArgs::default()
        };
        let line = rerun(&g).command("login");
        assert_eq!(
            line,
            "oauthctl --config 'my dir/config.toml' -p work --issuer \
             'https://as.example/realms/a b' --client-id cli --client-secret-env CLI_SECRET \
             --insecure-http login"
        );
        assert!(!line.contains("s3cret"));
        let r = rerun(&GlobalArgs {
            profile: Some("work".into()),
            provider: Some("local@9401".into()),
            ..GlobalArgs::default()
        });
        assert_eq!(
            r.hint("run `oauthctl login` again"),
            "run `oauthctl -p work --provider local@9401 login` again"
        );
        // The secret given on the command line reaches the settings, redacted in Debug.
        let f = flags(&g);
        assert_eq!(
            f.client_secret.as_ref().map(ClientSecret::expose),
            Some("s3cret")
        );
        assert!(!format!("{f:?}").contains("s3cret"));
    }

    #[test]
    fn every_value_enum_maps_to_its_owner() {
        for c in cli::ColorChoice::value_variants() {
            let name = c.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(format!("{:?}", ColorChoice::from(*c)).to_lowercase(), name);
        }
        for c in cli::TokenStoreChoice::value_variants() {
            let name = c.to_possible_value().unwrap().get_name().to_owned();
            let ours = serde_json::to_value(StoreChoice::from(*c)).unwrap();
            assert_eq!(ours, name.as_str());
        }
        for m in cli::AuthMethod::value_variants() {
            let name = m.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(AuthMethod::from(*m).as_str(), name);
        }
        let grants: Vec<Grant> = cli::Flow::value_variants()
            .iter()
            .map(|f| (*f).into())
            .collect();
        assert_eq!(
            grants,
            [
                Grant::AuthorizationCode,
                Grant::DeviceCode,
                Grant::ClientCredentials,
                Grant::JwtBearer,
                Grant::TokenExchange,
            ]
        );
        for a in cli::ServeAlg::value_variants() {
            let name = a.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(SigningAlg::from(*a).as_str(), name);
        }
    }

    #[test]
    fn command_lines_become_options() {
        let cli::Command::Serve(args) = parse("serve --port 0 --alg rs256 --misbehave token-307")
            .command
            .0
        else {
            panic!("not serve");
        };
        let o = serve::Options::from(args.0);
        assert_eq!((o.port, o.alg), (0, SigningAlg::Rs256));
        assert_eq!(o.misbehave, [crate::devserver::Misbehave::Token307]);
        assert!(!o.no_registration && !o.no_client_id_metadata_documents);
        let cli::Command::Serve(args) =
            parse("serve --no-registration --no-client-id-metadata-documents")
                .command
                .0
        else {
            panic!("not serve");
        };
        let o = serve::Options::from(args.0);
        assert!(o.no_registration && o.no_client_id_metadata_documents);
        assert!(!o.require_dpop && !o.dpop_nonce && !o.require_par);
        let cli::Command::Serve(args) = parse("serve --require-dpop --dpop-nonce --require-par")
            .command
            .0
        else {
            panic!("not serve");
        };
        let o = serve::Options::from(args.0);
        assert!(o.require_dpop && o.dpop_nonce && o.require_par);
        assert!(!o.tls && o.tls_dir.is_none());
        let cli::Command::Serve(args) = parse("serve --tls --tls-dir ca").command.0 else {
            panic!("not serve");
        };
        let o = serve::Options::from(args.0);
        assert!(o.tls);
        assert_eq!(o.tls_dir, Some(std::path::PathBuf::from("ca")));
        assert!(
            cli::Cli::try_parse_from(["oauthctl", "serve", "--tls-dir", "ca"]).is_err(),
            "--tls-dir needs --tls"
        );
        // The commands' own defaults (their tests use them) are the command line's.
        let cli::Command::Serve(args) = parse("serve").command.0 else {
            panic!("not serve");
        };
        let (given, own) = (serve::Options::from(args.0), serve::Options::default());
        assert_eq!((given.port, given.alg), (own.port, own.alg));
        let cli::Command::Token(args) = parse("token").command.0 else {
            panic!("not token");
        };
        let (given, own) = (token::Options::from(args.0), token::Options::default());
        assert_eq!((given.format, given.min_ttl), (own.format, own.min_ttl));

        let cli::Command::Login(args) =
            parse("login --flow client-credentials --auth-method client-secret-post")
                .command
                .0
        else {
            panic!("not login");
        };
        let o = login::Options::from(args.0);
        assert_eq!(o.flow, Grant::ClientCredentials);
        assert_eq!(o.auth_method, Some(AuthMethod::ClientSecretPost));
        assert_eq!(o.timeout.as_secs(), 300);

        let cli::Command::Token(args) = parse("token --format header --min-ttl 5m").command.0
        else {
            panic!("not token");
        };
        let o = token::Options::from(args.0);
        assert_eq!(
            (o.format, o.min_ttl.as_secs()),
            (token::Format::Header, 300)
        );

        let cli = parse("--token-store file --color never -q token");
        assert_eq!(flags(&cli.global).token_store, Some(StoreChoice::File));
        let ui = ui_options(&cli.global);
        assert_eq!((ui.color, ui.quiet), (ColorChoice::Never, true));
    }
}
