//! `token --format exec-credential`: oauthctl as a kubectl (client-go) exec credential
//! plugin. kubectl runs the command named in the kubeconfig's `users[].exec`, passing
//! `KUBERNETES_EXEC_INFO` (an `ExecCredential` whose `spec.interactive` says whether the
//! plugin may talk to the user), and reads an `ExecCredential` with `status.token` and
//! `status.expirationTimestamp` (RFC 3339) from stdout, reusing it until that time.
//!
//! `oauthctl token` never signs in, so it never opens a browser, whatever `interactive`
//! says: without a usable login it fails (exit 3) with the login command to run, and the
//! message says how kubectl called it. Pure: parsing and rendering only.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The environment variable kubectl passes the request in.
pub(crate) const EXEC_INFO_ENV: &str = "KUBERNETES_EXEC_INFO";

/// The API versions oauthctl answers in: v1 (kubectl 1.22 and later) and v1beta1 (1.11
/// and later, still accepted).
pub(crate) const API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];

/// What kubectl asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecInfo {
    /// The apiVersion to answer in (the request's; v1 without a request).
    pub api_version: &'static str,
    /// `spec.interactive`: `None` when there was no request or it did not say.
    pub interactive: Option<bool>,
}

impl ExecInfo {
    /// Parses `KUBERNETES_EXEC_INFO` (`None`: run by hand, answer in v1). An apiVersion
    /// other than v1 and v1beta1, or a value that is not an `ExecCredential`, is a
    /// configuration error of the kubeconfig (exit 7).
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self> {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return Ok(Self {
                api_version: API_VERSIONS[0],
                interactive: None,
            });
        };
        let fix = || {
            Some(format!(
                "set `apiVersion: {}` in the kubeconfig's users[].exec (or {} for kubectl \
                 older than 1.22)",
                API_VERSIONS[0], API_VERSIONS[1]
            ))
        };
        let doc: Value = serde_json::from_str(raw)
            .map_err(|e| Error::config(format!("{EXEC_INFO_ENV} is not JSON: {e}"), fix()))?;
        if doc.get("kind").and_then(Value::as_str) != Some("ExecCredential") {
            return Err(Error::config(
                format!("{EXEC_INFO_ENV} is not an ExecCredential"),
                fix(),
            ));
        }
        let asked = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let api_version = API_VERSIONS
            .into_iter()
            .find(|v| *v == asked)
            .ok_or_else(|| {
                Error::config(
                    format!(
                        "kubectl asked for an ExecCredential of apiVersion `{asked}`; oauthctl \
                         answers {} and {}",
                        API_VERSIONS[0], API_VERSIONS[1]
                    ),
                    fix(),
                )
            })?;
        let interactive = doc.pointer("/spec/interactive").and_then(Value::as_bool);
        Ok(Self {
            api_version,
            interactive,
        })
    }

    /// The `ExecCredential` carrying `token`, valid until `expires_at` (Unix seconds; `None`:
    /// no expiry known, kubectl keeps it until the API refuses it).
    pub(crate) fn render(&self, token: &str, expires_at: Option<i64>) -> Vec<u8> {
        let mut status = json!({ "token": token });
        if let Some(at) = expires_at.and_then(rfc3339) {
            status["expirationTimestamp"] = json!(at);
        }
        let doc = json!({
            "kind": "ExecCredential",
            "apiVersion": self.api_version,
            "status": status,
        });
        let mut out = crate::output::json::to_string(&doc, false).into_bytes();
        if out.last() != Some(&b'\n') {
            out.push(b'\n');
        }
        out
    }

    /// A "log in first" error (exit 3) told for kubectl: the interactive rule and the
    /// command to run in a terminal. Other errors pass through.
    pub(crate) fn explain(&self, err: Error) -> Error {
        let Error::LoginRequired { message, hint } = err else {
            return err;
        };
        let how = match self.interactive {
            Some(false) => {
                "kubectl ran oauthctl non-interactively (spec.interactive is false: \
                 interactiveMode Never, or no terminal), and `oauthctl token` never opens a \
                 browser"
            }
            Some(true) => {
                "kubectl would let oauthctl interact (spec.interactive is true), but \
                 `oauthctl token` never opens a browser or prompts"
            }
            None => "`oauthctl token` never opens a browser",
        };
        Error::LoginRequired {
            message: format!("{message}; {how}"),
            hint: format!("{hint} in a terminal, then run kubectl again"),
        }
    }
}

/// `2026-12-04T10:00:00Z`.
fn rfc3339(at: i64) -> Option<String> {
    let secs = u64::try_from(at).ok()?;
    let time = UNIX_EPOCH.checked_add(Duration::from_secs(secs))?;
    Some(humantime::format_rfc3339_seconds(time).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_the_version_asked_for() {
        let v1 = ExecInfo::parse(Some(
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#,
        ))
        .unwrap();
        assert_eq!(v1.api_version, "client.authentication.k8s.io/v1");
        assert_eq!(v1.interactive, Some(false));
        let doc: Value = serde_json::from_slice(&v1.render("at-1", Some(1_764_612_000))).unwrap();
        assert_eq!(
            doc,
            json!({
                "kind": "ExecCredential",
                "apiVersion": "client.authentication.k8s.io/v1",
                "status": {"token": "at-1", "expirationTimestamp": "2025-12-01T18:00:00Z"}
            })
        );
        let beta = ExecInfo::parse(Some(
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{}}"#,
        ))
        .unwrap();
        assert_eq!(beta.interactive, None);
        let doc: Value = serde_json::from_slice(&beta.render("at-1", None)).unwrap();
        assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1beta1");
        assert!(doc["status"].get("expirationTimestamp").is_none());
        // Run by hand: v1.
        assert_eq!(ExecInfo::parse(None).unwrap().api_version, API_VERSIONS[0]);
    }

    #[test]
    fn other_versions_and_garbage_are_configuration_errors() {
        for raw in [
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}"#,
            r#"{"kind":"Pod","apiVersion":"v1"}"#,
            "not json",
        ] {
            let e = ExecInfo::parse(Some(raw)).unwrap_err();
            assert_eq!(e.exit_code(), 7, "{raw}");
            assert!(e.hint().unwrap().contains("users[].exec"), "{raw}");
        }
    }

    #[test]
    fn a_missing_login_states_the_interactive_rule() {
        let login = || Error::LoginRequired {
            message: "no cached tokens for profile `k8s`".into(),
            hint: "run `oauthctl login`".into(),
        };
        let never = ExecInfo {
            api_version: API_VERSIONS[0],
            interactive: Some(false),
        };
        let e = never.explain(login());
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("non-interactively"), "{e}");
        assert!(e.to_string().contains("never opens a browser"), "{e}");
        assert_eq!(
            e.hint().as_deref(),
            Some("run `oauthctl login` in a terminal, then run kubectl again")
        );
        let allowed = ExecInfo {
            interactive: Some(true),
            ..never.clone()
        };
        assert!(
            allowed
                .explain(login())
                .to_string()
                .contains("interactive is true")
        );
        assert_eq!(never.explain(Error::Other("x".into())).exit_code(), 1);
    }
}
