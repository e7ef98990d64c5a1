//! What failed when an exchange failed: a network error classified by its kind (a refused
//! certificate, another TLS failure, connecting, reading), without the URL's query.

use std::io;

use url::Url;

use crate::error::{Error, NetworkKind};
use crate::oauth::url_policy;

/// A network error without the URL's query (which could hold a code), classified by what
/// failed. Timeouts are the caller's to report: only it knows which limit ran out and what
/// raises it.
pub fn network_error(url: &Url, e: &reqwest::Error) -> Error {
    let base = url_policy::display_base(url);
    let mut message = e.without_url_ref();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::network(base, network_kind(e), message)
}

/// What failed, from the error itself: a TLS error anywhere in the chain (a certificate
/// refused, or another handshake failure), else reqwest's own classification.
fn network_kind(e: &reqwest::Error) -> NetworkKind {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return tls_kind(tls);
        }
        // An `io::Error` wrapping another error reports that error's source, not the error
        // itself (the TLS stack nests them: io(Other, io(InvalidData, rustls::Error))).
        source = match err.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    if e.is_connect() {
        NetworkKind::Connect
    } else if e.is_body() || e.is_decode() {
        NetworkKind::Read
    } else {
        NetworkKind::Other
    }
}

/// A refused certificate, or another TLS failure.
fn tls_kind(e: &rustls::Error) -> NetworkKind {
    match e {
        rustls::Error::InvalidCertificate(_)
        | rustls::Error::NoCertificatesPresented
        | rustls::Error::InvalidCertRevocationList(_) => NetworkKind::Certificate,
        _ => NetworkKind::Tls,
    }
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        // reqwest appends " for url (…)"; drop it, the caller names the base URL itself.
        match text.find(" for url (") {
            Some(i) => text[..i].to_owned(),
            None => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};
    use std::sync::Arc;

    use super::*;
    use crate::http::{HttpClient, HttpOptions};

    /// A self-signed certificate for 127.0.0.1 and its key: test material only, trusted by
    /// nothing.
    const SELF_SIGNED_CERT: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBojCCAUigAwIBAgIUTGMjNya3BnK4bnY8Bu1OXs7cggcwCgYIKoZIzj0EAwIw\n\
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNDA2NDQ0NVoYDzIxMjYxMTEw\n\
MDY0NDQ1WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n\
PQMBBwNCAATxKx0tpePhXWg2bukOUGjQlLGeYbmGPLqxocBnnOiqpzBG1hXUk1Ml\n\
QKMlcfh6ZCxII7WDIE6rpXx7XkjQiilno3YwdDAdBgNVHQ4EFgQUaKuNlRPCyvdU\n\
uguIjiDzDFGxnDAwHwYDVR0jBBgwFoAUaKuNlRPCyvdUuguIjiDzDFGxnDAwDwYD\n\
VR0RBAgwBocEfwAAATAMBgNVHRMBAf8EAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMB\n\
MAoGCCqGSM49BAMCA0gAMEUCIQDxuFZA9lkXrhtNyJ83b2UjwNfYPaewM3P2iQ6w\n\
6xrgxwIgBoSoUuNgEmPTvo6QOgSrC0XlVWgqhsNm4B9zB97MvBU=\n\
-----END CERTIFICATE-----\n";
    const SELF_SIGNED_KEY: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPpWbNabokVu6Eaeu\n\
XEVLIQRI0ikPT+nPiJ0L88lShaChRANCAATxKx0tpePhXWg2bukOUGjQlLGeYbmG\n\
PLqxocBnnOiqpzBG1hXUk1MlQKMlcfh6ZCxII7WDIE6rpXx7XkjQiiln\n\
-----END PRIVATE KEY-----\n";

    /// A loopback server for one connection that runs `serve` on it; returns its port.
    fn one_connection(serve: impl FnOnce(std::net::TcpStream) + Send + 'static) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                serve(stream);
            }
        });
        port
    }

    fn fetch(url: &str) -> Error {
        let client = HttpClient::new(&HttpOptions::default()).unwrap();
        client.get_json(&Url::parse(url).unwrap()).unwrap_err()
    }

    #[test]
    fn a_refused_certificate_is_told_apart_by_the_error_itself() {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = vec![CertificateDer::from_pem_slice(SELF_SIGNED_CERT.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(SELF_SIGNED_KEY.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let port = one_connection(move |stream| {
            let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let _ = tls.read(&mut [0u8; 64]);
        });
        let err = fetch(&format!("https://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Certificate,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), 5);
        assert!(err.to_string().contains("certificate"), "{err}");
        assert!(err.hint().unwrap().contains("--cacert"));
    }

    #[test]
    fn other_transport_failures_get_their_own_kind() {
        // Plain HTTP where TLS was expected: a handshake failure, not a certificate.
        let port = one_connection(|mut stream| {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            let _ = stream.read(&mut [0u8; 64]);
        });
        let err = fetch(&format!("https://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Tls,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.hint().unwrap().contains("--cacert"));
        // Nobody listening.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = fetch(&format!("http://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Connect,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.hint().unwrap().contains("proxy settings"));
        // The connection breaks in the middle of the body.
        let port = one_connection(|mut stream| {
            let _ = stream.read(&mut [0u8; 1024]);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"keys\"");
        });
        let err = fetch(&format!("http://127.0.0.1:{port}/jwks"));
        assert!(
            matches!(
                err,
                Error::Network {
                    kind: NetworkKind::Read,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
