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

/// One hostile behaviour of the dev server; [`Misbehave::describe`] names it and says what
/// it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Misbehave {
    IdTokenBadSignature,
    IdTokenAlgNone,
    IdTokenHs256WithRsaPubkey,
    IdTokenWrongIss,
    IdTokenWrongAud,
    IdTokenExtraAud,
    IdTokenNoSub,
    IdTokenNoIat,
    IdTokenExpired,
    IdTokenNonceMismatch,
    UnknownKid,
    KidAbsentMultiKey,
    JwksUnparseableKey,
    UserinfoSubMismatch,
    DiscoveryIssuerMismatch,
    CallbackMissingIss,
    CallbackWrongIss,
    ErrorWithoutState,
    DuplicateCallbackParams,
    Token307,
    Token200WithError,
    HugeExpiresIn,
    WrongTokenType,
    TokenControlChars,
    RefreshControlChars,
    DeviceSlowDown,
    IntrospectionActiveString,
    RefreshNewSub,
}

impl Misbehave {
    /// Every case, in the order `serve --help` lists them.
    pub const ALL: [Self; 28] = [
        Self::IdTokenBadSignature,
        Self::IdTokenAlgNone,
        Self::IdTokenHs256WithRsaPubkey,
        Self::IdTokenWrongIss,
        Self::IdTokenWrongAud,
        Self::IdTokenExtraAud,
        Self::IdTokenNoSub,
        Self::IdTokenNoIat,
        Self::IdTokenExpired,
        Self::IdTokenNonceMismatch,
        Self::UnknownKid,
        Self::KidAbsentMultiKey,
        Self::JwksUnparseableKey,
        Self::UserinfoSubMismatch,
        Self::DiscoveryIssuerMismatch,
        Self::CallbackMissingIss,
        Self::CallbackWrongIss,
        Self::ErrorWithoutState,
        Self::DuplicateCallbackParams,
        Self::Token307,
        Self::Token200WithError,
        Self::HugeExpiresIn,
        Self::WrongTokenType,
        Self::TokenControlChars,
        Self::RefreshControlChars,
        Self::DeviceSlowDown,
        Self::IntrospectionActiveString,
        Self::RefreshNewSub,
    ];

    /// The case's name, as `--misbehave` takes it, and what it does (one line).
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::IdTokenBadSignature => (
                "id-token-bad-signature",
                "ID tokens carry a corrupted signature",
            ),
            Self::IdTokenAlgNone => ("id-token-alg-none", "ID tokens are unsigned (`alg: none`)"),
            Self::IdTokenHs256WithRsaPubkey => (
                "id-token-hs256-with-rsa-pubkey",
                "ID tokens are HS256, keyed with the server's RSA public key (PEM); implies RS256 keys",
            ),
            Self::IdTokenWrongIss => (
                "id-token-wrong-iss",
                "ID tokens name the issuer with a trailing slash as `iss`",
            ),
            Self::IdTokenWrongAud => (
                "id-token-wrong-aud",
                "ID tokens are for another client (`aud`)",
            ),
            Self::IdTokenExtraAud => (
                "id-token-extra-aud",
                "ID tokens name another audience next to the client (with `azp`)",
            ),
            Self::IdTokenNoSub => ("id-token-no-sub", "ID tokens have no `sub`"),
            Self::IdTokenNoIat => ("id-token-no-iat", "ID tokens have no `iat`"),
            Self::IdTokenExpired => ("id-token-expired", "ID tokens expired ten minutes ago"),
            Self::IdTokenNonceMismatch => (
                "id-token-nonce-mismatch",
                "ID tokens carry a `nonce` other than the one requested",
            ),
            Self::UnknownKid => (
                "unknown-kid",
                "ID tokens are signed with a key (and `kid`) that the JWKS never publishes",
            ),
            Self::KidAbsentMultiKey => (
                "kid-absent-multi-key",
                "ID tokens have no `kid`, and the JWKS publishes a second key of the same type",
            ),
            Self::JwksUnparseableKey => (
                "jwks-unparseable-key",
                "The JWKS starts with an extra, unparseable key next to the good one",
            ),
            Self::UserinfoSubMismatch => (
                "userinfo-sub-mismatch",
                "`/userinfo` answers with another `sub` than the ID token's",
            ),
            Self::DiscoveryIssuerMismatch => (
                "discovery-issuer-mismatch",
                "Discovery documents name the issuer with a trailing slash",
            ),
            Self::CallbackMissingIss => (
                "callback-missing-iss",
                "Authorization responses carry no `iss` although discovery promises it",
            ),
            Self::CallbackWrongIss => (
                "callback-wrong-iss",
                "Authorization responses carry the issuer with a trailing slash as `iss`",
            ),
            Self::ErrorWithoutState => (
                "error-without-state",
                "`/authorize` redirects at once with `error=access_denied` and no `state`",
            ),
            Self::DuplicateCallbackParams => (
                "duplicate-callback-params",
                "Authorization responses carry every parameter twice",
            ),
            Self::Token307 => (
                "token-307",
                "`/token` answers 307 to a decoy port that counts connections",
            ),
            Self::Token200WithError => (
                "token-200-with-error",
                "`/token` answers HTTP 200 with `{\"error\":\"invalid_grant\"}`",
            ),
            Self::HugeExpiresIn => (
                "huge-expires-in",
                "Token responses say `expires_in: 18446744073709551615`",
            ),
            Self::WrongTokenType => ("wrong-token-type", "Token responses say `token_type: mac`"),
            Self::TokenControlChars => (
                "token-control-chars",
                "Access tokens carry CR LF, a smuggled header and request, NUL and ESC",
            ),
            Self::RefreshControlChars => (
                "refresh-control-chars",
                "Like `token-control-chars`, but only in answers to the refresh token grant",
            ),
            Self::DeviceSlowDown => (
                "device-slow-down",
                "Device-flow polls get `slow_down` (+5 s) for the first two polls, however slow",
            ),
            Self::IntrospectionActiveString => (
                "introspection-active-string",
                "Introspection answers `\"active\": \"true\"` (a string) for active tokens",
            ),
            Self::RefreshNewSub => (
                "refresh-new-sub",
                "A refresh returns an ID token for another `sub`",
            ),
        }
    }

    /// The case's name, as `--misbehave` takes it.
    pub fn name(self) -> &'static str {
        self.describe().0
    }

    /// The case named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
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
            let token = key.sign("JWT", claims).map_err(|e| e.to_string())?;
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
            header.kid = Some(key.kid().to_owned());
            let secret =
                EncodingKey::from_secret(key.public_pem().as_bytes()).map_err(|e| e.to_string())?;
            jsonwebtoken::encode(&header, claims, &secret).map_err(|e| e.to_string())
        }
        (Some(Misbehave::UnknownKid), Some(decoy)) => {
            decoy.sign("JWT", claims).map_err(|e| e.to_string())
        }
        (Some(Misbehave::KidAbsentMultiKey), _) => key
            .sign_without_kid("JWT", claims)
            .map_err(|e| e.to_string()),
        _ => key.sign("JWT", claims).map_err(|e| e.to_string()),
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

    #[test]
    fn case_names_are_the_documented_ones() {
        let names: Vec<&str> = Misbehave::ALL.iter().map(|m| m.name()).collect();
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
        for m in Misbehave::ALL {
            assert_eq!(Misbehave::from_name(m.name()), Some(m));
        }
        assert_eq!(Misbehave::from_name("IdTokenNoSub"), None);
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
        assert_eq!(header(&unknown)["kid"], decoy.kid());
        let no_kid = sign_id_token(&[Misbehave::KidAbsentMultiKey], &key, None, &claims).unwrap();
        assert!(header(&no_kid).get("kid").is_none());
    }
}
