//! The demo API as protected resources (RFC 9728): which resource identifiers this server
//! hosts (what `resource` may name at `/authorize` and `/token`, RFC 8707 §2), where the
//! metadata document of each is, what each route of the API requires, and which token
//! audiences each route accepts.
//!
//! The identifiers, for the issuer `I` (docs/serve.md, "The demo API as a protected
//! resource"):
//!
//! | resource identifier | metadata document | tokens for it are accepted at |
//! |---|---|---|
//! | `I` (the server's origin) | `/.well-known/oauth-protected-resource` | every route |
//! | `I/api` (the API as a whole; the default audience) | `…/oauth-protected-resource/api` | every route |
//! | `I/api/me`, `I/api/data`, `I/api/admin` | `…/oauth-protected-resource/api/me`, … | that route |
//!
//! A metadata document names exactly the identifier its well-known URL was made from
//! (RFC 9728 §3.1, §3.3): a client given `I/api/data` derives the path-based document of
//! `I/api/data`, and a client that falls back to the root document gets the origin.
//! Pure: no store, no I/O.

use serde_json::{Value, json};

/// The well-known prefix of protected resource metadata (RFC 9728 §3).
pub(crate) const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// A route of the demo API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// `GET /api/me`: any valid token.
    Me,
    /// `GET /api/data` (scope `api:read`), `POST /api/data` (scope `api:write`, role admin).
    Data,
    /// `GET /api/admin` (scope `api:admin`, which the default login does not ask for).
    Admin,
}

impl Route {
    /// Every route.
    pub(crate) const ALL: [Self; 3] = [Self::Me, Self::Data, Self::Admin];

    /// Its path.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Me => "/api/me",
            Self::Data => "/api/data",
            Self::Admin => "/api/admin",
        }
    }

    /// The route at `path`, if any.
    pub(crate) fn at(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.path() == path)
    }

    /// The scope a request with `method` needs, if any.
    pub(crate) fn scope(self, method: &str) -> Option<&'static str> {
        match (self, method) {
            (Self::Me, _) => None,
            (Self::Data, "POST") => Some("api:write"),
            (Self::Data, _) => Some("api:read"),
            (Self::Admin, _) => Some("api:admin"),
        }
    }

    /// The scopes used to ask for access to it (`scopes_supported`).
    fn scopes(self) -> &'static [&'static str] {
        match self {
            Self::Me => &[],
            Self::Data => &["api:read", "api:write"],
            Self::Admin => &["api:admin"],
        }
    }
}

/// The scopes of the API as a whole.
const API_SCOPES: &[&str] = &["api:read", "api:write", "api:admin"];

/// A protected resource this server hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    /// The server's origin, whose only protected part is the API (the root document).
    Origin,
    /// The API as a whole: `{issuer}/api`, the audience of tokens requested without
    /// `resource`.
    Api,
    /// One route.
    Route(Route),
}

impl Resource {
    /// Every hosted resource.
    pub(crate) const ALL: [Self; 5] = [
        Self::Origin,
        Self::Api,
        Self::Route(Route::Me),
        Self::Route(Route::Data),
        Self::Route(Route::Admin),
    ];

    /// Its path below the origin (empty for the origin).
    fn path(self) -> &'static str {
        match self {
            Self::Origin => "",
            Self::Api => "/api",
            Self::Route(r) => r.path(),
        }
    }

    /// Its resource identifier.
    pub(crate) fn identifier(self, issuer: &str) -> String {
        format!("{issuer}{}", self.path())
    }

    /// The URL of its metadata document: the well-known segment between the host and the
    /// identifier's path (RFC 9728 §3.1).
    pub(crate) fn metadata_url(self, issuer: &str) -> String {
        format!("{issuer}{WELL_KNOWN}{}", self.path())
    }

    /// The resource whose metadata document is at `path` on this server.
    pub(crate) fn with_metadata_at(path: &str) -> Option<Self> {
        let rest = path.strip_prefix(WELL_KNOWN)?;
        match rest {
            "" => Some(Self::Origin),
            "/api" => Some(Self::Api),
            _ => Route::at(rest).map(Self::Route),
        }
    }

    /// The hosted resource named by `identifier`, compared as a string. The origin may be
    /// written with or without its `/` path (RFC 3986 §6.2.3: the same URI); nothing else
    /// is normalised.
    pub(crate) fn named(issuer: &str, identifier: &str) -> Option<Self> {
        let path = identifier.strip_prefix(issuer)?;
        match path {
            "" | "/" => Some(Self::Origin),
            "/api" => Some(Self::Api),
            _ => Route::at(path).map(Self::Route),
        }
    }

    /// Whether a token for this resource may be used at `route`.
    pub(crate) fn covers(self, route: Route) -> bool {
        match self {
            Self::Origin | Self::Api => true,
            Self::Route(r) => r == route,
        }
    }

    /// Its metadata document (RFC 9728 §2). `scopes_supported` is left out for a route that
    /// needs no scope, so that a client asks for none.
    pub(crate) fn metadata(self, issuer: &str) -> Value {
        let (scopes, name) = match self {
            Self::Origin | Self::Api => (API_SCOPES, "oauthctl demo API".to_owned()),
            Self::Route(r) => (r.scopes(), format!("oauthctl demo API: {}", r.path())),
        };
        let mut doc = json!({
            "resource": self.identifier(issuer),
            "authorization_servers": [issuer],
            "bearer_methods_supported": ["header"],
            "resource_name": name,
        });
        if !scopes.is_empty() {
            doc["scopes_supported"] = json!(scopes);
        }
        // DPoP (RFC 9449 §5.1) adds `dpop_signing_alg_values_supported` here.
        doc
    }
}

/// The audiences a token may carry at `route`: every hosted identifier that covers it.
pub(crate) fn audiences(issuer: &str, route: Route) -> Vec<String> {
    let mut out: Vec<String> = Resource::ALL
        .into_iter()
        .filter(|r| r.covers(route))
        .map(|r| r.identifier(issuer))
        .collect();
    // The origin's other spelling (see `Resource::named`).
    out.push(format!("{issuer}/"));
    out
}

/// Whether `identifier` names a resource this server hosts.
pub(crate) fn is_hosted(issuer: &str, identifier: &str) -> bool {
    Resource::named(issuer, identifier).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const I: &str = "http://127.0.0.1:9400";

    #[test]
    fn each_document_names_the_identifier_its_url_was_made_from() {
        for r in Resource::ALL {
            let url = r.metadata_url(I);
            let path = url.strip_prefix(I).unwrap();
            assert_eq!(Resource::with_metadata_at(path), Some(r), "{url}");
            let id = r.identifier(I);
            assert_eq!(r.metadata(I)["resource"], id.as_str());
            assert_eq!(Resource::named(I, &id), Some(r));
            // RFC 9728 §3.1: the well-known segment goes between host and path.
            let expected = format!("{I}{WELL_KNOWN}{}", id.strip_prefix(I).unwrap());
            assert_eq!(url, expected);
        }
        assert_eq!(
            Resource::metadata_url(Resource::Route(Route::Data), I),
            format!("{I}/.well-known/oauth-protected-resource/api/data")
        );
    }

    #[test]
    fn only_the_hosted_identifiers_are_hosted() {
        for ok in [
            I,
            "http://127.0.0.1:9400/",
            "http://127.0.0.1:9400/api",
            "http://127.0.0.1:9400/api/me",
            "http://127.0.0.1:9400/api/data",
            "http://127.0.0.1:9400/api/admin",
        ] {
            assert!(is_hosted(I, ok), "{ok}");
        }
        for bad in [
            "https://other.example/",
            "http://127.0.0.1:9400/api/",
            "http://127.0.0.1:9400/api/data/",
            "http://127.0.0.1:9400/api/other",
            "http://127.0.0.1:9400/token",
            "http://127.0.0.1:94000/api",
            "http://localhost:9400/api",
            "HTTP://127.0.0.1:9400/api",
            "http://127.0.0.1:9400/api?x=1",
            "http://127.0.0.1:9400//api",
            "",
        ] {
            assert!(!is_hosted(I, bad), "{bad}");
        }
        assert_eq!(
            Resource::with_metadata_at("/.well-known/oauth-protected-resource/"),
            None
        );
        assert_eq!(
            Resource::with_metadata_at("/.well-known/oauth-protected-resource/x"),
            None
        );
    }

    #[test]
    fn a_route_accepts_the_origin_the_api_and_itself() {
        let at_data = audiences(I, Route::Data);
        for id in [
            I,
            "http://127.0.0.1:9400/",
            "http://127.0.0.1:9400/api",
            "http://127.0.0.1:9400/api/data",
        ] {
            assert!(at_data.iter().any(|a| a == id), "{id}");
        }
        assert!(!at_data.iter().any(|a| a.ends_with("/api/me")));
        for r in Route::ALL {
            assert!(Resource::Origin.covers(r) && Resource::Api.covers(r));
            for other in Route::ALL {
                assert_eq!(Resource::Route(r).covers(other), r == other);
            }
        }
    }

    #[test]
    fn routes_need_their_scopes() {
        assert_eq!(Route::Me.scope("GET"), None);
        assert_eq!(Route::Data.scope("GET"), Some("api:read"));
        assert_eq!(Route::Data.scope("POST"), Some("api:write"));
        assert_eq!(Route::Admin.scope("GET"), Some("api:admin"));
        assert!(
            Resource::Route(Route::Me)
                .metadata(I)
                .get("scopes_supported")
                .is_none()
        );
        assert_eq!(
            Resource::Api.metadata(I)["scopes_supported"],
            json!(["api:read", "api:write", "api:admin"])
        );
        assert_eq!(
            Resource::Origin.metadata(I)["authorization_servers"],
            json!([I])
        );
    }
}
