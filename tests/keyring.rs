//! Token stores against the real OS keyring.
//!
//! The tests that need a working keyring are `#[ignore]`d in a plain `cargo test` and run,
//! and must pass, under a private Secret Service (scripts/test.sh does this):
//!
//! ```sh
//! scripts/with-secret-service.sh cargo test --test integration keyring -- --include-ignored
//! ```
//!
//! The fallback tests (no session bus) need no keyring and always run on Linux.
// Test code: helpers unwrap, and results are reported on stderr.
#![allow(clippy::print_stderr, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use oauthctl::oauth::grant::Grant;
use oauthctl::oauth::secret::{AccessToken, IdToken, RefreshToken};
use oauthctl::oauth::token_type::TokenType;
use oauthctl::oauth::tokens::{CacheKey, TokenSet};
use oauthctl::paths::Paths;
use oauthctl::store::StoreChoice;
use oauthctl::store::file::FileStore;
use oauthctl::store::keyring::{KeyringStore, PROBE_TIMEOUT};
use oauthctl::store::{StoreKind, TokenStore, delete_everywhere, open_store};

/// A key unique to this test run, so parallel runs and leftovers never collide.
/// The tests that need the keyring wait longer than the 1.5 s probe timeout: under a fully
/// loaded test run the private Secret Service can be slow to answer, and these tests are
/// about what is stored, not about the probe (which has tests of its own).
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

fn unique_key(test: &str) -> CacheKey {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    CacheKey::new(
        &format!(
            "https://keyring-test.invalid/{test}/{}/{nanos}",
            std::process::id()
        ),
        "oauthctl-tests",
        &["openid"],
        None,
        None,
    )
}

fn tokens(id_token_len: usize) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new("at-keyring-test"),
        token_type: TokenType::Bearer,
        expires_at: Some(2_000_000_000),
        refresh_token: Some(RefreshToken::new("rt-keyring-test")),
        id_token: Some(IdToken::new("i".repeat(id_token_len))),
        scope: vec!["openid".into()],
        grant: Grant::AuthorizationCode,
        issuer: "https://keyring-test.invalid".into(),
        client_id: "oauthctl-tests".into(),
        obtained_at: 1_900_000_000,
        dpop_key: None,
        issued_token_type: None,
    }
}

#[test]
#[ignore = "needs a Secret Service: run under scripts/with-secret-service.sh with --include-ignored"]
fn keyring_save_load_delete_round_trip() {
    let store = KeyringStore::open(BUSY_TIMEOUT).expect("the OS keyring must work here");
    let key = unique_key("round-trip");
    assert_eq!(store.load(&key).unwrap(), None);
    store.save(&key, &tokens(100)).unwrap();
    // A second, independent connection sees the same entry: it is persisted, not cached.
    let other = KeyringStore::open(BUSY_TIMEOUT).unwrap();
    assert_eq!(other.load(&key).unwrap(), Some(tokens(100)));
    let mut rotated = tokens(100);
    rotated.refresh_token = Some(RefreshToken::new("rt-rotated"));
    store.save(&key, &rotated).unwrap();
    assert_eq!(other.load(&key).unwrap(), Some(rotated));
    store.delete(&key).unwrap();
    store.delete(&key).unwrap();
    assert_eq!(other.load(&key).unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service: run under scripts/with-secret-service.sh with --include-ignored"]
fn keyring_keeps_a_dpop_key_with_its_tokens() {
    use oauthctl::oauth::dpop::ProofKey;
    use oauthctl::oauth::jose::SigningAlg;
    let store = KeyringStore::open(BUSY_TIMEOUT).expect("the OS keyring must work here");
    let key = unique_key("dpop");
    // An RSA key makes the payload larger than one keyring entry: chunked, not truncated.
    for alg in [SigningAlg::Es256, SigningAlg::Rs256] {
        let (stored, signing) = ProofKey::generate(alg).unwrap();
        let mut set = tokens(100);
        set.token_type = TokenType::DPoP;
        set.dpop_key = Some(stored);
        store.save(&key, &set).unwrap();
        let other = KeyringStore::open(BUSY_TIMEOUT).unwrap();
        let back = other.load(&key).unwrap().unwrap();
        assert_eq!(back, set);
        let again = back.dpop_key.unwrap().signing_key().unwrap();
        assert_eq!(again.thumbprint(), signing.thumbprint(), "{alg}");
    }
    store.delete(&key).unwrap();
    assert_eq!(store.load(&key).unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service: run under scripts/with-secret-service.sh with --include-ignored"]
fn keyring_large_payload_survives_chunking() {
    let store = KeyringStore::open(BUSY_TIMEOUT).expect("the OS keyring must work here");
    let key = unique_key("large");
    let big = tokens(20 * 1024);
    store.save(&key, &big).unwrap();
    let other = KeyringStore::open(BUSY_TIMEOUT).unwrap();
    assert_eq!(other.load(&key).unwrap(), Some(big));
    // Shrinking back to a single entry, then deleting, leaves nothing behind.
    store.save(&key, &tokens(10)).unwrap();
    assert_eq!(other.load(&key).unwrap(), Some(tokens(10)));
    store.save(&key, &tokens(20 * 1024)).unwrap();
    store.delete(&key).unwrap();
    assert_eq!(other.load(&key).unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service: run under scripts/with-secret-service.sh with --include-ignored"]
fn keyring_auto_picks_the_keyring_and_logout_clears_both() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);
    let (store, warning) =
        oauthctl::store::select::open_store_with_timeout(StoreChoice::Auto, &paths, BUSY_TIMEOUT)
            .unwrap();
    assert_eq!(store.kind(), StoreKind::Keyring);
    assert_eq!(warning, None);
    // A set in each store; logout removes both.
    let key = unique_key("logout");
    store.save(&key, &tokens(10)).unwrap();
    let files = FileStore::new(paths.tokens_dir());
    files.save(&key, &tokens(10)).unwrap();
    let report = delete_everywhere(&key, &paths, StoreChoice::Auto).unwrap();
    assert_eq!(report.cleared, vec![StoreKind::File, StoreKind::Keyring]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(store.load(&key).unwrap(), None);
    assert_eq!(files.load(&key).unwrap(), None);
}

/// Loads per timing measurement.
const RUNS: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "needs a Secret Service: run under scripts/with-secret-service.sh with --include-ignored"]
fn keyring_load_timings() {
    let home = tempfile::tempdir().unwrap();
    let key = unique_key("timing");
    let files = FileStore::new(home.path().join("tokens"));
    files.save(&key, &tokens(900)).unwrap();
    let start = Instant::now();
    let keyring = KeyringStore::open(BUSY_TIMEOUT).unwrap();
    let open = start.elapsed();
    keyring.save(&key, &tokens(900)).unwrap();
    let big_key = unique_key("timing-big");
    keyring.save(&big_key, &tokens(20 * 1024)).unwrap();
    let time = |store: &dyn TokenStore, key: &CacheKey| {
        median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    assert!(store.load(key).unwrap().is_some());
                    t.elapsed()
                })
                .collect(),
        )
    };
    let file_load = time(&files, &key);
    let keyring_load = time(&keyring, &key);
    let keyring_big = time(&keyring, &big_key);
    keyring.delete(&key).unwrap();
    keyring.delete(&big_key).unwrap();
    eprintln!(
        "timings (median of {RUNS}): file load {file_load:?}; keyring open+probe {open:?}; \
         keyring load {keyring_load:?}; keyring load of a 20 KiB chunked set {keyring_big:?}"
    );
}

/// Runs `child` in a fresh copy of this test binary with the session bus at `bus`.
#[cfg(all(unix, not(target_os = "macos")))]
fn run_without_dbus(child: &str, bus: &std::path::Path) -> std::process::Output {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            child,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", bus.display()),
        )
        .env("OAUTHCTL_KEYRING_CHILD", "1")
        .env_remove("OAUTHCTL_TEST_KEYRING")
        .output()
        .unwrap()
}

#[cfg(all(unix, not(target_os = "macos")))]
fn check_child(out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{stderr}"
    );
    for line in stderr.lines().filter(|l| l.contains("decided in")) {
        eprintln!("child: {line}");
    }
}

#[test]
#[cfg(all(unix, not(target_os = "macos")))]
fn keyring_absent_auto_falls_back_to_files_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_without_dbus("keyring::no_dbus_child", &dir.path().join("no-such-bus"));
    check_child(&out);
}

/// A session bus that accepts connections and never answers: the probe must give up
/// after its timeout instead of hanging.
#[test]
#[cfg(all(unix, not(target_os = "macos")))]
fn keyring_hanging_bus_auto_gives_up_after_the_probe_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let bus = dir.path().join("silent-bus");
    let listener = std::os::unix::net::UnixListener::bind(&bus).unwrap();
    std::thread::spawn(move || {
        // Keep every connection open and silent.
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let start = Instant::now();
    let out = run_without_dbus("keyring::no_dbus_child", &bus);
    check_child(&out);
    // Three probes (auto, keyring, logout) each bounded by the timeout.
    assert!(
        start.elapsed() >= PROBE_TIMEOUT * 3,
        "{:?}",
        start.elapsed()
    );
}

/// The child half of the test above; meaningful only inside `run_without_dbus`.
#[test]
#[ignore = "run by keyring_absent_auto_falls_back_to_files_quickly in a child process"]
fn no_dbus_child() {
    if std::env::var_os("OAUTHCTL_KEYRING_CHILD").is_none() {
        eprintln!("no_dbus_child: not run: only meaningful as a child process");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::resolve(Some(home.path().to_path_buf()), None, None, None);

    let start = Instant::now();
    let (store, warning) = open_store(StoreChoice::Auto, &paths).unwrap();
    let elapsed = start.elapsed();
    eprintln!("auto without a session bus decided in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(store.kind(), StoreKind::File);
    let warning = warning.expect("a warning when falling back");
    assert!(!warning.contains('\n'), "one line: {warning}");
    assert!(
        warning.contains(&paths.tokens_dir().display().to_string()),
        "{warning}"
    );
    assert!(warning.contains("--token-store keyring"), "{warning}");
    // The fallback really stores.
    let key = unique_key("fallback");
    store.save(&key, &tokens(10)).unwrap();
    assert_eq!(store.load(&key).unwrap(), Some(tokens(10)));

    let err = open_store(StoreChoice::Keyring, &paths)
        .err()
        .expect("an error");
    let err: oauthctl::Error = err.into();
    assert_eq!(err.exit_code(), 7);
    assert!(err.hint().unwrap().contains("--token-store file"));

    // Logout still clears the file store and reports the unreachable keyring.
    let report = delete_everywhere(&key, &paths, StoreChoice::Auto).unwrap();
    assert_eq!(report.cleared, vec![StoreKind::File]);
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(store.load(&key).unwrap(), None);
}
