//! Custom claims (docs/serve.md, "Custom claims"): per user (`[users.claims]`) and per
//! client (`[clients.claims]`) in the server-config file, any TOML value that JSON can
//! represent. String values are templates: `{client_id}`, `{sub}`, `{username}`, `{scope}`
//! and `{issuer}` are replaced at issuance, `{{` and `}}` stand for `{` and `}`.
//!
//! [`for_token`] is the one place that decides which custom claims a token carries; the
//! access token, the ID token, userinfo and introspection all ask it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use toml::Spanned;

use super::{Client, User};

/// Claims the server sets itself (or that carry protocol meaning): a custom claim may not
/// have one of these names.
pub(crate) const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "cnf",
    "act",
    "may_act",
    "client_id",
    "scope",
    "auth_time",
    "nonce",
    "azp",
    "sid",
    "at_hash",
    "c_hash",
    "s_hash",
    "typ",
    "roles",
    "name",
    "email",
    "email_verified",
    "preferred_username",
    "username",
    "grant_id",
    "active",
    "token_type",
];

/// The placeholders a claim template may use.
pub(crate) const PLACEHOLDERS: &[&str] = &["client_id", "sub", "username", "scope", "issuer"];

/// Custom claims: each name with its JSON value and where its key is in the server-config
/// text (a byte offset), for errors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomClaims(Vec<Entry>);

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    name: String,
    value: Value,
    /// Byte offset of the key in the file it came from.
    at: Option<usize>,
    /// A value JSON cannot represent (a NaN or infinite float).
    unrepresentable: bool,
}

impl CustomClaims {
    /// Claims from `(name, value)` pairs (for configurations built in code). They are not
    /// checked: [`CustomClaims::check`] says what is wrong with them.
    pub fn from_pairs<I: IntoIterator<Item = (String, Value)>>(pairs: I) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(name, value)| Entry {
                    name,
                    value,
                    at: None,
                    unrepresentable: false,
                })
                .collect(),
        )
    }

    /// The claim names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.name.as_str())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first problem: a reserved name, a value JSON cannot represent, a template with
    /// an unknown placeholder or an unbalanced brace. `Err((offset of the key, message))`.
    pub fn check(&self) -> Result<(), (Option<usize>, String)> {
        for e in &self.0 {
            let fail = |msg: String| Err((e.at, format!("claim `{}`: {msg}", e.name)));
            if e.name.is_empty() {
                return fail("a claim needs a name".to_owned());
            }
            if RESERVED.contains(&e.name.as_str()) {
                return fail(format!(
                    "`{}` is reserved: the server sets it (docs/serve.md lists the reserved \
                     claims)",
                    e.name
                ));
            }
            if e.unrepresentable {
                return fail("JSON cannot represent this value (NaN or infinity)".to_owned());
            }
            if let Err(msg) = check_templates(&e.value) {
                return fail(msg);
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for CustomClaims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<Spanned<String>, toml::Value>::deserialize(d)?;
        Ok(Self(
            raw.into_iter()
                .map(|(key, value)| {
                    let at = Some(key.span().start);
                    let mut unrepresentable = false;
                    let value = to_json(value, &mut unrepresentable);
                    Entry {
                        name: key.into_inner(),
                        value,
                        at,
                        unrepresentable,
                    }
                })
                .collect(),
        ))
    }
}

/// A TOML value as JSON: date-times become their RFC 3339 text.
fn to_json(v: toml::Value, unrepresentable: &mut bool) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or_else(
            || {
                *unrepresentable = true;
                Value::Null
            },
            Value::Number,
        ),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => {
            Value::Array(a.into_iter().map(|v| to_json(v, unrepresentable)).collect())
        }
        toml::Value::Table(t) => Value::Object(
            t.into_iter()
                .map(|(k, v)| (k, to_json(v, unrepresentable)))
                .collect(),
        ),
    }
}

/// One piece of a template.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits a template into text and placeholders; an unknown placeholder or an unbalanced
/// brace is an error.
fn parse_template(s: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(['{', '}']) {
        if i > 0 {
            pieces.push(Piece::Text(&rest[..i]));
        }
        let brace = &rest[i..=i];
        let after = &rest[i + 1..];
        if after.starts_with(brace) {
            pieces.push(Piece::Text(brace));
            rest = &after[1..];
            continue;
        }
        if brace == "}" {
            return Err(format!(
                "unbalanced `}}` in \"{s}\" (write `}}}}` for a literal brace)"
            ));
        }
        let Some(end) = after
            .find(['{', '}'])
            .filter(|&j| after[j..].starts_with('}'))
        else {
            return Err(format!(
                "unbalanced `{{` in \"{s}\" (write `{{{{` for a literal brace)"
            ));
        };
        let name = &after[..end];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder `{{{name}}}` (known: {})",
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        pieces.push(Piece::Placeholder(name));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// Every string in `v` (nested ones too) is a valid template.
fn check_templates(v: &Value) -> Result<(), String> {
    match v {
        Value::String(s) => parse_template(s).map(drop),
        Value::Array(a) => a.iter().try_for_each(check_templates),
        Value::Object(o) => o.values().try_for_each(check_templates),
        _ => Ok(()),
    }
}

/// What the placeholders stand for in one token.
struct Context<'a> {
    client_id: &'a str,
    sub: &'a str,
    username: &'a str,
    scope: &'a str,
    issuer: &'a str,
}

impl Context<'_> {
    fn expand(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.expand_str(s)),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.expand(v)).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), self.expand(v))).collect())
            }
            other => other.clone(),
        }
    }

    fn expand_str(&self, s: &str) -> String {
        // Checked when the configuration was read; one that was not stays as written.
        let Ok(pieces) = parse_template(s) else {
            return s.to_owned();
        };
        let mut out = String::with_capacity(s.len());
        for p in pieces {
            out.push_str(match p {
                Piece::Text(t) => t,
                Piece::Placeholder("client_id") => self.client_id,
                Piece::Placeholder("sub") => self.sub,
                Piece::Placeholder("username") => self.username,
                Piece::Placeholder("scope") => self.scope,
                Piece::Placeholder("issuer") => self.issuer,
                Piece::Placeholder(_) => "",
            });
        }
        out
    }
}

/// The custom claims of a token issued by `issuer` to `client`, about `sub` (for `user`,
/// if a user signed in) with `scope`: the client's claims, then the user's (a user's claim
/// replaces the client's claim of the same name), templates expanded. `{username}` is
/// empty in a token without a user.
pub(crate) fn for_token(
    issuer: &str,
    client: &Client,
    user: Option<&User>,
    sub: &str,
    scope: &[String],
) -> Map<String, Value> {
    let user_claims = user.map(|u| &u.claims.0);
    if client.claims.is_empty() && user_claims.is_none_or(Vec::is_empty) {
        return Map::new();
    }
    let scope = scope.join(" ");
    let ctx = Context {
        client_id: &client.id,
        sub,
        username: user.map_or("", |u| u.username.as_str()),
        scope: &scope,
        issuer,
    };
    let mut out = Map::new();
    for e in client
        .claims
        .0
        .iter()
        .chain(user_claims.into_iter().flatten())
    {
        out.insert(e.name.clone(), ctx.expand(&e.value));
    }
    out
}

/// The names of every custom claim of the configured clients and users, once each in
/// order of first appearance, for the discovery document's `claims_supported`.
pub(crate) fn configured_names(registry: &super::Registry) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let all = registry
        .clients
        .iter()
        .map(|c| &c.claims)
        .chain(registry.users.iter().map(|u| &u.claims));
    for name in all.flat_map(CustomClaims::names) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Adds `claims` to the JSON object `doc`.
pub(crate) fn add_to(doc: &mut Value, claims: Map<String, Value>) {
    if let Some(obj) = doc.as_object_mut() {
        obj.extend(claims);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_split_into_text_and_placeholders() {
        assert_eq!(
            parse_template("t-{client_id}/{{x}}").unwrap(),
            [
                Piece::Text("t-"),
                Piece::Placeholder("client_id"),
                Piece::Text("/"),
                Piece::Text("{"),
                Piece::Text("x"),
                Piece::Text("}"),
            ]
        );
        assert_eq!(parse_template("").unwrap(), []);
        for (bad, why) in [
            ("{tenant}", "unknown placeholder `{tenant}`"),
            ("{}", "unknown placeholder `{}`"),
            ("a{sub", "unbalanced `{`"),
            ("a{sub{x}}", "unbalanced `{`"),
            ("a}b", "unbalanced `}`"),
            ("{{sub}", "unbalanced `}`"),
        ] {
            let err = parse_template(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn user_claims_win_and_templates_expand() {
        let client = Client {
            id: "web".into(),
            claims: CustomClaims::from_pairs([
                ("tenant".to_owned(), json!("{client_id}")),
                ("tier".to_owned(), json!("client")),
            ]),
            ..Client::default()
        };
        let user = User {
            username: "alice".into(),
            password: "alice".into(),
            roles: vec![],
            name: None,
            email: None,
            claims: CustomClaims::from_pairs([
                ("tier".to_owned(), json!("user")),
                (
                    "paths".to_owned(),
                    json!(["{issuer}/u/{username}", {"s": "{scope} {{sub}}"}, 7]),
                ),
            ]),
        };
        let scope = ["openid".to_owned(), "api:read".to_owned()];
        let got = for_token("http://i", &client, Some(&user), "alice", &scope);
        assert_eq!(
            Value::Object(got),
            json!({
                "tenant": "web", "tier": "user",
                "paths": ["http://i/u/alice", {"s": "openid api:read {sub}"}, 7],
            })
        );
        let svc = for_token("http://i", &client, None, "web", &[]);
        assert_eq!(
            Value::Object(svc),
            json!({"tenant": "web", "tier": "client"})
        );
    }

    #[test]
    fn every_reserved_name_is_refused_and_documented() {
        let doc = include_str!("../../docs/serve.md");
        for name in RESERVED {
            let claims = CustomClaims::from_pairs([((*name).to_owned(), json!("x"))]);
            let (_, err) = claims.check().unwrap_err();
            assert!(err.contains("is reserved"), "{name}: {err}");
            assert!(
                doc.contains(&format!("`{name}`")),
                "{name} in docs/serve.md"
            );
        }
        let fine = CustomClaims::from_pairs([("acr".to_owned(), json!("{sub}"))]);
        assert_eq!(fine.check(), Ok(()));
    }
}
