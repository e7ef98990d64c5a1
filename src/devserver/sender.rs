//! Sender-constrained access tokens at the resources (the demo API and userinfo): how a
//! token was presented (`Authorization: Bearer` or `DPoP`, RFC 9449 §7.1), what binds it
//! (`cnf`, RFC 7800: `jkt` for a DPoP key, RFC 9449 §6; `x5t#S256` for a client
//! certificate, RFC 8705 §3), and the refusals with their challenges.
//!
//! A DPoP-bound token must come with the DPoP scheme and a proof by its key for this very
//! request (`htm`, `htu`, `ath`, the server's nonce when nonces are on, a `jti` not seen
//! before); a bound token presented as Bearer is refused, and so is an unbound token
//! presented with the DPoP scheme. A certificate-bound token must come over a TLS
//! connection that presented that certificate. Tokens without `cnf` are plain bearer
//! tokens, as before.

use serde::{Deserialize, Serialize};

use super::dpop::{self, Expected, Nonces, ProofError};
use super::mtls::x5t_s256;
use super::wire::{Req, Resp};
use crate::oauth::token_type::TokenType;

/// The `algs` of a DPoP challenge: the proof algorithms the server accepts.
pub(crate) fn dpop_algs() -> String {
    dpop::PROOF_ALGS
        .map(crate::oauth::jose::SigningAlg::as_str)
        .join(" ")
}

/// A token's confirmation claim (RFC 7800 §3.1), as access-token JWTs and introspection
/// answers carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cnf {
    /// The RFC 7638 thumbprint of the DPoP key (RFC 9449 §6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
    /// The SHA-256 thumbprint of the client certificate (RFC 8705 §3.1).
    #[serde(default, rename = "x5t#S256", skip_serializing_if = "Option::is_none")]
    pub x5t_s256: Option<String>,
}

impl Cnf {
    /// Whether the token is bound to nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.jkt.is_none() && self.x5t_s256.is_none()
    }

    /// The `token_type` of a token with this binding: DPoP when bound to a DPoP key, else
    /// Bearer (certificate-bound tokens keep the Bearer scheme, RFC 8705 §3).
    pub(crate) fn token_type(&self) -> TokenType {
        if self.jkt.is_some() {
            TokenType::DPoP
        } else {
            TokenType::Bearer
        }
    }
}

/// The access token of the request's `Authorization` header and its scheme; `Ok(None)`
/// without one (or with another scheme, such as Basic).
pub(crate) fn presented(req: &Req) -> Result<Option<(TokenType, &str)>, Denied> {
    if req.header_count("authorization") > 1 {
        return Err(Denied::new(
            400,
            TokenType::Bearer,
            "invalid_request",
            "repeated Authorization header",
        ));
    }
    let Some(value) = req.header("authorization") else {
        return Ok(None);
    };
    Ok(TokenType::ALL
        .into_iter()
        .find_map(|t| Some((t, t.credentials(value)?))))
}

/// A refused request to a resource: the status, the challenge and its error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Denied {
    pub status: u16,
    pub scheme: TokenType,
    pub error: &'static str,
    pub description: String,
    /// The `DPoP-Nonce` to send with a `use_dpop_nonce` challenge.
    pub nonce: Option<String>,
}

impl Denied {
    pub(crate) fn new(
        status: u16,
        scheme: TokenType,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            scheme,
            error,
            description: description.into(),
            nonce: None,
        }
    }

    fn proof(e: &ProofError, nonces: Option<&Nonces>, now: u64) -> Self {
        let mut d = Self::new(401, TokenType::DPoP, e.code(), e.description());
        if matches!(e, ProofError::UseNonce(_)) {
            d.nonce = nonces.map(|n| n.current(now));
        }
        d
    }

    /// The answer: a JSON error body and the challenge (with `realm`, the `algs` of a
    /// DPoP challenge, and `resource_metadata` when given, RFC 9728 §5.1).
    pub(crate) fn into_resp(self, realm: &str, resource_metadata: Option<&str>) -> Resp {
        let algs = dpop_algs();
        let mut params = vec![
            ("realm", realm),
            ("error", self.error),
            ("error_description", self.description.as_str()),
        ];
        if self.scheme == TokenType::DPoP {
            params.push(("algs", &algs));
        }
        if let Some(meta) = resource_metadata {
            params.push(("resource_metadata", meta));
        }
        let mut resp = Resp::oauth_error(self.status, self.error, &self.description)
            .with("WWW-Authenticate", &self.scheme.challenge(&params));
        if let Some(nonce) = self.nonce {
            resp = resp.with("DPoP-Nonce", &nonce);
        }
        resp
    }
}

/// What a resource request offers besides its token.
#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    /// The method and URL as received (for `htm` and `htu`); the URL is spelled only when a
    /// proof is checked.
    pub method: &'a str,
    pub url: &'a dyn Fn() -> String,
    /// The `DPoP` header, if sent (more than one is refused before).
    pub proof: Option<&'a str>,
    /// The client certificate of the TLS connection, if any (DER).
    pub peer_cert: Option<&'a [u8]>,
    /// Unix seconds.
    pub now: u64,
}

/// Checks that `token`, presented with `scheme`, is used as its binding `cnf` requires.
/// `replay` remembers DPoP proofs; `nonces` is `Some` when the server requires its nonce.
pub(crate) fn check(
    token: &str,
    scheme: TokenType,
    cnf: &Cnf,
    request: Request<'_>,
    nonces: Option<&Nonces>,
    replay: impl FnOnce(&dpop::Proof) -> Result<(), ProofError>,
) -> Result<(), Denied> {
    match (scheme, &cnf.jkt) {
        (TokenType::Bearer, Some(_)) => {
            return Err(Denied::new(
                401,
                TokenType::DPoP,
                "invalid_token",
                "this token is DPoP-bound: present it with the DPoP scheme and a proof",
            ));
        }
        (TokenType::DPoP, None) => {
            return Err(Denied::new(
                401,
                TokenType::Bearer,
                "invalid_token",
                "this token is not DPoP-bound: present it with the Bearer scheme",
            ));
        }
        (TokenType::DPoP, Some(jkt)) => {
            let Some(proof) = request.proof else {
                return Err(Denied::new(
                    401,
                    TokenType::DPoP,
                    "invalid_dpop_proof",
                    "a DPoP-bound token needs a DPoP proof",
                ));
            };
            let url = (request.url)();
            let expected = Expected {
                method: request.method,
                url: &url,
                access_token: Some(token),
            };
            let proof = dpop::check(proof, expected, nonces, request.now)
                .map_err(|e| Denied::proof(&e, nonces, request.now))?;
            if &proof.jkt != jkt {
                return Err(Denied::new(
                    401,
                    TokenType::DPoP,
                    "invalid_token",
                    "the DPoP proof's key is not the key the token is bound to",
                ));
            }
            replay(&proof).map_err(|e| Denied::proof(&e, nonces, request.now))?;
        }
        (TokenType::Bearer, None) => {}
    }
    if let Some(x5t) = &cnf.x5t_s256
        && request.peer_cert.map(x5t_s256).as_ref() != Some(x5t)
    {
        return Err(Denied::new(
            401,
            scheme,
            "invalid_token",
            "this token is bound to a client certificate: present it over TLS with that certificate",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::devserver::replay::ReplayCache;
    use crate::oauth::jose::{SigningAlg, SigningKey};

    const URL: &str = "http://127.0.0.1:9400/api/me";
    const NOW: u64 = 1_800_000_000;

    fn req(headers: &[(&str, &str)]) -> Req {
        Req::for_tests("GET", "/api/me", headers, b"")
    }

    #[test]
    fn both_schemes_are_read_and_repeats_refused() {
        assert_eq!(
            presented(&req(&[("Authorization", "Bearer abc")])).unwrap(),
            Some((TokenType::Bearer, "abc"))
        );
        assert_eq!(
            presented(&req(&[("authorization", "dpop  abc ")])).unwrap(),
            Some((TokenType::DPoP, "abc"))
        );
        assert_eq!(
            presented(&req(&[("Authorization", "Basic x")])).unwrap(),
            None
        );
        assert_eq!(presented(&req(&[])).unwrap(), None);
        let twice = req(&[("Authorization", "Bearer a"), ("Authorization", "Bearer b")]);
        assert_eq!(presented(&twice).unwrap_err().error, "invalid_request");
    }

    #[test]
    fn cnf_serialises_as_rfc7800_says() {
        let cnf = Cnf {
            jkt: Some("k".into()),
            x5t_s256: Some("c".into()),
        };
        assert_eq!(
            serde_json::to_value(&cnf).unwrap(),
            json!({"jkt": "k", "x5t#S256": "c"})
        );
        assert_eq!(serde_json::to_value(Cnf::default()).unwrap(), json!({}));
        assert_eq!(cnf.token_type(), TokenType::DPoP);
        assert_eq!(Cnf::default().token_type(), TokenType::Bearer);
        assert_eq!(
            TokenType::DPoP.challenge(&[("error", "use_dpop_nonce")]),
            r#"DPoP error="use_dpop_nonce""#
        );
    }

    fn proof(key: &SigningKey, token: &str, extra: &serde_json::Value) -> String {
        let mut c = json!({"jti": crate::oauth::pkce::random_token(), "htm": "GET", "htu": URL,
                           "iat": NOW, "ath": dpop::ath(token)});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        key.sign_with_jwk("dpop+jwt", &c).unwrap()
    }

    fn request<'a>(proof: Option<&'a str>, cert: Option<&'a [u8]>) -> Request<'a> {
        Request {
            method: "GET",
            url: &|| URL.to_owned(),
            proof,
            peer_cert: cert,
            now: NOW,
        }
    }

    #[test]
    fn dpop_bound_tokens_need_their_scheme_their_key_and_a_fresh_proof() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let cnf = Cnf {
            jkt: Some(key.thumbprint().to_owned()),
            x5t_s256: None,
        };
        let mut cache = ReplayCache::new(16);
        let p = proof(&key, "tok", &json!({}));
        check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(Some(&p), None),
            None,
            |p: &dpop::Proof| p.use_once(&mut cache, NOW),
        )
        .unwrap();
        // The same proof again.
        let again = check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(Some(&p), None),
            None,
            |p: &dpop::Proof| p.use_once(&mut cache, NOW),
        )
        .unwrap_err();
        assert_eq!(again.error, "invalid_dpop_proof");
        // As Bearer, or without a proof.
        let bearer = check(
            "tok",
            TokenType::Bearer,
            &cnf,
            request(None, None),
            None,
            |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(
            (bearer.status, bearer.scheme, bearer.error),
            (401, TokenType::DPoP, "invalid_token")
        );
        let bare = check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(None, None),
            None,
            |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(bare.error, "invalid_dpop_proof");
        // Another key's proof.
        let other = SigningKey::generate(SigningAlg::Es256).unwrap();
        let q = proof(&other, "tok", &json!({}));
        let wrong_key = check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(Some(&q), None),
            None,
            |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(wrong_key.error, "invalid_token");
        assert!(wrong_key.description.contains("not the key"));
        // Another URL, another method, another token.
        for extra in [
            json!({"htu": "http://127.0.0.1:9400/api/data"}),
            json!({"htm": "POST"}),
        ] {
            let r = proof(&key, "tok", &extra);
            let d = check(
                "tok",
                TokenType::DPoP,
                &cnf,
                request(Some(&r), None),
                None,
                |_| Ok(()),
            )
            .unwrap_err();
            assert_eq!(d.error, "invalid_dpop_proof", "{extra}");
        }
        let for_other_token = proof(&key, "another", &json!({}));
        let d = check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(Some(&for_other_token), None),
            None,
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(d.description.contains("ath"));
        // An unbound token with the DPoP scheme.
        let unbound = check(
            "tok",
            TokenType::DPoP,
            &Cnf::default(),
            request(Some(&p), None),
            None,
            |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(
            (unbound.scheme, unbound.error),
            (TokenType::Bearer, "invalid_token")
        );
        check(
            "tok",
            TokenType::Bearer,
            &Cnf::default(),
            request(None, None),
            None,
            |_| Ok(()),
        )
        .unwrap();
    }

    #[test]
    fn a_missing_nonce_is_challenged_with_the_current_one() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let cnf = Cnf {
            jkt: Some(key.thumbprint().to_owned()),
            x5t_s256: None,
        };
        let nonces = Nonces::generate();
        let p = proof(&key, "tok", &json!({}));
        let d = check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(Some(&p), None),
            Some(&nonces),
            |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(d.error, "use_dpop_nonce");
        assert_eq!(d.nonce.as_deref(), Some(nonces.current(NOW).as_str()));
        let resp = d.into_resp("realm", None);
        assert_eq!(resp.status, 401);
        let header = |name: &str| resp.header(name).unwrap().to_owned();
        assert!(
            header("WWW-Authenticate").starts_with(r#"DPoP realm="realm", error="use_dpop_nonce""#)
        );
        assert!(header("WWW-Authenticate").contains(r#"algs="ES256 EdDSA RS256 PS256""#));
        assert_eq!(header("DPoP-Nonce"), nonces.current(NOW));
        let n = proof(&key, "tok", &json!({"nonce": nonces.current(NOW)}));
        check(
            "tok",
            TokenType::DPoP,
            &cnf,
            request(Some(&n), None),
            Some(&nonces),
            |_| Ok(()),
        )
        .unwrap();
    }

    #[test]
    fn certificate_bound_tokens_need_their_certificate() {
        let cert = b"certificate-der".as_slice();
        let cnf = Cnf {
            jkt: None,
            x5t_s256: Some(x5t_s256(cert)),
        };
        check(
            "tok",
            TokenType::Bearer,
            &cnf,
            request(None, Some(cert)),
            None,
            |_| Ok(()),
        )
        .unwrap();
        for other in [None, Some(b"another".as_slice())] {
            let d = check(
                "tok",
                TokenType::Bearer,
                &cnf,
                request(None, other),
                None,
                |_| Ok(()),
            )
            .unwrap_err();
            assert_eq!((d.status, d.error), (401, "invalid_token"));
            assert!(d.description.contains("certificate"));
        }
    }
}
