//! Clients, users and lifetimes from a server-config file.

use oauthctl::devserver::{DevConfig, DevServer, User};

use super::{start, tokens};
use crate::support::jwt_parts;

#[test]
fn server_config_files_replace_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(
        &path,
        "[[users]]\nusername = \"carol\"\npassword = \"pw\"\nroles = [\"admin\"]\n\
         [lifetimes]\naccess_token = \"2m\"\n",
    )
    .unwrap();
    let file = oauthctl::devserver::ServerConfigFile::load(&path).unwrap();
    let s = start(
        DevConfig::auto_approve("alice")
            .with_file(file)
            .with_auto_approve("carol"),
    );
    let t = tokens(&s, "api:read");
    assert_eq!(t["expires_in"], 120);
    assert_eq!(
        jwt_parts(t["access_token"].as_str().unwrap()).1["sub"],
        "carol"
    );
    assert!(s.registry().user("alice").is_none());
    let _: Option<&User> = s.registry().user("carol");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[users]]\nusername = \"x\"\npasword = \"typo\"\n").unwrap();
    let err = oauthctl::devserver::ServerConfigFile::load(&bad).unwrap_err();
    assert!(err.contains("pasword") && err.contains("line"), "{err}");
    // Unknown auto-approve users are refused at start.
    assert!(DevServer::start(DevConfig::auto_approve("mallory")).is_err());
}
