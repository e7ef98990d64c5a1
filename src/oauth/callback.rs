//! What an authorization response at the redirect URI means (RFC 6749 §4.1.2, RFC 9207,
//! RFC 9700 §4.4): a code to exchange, an error from the authorization server, a response
//! for this request that must not be used, or a request that is not an answer to it at
//! all. Pure: the loopback listener hands over the query string of a `GET` to the redirect
//! path and answers as [`classify`] says.
//!
//! The order of the checks is the security: repeated parameters first (nothing of such a
//! request is trusted), then `state` (an `error` without this flow's state must not end the
//! flow, GHSA-c73c-x77g-854r), then tokens in the redirect (implicit flow), then `iss`
//! (mix-up), and only then `error` and `code`.

use super::errors::OAuthErrorResponse;
use super::secret::{AuthorizationCode, State};

/// What the authorization response must carry.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The `state` sent in the authorization request.
    pub state: State,
    /// The issuer whose `iss` parameter is expected (RFC 9207).
    pub issuer: Option<String>,
    /// Whether `iss` must be present (`authorization_response_iss_parameter_supported`).
    pub iss_required: bool,
}

/// How an authorization response for this flow ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// The authorization code.
    Code(AuthorizationCode),
    /// The authorization server sent an error response for our request.
    Error(OAuthErrorResponse),
    /// A response for our request that must not be used (mix-up, implicit tokens).
    Refused(String),
}

/// What a request to the redirect URI is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Classified {
    /// Not a response to our request: answer it with this message, keep waiting.
    Ignore(&'static str),
    /// Ends the flow.
    End(Callback),
}

/// Parameters that may appear at most once (RFC 6749 §3.1).
const SINGLE: &[&str] = &[
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "access_token",
    "id_token",
    "token",
];

/// Classifies the query string of a request to the redirect URI.
pub(crate) fn classify(query: &str, expect: &Expect) -> Classified {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| -> Result<Option<&str>, ()> {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            Err(())
        } else {
            Ok(first)
        }
    };
    // RFC 6749 §3.1: parameters must not repeat. Checked before anything else is trusted.
    for name in SINGLE {
        if get(name).is_err() {
            return Classified::Ignore("A parameter was repeated; ignoring this request.");
        }
    }
    let value = |name: &str| get(name).ok().flatten();
    // State first: an `error` without our state must not abort the flow (GHSA-c73c-x77g-854r).
    match value("state") {
        Some(state) if expect.state.matches(state) => {}
        _ => return Classified::Ignore("This request does not belong to the pending sign-in."),
    }
    if ["access_token", "id_token", "token"]
        .iter()
        .any(|n| value(n).is_some())
    {
        return Classified::End(Callback::Refused(
            "it carries tokens in the redirect (implicit flow); only the code flow is used".into(),
        ));
    }
    if let Some(expected) = &expect.issuer {
        match value("iss") {
            Some(iss) if iss == expected => {}
            Some(iss) => {
                return Classified::End(Callback::Refused(format!(
                    "its issuer `{iss}` is not `{expected}` (RFC 9207 mix-up defence)"
                )));
            }
            None if expect.iss_required => {
                return Classified::End(Callback::Refused(
                    "it lacks the `iss` parameter the server promises (RFC 9207)".into(),
                ));
            }
            None => {}
        }
    }
    if let Some(error) = value("error") {
        return Classified::End(Callback::Error(OAuthErrorResponse {
            error: error.to_owned(),
            error_description: value("error_description").map(str::to_owned),
            error_uri: value("error_uri").map(str::to_owned),
        }));
    }
    match value("code") {
        Some(code) if !code.is_empty() => {
            Classified::End(Callback::Code(AuthorizationCode::new(code)))
        }
        _ => Classified::End(Callback::Refused(
            "it has neither `code` nor `error`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn expect() -> Expect {
        Expect {
            state: State::new("s-123"),
            issuer: Some("https://as.example".into()),
            iss_required: true,
        }
    }

    fn run(query: &str) -> Classified {
        classify(query, &expect())
    }

    #[test]
    fn a_valid_response_ends_the_flow_with_the_code() {
        assert_eq!(
            run("code=c1&state=s-123&iss=https%3A%2F%2Fas.example"),
            Classified::End(Callback::Code(AuthorizationCode::new("c1")))
        );
        let lenient = Expect {
            iss_required: false,
            ..expect()
        };
        assert_eq!(
            classify("code=c1&state=s-123", &lenient),
            Classified::End(Callback::Code(AuthorizationCode::new("c1")))
        );
        let no_issuer = Expect {
            issuer: None,
            ..expect()
        };
        assert_eq!(
            classify("code=c1&state=s-123&iss=anything", &no_issuer),
            Classified::End(Callback::Code(AuthorizationCode::new("c1")))
        );
    }

    #[test]
    fn requests_without_our_state_are_ignored() {
        for query in [
            "code=c1",                                   // no state (C6)
            "code=c1&state=wrong",                       // wrong state (C6)
            "code=c1&state=s-12",                        // a prefix of it
            "code=c1&state=S-123",                       // another case
            "error=access_denied",                       // error without state (C7)
            "error=access_denied&state=nope",            // error with wrong state (C7)
            "code=a&code=b&state=s-123",                 // duplicates (C9)
            "code=a&state=s-123&state=s-123",            // even the same value twice
            "code=a&state=s-123&iss=x&iss=y",            //
            "error=a&error=b&state=s-123",               //
            "access_token=a&access_token=b&state=s-123", //
            "",                                          //
        ] {
            assert!(
                matches!(run(query), Classified::Ignore(_)),
                "{query}: {:?}",
                run(query)
            );
        }
    }

    #[test]
    fn responses_for_our_state_that_must_not_be_used_end_the_flow() {
        let cases = [
            (
                "code=c&state=s-123&iss=https%3A%2F%2Fevil.example",
                "mix-up",
            ), // C23
            (
                "code=c&state=s-123&iss=https%3A%2F%2Fas.example%2F",
                "mix-up",
            ), // trailing slash
            ("code=c&state=s-123", "lacks"), // C24
            (
                "access_token=t&state=s-123&iss=https%3A%2F%2Fas.example",
                "implicit",
            ), // C15
            (
                "code=c&id_token=t&state=s-123&iss=https%3A%2F%2Fas.example",
                "implicit",
            ),
            ("state=s-123&iss=https%3A%2F%2Fas.example", "neither"),
            ("code=&state=s-123&iss=https%3A%2F%2Fas.example", "neither"),
        ];
        for (query, why) in cases {
            match run(query) {
                Classified::End(Callback::Refused(r)) => assert!(r.contains(why), "{query}: {r}"),
                other => panic!("{query}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_error_for_our_state_ends_the_flow_with_it() {
        match run(
            "error=access_denied&error_description=no%1b[31m&error_uri=https%3A%2F%2Fx&state=s-123&iss=https%3A%2F%2Fas.example",
        ) {
            Classified::End(Callback::Error(e)) => {
                assert_eq!(e.error, "access_denied");
                assert_eq!(e.error_description.as_deref(), Some("no\u{1b}[31m"));
                assert_eq!(e.error_uri.as_deref(), Some("https://x"));
            }
            other => panic!("{other:?}"),
        }
        // A mix-up is refused before its error is believed.
        assert!(matches!(
            run("error=access_denied&state=s-123&iss=https%3A%2F%2Fevil.example"),
            Classified::End(Callback::Refused(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_code_or_state() {
        let shown = format!(
            "{:?} {:?}",
            Callback::Code(AuthorizationCode::new("c0de-value")),
            expect()
        );
        assert!(
            !shown.contains("c0de-value") && !shown.contains("s-123"),
            "{shown}"
        );
    }

    proptest! {
        // F5: no query ends the flow with a code unless it carries our exact state.
        #[test]
        fn nothing_without_our_state_yields_a_code(q in "[a-z_=&%0-9A-F.-]{0,80}") {
            if let Classified::End(Callback::Code(_)) = run(&q) {
                prop_assert!(q.contains("state=s-123"));
            }
        }
    }
}
