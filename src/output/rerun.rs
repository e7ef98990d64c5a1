//! The oauthctl commands that hints suggest, rendered for this invocation.
//!
//! A hint such as "run `oauthctl login` again" only works as printed when it repeats the
//! flags that chose the configuration, the profile and the provider: after
//! `oauthctl --provider local@9401 token`, the login to run is
//! `oauthctl --provider local@9401 login`. Code that writes a hint names the command plainly,
//! in backticks (`` `oauthctl login` ``); the output layer passes every hint through
//! [`Rerun::hint`], which adds those flags to the commands that act on a profile. Which
//! flags those are is decided where the command line is known (the composition root); this
//! type only quotes and places them. Pure: no effects.

use std::borrow::Cow;
use std::path::Path;

/// Subcommands that act on a profile: a hint naming one of them gets this invocation's
/// profile flags.
const PROFILE_COMMANDS: &[&str] = &[
    "login",
    "token",
    "refresh",
    "call",
    "introspect",
    "userinfo",
    "exec",
    "logout",
    "doctor",
    "exchange",
];

/// The global flags a suggested command must repeat, shell-quoted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rerun {
    flags: Vec<String>,
}

fn quote(value: &str) -> String {
    shlex::try_quote(value).map_or_else(|_| format!("'{value}'"), Cow::into_owned)
}

impl Rerun {
    /// Adds `FLAG VALUE` (the value shell-quoted) when there is a value.
    pub fn value(&mut self, flag: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.flags.push(format!("{flag} {}", quote(v)));
        }
        self
    }

    /// Adds `FLAG PATH` (shell-quoted) when there is a path.
    pub fn path(&mut self, flag: &str, path: Option<&Path>) -> &mut Self {
        self.value(flag, path.map(|p| p.to_string_lossy()).as_deref())
    }

    /// Adds the switch `FLAG` when `on`.
    pub fn switch(&mut self, flag: &str, on: bool) -> &mut Self {
        if on {
            self.flags.push(flag.to_owned());
        }
        self
    }

    /// `oauthctl FLAGS ARGS`: the command line to suggest for `args` (e.g. `refresh`).
    pub fn command(&self, args: &str) -> String {
        let mut line = String::from("oauthctl");
        for f in &self.flags {
            line.push(' ');
            line.push_str(f);
        }
        line.push(' ');
        line.push_str(args);
        line
    }

    /// `text` with this invocation's flags added to every `` `oauthctl SUBCOMMAND `` that
    /// acts on a profile. Commands that already carry flags are left alone.
    pub fn hint<'a>(&self, text: &'a str) -> Cow<'a, str> {
        const MARK: &str = "`oauthctl ";
        if self.flags.is_empty() || !text.contains(MARK) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(i) = rest.find(MARK) {
            let (before, after) = rest.split_at(i + MARK.len());
            out.push_str(before);
            let word = after
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .next()
                .unwrap_or_default();
            if PROFILE_COMMANDS.contains(&word) {
                for f in &self.flags {
                    out.push_str(f);
                    out.push(' ');
                }
            }
            rest = after;
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> Rerun {
        let mut r = Rerun::default();
        r.value("-p", Some("work"))
            .value("--provider", Some("local@9401"));
        r
    }

    #[test]
    fn hints_repeat_the_profile_and_provider_flags() {
        let r = work();
        assert_eq!(
            r.hint("run `oauthctl login` again"),
            "run `oauthctl -p work --provider local@9401 login` again"
        );
        assert_eq!(
            r.hint("run `oauthctl refresh`, or `oauthctl login` again"),
            "run `oauthctl -p work --provider local@9401 refresh`, or \
             `oauthctl -p work --provider local@9401 login` again"
        );
        // Commands that do not use a profile, and commands already rendered, are unchanged.
        for same in [
            "see `oauthctl serve --help`",
            "`oauthctl providers` lists them",
            "pipe it: `… | oauthctl decode`",
            "run `oauthctl -p work login`",
            "no command here",
        ] {
            assert_eq!(r.hint(same), same);
        }
        assert_eq!(
            r.command("refresh"),
            "oauthctl -p work --provider local@9401 refresh"
        );
    }

    #[test]
    fn values_are_shell_quoted() {
        let mut r = Rerun::default();
        r.path("--config", Some(Path::new("my dir/config.toml")))
            .value("--issuer", Some("https://as.example/realms/a b"))
            .value("--client-id", None)
            .switch("--insecure-http", true)
            .switch("--quiet", false);
        let line = r.command("login");
        assert_eq!(
            line,
            "oauthctl --config 'my dir/config.toml' --issuer 'https://as.example/realms/a b' \
             --insecure-http login"
        );
        assert_eq!(
            shlex::split(&line).unwrap()[4],
            "https://as.example/realms/a b"
        );
        // Without flags, hints are returned as they are.
        let plain = Rerun::default();
        assert!(matches!(
            plain.hint("run `oauthctl login`"),
            Cow::Borrowed(_)
        ));
        assert_eq!(plain.command("login"), "oauthctl login");
    }
}
