//! Hash and crypto functions: base64sha256 base64sha512 bcrypt
//! filebase64sha256 filebase64sha512 filemd5 filesha1 filesha256 filesha512
//! md5 sha1 sha256 sha512 uuid uuidv5. Each row names an algorithm, a
//! source (the string, or the file it names) and an output form; [`digest`]
//! does the rest. `uuid()` and `bcrypt()` give a new value each call, so
//! like Terraform they are unknown while planning and computed when the
//! change is applied.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::filesystem::read_bytes;
use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::error::ExprError;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "hashing";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "base64sha256",
        "base64sha256(string)",
        "the SHA-256 hash of string, in Base64",
        1,
        Some(1),
        base64sha256,
    ),
    row(
        "base64sha512",
        "base64sha512(string)",
        "the SHA-512 hash of string, in Base64",
        1,
        Some(1),
        base64sha512,
    ),
    row(
        "bcrypt",
        "bcrypt(string[, cost])",
        "the bcrypt hash of string with cost (default 10) (known after up)",
        1,
        Some(2),
        bcrypt,
    ),
    row(
        "filebase64sha256",
        "filebase64sha256(path)",
        "the SHA-256 hash of the file at path, in Base64",
        1,
        Some(1),
        filebase64sha256,
    ),
    row(
        "filebase64sha512",
        "filebase64sha512(path)",
        "the SHA-512 hash of the file at path, in Base64",
        1,
        Some(1),
        filebase64sha512,
    ),
    row(
        "filemd5",
        "filemd5(path)",
        "the MD5 hash of the file at path, in hex",
        1,
        Some(1),
        filemd5,
    ),
    row(
        "filesha1",
        "filesha1(path)",
        "the SHA-1 hash of the file at path, in hex",
        1,
        Some(1),
        filesha1,
    ),
    row(
        "filesha256",
        "filesha256(path)",
        "the SHA-256 hash of the file at path, in hex",
        1,
        Some(1),
        filesha256,
    ),
    row(
        "filesha512",
        "filesha512(path)",
        "the SHA-512 hash of the file at path, in hex",
        1,
        Some(1),
        filesha512,
    ),
    row(
        "md5",
        "md5(string)",
        "the MD5 hash of string, in hex",
        1,
        Some(1),
        md5,
    ),
    row(
        "sha1",
        "sha1(string)",
        "the SHA-1 hash of string, in hex",
        1,
        Some(1),
        sha1,
    ),
    row(
        "sha256",
        "sha256(string)",
        "the SHA-256 hash of string, in hex",
        1,
        Some(1),
        sha256,
    ),
    row(
        "sha512",
        "sha512(string)",
        "the SHA-512 hash of string, in hex",
        1,
        Some(1),
        sha512,
    ),
    row(
        "uuid",
        "uuid()",
        "a new random UUID (known after up)",
        0,
        Some(0),
        uuid,
    ),
    row(
        "uuidv5",
        "uuidv5(namespace, name)",
        "the name-based UUID of name in namespace (dns, url, oid, x500 or a UUID)",
        2,
        Some(2),
        uuidv5,
    ),
];

#[derive(Clone, Copy)]
enum Algorithm {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

/// Where the bytes to hash come from.
#[derive(Clone, Copy)]
enum Source {
    /// The string argument's UTF-8 bytes.
    Text,
    /// The file the argument names.
    File,
}

#[derive(Clone, Copy)]
enum Output {
    Hex,
    Base64,
}

fn hash(algorithm: Algorithm, bytes: &[u8]) -> Vec<u8> {
    match algorithm {
        Algorithm::Md5 => <md5::Md5 as md5::Digest>::digest(bytes).to_vec(),
        Algorithm::Sha1 => <sha1::Sha1 as sha1::Digest>::digest(bytes).to_vec(),
        Algorithm::Sha256 => <sha2::Sha256 as sha2::Digest>::digest(bytes).to_vec(),
        Algorithm::Sha512 => <sha2::Sha512 as sha2::Digest>::digest(bytes).to_vec(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes argument 0 as `source` says and writes the digest as `output`.
fn digest(
    c: &Call<'_>,
    source: Source,
    algorithm: Algorithm,
    output: Output,
) -> Result<Value, ExprError> {
    let bytes = match source {
        Source::Text => c.str(0)?.as_bytes().to_vec(),
        Source::File => read_bytes(c, 0)?,
    };
    let d = hash(algorithm, &bytes);
    Ok(Value::String(match output {
        Output::Hex => hex(&d),
        Output::Base64 => BASE64.encode(d),
    }))
}

fn base64sha256(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::Text, Algorithm::Sha256, Output::Base64)
}
fn base64sha512(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::Text, Algorithm::Sha512, Output::Base64)
}
fn filebase64sha256(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::File, Algorithm::Sha256, Output::Base64)
}
fn filebase64sha512(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::File, Algorithm::Sha512, Output::Base64)
}
fn filemd5(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::File, Algorithm::Md5, Output::Hex)
}
fn filesha1(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::File, Algorithm::Sha1, Output::Hex)
}
fn filesha256(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::File, Algorithm::Sha256, Output::Hex)
}
fn filesha512(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::File, Algorithm::Sha512, Output::Hex)
}
fn md5(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::Text, Algorithm::Md5, Output::Hex)
}
fn sha1(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::Text, Algorithm::Sha1, Output::Hex)
}
fn sha256(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::Text, Algorithm::Sha256, Output::Hex)
}
fn sha512(c: &Call<'_>) -> Result<Value, ExprError> {
    digest(c, Source::Text, Algorithm::Sha512, Output::Hex)
}

fn bcrypt(c: &Call<'_>) -> Result<Value, ExprError> {
    let password = c.str(0)?;
    let cost = if c.len() > 1 { c.int(1)? } else { 10 };
    let cost = u32::try_from(cost)
        .ok()
        .filter(|n| (4..=31).contains(n))
        .ok_or_else(|| c.err(1, format!("the cost must be between 4 and 31, not {cost}")))?;
    if !c.scope().applying() {
        return Ok(Value::Unknown);
    }
    bcrypt::hash_with_result(password.as_bytes(), cost)
        .map(|h| Value::String(h.format_for_version(bcrypt::Version::TwoA)))
        .map_err(|e| c.call_err(format!("cannot hash: {e}")))
}

/// 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
fn uuid_text(b: &[u8; 16]) -> String {
    let h = hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Sets the version nibble and the RFC 4122 variant bits.
fn stamp(mut b: [u8; 16], version: u8) -> [u8; 16] {
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

fn uuid(c: &Call<'_>) -> Result<Value, ExprError> {
    if !c.scope().applying() {
        return Ok(Value::Unknown);
    }
    Ok(Value::String(uuid_text(&stamp(rand::random(), 4))))
}

/// A UUID in its text form (with or without hyphens, braces or `urn:uuid:`).
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let s = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(s);
    let digits: Vec<u8> = s.bytes().filter(|b| *b != b'-').collect();
    if digits.len() != 32 || (s.len() != 32 && s.len() != 36) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

fn uuidv5(c: &Call<'_>) -> Result<Value, ExprError> {
    let ns = c.str(0)?;
    let namespace = match &*ns {
        "dns" => parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        "url" => parse_uuid("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        "oid" => parse_uuid("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
        "x500" => parse_uuid("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
        other => parse_uuid(other),
    }
    .ok_or_else(|| {
        c.err(0, format!("{} is not a UUID namespace", c.shown(&ns)))
            .with_hint("use \"dns\", \"url\", \"oid\", \"x500\" or a UUID")
    })?;
    let mut input = namespace.to_vec();
    input.extend_from_slice(c.str(1)?.as_bytes());
    let d = hash(Algorithm::Sha1, &input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    Ok(Value::String(uuid_text(&stamp(b, 5))))
}
