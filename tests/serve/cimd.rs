//! Client ID Metadata Documents: a `client_id` that is a URL names the client its document
//! describes (docs/serve.md, "Client ID Metadata Documents"). The documents are served by
//! the stub on another loopback port, as http on loopback is allowed for development.

use oauthctl::devserver::{DevConfig, DevServer};
use serde_json::{Value, json};

use super::{CB, authorize, start, url};
use crate::support::stub::{Canned, Stub};
use crate::support::{Answer, get, jwt_parts, location_param, pkce, post};

const DOC: &str = "/oauth/client.json";

/// A document for the client `id`.
fn document(id: &str) -> Value {
    json!({
        "client_id": id,
        "client_name": "An app with a metadata document",
        "redirect_uris": ["http://127.0.0.1/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

fn serving(doc: &Value) -> (Stub, String) {
    let stub = Stub::start();
    stub.route(DOC, Canned::json(doc.to_string()));
    let id = stub.url(DOC);
    (stub, id)
}

fn authorize_as(s: &DevServer, client_id: &str, redirect_uri: &str) -> (Answer, String) {
    let (verifier, challenge) = pkce();
    let a = authorize(
        s,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "openid api:read offline_access"),
            ("state", "st"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    (a, verifier)
}

#[test]
fn a_url_client_id_logs_in_with_the_document_it_names() {
    let s = start(DevConfig::auto_approve("alice"));
    let meta = get(&url(&s, "/.well-known/openid-configuration"), None);
    assert_eq!(meta.json["client_id_metadata_document_supported"], true);
    let stub = Stub::start();
    let id = stub.url(DOC);
    stub.route(DOC, Canned::json(document(&id).to_string()));
    let (a, verifier) = authorize_as(&s, &id, CB);
    assert_eq!(a.status, 302, "{}", a.text);
    let loc = a.header("location").unwrap();
    let code = location_param(loc, "code").unwrap();
    let seen = stub.seen(DOC);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header("accept"), Some("application/json"));
    let t = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("code", &code),
            ("redirect_uri", CB),
            ("code_verifier", &verifier),
        ],
    );
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(
        jwt_parts(t.json["access_token"].as_str().unwrap()).1["client_id"],
        id.as_str()
    );
    let rt = t.json["refresh_token"].as_str().unwrap();
    let renewed = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("refresh_token", rt),
        ],
    );
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    // Kept for a while: one fetch served all three requests.
    assert_eq!(stub.hits(DOC), 1);
    assert_eq!(s.client_id_metadata_documents(), 1);
}

/// The document's `client_id` must be the URL it came from; until it is, the client is not
/// established: an error page, never a redirect, and `invalid_client` at the token
/// endpoint.
#[test]
fn a_document_whose_client_id_differs_from_its_url_is_refused() {
    let s = start(DevConfig::auto_approve("alice"));
    let (stub, id) = serving(&document("https://impostor.example/oauth/client.json"));
    let (a, _) = authorize_as(&s, &id, CB);
    assert_eq!(a.status, 400);
    assert!(a.header("location").is_none(), "never a redirect");
    assert!(a.text.contains("metadata document"), "{}", a.text);
    assert!(
        a.text.contains("not the URL it was fetched from"),
        "{}",
        a.text
    );
    let t = post(
        &url(&s, "/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("code", "x"),
            ("redirect_uri", CB),
        ],
    );
    assert_eq!(t.status, 401);
    assert_eq!(t.json["error"], "invalid_client");
    // A refusal is not kept: the corrected document counts at once.
    stub.route(DOC, Canned::json(document(&id).to_string()));
    let (fixed, _) = authorize_as(&s, &id, CB);
    assert_eq!(fixed.status, 302, "{}", fixed.text);
}

#[test]
fn the_redirect_uri_must_be_one_the_document_lists() {
    let s = start(DevConfig::auto_approve("alice"));
    let stub = Stub::start();
    let id = stub.url(DOC);
    stub.route(DOC, Canned::json(document(&id).to_string()));
    let (a, _) = authorize_as(&s, &id, "http://127.0.0.1:53682/elsewhere");
    assert_eq!(a.status, 400);
    assert!(a.header("location").is_none());
    assert!(a.text.contains("Invalid redirect URI"), "{}", a.text);
}

/// Fetched within bounds: no redirects followed, only JSON, at most 5 KiB, https or
/// loopback http; each refused with a page that says why.
#[test]
fn documents_are_fetched_within_bounds() {
    let s = start(DevConfig::auto_approve("alice"));
    let stub = Stub::start();
    let good = stub.url("/good.json");
    stub.route("/good.json", Canned::json(document(&good).to_string()));
    let moved = stub.url("/moved.json");
    stub.route(
        "/moved.json",
        Canned::status(302, "").header("Location", &good),
    );
    let html = stub.url("/page.json");
    stub.route(
        "/page.json",
        Canned {
            headers: vec![("Content-Type".into(), "text/html".into())],
            ..Canned::json(document(&html).to_string())
        },
    );
    let big = stub.url("/big.json");
    let mut padded = document(&big);
    padded["padding"] = json!("x".repeat(6 * 1024));
    stub.route("/big.json", Canned::json(padded.to_string()));
    let missing = stub.url("/missing.json");
    for (id, why) in [
        (moved.as_str(), "HTTP 302"),
        (html.as_str(), "not served as application/json"),
        (missing.as_str(), "HTTP 404"),
        (big.as_str(), "larger than 5120 bytes"),
        ("http://app.example/oauth/client.json", "only https"),
        ("https://app.example/", "needs a path"),
        ("https://app.example/a/../client.json", "normalised form"),
    ] {
        let (a, _) = authorize_as(&s, id, CB);
        assert_eq!(a.status, 400, "{id}");
        assert!(a.text.contains(why), "{id}: {}", a.text);
    }
    assert_eq!(stub.hits("/good.json"), 0, "the redirect was not followed");
}

#[test]
fn metadata_documents_can_be_switched_off() {
    let s = start(DevConfig::auto_approve("alice").with_client_id_metadata_documents(false));
    let meta = get(&url(&s, "/.well-known/openid-configuration"), None);
    assert_eq!(meta.json["client_id_metadata_document_supported"], false);
    let stub = Stub::start();
    let id = stub.url(DOC);
    stub.route(DOC, Canned::json(document(&id).to_string()));
    let (a, _) = authorize_as(&s, &id, CB);
    assert_eq!(a.status, 400);
    assert!(a.text.contains("Unknown client"), "{}", a.text);
    assert_eq!(stub.hits(DOC), 0);
}

/// Fetches are limited per source like the other endpoints.
#[test]
fn fetches_are_rate_limited() {
    let s = start(DevConfig::auto_approve("alice").with_rate_limit(2));
    let stub = Stub::start();
    let ids: Vec<String> = (0..3).map(|i| stub.url(&format!("/c{i}.json"))).collect();
    for id in &ids {
        let path = id.strip_prefix(&stub.base).unwrap();
        stub.route(path, Canned::json(document(id).to_string()));
    }
    assert_eq!(authorize_as(&s, &ids[0], CB).0.status, 302);
    assert_eq!(authorize_as(&s, &ids[1], CB).0.status, 302);
    let third = authorize_as(&s, &ids[2], CB).0;
    assert_eq!(third.status, 400);
    assert!(third.text.contains("too many"), "{}", third.text);
    // Cached documents need no fetch.
    assert_eq!(authorize_as(&s, &ids[0], CB).0.status, 302);
}
