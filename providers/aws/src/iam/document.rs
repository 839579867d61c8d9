//! JSON documents (IAM policies, ECR lifecycle policies, container
//! definitions) as read back from AWS: IAM returns them URL-encoded and every
//! service may reformat them, so they are compared by meaning, not by text.

/// The text to report as read back: the declared text when it means the same
/// JSON as what AWS holds (so reformatting is not drift), else AWS's text.
pub(crate) fn read_back_json(declared: Option<&str>, actual: &str) -> String {
    match declared {
        Some(d) if same_json(d, actual) => d.to_string(),
        _ => actual.to_string(),
    }
}

/// True when both texts parse as JSON and are equal as values.
pub(crate) fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Decodes the percent-encoding IAM applies to policy documents it returns
/// (RFC 3986; `+` also stands for a space, as IAM encodes form-style).
/// Text that is not encoded comes back unchanged.
pub(crate) fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A policy document as IAM returns it, decoded when it is URL-encoded.
/// A raw JSON document (as some emulators return) is left alone, since a
/// literal `+` or `%` in it is not an escape.
pub(crate) fn decode_policy(s: &str) -> String {
    if s.trim_start().starts_with('{') {
        s.to_string()
    } else {
        url_decode(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_decoding() {
        assert_eq!(
            url_decode("%7B%22Version%22%3A%20%222012-10-17%22%7D"),
            r#"{"Version": "2012-10-17"}"#
        );
        assert_eq!(url_decode("a+b%2"), "a b%2");
        assert_eq!(url_decode("100%zz"), "100%zz");
        assert_eq!(decode_policy(r#"{"a": "x+y"}"#), r#"{"a": "x+y"}"#);
        assert_eq!(decode_policy("%7B%7D"), "{}");
    }

    #[test]
    fn reformatted_json_is_not_drift() {
        let declared = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let aws = "{\n  \"Statement\": [],\n  \"Version\": \"2012-10-17\"\n}";
        assert_eq!(read_back_json(Some(declared), aws), declared);
        let changed = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#;
        assert_eq!(read_back_json(Some(declared), changed), changed);
        assert_eq!(read_back_json(None, aws), aws);
        assert!(!same_json("not json", "not json"));
    }
}
