//! Mutual TLS (RFC 8705): the client certificate a client authenticates with
//! (`tls_client_auth`, `self_signed_tls_client_auth`) and that certificate-bound tokens are
//! tied to (`cnf.x5t#S256`, §3.1).
//!
//! Pure: the certificate and key arrive as PEM text; reading the files is the caller's, and
//! presenting them is the HTTP client's.

use std::fmt;

use super::jose::{self, SigningKey};
use super::secret::PrivateKeyPem;

/// Why a client certificate or key cannot be used. Messages never quote key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// No `CERTIFICATE` block in the certificate file.
    #[error("no PEM certificate found (expected a -----BEGIN CERTIFICATE----- block)")]
    NoCertificate,
    /// The certificate file's PEM is broken.
    #[error("the certificate file is not valid PEM")]
    BadPem,
    /// The key file holds no private key oauthctl can use.
    #[error("{0}")]
    Key(jose::KeyError),
}

/// A client certificate (with any intermediate certificates after it) and its private key.
/// `Debug` shows only the thumbprint.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The certificate chain, PEM, the client's own certificate first.
    chain_pem: String,
    /// The private key, PEM.
    key_pem: PrivateKeyPem,
    /// The `x5t#S256` of the client's certificate.
    thumbprint: String,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

/// The DER of every `CERTIFICATE` block in `pem`, in order.
fn certificates(pem: &str) -> Result<Vec<Vec<u8>>, CertError> {
    let blocks = jose::pem_blocks(pem).map_err(|e| match e {
        jose::KeyError::NoKey => CertError::NoCertificate,
        _ => CertError::BadPem,
    })?;
    let certs: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|(label, _)| label == "CERTIFICATE")
        .map(|(_, der)| der)
        .collect();
    if certs.is_empty() {
        return Err(CertError::NoCertificate);
    }
    Ok(certs)
}

/// The `x5t#S256` (RFC 8705 §3.1) of the first certificate in `pem`: the SHA-256 of its
/// DER, base64url.
pub fn x5t_s256(pem: &str) -> Result<String, CertError> {
    let certs = certificates(pem)?;
    Ok(jose::sha256_b64url(&certs[0]))
}

impl ClientCertificate {
    /// The certificate (chain) in `cert_pem` with the private key in `key_pem`. The key must
    /// be an unencrypted RSA, EC or Ed25519 key; whether it belongs to the certificate is
    /// checked when the TLS client is set up.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, CertError> {
        let thumbprint = x5t_s256(cert_pem)?;
        // The key's form and type; the key itself stays PEM for the TLS stack.
        SigningKey::from_pem(key_pem, None).map_err(CertError::Key)?;
        let chain: String = certificates(cert_pem)?
            .iter()
            .map(|der| jose::pem_block("CERTIFICATE", der))
            .collect();
        Ok(Self {
            chain_pem: chain,
            key_pem: PrivateKeyPem::new(key_pem.to_owned()),
            thumbprint,
        })
    }

    /// The `x5t#S256` of the client's certificate: what a certificate-bound token's `cnf`
    /// names.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The certificate chain and the key as one PEM document (what a TLS client identity
    /// is made from). Callers treat it as a secret.
    pub fn identity_pem(&self) -> Vec<u8> {
        let mut out = self.chain_pem.clone().into_bytes();
        out.extend_from_slice(self.key_pem.expose().as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::jose::SigningAlg;

    /// A self-signed certificate for 127.0.0.1 (test material only, trusted by nothing).
    const CERT: &str = "\
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

    #[test]
    fn the_thumbprint_is_the_sha256_of_the_der() {
        let der = &jose::pem_blocks(CERT).unwrap()[0].1;
        let want = jose::sha256_b64url(der);
        assert_eq!(x5t_s256(CERT).unwrap(), want);
        assert_eq!(want.len(), 43);
        // Text around the block (openssl's `Certificate:` dump) is ignored.
        let noisy = format!("Certificate:\n    Data: …\n{CERT}");
        assert_eq!(x5t_s256(&noisy).unwrap(), want);
    }

    #[test]
    fn a_certificate_and_its_key_make_an_identity() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let c = ClientCertificate::from_pem(CERT, &key.private_pem()).unwrap();
        assert_eq!(c.thumbprint(), x5t_s256(CERT).unwrap());
        let pem = String::from_utf8(c.identity_pem()).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(pem.contains("-----BEGIN PRIVATE KEY-----"));
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("PRIVATE") && shown.contains(c.thumbprint()),
            "{shown}"
        );
    }

    #[test]
    fn bad_files_are_clear_errors() {
        let key = SigningKey::generate(SigningAlg::Es256)
            .unwrap()
            .private_pem();
        assert_eq!(
            ClientCertificate::from_pem("nothing", &key).unwrap_err(),
            CertError::NoCertificate
        );
        assert_eq!(
            ClientCertificate::from_pem(&key, &key).unwrap_err(),
            CertError::NoCertificate,
            "a key where the certificate belongs"
        );
        assert_eq!(
            ClientCertificate::from_pem(
                "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
                &key
            )
            .unwrap_err(),
            CertError::BadPem
        );
        let e = ClientCertificate::from_pem(CERT, CERT).unwrap_err();
        assert!(matches!(e, CertError::Key(jose::KeyError::NoKey)), "{e:?}");
    }
}
