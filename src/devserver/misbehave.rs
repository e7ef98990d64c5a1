//! Deliberate misbehaviour (security.md S22): `serve --misbehave CASE` turns the dev server
//! into the hostile mock authorization server of a client's negative tests. Each case is
//! off unless asked for, and is applied at one point of the normal handlers (the ID token
//! signer below, the JWKS and discovery routes, the authorization response, `/token`,
//! `/userinfo`, `/introspect`). Nothing here is ever active by default.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::keys::SigningKey;

/// How many device-flow polls `device-slow-down` answers with `slow_down`.
pub const SLOW_DOWN_POLLS: u32 = 2;

/// One hostile behaviour of the dev server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Misbehave {
    /// ID tokens carry a corrupted signature
    IdTokenBadSignature,
    /// ID tokens are unsigned (`alg: none`)
    IdTokenAlgNone,
    /// ID tokens are HS256, keyed with the server's RSA public key (PEM); implies RS256 keys
    #[value(name = "id-token-hs256-with-rsa-pubkey")]
    IdTokenHs256WithRsaPubkey,
    /// ID tokens name the issuer with a trailing slash as `iss`
    IdTokenWrongIss,
    /// ID tokens are for another client (`aud`)
    IdTokenWrongAud,
    /// ID tokens name another audience next to the client (with `azp`)
    IdTokenExtraAud,
    /// ID tokens have no `sub`
    IdTokenNoSub,
    /// ID tokens have no `iat`
    IdTokenNoIat,
    /// ID tokens expired ten minutes ago
    IdTokenExpired,
    /// ID tokens carry a `nonce` other than the one requested
    IdTokenNonceMismatch,
    /// ID tokens are signed with a key (and `kid`) that the JWKS never publishes
    UnknownKid,
    /// ID tokens have no `kid`, and the JWKS publishes a second key of the same type
    KidAbsentMultiKey,
    /// The JWKS starts with an extra, unparseable key next to the good one
    JwksUnparseableKey,
    /// `/userinfo` answers with another `sub` than the ID token's
    UserinfoSubMismatch,
    /// Discovery documents name the issuer with a trailing slash
    DiscoveryIssuerMismatch,
    /// Authorization responses carry no `iss` although discovery promises it
    CallbackMissingIss,
    /// Authorization responses carry the issuer with a trailing slash as `iss`
    CallbackWrongIss,
    /// `/authorize` redirects at once with `error=access_denied` and no `state`
    ErrorWithoutState,
    /// Authorization responses carry every parameter twice
    DuplicateCallbackParams,
    /// `/token` answers 307 to a decoy port that counts connections
    #[value(name = "token-307")]
    Token307,
    /// `/token` answers HTTP 200 with `{"error":"invalid_grant"}`
    #[value(name = "token-200-with-error")]
    Token200WithError,
    /// Token responses say `expires_in: 18446744073709551615`
    HugeExpiresIn,
    /// Token responses say `token_type: mac`
    WrongTokenType,
    /// Access tokens carry CR LF, a smuggled header and request, NUL and ESC
    TokenControlChars,
    /// Like `token-control-chars`, but only in answers to the refresh token grant
    RefreshControlChars,
    /// Device-flow polls get `slow_down` (+5 s) for the first two polls, however slow
    DeviceSlowDown,
    /// Introspection answers `"active": "true"` (a string) for active tokens
    IntrospectionActiveString,
    /// A refresh returns an ID token for another `sub`
    RefreshNewSub,
}

impl Misbehave {
    /// The case's name, as `--misbehave` takes it.
    pub fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// What `token-control-chars` and `refresh-control-chars` append to an access token: a
/// header line and a second request for whoever pastes the token into an HTTP header, and
/// a NUL and a terminal escape for whoever prints it.
pub(crate) const INJECTED: &str =
    "\r\nX-Injected: 1\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\u{0}\u{1b}]0;pwned\u{7}";

/// Unpadded base64url.
fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS from a header and claims with `signature` (already base64url).
fn assemble(header: &Value, claims: &Value, signature: &str) -> String {
    let h = b64(header.to_string().as_bytes());
    let c = b64(claims.to_string().as_bytes());
    format!("{h}.{c}.{signature}")
}

/// Signs an ID token the way the active signing cases say, or normally. `decoy` is the
/// extra key of `unknown-kid` and `kid-absent-multi-key`.
pub(crate) fn sign_id_token(
    cases: &[Misbehave],
    key: &SigningKey,
    decoy: Option<&SigningKey>,
    claims: &Value,
) -> Result<String, String> {
    let signing = cases.iter().copied().find(|m| {
        matches!(
            m,
            Misbehave::IdTokenBadSignature
                | Misbehave::IdTokenAlgNone
                | Misbehave::IdTokenHs256WithRsaPubkey
                | Misbehave::UnknownKid
                | Misbehave::KidAbsentMultiKey
        )
    });
    match (signing, decoy) {
        (Some(Misbehave::IdTokenBadSignature), _) => {
            let token = key.sign("JWT", claims)?;
            let (input, sig) = token.rsplit_once('.').ok_or("no signature")?;
            let mut sig = URL_SAFE_NO_PAD.decode(sig).map_err(|e| e.to_string())?;
            if let Some(last) = sig.last_mut() {
                *last ^= 0x01;
            }
            Ok(format!("{input}.{}", b64(&sig)))
        }
        (Some(Misbehave::IdTokenAlgNone), _) => {
            Ok(assemble(&json!({"alg": "none", "typ": "JWT"}), claims, ""))
        }
        (Some(Misbehave::IdTokenHs256WithRsaPubkey), _) => {
            let mut header = Header::new(Algorithm::HS256);
            header.typ = Some("JWT".to_owned());
            header.kid = Some(key.kid.clone());
            let secret =
                EncodingKey::from_secret(key.public_pem().as_bytes()).map_err(|e| e.to_string())?;
            jsonwebtoken::encode(&header, claims, &secret).map_err(|e| e.to_string())
        }
        (Some(Misbehave::UnknownKid), Some(decoy)) => decoy.sign("JWT", claims),
        (Some(Misbehave::KidAbsentMultiKey), _) => key.sign_without_kid("JWT", claims),
        _ => key.sign("JWT", claims),
    }
}

/// The extra JWK of `jwks-unparseable-key`: an RSA key whose modulus is not base64url.
pub(crate) fn garbage_jwk() -> Value {
    json!({"kty": "RSA", "kid": "unparseable", "use": "sig", "alg": "RS256",
           "n": "this is not base64url!", "e": "AQAB"})
}

/// The decoy port of `token-307`: it accepts connections, counts them and closes them at
/// once, so a test can prove that a client never followed the redirect.
#[derive(Debug)]
pub(crate) struct Decoy {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Decoy {
    /// Binds `127.0.0.1:0` and starts counting.
    pub(crate) fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopped) = (Arc::clone(&connections), Arc::clone(&stop));
        let handle = std::thread::Builder::new()
            .name("devserver-decoy".to_owned())
            .spawn(move || {
                while !stopped.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            count.fetch_add(1, Ordering::SeqCst);
                            drop(stream);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })?;
        Ok(Self {
            addr,
            connections,
            stop,
            handle: Some(handle),
        })
    }

    /// Where `/token` redirects to.
    pub(crate) fn token_url(&self) -> String {
        format!("http://{}/token", self.addr)
    }
}

impl Drop for Decoy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum as _;

    #[test]
    fn case_names_are_the_documented_ones() {
        let names: Vec<String> = Misbehave::value_variants()
            .iter()
            .map(|m| m.name())
            .collect();
        let expected = [
            "id-token-bad-signature",
            "id-token-alg-none",
            "id-token-hs256-with-rsa-pubkey",
            "id-token-wrong-iss",
            "id-token-wrong-aud",
            "id-token-extra-aud",
            "id-token-no-sub",
            "id-token-no-iat",
            "id-token-expired",
            "id-token-nonce-mismatch",
            "unknown-kid",
            "kid-absent-multi-key",
            "jwks-unparseable-key",
            "userinfo-sub-mismatch",
            "discovery-issuer-mismatch",
            "callback-missing-iss",
            "callback-wrong-iss",
            "error-without-state",
            "duplicate-callback-params",
            "token-307",
            "token-200-with-error",
            "huge-expires-in",
            "wrong-token-type",
            "token-control-chars",
            "refresh-control-chars",
            "device-slow-down",
            "introspection-active-string",
            "refresh-new-sub",
        ];
        assert_eq!(names, expected);
    }

    #[test]
    fn signing_cases_produce_what_they_say() {
        let key = SigningKey::generate(super::super::SigningAlg::Es256).unwrap();
        let decoy = SigningKey::generate(super::super::SigningAlg::Es256).unwrap();
        let claims = json!({"sub": "alice"});
        let header = |t: &str| -> Value {
            let h = t.split('.').next().unwrap();
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
        };
        let good = sign_id_token(&[], &key, None, &claims).unwrap();
        let bad = sign_id_token(&[Misbehave::IdTokenBadSignature], &key, None, &claims).unwrap();
        let verifies = |t: &str| {
            let (input, sig) = t.rsplit_once('.').unwrap();
            jsonwebtoken::crypto::verify(sig, input.as_bytes(), key.decoding(), Algorithm::ES256)
                .unwrap_or(false)
        };
        assert!(verifies(&good));
        assert!(!verifies(&bad));
        let none = sign_id_token(&[Misbehave::IdTokenAlgNone], &key, None, &claims).unwrap();
        assert_eq!(header(&none)["alg"], "none");
        assert!(none.ends_with('.'));
        let unknown = sign_id_token(&[Misbehave::UnknownKid], &key, Some(&decoy), &claims).unwrap();
        assert_eq!(header(&unknown)["kid"], decoy.kid.as_str());
        let no_kid = sign_id_token(&[Misbehave::KidAbsentMultiKey], &key, None, &claims).unwrap();
        assert!(header(&no_kid).get("kid").is_none());
    }
}
