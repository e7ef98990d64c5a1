//! What a token request binds its tokens to: the key of its DPoP proof (RFC 9449 §5),
//! checked here for `/token` and `/par`, and the certificate of a client that authenticated
//! with it (RFC 8705 §3). The grant handlers hold refresh tokens and codes to the binding;
//! `issue` writes it into the tokens (`cnf`).

use super::App;
use super::back_channel::err;
use super::dpop::{self, Expected, ProofError};
use super::mtls::x5t_s256;
use super::sender::Cnf;
use super::wire::{Req, Resp};

/// The binding of the tokens a request gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The thumbprint of the DPoP proof's key.
    pub jkt: Option<String>,
    /// The `x5t#S256` of the certificate the client authenticated with.
    pub x5t_s256: Option<String>,
}

impl Binding {
    /// The `cnf` claim of tokens with this binding.
    pub(crate) fn cnf(&self) -> Cnf {
        Cnf {
            jkt: self.jkt.clone(),
            x5t_s256: self.x5t_s256.clone(),
        }
    }

    /// The binding of a certificate-authenticated client: its certificate.
    pub(crate) fn with_certificate(mut self, req: &Req) -> Self {
        self.x5t_s256 = req.peer_certificate().map(x5t_s256);
        self
    }
}

/// The error answer for a proof at `/token` or `/par`: `400` (RFC 9449 §5.2, §8), with the
/// current nonce when the proof lacked it.
fn refused(app: &App, e: &ProofError) -> Resp {
    let resp = err(e.code(), e.description());
    match (e, app.dpop_nonce_header()) {
        (ProofError::UseNonce(_), Some(nonce)) => resp.with("DPoP-Nonce", &nonce),
        _ => resp,
    }
}

/// Checks the request's DPoP proof, if it has one, against the request (everything but
/// replay: see [`spend`]). More than one `DPoP` header is refused.
pub(crate) fn proof(app: &App, req: &Req) -> Result<Option<dpop::Proof>, Resp> {
    if req.header_count("dpop") > 1 {
        return Err(refused(
            app,
            &ProofError::Invalid("more than one DPoP header".to_owned()),
        ));
    }
    let Some(value) = req.header("dpop") else {
        return Ok(None);
    };
    let url = app.request_url(req);
    let expected = Expected {
        method: &req.method,
        url: &url,
        access_token: None,
    };
    dpop::check(value, expected, app.nonces.as_ref(), app.now_ms() / 1000)
        .map(Some)
        .map_err(|e| refused(app, &e))
}

/// Spends the proof's `jti` (RFC 9449 §11.1): a proof is accepted once.
pub(crate) fn spend(app: &App, proof: &dpop::Proof) -> Result<(), Resp> {
    proof
        .use_once(&mut app.store().proofs, app.now_ms() / 1000)
        .map_err(|e| refused(app, &e))
}

/// `resp` with the current DPoP nonce, when nonces are on and it has none yet: every answer
/// of the token endpoint and the resources carries it (RFC 9449 §8.2).
pub(crate) fn with_nonce(app: &App, resp: Resp) -> Resp {
    match app.dpop_nonce_header() {
        Some(nonce) if resp.header("DPoP-Nonce").is_none() => resp.with("DPoP-Nonce", &nonce),
        _ => resp,
    }
}
