//! The Linux kernel keyring (keyutils) as a fast, per-login-session copy of token sets whose
//! store of record is the OS keyring (README, "Token storage"; the protocol that keeps the
//! copy true is `super::keyring_copy`).
//!
//! Which keyring: the caller's *session* keyring (`@s`), and only when the process has one
//! of its own (a login session set up by `pam_keyinit`, or `keyctl session -`). Without
//! one the kernel hands out the user-session keyring (`@us`), which every process of the
//! user without a session shares, ssh logins and cron jobs alike: then nothing is copied.
//! The user keyring (`@u`) is shared the same way, and the persistent keyring outlives the
//! login session by days; neither is used.
//!
//! Each copy is a `user` key described `oauthctl:<cache key>`, readable only by its
//! possessors (the processes of this session: possessor view, read, write, search,
//! setattr; the owning user may only see that it exists; group and others nothing), with a
//! timeout so that the kernel removes it by itself. A copy is written only while it keeps
//! the user's kernel key quota (`/proc/key-users`: `maxkeys`, `maxbytes`) at most half
//! used, leaving the rest to other users of the kernel keyring such as Kerberos ticket
//! caches, and never when it is larger than [`MAX_COPY_LEN`]: such sets are read from the
//! store of record every time.
//!
//! Only this file names the keyutils crate. Every failure here means "no copy": the
//! caller falls back to the store of record and never reports it.

use std::time::Duration;

/// How long a copy lives at most, unless `OAUTHCTL_KERNEL_KEYRING_TTL` says otherwise. A
/// copy never outlives the access token it holds either.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// Token sets whose copy would be larger than this (bytes) are not copied. The kernel
/// takes up to 32767 bytes in a `user` key, but the default quota of an unprivileged user
/// is 20000 bytes for all their keys.
pub const MAX_COPY_LEN: usize = 16 * 1024;

/// The environment variable that turns the copy off (`off`) or on (`on`, the default).
pub const SWITCH_ENV: &str = "OAUTHCTL_KERNEL_KEYRING";

/// The environment variable with the longest lifetime of a copy (a duration).
pub const TTL_ENV: &str = "OAUTHCTL_KERNEL_KEYRING_TTL";

/// Whether and for how long token sets are copied to the kernel keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyPolicy {
    /// Copies are read and written.
    pub enabled: bool,
    /// The longest lifetime of a copy.
    pub ttl: Duration,
}

impl CopyPolicy {
    /// The policy set by [`SWITCH_ENV`] and [`TTL_ENV`].
    pub fn from_env() -> Self {
        Self::parse(
            std::env::var(SWITCH_ENV).ok().as_deref(),
            std::env::var(TTL_ENV).ok().as_deref(),
        )
    }

    /// The policy for these variable values. The switch is on when unset, empty, `on`,
    /// `1`, `true` or `yes`, and off for anything else: a value that is not understood
    /// never keeps tokens in kernel memory. A TTL that is zero or not a duration turns the
    /// copy off for the same reason.
    pub fn parse(switch: Option<&str>, ttl: Option<&str>) -> Self {
        let on = switch.map(str::trim).is_none_or(|v| {
            v.is_empty()
                || ["on", "1", "true", "yes"]
                    .iter()
                    .any(|w| v.eq_ignore_ascii_case(w))
        });
        let ttl = match ttl.map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(DEFAULT_TTL),
            Some(v) => crate::text::duration::parse(v)
                .ok()
                .filter(|d| d.as_secs() > 0),
        };
        match ttl {
            Some(ttl) if on => Self { enabled: true, ttl },
            _ => Self {
                enabled: false,
                ttl: DEFAULT_TTL,
            },
        }
    }
}

/// The description of the kernel key that holds the copy of the set cached under `key`
/// (a 64-character hex cache key, so never anything a user typed).
pub fn copy_description(key: &crate::oauth::tokens::CacheKey) -> String {
    format!("oauthctl:{}", key.as_str())
}

/// Why a copy was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCopied {
    /// Larger than [`MAX_COPY_LEN`].
    TooLarge,
    /// It would take the user's key quota above half (or the kernel refused it for quota).
    Quota,
    /// The kernel refused it (the reason, without any payload).
    Refused(String),
}

/// One line of `/proc/key-users`, the key quota of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Quota {
    keys: u64,
    max_keys: u64,
    bytes: u64,
    max_bytes: u64,
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
impl Quota {
    /// The line for `uid` in the text of `/proc/key-users`
    /// (`uid: usage nkeys/nikeys qnkeys/maxkeys qnbytes/maxbytes`).
    fn parse(text: &str, uid: u32) -> Option<Self> {
        let line = text.lines().find(|l| {
            l.trim_start()
                .split_once(':')
                .is_some_and(|(u, _)| u.parse() == Ok(uid))
        })?;
        let mut fields = line.split_whitespace().skip(3);
        let pair = |f: Option<&str>| -> Option<(u64, u64)> {
            let (a, b) = f?.split_once('/')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        };
        let (keys, max_keys) = pair(fields.next())?;
        let (bytes, max_bytes) = pair(fields.next())?;
        Some(Self {
            keys,
            max_keys,
            bytes,
            max_bytes,
        })
    }

    /// Whether one more key of `cost` bytes keeps the quota at most half used.
    fn leaves_half(self, cost: usize) -> bool {
        let cost = u64::try_from(cost).unwrap_or(u64::MAX);
        self.keys.saturating_add(1) <= self.max_keys / 2
            && self.bytes.saturating_add(cost) <= self.max_bytes / 2
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use linux_keyutils::{KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};

    use super::{MAX_COPY_LEN, NotCopied, Quota};

    /// The caller's own session keyring.
    #[derive(Debug)]
    pub(crate) struct SessionKeyring {
        ring: KeyRing,
    }

    impl SessionKeyring {
        /// The session keyring, when the process has one of its own (not the user-session
        /// keyring the kernel stands in with when there is none).
        pub(crate) fn own() -> Option<Self> {
            // Without `create` the kernel never makes a new session keyring here; without a
            // session keyring it answers with the user-session keyring.
            let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false).ok()?;
            let user_session =
                KeyRing::from_special_id(KeyRingIdentifier::UserSession, false).ok()?;
            (session != user_session).then_some(Self { ring: session })
        }

        /// The payload of the key described `description`, if this session holds one.
        pub(crate) fn read(&self, description: &str) -> Option<Vec<u8>> {
            let key = self.ring.search(description).ok()?;
            key.read_to_vec().ok()
        }

        /// Creates or replaces the key described `description`, private to the session's
        /// processes, removed by the kernel after `timeout_secs`.
        pub(crate) fn write(
            &self,
            description: &str,
            payload: &[u8],
            timeout_secs: u64,
        ) -> Result<(), NotCopied> {
            if payload.len() > MAX_COPY_LEN {
                self.remove(description);
                return Err(NotCopied::TooLarge);
            }
            // The kernel charges the description, its NUL and the payload to the quota.
            let cost = description.len() + 1 + payload.len();
            let uid = rustix::process::geteuid().as_raw();
            let quota = std::fs::read_to_string("/proc/key-users")
                .ok()
                .and_then(|t| Quota::parse(&t, uid));
            if quota.is_some_and(|q| !q.leaves_half(cost)) {
                self.remove(description);
                return Err(NotCopied::Quota);
            }
            let key = self.ring.add_key(description, payload).map_err(|e| {
                self.remove(description);
                refused(e)
            })?;
            let perms = KeyPermissionsBuilder::builder()
                .posessor(
                    Permission::VIEW
                        | Permission::READ
                        | Permission::WRITE
                        | Permission::SEARCH
                        | Permission::SETATTR,
                )
                .user(Permission::VIEW)
                .build();
            // Replacing a key's payload clears its timeout: set both again every time.
            let seconds = usize::try_from(timeout_secs.max(1)).unwrap_or(usize::MAX);
            key.set_timeout(seconds)
                .and_then(|()| key.set_perms(perms))
                .map_err(|e| {
                    let _ = key.invalidate();
                    refused(e)
                })
        }

        /// Removes the key described `description`; absent is fine.
        pub(crate) fn remove(&self, description: &str) {
            if let Ok(key) = self.ring.search(description)
                && key.invalidate().is_err()
            {
                let _ = self.ring.unlink_key(key);
            }
        }
    }

    fn refused(e: KeyError) -> NotCopied {
        match e {
            KeyError::QuotaExceeded => NotCopied::Quota,
            other => NotCopied::Refused(format!("{other:?}")),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::NotCopied;

    /// There is no kernel keyring here: never a session keyring.
    #[derive(Debug)]
    pub(crate) struct SessionKeyring;

    impl SessionKeyring {
        pub(crate) fn own() -> Option<Self> {
            None
        }

        pub(crate) fn read(&self, _description: &str) -> Option<Vec<u8>> {
            None
        }

        pub(crate) fn write(
            &self,
            _description: &str,
            _payload: &[u8],
            _timeout_secs: u64,
        ) -> Result<(), NotCopied> {
            Err(NotCopied::Refused("no kernel keyring".into()))
        }

        pub(crate) fn remove(&self, _description: &str) {}
    }
}

pub(crate) use imp::SessionKeyring;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_is_on_by_default_and_off_for_anything_unknown() {
        let on = CopyPolicy {
            enabled: true,
            ttl: DEFAULT_TTL,
        };
        assert_eq!(CopyPolicy::parse(None, None), on);
        for v in ["", "on", "ON", "1", "true", "yes", " on "] {
            assert_eq!(CopyPolicy::parse(Some(v), None), on, "{v:?}");
        }
        for v in ["off", "0", "false", "no", "disable", "nope"] {
            assert!(!CopyPolicy::parse(Some(v), None).enabled, "{v:?}");
        }
    }

    #[test]
    fn the_ttl_is_a_duration_and_zero_or_garbage_turns_the_copy_off() {
        let p = CopyPolicy::parse(None, Some("15m"));
        assert!(p.enabled);
        assert_eq!(p.ttl, Duration::from_secs(900));
        assert_eq!(
            CopyPolicy::parse(Some("on"), Some("90")).ttl,
            Duration::from_secs(90)
        );
        assert!(!CopyPolicy::parse(None, Some("0")).enabled);
        assert!(!CopyPolicy::parse(None, Some("soon")).enabled);
        assert!(!CopyPolicy::parse(Some("off"), Some("15m")).enabled);
    }

    #[test]
    fn quota_lines_are_parsed_for_the_right_user() {
        let text = "    0:     9 8/8 3/1000000 40/25000000\n 1000:     4 4/4 4/200 1800/20000\n";
        assert_eq!(
            Quota::parse(text, 1000),
            Some(Quota {
                keys: 4,
                max_keys: 200,
                bytes: 1800,
                max_bytes: 20000
            })
        );
        assert_eq!(Quota::parse(text, 0).unwrap().max_bytes, 25_000_000);
        assert_eq!(Quota::parse(text, 42), None);
        assert_eq!(Quota::parse("garbage\n 7: x y z\n", 7), None);
    }

    #[test]
    fn a_copy_may_use_at_most_half_of_the_quota() {
        let q = Quota {
            keys: 4,
            max_keys: 200,
            bytes: 1800,
            max_bytes: 20000,
        };
        assert!(q.leaves_half(8000));
        assert!(!q.leaves_half(8201));
        let full = Quota { keys: 100, ..q };
        assert!(!full.leaves_half(10));
    }

    #[test]
    fn descriptions_name_the_cache_key() {
        let key = crate::oauth::tokens::CacheKey::new("https://i", "c", &["openid"], None, None);
        assert_eq!(copy_description(&key), format!("oauthctl:{}", key.as_str()));
    }
}
