//! The device verification pages (RFC 8628 §3.3): `/device`, where the user types the
//! user code, and `/device/approve`, where they sign in and approve or deny. Attempts are
//! limited for all users together.

use super::App;
use super::form_checks::{authenticate, csrf_for, csrf_ok};
use super::pages::{self, CSRF_COOKIE};
use super::state::{DeviceStatus, now_ms};
use super::wire::{Req, Resp};

/// Device verification attempts per minute (all users together).
pub(crate) const DEVICE_ATTEMPTS_PER_MINUTE: u32 = 20;

/// Keeps the letters of a user code, upper-cased (RFC 8628 §6.1: case and punctuation
/// insensitive).
pub(crate) fn normalize_user_code(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .take(64)
        .collect()
}

/// One verification attempt against the global limit; `Some` is the 429 page.
fn device_attempt(app: &App) -> Option<Resp> {
    let now = now_ms();
    let mut store = app.store();
    let bucket = store
        .device_attempts
        .get_or_insert_with(|| super::state::Bucket::full(DEVICE_ATTEMPTS_PER_MINUTE, now));
    bucket
        .take(DEVICE_ATTEMPTS_PER_MINUTE, now)
        .err()
        .map(|retry| {
            pages::error(429, "Too many attempts", "Wait a minute, then try again.")
                .with("Retry-After", &retry.to_string())
        })
}

/// `GET|POST /device`.
pub(crate) fn device_page(app: &App, req: &Req) -> Resp {
    match req.method.as_ref() {
        "GET" => {
            let prefill = req
                .query_params()
                .ok()
                .and_then(|p| p.get("user_code").map(str::to_owned))
                .unwrap_or_default();
            pages::device_entry(&app.base, &prefill, &csrf_for(req), None)
        }
        "POST" => {
            if let Some(limited) = device_attempt(app) {
                return limited;
            }
            if !req.is_form() {
                return pages::error(400, "Invalid request", "Expected a form submission.");
            }
            let form = match req.form() {
                Ok(f) => f,
                Err(e) => return pages::error(400, "Invalid request", &e),
            };
            let cookie = req.cookie(CSRF_COOKIE).unwrap_or_default();
            if !csrf_ok(req, &form, &cookie) {
                return pages::error(403, "Forbidden", "The form could not be verified.");
            }
            let raw = form.get("user_code").unwrap_or_default();
            let code = normalize_user_code(raw);
            let now = app.now_ms();
            let mut store = app.store();
            let found = store.user_codes.get(&code).cloned().filter(|fp| {
                store
                    .devices
                    .get(fp)
                    .is_some_and(|d| d.status == DeviceStatus::Pending && d.expires_ms > now)
            });
            let Some(fp) = found else {
                drop(store);
                return pages::device_entry(
                    &app.base,
                    raw,
                    &cookie,
                    Some("That code is unknown or expired."),
                );
            };
            let Some(d) = store.devices.get_mut(&fp) else {
                return pages::error(400, "Unknown code", "That code is unknown or expired.");
            };
            d.csrf.clone_from(&cookie);
            pages::device_approve(
                &app.base,
                &d.user_code,
                &d.client_id,
                &d.scope,
                &cookie,
                false,
            )
        }
        _ => pages::error(405, "Method not allowed", "Use GET or POST."),
    }
}

/// `POST /device/approve`.
pub(crate) fn device_approve(app: &App, req: &Req) -> Resp {
    if let Some(limited) = device_attempt(app) {
        return limited;
    }
    if !req.is_form() {
        return pages::error(400, "Invalid request", "Expected a form submission.");
    }
    let form = match req.form() {
        Ok(f) => f,
        Err(e) => return pages::error(400, "Invalid request", &e),
    };
    let code = normalize_user_code(form.get("user_code").unwrap_or_default());
    let now = app.now_ms();
    let (fp, record) = {
        let store = app.store();
        let Some(fp) = store.user_codes.get(&code).cloned() else {
            return pages::error(400, "Unknown code", "That code is unknown or expired.");
        };
        let Some(record) = store.devices.get(&fp).cloned() else {
            return pages::error(400, "Unknown code", "That code is unknown or expired.");
        };
        (fp, record)
    };
    if record.status != DeviceStatus::Pending || record.expires_ms <= now {
        return pages::error(400, "Unknown code", "That code is unknown or expired.");
    }
    if !csrf_ok(req, &form, &record.csrf) {
        return pages::error(403, "Forbidden", "The form could not be verified.");
    }
    let approve = form.get("decision") == Some("approve");
    let username = form.get("username").unwrap_or_default();
    if approve && !authenticate(app, username, form.get("password").unwrap_or_default()) {
        return pages::device_approve(
            &app.base,
            &record.user_code,
            &record.client_id,
            &record.scope,
            &record.csrf,
            true,
        );
    }
    let mut store = app.store();
    if let Some(d) = store.devices.get_mut(&fp) {
        d.status = if approve {
            DeviceStatus::Approved {
                user: username.to_owned(),
                auth_time: now / 1000,
            }
        } else {
            DeviceStatus::Denied
        };
    }
    pages::device_done(approve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_normalize() {
        assert_eq!(normalize_user_code("bcdf-ghjk"), "BCDFGHJK");
        assert_eq!(normalize_user_code(" B C D F . G H J K "), "BCDFGHJK");
    }
}
