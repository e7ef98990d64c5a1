//! `POST /register`: dynamic client registration (RFC 7591), open to anyone who can reach
//! the server (no initial access token), as a development server's should be, within
//! bounds: a JSON body of at most [`MAX_REGISTRATION`] bytes, registrations limited per
//! source like the other endpoints, and at most [`MAX_REGISTERED`] registered clients,
//! the oldest dropped first. What a client may state is checked by `client_metadata`.
//! Registrations cannot be read, changed or deleted afterwards (RFC 7592 is not offered, so
//! no `registration_access_token` is issued), and live in memory only.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};

use super::back_channel::too_many;
use super::client_metadata::{AuthMethod, ClientMetadata, MetadataError};
use super::state::{Bounded, Bucket, bucket, now_ms, source};
use super::wire::{Req, Resp, random_token};
use super::{App, Client};
use crate::oauth::secret::ClientSecret;
use crate::oauth::strict_json;

/// The largest registration request.
pub(crate) const MAX_REGISTRATION: usize = 8 * 1024;

/// The most registered clients kept; a new one beyond drops the oldest.
pub(crate) const MAX_REGISTERED: usize = 1024;

/// The clients registered at `/register`, and the registrations per source.
#[derive(Debug, Default)]
pub(crate) struct Registrations {
    clients: Mutex<Bounded<Client, MAX_REGISTERED>>,
    rate: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Registrations {
    /// The registered client `id`, if it is still kept.
    pub(crate) fn get(&self, id: &str) -> Option<Client> {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// How many registered clients are kept.
    pub(crate) fn len(&self) -> usize {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn insert(&self, client: Client) {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(client.id.clone(), client);
    }

    /// Takes one registration from the budget of `peer`'s source; `Err(seconds)` says when
    /// to retry.
    fn take(&self, peer: Option<IpAddr>, per_minute: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let now = now_ms();
        let mut rate = self.rate.lock().unwrap_or_else(PoisonError::into_inner);
        bucket(&mut rate, source(peer), per_minute, now).take(per_minute, now)
    }
}

/// An RFC 7591 §3.2.2 error response.
fn refuse(status: u16, e: &MetadataError) -> Resp {
    Resp::oauth_error(status, e.error, &e.description).with("Pragma", "no-cache")
}

fn is_json(req: &Req) -> bool {
    req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// `POST /register` (RFC 7591 §3).
pub(crate) fn register(app: &App, req: &Req) -> Resp {
    if let Err(retry) = app
        .registrations
        .take(req.peer, app.cfg.rate_limit_per_minute)
    {
        return too_many(
            "too many registrations from this address; retry later",
            retry,
        );
    }
    if req.body.len() > MAX_REGISTRATION {
        return refuse(
            413,
            &MetadataError::metadata("a registration request may be at most 8 KiB"),
        );
    }
    if !is_json(req) {
        return refuse(
            400,
            &MetadataError::metadata("the body must be application/json (RFC 7591 §3.1)"),
        );
    }
    let doc = match strict_json::object_from_slice(&req.body) {
        Ok(doc) => doc,
        Err(e) => {
            return refuse(
                400,
                &MetadataError::metadata(format!("the body is not a JSON object: {e}")),
            );
        }
    };
    let metadata = match ClientMetadata::read(&doc, &app.cfg.registry.scopes) {
        Ok(m) => m,
        Err(e) => return refuse(400, &e),
    };
    let mut id = format!("dcr-{}", &random_token()[..22]);
    while app.cfg.registry.client(&id).is_some() || app.registrations.get(&id).is_some() {
        id = format!("dcr-{}", &random_token()[..22]);
    }
    let secret =
        (metadata.auth_method != AuthMethod::None).then(|| ClientSecret::new(random_token()));
    let mut answer = json!({
        "client_id": id,
        "client_id_issued_at": app.now_ms() / 1000,
    });
    if let Some(s) = &secret {
        answer["client_secret"] = json!(s.expose());
        // RFC 7591 §3.2.1: 0, the secret does not expire.
        answer["client_secret_expires_at"] = json!(0);
    }
    if let Value::Object(out) = &mut answer {
        out.extend(metadata.to_json());
    }
    app.registrations.insert(Client {
        id,
        secret,
        redirect_uris: metadata.redirect_uris,
        grant_types: metadata.grant_types,
        scopes: metadata.scopes,
        ..Client::default()
    });
    Resp::json(201, &answer).with("Pragma", "no-cache")
}
