//! Renders flow events on stderr through the output layer: the authorization URL, the
//! device code (with a QR code on a terminal), the spinner, paste-back prompts and warnings.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::flow::events::{Event, Events};
use crate::output::spinner::Spinner;
use crate::output::{Ui, qr};
use crate::text::sanitize;

/// Shows flow events to the user.
#[derive(Debug)]
pub(crate) struct UiEvents<'a> {
    ui: &'a Ui,
    spinner: Mutex<Option<Spinner>>,
    /// What the spinner waits for, and until when, to redraw it after a message.
    waiting: Mutex<Option<(&'static str, Instant)>>,
    /// Draw the device flow's QR code (not `--no-qr`).
    qr: bool,
    /// Paste-back was offered: the user may be typing, so no spinner from now on.
    typing: AtomicBool,
}

impl<'a> UiEvents<'a> {
    /// Events for `ui`.
    pub(crate) fn new(ui: &'a Ui) -> Self {
        Self {
            ui,
            spinner: Mutex::new(None),
            waiting: Mutex::new(None),
            qr: true,
            typing: AtomicBool::new(false),
        }
    }

    /// Whether to draw the device flow's QR code (`--no-qr` says no).
    #[must_use]
    pub(crate) fn with_qr(mut self, qr: bool) -> Self {
        self.qr = qr;
        self
    }

    /// Prints with `print` on a clean line: a running spinner is cleared first and drawn
    /// again afterwards.
    fn above_spinner(&self, print: impl FnOnce()) {
        let Ok(mut spinner) = self.spinner.lock() else {
            return print();
        };
        let had = spinner.take().is_some();
        print();
        if had && let Ok(Some((what, deadline))) = self.waiting.lock().as_deref().copied() {
            *spinner = Some(Spinner::start(what, deadline));
        }
    }
}

impl Events for UiEvents<'_> {
    fn emit(&self, event: Event) {
        match event {
            Event::AuthorizationUrl(url) => {
                // Stable prefix: scripts and tests read the URL from this line.
                self.ui.note(&format!(
                    "Open this URL to sign in: {}",
                    sanitize::line(&url)
                ));
            }
            Event::BrowserFailed(e) => self.above_spinner(|| {
                self.ui.warn(&format!("could not open a browser: {e}"));
                // What to do instead: the login keeps waiting for the callback.
                self.ui.note(
                    "hint: open the URL above in a browser on this machine and sign in; \
                     oauthctl keeps waiting until the --timeout",
                );
                self.ui.note(
                    "hint: no browser here? Stop with Ctrl-C and run the same login with \
                     `--flow device` to sign in on another device, or name a browser with \
                     `--browser-command CMD` (or BROWSER=CMD)",
                );
            }),
            Event::StillWaiting(why) => self.above_spinner(|| self.ui.note(&sanitize::line(&why))),
            Event::Waiting { what, deadline } => {
                // Under the spinner's lock, which paste-back takes to stop it for good.
                let Ok(mut s) = self.spinner.lock() else {
                    return;
                };
                if self.typing.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(mut w) = self.waiting.lock() {
                    *w = Some((what, deadline));
                }
                if self.ui.stderr_is_tty && !self.ui.quiet {
                    *s = Some(Spinner::start(what, deadline));
                }
            }
            Event::DoneWaiting => {
                if let Ok(mut s) = self.spinner.lock() {
                    s.take();
                }
            }
            Event::DeviceCode {
                user_code,
                verification_uri,
                verification_uri_complete,
            } => {
                self.ui.note(&format!(
                    "To sign in, open {} and enter the code: {}",
                    sanitize::line(&verification_uri),
                    sanitize::line(&user_code)
                ));
                if let Some(complete) = &verification_uri_complete {
                    self.ui
                        .note(&format!("Or open: {}", sanitize::line(complete)));
                }
                self.ui.note(
                    "Only enter this code on a page you opened yourself; nobody will ask you for it.",
                );
                if draws_qr(self.qr, self.ui.stderr_is_tty, self.ui.quiet)
                    && let Some(target) =
                        qr_target(&verification_uri, verification_uri_complete.as_deref())
                    && let Some(drawing) = qr::render(target)
                {
                    self.ui.note(&drawing);
                    // Cross-device flows are phished by handing the victim a code or QR
                    // code of the attacker's request (RFC 10027).
                    self.ui.note(
                        "Scan it to approve on your phone, only for this sign-in that you \
                         started yourself here just now; never scan or approve a code someone \
                         sent you.",
                    );
                }
            }
            Event::Warning(w) => self.above_spinner(|| self.ui.warn(&w)),
            Event::PasteBack { redirect_uri } => {
                // Typing and a redrawn spinner line do not mix: the spinner stops for good.
                if let Ok(mut s) = self.spinner.lock() {
                    self.typing.store(true, Ordering::SeqCst);
                    if let Ok(mut w) = self.waiting.lock() {
                        *w = None;
                    }
                    s.take();
                }
                self.ui.note(&format!(
                    "Signing in with a browser on another machine? After approving, it ends on \
                     an address starting with {} that does not load there: paste that whole \
                     address here and press Enter.",
                    sanitize::line(&redirect_uri)
                ));
            }
            Event::PasteRefused(why) => self.above_spinner(|| {
                self.ui.warn(&format!(
                    "the pasted address was not accepted: {}; still waiting (paste the \
                     address the browser ended on, or finish signing in there)",
                    sanitize::line(lowercase_first(why.trim_end_matches('.')).as_str())
                ));
            }),
        }
    }
}

/// `s` with its first letter in lower case, to continue a sentence.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// Whether the device flow's QR code is drawn: on a terminal, unless `--no-qr` or `--quiet`.
fn draws_qr(wanted: bool, stderr_is_tty: bool, quiet: bool) -> bool {
    wanted && stderr_is_tty && !quiet
}

/// What the QR code encodes: `verification_uri_complete` (the code filled in) when it is an
/// http(s) URL, else `verification_uri`; nothing else is drawn.
fn qr_target<'a>(verification_uri: &'a str, complete: Option<&'a str>) -> Option<&'a str> {
    let web = |u: &str| {
        url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
    };
    complete
        .filter(|c| web(c))
        .or_else(|| Some(verification_uri).filter(|v| web(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_drawn_only_on_a_terminal_and_when_wanted() {
        assert!(draws_qr(true, true, false));
        assert!(!draws_qr(true, false, false), "stderr is not a terminal");
        assert!(!draws_qr(false, true, false), "--no-qr");
        assert!(!draws_qr(true, true, true), "--quiet");
    }

    #[test]
    fn the_qr_code_prefers_the_complete_uri() {
        let v = "https://as.example/device";
        let c = "https://as.example/device?user_code=BCDF-GHJK";
        assert_eq!(qr_target(v, Some(c)), Some(c));
        assert_eq!(qr_target(v, None), Some(v));
        assert_eq!(qr_target(v, Some("javascript:alert(1)")), Some(v));
        assert_eq!(qr_target("not a url", Some("file:///etc/passwd")), None);
    }
}
