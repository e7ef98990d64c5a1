//! Subcommand help: the command's own flags first, the global flags after them under their
//! own heading, and an EXAMPLES section.

use crate::support::{assert_code, home, run, stdout};

/// Each visible subcommand and one flag of its own (`None` for those without any).
const SUBCOMMANDS: &[(&str, Option<&str>)] = &[
    ("decode", Some("--verify")),
    ("login", Some("--flow")),
    ("token", Some("--format")),
    ("refresh", None),
    ("exchange", Some("--subject-profile")),
    ("call", Some("--header")),
    ("introspect", Some("--token-type-hint")),
    ("userinfo", None),
    ("exec", Some("--min-ttl")),
    ("logout", Some("--no-revoke")),
    ("status", None),
    ("providers", None),
    ("demo", None),
    ("serve", Some("--port")),
    ("completions", None),
];

#[test]
fn subcommand_help_shows_its_own_flags_first_and_examples() {
    let h = home();
    for (name, own) in SUBCOMMANDS {
        for args in [
            vec![*name, "--help"],
            vec![*name, "-h"],
            vec!["help", *name],
        ] {
            let out = run(h.path(), &args);
            assert_code(&out, 0);
            let text = stdout(&out);
            let global = text
                .find("\nGlobal Options:\n")
                .unwrap_or_else(|| panic!("{args:?}: no global heading\n{text}"));
            let examples = text
                .find("\nExamples:\n")
                .unwrap_or_else(|| panic!("{args:?}: no examples\n{text}"));
            assert!(global < examples, "{args:?}");
            // Global flags only under their heading; the command's own before it.
            let profile = text.find("--profile <NAME>").unwrap();
            assert!(
                profile > global,
                "{args:?}: --profile before its heading\n{text}"
            );
            if let Some(flag) = own {
                let at = text
                    .find(flag)
                    .unwrap_or_else(|| panic!("{args:?}: {flag}"));
                assert!(
                    at < global,
                    "{args:?}: {flag} after the global flags\n{text}"
                );
            }
            assert!(
                text[examples..].contains(&format!("oauthctl {name}"))
                    || text[examples..].contains(&format!(" {name} ")),
                "{args:?}: no example of {name}\n{text}"
            );
        }
    }
}

#[test]
fn the_man_page_has_the_examples_too() {
    let h = home();
    let out = run(h.path(), &["generate", "man"]);
    assert_code(&out, 0);
    let man = stdout(&out);
    assert!(man.contains(".SH EXAMPLES"), "{man}");
    assert!(man.contains(".SS \"oauthctl login\""), "{man}");
    assert!(man.contains(".SH \"GLOBAL OPTIONS\"") || man.contains(".SH GLOBAL OPTIONS"));
    assert!(man.find(".SH EXAMPLES").unwrap() < man.find(".SH EXTRA").unwrap());
}
