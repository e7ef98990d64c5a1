//! PEM armour (RFC 7468): reading every block of a key file, writing one block.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::KeyError;

/// A PEM block with 64-character lines.
pub fn pem_block(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// Every PEM block in `text` as (label, DER). Text outside blocks is ignored (OpenSSL writes
/// `EC PARAMETERS` blocks and comments before keys); a block that does not end is an error.
pub fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some((label, body)) = current.as_mut() {
            if let Some(end) = line
                .strip_prefix("-----END ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                if end != label {
                    return Err(KeyError::BadPem);
                }
                let der = STANDARD
                    .decode(body.as_bytes())
                    .map_err(|_| KeyError::BadPem)?;
                out.push((std::mem::take(label), der));
                current = None;
            } else if line.contains(':') {
                // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`): an encrypted key.
                return Err(KeyError::Unsupported);
            } else {
                body.push_str(line);
            }
        } else if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_owned(), String::new()));
        }
    }
    if current.is_some() {
        return Err(KeyError::BadPem);
    }
    if out.is_empty() {
        return Err(KeyError::NoKey);
    }
    Ok(out)
}
