//! Mutual-TLS client authentication and certificate-bound tokens (RFC 8705): what a client
//! certificate presented on a `serve --tls` connection proves.
//!
//! - `tls_client_auth` (§2.1): the certificate chains to the development CA and names the
//!   client as registered, by subject distinguished name (RFC 4514 string, compared per
//!   attribute, case-insensitively) or by a DNS or URI subject alternative name.
//! - `self_signed_tls_client_auth` (§2.2): the certificate is one of those in the `x5c` of
//!   the client's registered JWKS.
//! - Bound tokens (§3): `cnf.x5t#S256` is the base64url SHA-256 of the certificate's DER.
//!
//! Pure: certificates come in as DER.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustls::pki_types::{CertificateDer, UnixTime};
use serde_json::Value;

use crate::oauth::jose;

pub(crate) use crate::httpd::PeerCertificates;

/// The `x5t#S256` of a certificate (RFC 8705 §3.1).
pub(crate) fn x5t_s256(der: &[u8]) -> String {
    jose::sha256_b64url(der)
}

/// Whether `leaf` (with `intermediates`) chains to the CA certificate `ca` at `now`, for
/// server authentication (`server`) or client authentication.
pub(crate) fn chains_to(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    ca: &[u8],
    now: UnixTime,
    server: bool,
) -> bool {
    let ca = CertificateDer::from(ca);
    let Ok(anchor) = webpki::anchor_from_trusted_cert(&ca) else {
        return false;
    };
    let leaf = CertificateDer::from(leaf);
    let Ok(cert) = webpki::EndEntityCert::try_from(&leaf) else {
        return false;
    };
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let usage = if server {
        webpki::KeyUsage::server_auth()
    } else {
        webpki::KeyUsage::client_auth()
    };
    cert.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &intermediates,
        now,
        usage,
        None,
        None,
    )
    .is_ok()
}

/// The DNS names among the certificate's subject alternative names.
pub(crate) fn san_dns(der: &[u8]) -> Vec<String> {
    let der = CertificateDer::from(der);
    webpki::EndEntityCert::try_from(&der)
        .map(|c| c.valid_dns_names().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The URIs among the certificate's subject alternative names.
pub(crate) fn san_uri(der: &[u8]) -> Vec<String> {
    let der = CertificateDer::from(der);
    webpki::EndEntityCert::try_from(&der)
        .map(|c| c.valid_uri_names().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// One attribute of a distinguished name: its type (a short name such as `CN`, or a dotted
/// OID) and its value.
type Ava = (String, String);

/// The short names of RFC 4514 §3 (and `emailAddress`, which OpenSSL writes), by OID.
const SHORT_NAMES: [(&str, &str); 10] = [
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("1.2.840.113549.1.9.1", "EMAILADDRESS"),
];

fn attribute_type(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    let upper = upper.strip_prefix("OID.").unwrap_or(&upper).to_owned();
    SHORT_NAMES
        .iter()
        .find(|(oid, _)| *oid == upper)
        .map_or(upper.clone(), |(_, short)| (*short).to_owned())
}

fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![u8::try_from(len).unwrap_or(0)];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | u8::try_from(bytes.len()).unwrap_or(0)];
    out.extend(bytes);
    out
}

/// The text of a directory string (UTF8String, PrintableString, IA5String, TeletexString,
/// VisibleString, BMPString, UniversalString).
fn directory_string(tag: u64, bytes: &[u8]) -> Option<String> {
    match tag {
        12 | 19 | 20 | 22 | 26 => Some(String::from_utf8_lossy(bytes).into_owned()),
        30 => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        28 => Some(
            bytes
                .chunks(4)
                .filter_map(|c| {
                    let b: [u8; 4] = c.try_into().ok()?;
                    char::from_u32(u32::from_be_bytes(b))
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The subject of a certificate as RDNs in RFC 4514 order (the last RDN of the DER first).
pub(crate) fn subject(der: &[u8]) -> Option<Vec<Vec<Ava>>> {
    let der = CertificateDer::from(der);
    let cert = webpki::EndEntityCert::try_from(&der).ok()?;
    let contents = cert.subject();
    let mut name = vec![0x30];
    name.extend(der_length(contents.len()));
    name.extend_from_slice(contents);
    let mut rdns = yasna::parse_der(&name, |r| {
        r.collect_sequence_of(|r| {
            r.collect_set_of(|r| {
                r.read_sequence(|r| {
                    let oid = r.next().read_oid()?;
                    let value = r.next().read_tagged_der()?;
                    let text = directory_string(value.tag().tag_number, value.value())
                        .ok_or_else(|| yasna::ASN1Error::new(yasna::ASN1ErrorKind::Invalid))?;
                    let dotted = oid
                        .components()
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(".");
                    Ok((attribute_type(&dotted), text))
                })
            })
        })
    })
    .ok()?;
    rdns.reverse();
    Some(rdns)
}

/// Parses an RFC 4514 string (`CN=client,O=Example\, Inc.,C=DE`) into RDNs.
pub(crate) fn parse_dn(text: &str) -> Option<Vec<Vec<Ava>>> {
    let mut rdns = vec![Vec::new()];
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let push = |rdns: &mut Vec<Vec<Ava>>, current: &mut String| -> Option<()> {
        let (ty, value) = current.split_once('\u{0}')?;
        rdns.last_mut()?
            .push((attribute_type(ty), value.trim().to_owned()));
        current.clear();
        Some(())
    };
    let mut in_value = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_value => {
                let next = chars.next()?;
                if next.is_ascii_hexdigit() {
                    let low = chars.next().filter(char::is_ascii_hexdigit)?;
                    let byte = u8::from_str_radix(&format!("{next}{low}"), 16).ok()?;
                    current.push(char::from(byte));
                } else {
                    current.push(next);
                }
            }
            '=' if !in_value => {
                current.push('\u{0}');
                in_value = true;
            }
            ',' | '+' if in_value => {
                push(&mut rdns, &mut current)?;
                in_value = false;
                if c == ',' {
                    rdns.push(Vec::new());
                }
            }
            _ => current.push(c),
        }
    }
    if !in_value {
        return None;
    }
    push(&mut rdns, &mut current)?;
    Some(rdns)
}

fn normalised(rdns: Vec<Vec<Ava>>) -> Vec<Vec<Ava>> {
    rdns.into_iter()
        .map(|rdn| {
            let mut avas: Vec<Ava> = rdn
                .into_iter()
                .map(|(t, v)| {
                    let words: Vec<&str> = v.split_whitespace().collect();
                    (t, words.join(" ").to_lowercase())
                })
                .collect();
            avas.sort();
            avas
        })
        .collect()
}

/// Whether the certificate's subject is the registered RFC 4514 distinguished name
/// (attribute types by name or OID, values compared case-insensitively with insignificant
/// spaces removed, multi-valued RDNs in any order).
pub(crate) fn subject_matches(der: &[u8], registered: &str) -> bool {
    match (subject(der), parse_dn(registered)) {
        (Some(presented), Some(expected)) => normalised(presented) == normalised(expected),
        _ => false,
    }
}

/// Whether `der` is the first certificate of an `x5c` in the JWKS `jwks`
/// (`self_signed_tls_client_auth`, RFC 8705 §2.2).
pub(crate) fn registered_in_jwks(jwks: &Value, der: &[u8]) -> bool {
    jwks.get("keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|key| key.get("x5c")?.as_array()?.first()?.as_str())
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|registered| registered == der)
}

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
    use serde_json::json;

    use super::*;

    fn self_signed(dn: &[(DnType, &str)], sans: Vec<SanType>) -> Vec<u8> {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        for (ty, value) in dn {
            name.push(ty.clone(), *value);
        }
        params.distinguished_name = name;
        params.subject_alt_names = sans;
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn subjects_read_in_rfc4514_order() {
        let der = self_signed(
            &[
                (DnType::CountryName, "DE"),
                (DnType::OrganizationName, "Example, Inc."),
                (DnType::CommonName, "oauthctl-mtls"),
            ],
            vec![],
        );
        let s = subject(&der).unwrap();
        assert_eq!(
            s,
            vec![
                vec![("CN".to_owned(), "oauthctl-mtls".to_owned())],
                vec![("O".to_owned(), "Example, Inc.".to_owned())],
                vec![("C".to_owned(), "DE".to_owned())],
            ]
        );
        for same in [
            "CN=oauthctl-mtls,O=Example\\, Inc.,C=DE",
            "cn = OAUTHCTL-mtls , o=example\\2c inc. , c=de",
            "2.5.4.3=oauthctl-mtls,O=Example\\, Inc.,OID.2.5.4.6=DE",
        ] {
            assert!(subject_matches(&der, same), "{same}");
        }
        for other in [
            "CN=oauthctl-mtls",
            "C=DE,O=Example\\, Inc.,CN=oauthctl-mtls",
            "CN=oauthctl-mtls2,O=Example\\, Inc.,C=DE",
            "CN=oauthctl-mtls,O=Example,C=DE",
            "not a dn",
            "",
        ] {
            assert!(!subject_matches(&der, other), "{other}");
        }
    }

    #[test]
    fn subject_alternative_names_and_thumbprints() {
        let der = self_signed(
            &[(DnType::CommonName, "x")],
            vec![
                SanType::DnsName("client.example".try_into().unwrap()),
                SanType::URI("spiffe://example/cli".try_into().unwrap()),
            ],
        );
        assert_eq!(san_dns(&der), ["client.example"]);
        assert_eq!(san_uri(&der), ["spiffe://example/cli"]);
        assert_eq!(x5t_s256(&der), jose::sha256_b64url(&der));
        assert_eq!(x5t_s256(&der).len(), 43);
    }

    #[test]
    fn self_signed_certificates_match_the_registered_x5c() {
        let der = self_signed(&[(DnType::CommonName, "self")], vec![]);
        let other = self_signed(&[(DnType::CommonName, "self")], vec![]);
        let jwks = json!({"keys": [
            {"kty": "EC", "x5c": ["!!!"]},
            {"kty": "EC", "x5c": [STANDARD.encode(&der)]},
        ]});
        assert!(registered_in_jwks(&jwks, &der));
        assert!(!registered_in_jwks(&jwks, &other));
        assert!(!registered_in_jwks(&json!({}), &der));
    }

    #[test]
    fn chains_are_checked_against_the_ca() {
        let dir = tempfile::tempdir().unwrap();
        let ca = super::super::tls::DevCa::open(dir.path()).unwrap();
        let (client, _) = ca.client_cert("oauthctl-mtls").unwrap();
        let now = UnixTime::now();
        assert!(chains_to(&client, &[], ca.cert_der(), now, false));
        assert!(
            !chains_to(&client, &[], ca.cert_der(), now, true),
            "not a server cert"
        );
        let stranger = self_signed(&[(DnType::CommonName, "oauthctl-mtls")], vec![]);
        assert!(!chains_to(&stranger, &[], ca.cert_der(), now, false));
        assert!(subject_matches(&client, "CN=oauthctl-mtls"));
        assert!(!chains_to(b"garbage", &[], ca.cert_der(), now, false));
    }
}
