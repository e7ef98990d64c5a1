//! `serve --tls`: a development certificate authority, the server certificate it signs, and
//! the rustls server configuration (TLS 1.2 and 1.3, HTTP/1.1).
//!
//! The CA lives in a directory of its own: `ca.pem` (the certificate, to pass to clients as
//! `--cacert`) and `ca-key.pem` (its private key, 0600), created on first use (directory
//! 0700) and reused afterwards, so that clients keep trusting the server across restarts.
//! The server certificate is made afresh at every start, for `127.0.0.1`, `::1`,
//! `localhost` and the listen address, and is never written anywhere.
//!
//! Client certificates (RFC 8705 mTLS) are asked for but never required, and every
//! certificate is accepted at the TLS layer once the client has proved it holds the key;
//! whether a certificate authenticates a client is decided per client afterwards
//! (`super::mtls`), as RFC 8705 §2 leaves it to the authorization server.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName as HintName, SignatureScheme};

use super::keys::{read_private, write_file, write_private};

/// The CA certificate's file name in the TLS directory.
pub const CA_CERT_FILE: &str = "ca.pem";

/// The CA key's file name in the TLS directory.
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// The CA's common name.
const CA_NAME: &str = "oauthctl development CA";

/// How long a new CA is valid.
const CA_VALIDITY: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// How long a server certificate is valid (it is made afresh at every start).
const SERVER_VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// The development CA: its certificate and the key that signs server certificates.
pub(crate) struct DevCa {
    cert_pem: String,
    cert_der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
    cert_path: PathBuf,
}

impl std::fmt::Debug for DevCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCa")
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_NAME);
    dn.push(DnType::OrganizationName, "oauthctl");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn validity(params: &mut CertificateParams, lifetime: Duration) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let at = |secs: u64| {
        time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    params.not_before = at(now.saturating_sub(3600));
    params.not_after = at(now + lifetime.as_secs());
}

fn pem_der(pem: &str) -> Result<Vec<u8>, String> {
    crate::oauth::jose::pem_blocks(pem)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|(label, _)| label == "CERTIFICATE")
        .map(|(_, der)| der)
        .ok_or_else(|| "no CERTIFICATE block".to_owned())
}

impl DevCa {
    /// Loads the CA from `dir`, or creates it there (the directory 0700, the key 0600).
    pub(crate) fn open(dir: &Path) -> Result<Self, String> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if let Some(key_pem) = read_private(&key_path)? {
            let cert_pem = std::fs::read_to_string(&cert_path)
                .map_err(|e| format!("cannot read {}: {e}", cert_path.display()))?;
            let cert_der =
                pem_der(&cert_pem).map_err(|e| format!("{}: {e}", cert_path.display()))?;
            let key =
                KeyPair::from_pem(&key_pem).map_err(|e| format!("{}: {e}", key_path.display()))?;
            let ca = Self {
                cert_pem,
                cert_der,
                issuer: Issuer::new(ca_params(), key),
                cert_path,
            };
            // The pair must belong together: a certificate the key signed must chain to it.
            let (leaf, _) = ca.server_cert(None)?;
            if !super::mtls::chains_to(&leaf, &[], &ca.cert_der, UnixTime::now(), true) {
                return Err(format!(
                    "{} and {} do not belong together; remove both to make a new CA",
                    ca.cert_path.display(),
                    key_path.display()
                ));
            }
            return Ok(ca);
        }
        create_private_dir(dir)?;
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| format!("CA key: {e}"))?;
        let mut params = ca_params();
        validity(&mut params, CA_VALIDITY);
        let cert = params
            .self_signed(&key)
            .map_err(|e| format!("CA certificate: {e}"))?;
        write_private(&key_path, key.serialize_pem().as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", key_path.display()))?;
        write_file(&cert_path, cert.pem().as_bytes(), 0o644)
            .map_err(|e| format!("cannot write {}: {e}", cert_path.display()))?;
        Ok(Self {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            issuer: Issuer::new(ca_params(), key),
            cert_path,
        })
    }

    /// Where the CA certificate is: what clients pass as `--cacert`.
    pub(crate) fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    /// The CA certificate (PEM).
    pub(crate) fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate (DER).
    pub(crate) fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// A new server certificate for `127.0.0.1`, `::1`, `localhost` and `listen` (DER), with
    /// its PKCS#8 key.
    pub(crate) fn server_cert(&self, listen: Option<IpAddr>) -> Result<(Vec<u8>, Vec<u8>), String> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "oauthctl development server");
        params.distinguished_name = dn;
        let mut sans = vec![
            SanType::IpAddress(IpAddr::from([127, 0, 0, 1])),
            SanType::IpAddress(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])),
            SanType::DnsName("localhost".try_into().map_err(|e| format!("{e}"))?),
        ];
        if let Some(ip) = listen.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) {
            sans.push(SanType::IpAddress(ip));
        }
        params.subject_alt_names = sans;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        validity(&mut params, SERVER_VALIDITY);
        self.sign(&params)
    }

    /// A client certificate with common name `cn` signed by this CA (DER), with its PKCS#8
    /// key: what a `tls_client_auth` client presents.
    pub(crate) fn client_cert(&self, cn: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        params.distinguished_name = dn;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        validity(&mut params, SERVER_VALIDITY);
        self.sign(&params)
    }

    fn sign(&self, params: &CertificateParams) -> Result<(Vec<u8>, Vec<u8>), String> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| format!("key: {e}"))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| format!("certificate: {e}"))?;
        Ok((cert.der().to_vec(), key.serialize_der()))
    }

    /// The rustls configuration of a server at `listen` with a fresh certificate by this
    /// CA, asking clients for certificates (see the module documentation).
    pub(crate) fn server_config(
        &self,
        listen: Option<IpAddr>,
    ) -> Result<Arc<rustls::ServerConfig>, String> {
        let (cert, key) = self.server_cert(listen)?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = Arc::new(AnyClientCert {
            algorithms: provider.signature_verification_algorithms,
        });
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![
                    CertificateDer::from(cert),
                    CertificateDer::from(self.cert_der.clone()),
                ],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )
            .map_err(|e| format!("TLS: {e}"))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// What a running server tells about its TLS (`--tls`).
impl super::DevServer {
    /// Where the development CA's certificate is (`--tls`): what clients pass as
    /// `--cacert`.
    pub fn ca_cert_path(&self) -> Option<&std::path::Path> {
        self.app.ca.as_deref().map(DevCa::cert_path)
    }

    /// The development CA's certificate (PEM), with `--tls`.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.app.ca.as_deref().map(DevCa::cert_pem)
    }

    /// A new client certificate with common name `cn`, issued by the development CA (what a
    /// `tls_client_auth` client with `tls_client_auth_subject_dn = "CN={cn}"` presents), as
    /// PEM: (certificate, PKCS#8 private key). `None` without `--tls`.
    pub fn client_certificate(&self, cn: &str) -> Option<Result<(String, String), String>> {
        let ca = self.app.ca.as_ref()?;
        Some(ca.client_cert(cn).map(|(cert, key)| {
            (
                crate::oauth::jose::pem_block("CERTIFICATE", &cert),
                crate::oauth::jose::pem_block("PRIVATE KEY", &key),
            )
        }))
    }
}

/// Creates `dir` (and its parents) with mode 0700 where it does not exist.
fn create_private_dir(dir: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Asks every client for a certificate, requires none, and accepts any certificate whose
/// key signed the handshake; `super::mtls` decides what a certificate proves.
#[derive(Debug)]
struct AnyClientCert {
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AnyClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[HintName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_ca_is_made_once_private_and_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("serve-tls");
        let ca = DevCa::open(&dir).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(CA_KEY_FILE)), 0o600);
        assert_eq!(ca.cert_path(), dir.join(CA_CERT_FILE));
        assert!(ca.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        let again = DevCa::open(&dir).unwrap();
        assert_eq!(again.cert_der(), ca.cert_der(), "the CA is reused");
        // A server certificate from the reloaded CA chains to the first one's certificate.
        let (leaf, _) = again.server_cert(None).unwrap();
        assert!(super::super::mtls::chains_to(
            &leaf,
            &[],
            ca.cert_der(),
            UnixTime::now(),
            true
        ));
        // A key that does not belong to the certificate is refused.
        let other = tempfile::tempdir().unwrap();
        DevCa::open(other.path()).unwrap();
        std::fs::copy(other.path().join(CA_KEY_FILE), dir.join(CA_KEY_FILE)).unwrap();
        let err = DevCa::open(&dir).unwrap_err();
        assert!(err.contains("do not belong together"), "{err}");
        // A key file others can read is refused.
        std::fs::set_permissions(
            other.path().join(CA_KEY_FILE),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        assert!(DevCa::open(other.path()).unwrap_err().contains("chmod 600"));
    }

    #[test]
    fn the_server_config_speaks_http1_over_tls() {
        let dir = tempfile::tempdir().unwrap();
        let ca = DevCa::open(dir.path()).unwrap();
        let config = ca.server_config(None).unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    }
}
