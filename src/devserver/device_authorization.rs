//! `POST /device_authorization` (RFC 8628 §3.1–3.2): a device code for the client to poll
//! with, and a short user code for the user to type on the verification pages.

use serde_json::json;

use super::App;
use super::authorization_request::MAX_KEPT_REQUEST;
use super::back_channel::{err, form, ok};
use super::client_auth::authenticate_client;
use super::scope::{bad_scope, requested_audience, split_scope};
use super::state::{DeviceRecord, DeviceStatus, ms};
use super::wire::{Req, Resp, fingerprint, random_bytes, random_token};
use crate::oauth::grant::Grant;
use crate::oauth::secret::DeviceCode;

/// The user-code alphabet: 20 consonants, no vowels (no words), no look-alikes
/// (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A random user code over [`USER_CODE_ALPHABET`], 8 characters (≈34.6 bits; attempts are
/// rate limited), by rejection sampling so every letter is equally likely.
fn user_code() -> String {
    let mut out = String::with_capacity(8);
    while out.len() < 8 {
        for b in random_bytes(16) {
            // 240 = 12 × 20: bytes at or above it would bias the result.
            if b < 240 && out.len() < 8 {
                out.push(char::from(USER_CODE_ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    out
}

/// `POST /device_authorization` (RFC 8628 §3.1–3.2).
pub(crate) fn device_authorization(app: &App, req: &Req) -> Resp {
    if req.body.len() > MAX_KEPT_REQUEST {
        return err("invalid_request", "the request is larger than 8 KiB");
    }
    let form = match form(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let client = match authenticate_client(app, req, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !client.allows(Grant::DeviceCode) {
        return err(
            "unauthorized_client",
            "this client may not use the device grant",
        );
    }
    let scope = split_scope(form.get("scope"));
    if let Some(bad) = bad_scope(&app.cfg.registry, &client, &scope) {
        return err("invalid_scope", &format!("scope `{bad}` is not available"));
    }
    let audience = match requested_audience(&form, &app.issuer) {
        Ok(a) => a,
        Err(e) => return err("invalid_target", e),
    };
    let device_code = DeviceCode::new(random_token());
    let now = app.now_ms();
    let mut store = app.store();
    store.maybe_prune(now);
    let mut code = user_code();
    while store.user_codes.contains_key(&code) {
        code = user_code();
    }
    let interval_ms = ms(app.cfg.device_interval);
    let fp = fingerprint(device_code.expose());
    store.insert_device(
        fp,
        code.clone(),
        DeviceRecord {
            client_id: client.id.clone(),
            scope,
            audience,
            user_code: format!("{}-{}", &code[..4], &code[4..]),
            expires_ms: now + ms(app.cfg.device_code_ttl),
            interval_ms,
            last_poll_ms: None,
            polls: 0,
            status: DeviceStatus::Pending,
            csrf: String::new(),
        },
    );
    let display = format!("{}-{}", &code[..4], &code[4..]);
    let verification_uri = format!("{}/device", app.issuer);
    ok(&json!({
        "device_code": device_code,
        "user_code": display,
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={display}"),
        "expires_in": app.cfg.device_code_ttl.as_secs(),
        "interval": interval_ms.div_ceil(1000),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_use_the_consonant_alphabet() {
        for _ in 0..100 {
            let c = user_code();
            assert_eq!(c.len(), 8);
            assert!(c.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)), "{c}");
        }
    }
}
