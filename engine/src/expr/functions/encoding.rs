//! Encoding functions: base64decode base64encode base64gzip csvdecode
//! jsondecode jsonencode textdecodebase64 textencodebase64 urlencode
//! yamldecode yamlencode. Output follows Terraform's byte for byte where it
//! is specified (JSON escapes `<`, `>` and `&` as Go does; YAML quotes every
//! string, block style); decoding never trusts its input (sizes come from
//! the already-bounded argument, parsers return errors, not panics).

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::charsets::{Charset, charset};
use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::error::ExprError;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "encoding";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "base64decode",
        "base64decode(string)",
        "the UTF-8 string that the Base64 string encodes",
        1,
        Some(1),
        base64decode,
    ),
    row(
        "base64encode",
        "base64encode(string)",
        "the UTF-8 bytes of string in Base64",
        1,
        Some(1),
        base64encode,
    ),
    row(
        "base64gzip",
        "base64gzip(string)",
        "string compressed with gzip, in Base64",
        1,
        Some(1),
        base64gzip,
    ),
    row(
        "csvdecode",
        "csvdecode(string)",
        "the rows of the CSV string as a list of tables keyed by its header",
        1,
        Some(1),
        csvdecode,
    ),
    row(
        "jsondecode",
        "jsondecode(string)",
        "the value that the JSON string encodes",
        1,
        Some(1),
        jsondecode,
    ),
    row(
        "jsonencode",
        "jsonencode(value)",
        "value encoded as a JSON string",
        1,
        Some(1),
        jsonencode,
    ),
    row(
        "textdecodebase64",
        "textdecodebase64(string, encoding_name)",
        "the Base64 string decoded from the character encoding encoding_name",
        2,
        Some(2),
        textdecodebase64,
    ),
    row(
        "textencodebase64",
        "textencodebase64(string, encoding_name)",
        "string in the character encoding encoding_name, in Base64",
        2,
        Some(2),
        textencodebase64,
    ),
    row(
        "urlencode",
        "urlencode(string)",
        "string percent-encoded for a URL query",
        1,
        Some(1),
        urlencode,
    ),
    row(
        "yamldecode",
        "yamldecode(string)",
        "the value that the YAML string encodes",
        1,
        Some(1),
        yamldecode,
    ),
    row(
        "yamlencode",
        "yamlencode(value)",
        "value encoded as a YAML string",
        1,
        Some(1),
        yamlencode,
    ),
];

/// Decodes base64 argument `i` into bytes.
fn base64_bytes(c: &Call<'_>, i: usize) -> Result<Vec<u8>, ExprError> {
    BASE64
        .decode(c.str(i)?.as_bytes())
        .map_err(|e| c.err(i, format!("argument is not valid base64: {e}")))
}

fn base64decode(c: &Call<'_>) -> Result<Value, ExprError> {
    String::from_utf8(base64_bytes(c, 0)?)
        .map(Value::String)
        .map_err(|_| c.err(0, "the decoded bytes are not UTF-8 text"))
}

fn base64encode(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(BASE64.encode(c.str(0)?.as_bytes())))
}

fn base64gzip(c: &Call<'_>) -> Result<Value, ExprError> {
    let s = c.str(0)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(s.as_bytes())
        .and_then(|()| gz.finish())
        .map(|bytes| Value::String(BASE64.encode(bytes)))
        .map_err(|e| c.err(0, format!("cannot compress: {e}")))
}

/// A JSON value as a stack value: integers stay integers; unlike
/// [`Value::from_json`], a `{"$secret": ...}` table is just a table.
pub(super) fn from_json(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::List(items.iter().map(from_json).collect()),
        J::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

fn jsondecode(c: &Call<'_>) -> Result<Value, ExprError> {
    let j: serde_json::Value =
        serde_json::from_str(&c.str(0)?).map_err(|e| c.err(0, format!("invalid JSON: {e}")))?;
    Ok(from_json(&j))
}

/// JSON text of `v` as Terraform writes it: compact, keys sorted, numbers
/// without exponents, and `<`, `>`, `&`, U+2028, U+2029 escaped as Go's
/// encoder does.
pub(super) fn json_text(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v);
    out
}

fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => {
            for ch in serde_json::Value::String(s.clone()).to_string().chars() {
                match ch {
                    '<' => out.push_str("\\u003c"),
                    '>' => out.push_str("\\u003e"),
                    '&' => out.push_str("\\u0026"),
                    '\u{2028}' => out.push_str("\\u2028"),
                    '\u{2029}' => out.push_str("\\u2029"),
                    ch => out.push(ch),
                }
            }
        }
        // Rust writes floats in full, as Go's `big.Float.Text('f', -1)`.
        Value::Float(x) if x.is_finite() => out.push_str(&x.to_string()),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, &Value::String(k.clone()));
                out.push(':');
                write_json(out, item);
            }
            out.push('}');
        }
        Value::Secret(inner) => write_json(out, inner),
        other => out.push_str(&other.to_json().to_string()),
    }
}

fn jsonencode(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(json_text(c.value(0))))
}

/// The character set argument `i` names, by its IANA name or alias.
fn named_charset(c: &Call<'_>, i: usize) -> Result<&'static Charset, ExprError> {
    let name = c.str(i)?;
    charset(&name).ok_or_else(|| {
        c.err(
            i,
            format!(
                "{} is not a supported IANA encoding name or alias",
                c.shown(&name)
            ),
        )
        .with_hint(
            "use a name IANA registers, as Terraform does: UTF-8, UTF-16, UTF-16LE, UTF-16BE, \
             US-ASCII, ISO-8859-1 to -10 and -13 to -16, windows-1250 to -1258, IBM437, IBM850, IBM037, \
             KOI8-R, Shift_JIS, EUC-JP, EUC-KR, GBK, GB18030, Big5, ...",
        )
    })
}

fn textencodebase64(c: &Call<'_>) -> Result<Value, ExprError> {
    let s = c.str(0)?;
    let set = named_charset(c, 1)?;
    let bytes = set.encode(&s).map_err(|ch| {
        c.err(
            0,
            format!(
                "the string contains {ch:?}, which {} cannot represent",
                set.name
            ),
        )
    })?;
    Ok(Value::String(BASE64.encode(bytes)))
}

fn textdecodebase64(c: &Call<'_>) -> Result<Value, ExprError> {
    let set = named_charset(c, 1)?;
    let bytes = base64_bytes(c, 0)?;
    let s = set.decode(&bytes).ok_or_else(|| {
        c.err(
            0,
            format!(
                "the decoded bytes hold symbols that are not defined for {}",
                set.name
            ),
        )
    })?;
    Ok(Value::String(s))
}

/// Go's `url.QueryEscape`: unreserved characters stay, space becomes `+`,
/// every other byte `%XX`.
fn urlencode(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = String::new();
    for b in c.str(0)?.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

/// The rest of a quoted CSV field after its opening quote (`""` is a
/// quote); `line` counts the newlines inside it.
fn csv_quoted(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    line: &mut usize,
) -> Result<String, String> {
    let mut field = String::new();
    loop {
        match chars.next() {
            Some('"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            Some('"') => break,
            Some(ch) => {
                *line += usize::from(ch == '\n');
                field.push(ch);
            }
            None => return Err(format!("line {line}: a quoted field is not closed")),
        }
    }
    if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
        return Err(format!("line {line}: extraneous text after a quoted field"));
    }
    Ok(field)
}

/// Splits CSV text into records (RFC 4180, as Go's `encoding/csv` reads it).
fn csv_records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let mut record = Vec::new();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                field = csv_quoted(&mut chars, &mut line)?;
            } else {
                while let Some(&ch) = chars.peek() {
                    if matches!(ch, ',' | '\n' | '\r') {
                        break;
                    }
                    if ch == '"' {
                        return Err(format!("line {line}: a bare `\"` in a field"));
                    }
                    field.push(ch);
                    chars.next();
                }
            }
            record.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                _ => {}
            }
            break;
        }
        line += 1;
        // Go skips empty lines.
        if record.len() > 1 || record.first().is_some_and(|f| !f.is_empty()) {
            records.push(record);
        }
    }
    Ok(records)
}

fn csvdecode(c: &Call<'_>) -> Result<Value, ExprError> {
    let records = csv_records(&c.str(0)?).map_err(|e| c.err(0, format!("invalid CSV: {e}")))?;
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err(c.err(0, "the CSV has no header line"));
    };
    let mut out = Vec::new();
    for (n, r) in records.enumerate() {
        if r.len() != header.len() {
            return Err(c.err(
                0,
                format!(
                    "record {} has {} fields, but the header has {}",
                    n + 1,
                    r.len(),
                    header.len()
                ),
            ));
        }
        out.push(Value::Map(
            header
                .iter()
                .cloned()
                .zip(r.into_iter().map(Value::String))
                .collect(),
        ));
    }
    Ok(Value::List(out))
}

/// A YAML value as a stack value; keys become strings, tags are dropped.
fn from_yaml(y: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::List(items.into_iter().map(from_yaml).collect()),
        Y::Mapping(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match from_yaml(k) {
                        Value::String(s) => s,
                        other => other
                            .to_interpolated()
                            .unwrap_or_else(|| other.to_json().to_string()),
                    };
                    (key, from_yaml(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => from_yaml(t.value),
    }
}

fn yamldecode(c: &Call<'_>) -> Result<Value, ExprError> {
    let y: serde_yaml::Value =
        serde_yaml::from_str(&c.str(0)?).map_err(|e| c.err(0, format!("invalid YAML: {e}")))?;
    let v = from_yaml(y);
    if matches!(&v, Value::Float(x) if !x.is_finite()) {
        return Err(c.err(0, "the YAML holds a number that is not finite"));
    }
    Ok(v)
}

/// A string as a YAML double-quoted scalar.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            ch if ch.is_control() => out.push_str(&format!("\\u{:04X}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// Appends a non-empty table in block style (see [`yaml_block`]).
fn yaml_map(out: &mut String, m: &crate::base::Map, indent: usize) {
    let pad = " ".repeat(indent);
    for (n, (k, item)) in m.iter().enumerate() {
        if n > 0 {
            out.push_str(&pad);
        }
        out.push_str(&yaml_quoted(k));
        out.push(':');
        match item {
            // A nested table is indented; a list is not, as go-yaml writes it.
            Value::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                yaml_block(out, item, indent + 2);
            }
            Value::List(inner) if !inner.is_empty() => {
                out.push('\n');
                out.push_str(&pad);
                yaml_block(out, item, indent);
            }
            _ => {
                out.push(' ');
                yaml_block(out, item, indent + 2);
            }
        }
    }
}

/// Appends a string holding newlines as a literal block (`|`, `|-`, `|+`
/// by how many newlines end it).
fn yaml_literal(out: &mut String, s: &str, indent: usize) {
    let body = s.trim_end_matches('\n');
    let chomp = match s.len() - body.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    out.push('|');
    out.push_str(chomp);
    out.push('\n');
    for l in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !l.is_empty() {
            out.push_str(&" ".repeat(indent.max(2)));
            out.push_str(l);
        }
        out.push('\n');
    }
}

/// Appends `v` in block style: `indent` is the column of nested lines;
/// `out` already holds what precedes the value on its line.
fn yaml_block(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::List(items) if !items.is_empty() => {
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                yaml_block(out, item, indent + 2);
            }
        }
        Value::Map(m) if !m.is_empty() => yaml_map(out, m, indent),
        Value::String(s) if s.contains('\n') => yaml_literal(out, s, indent),
        Value::String(s) => {
            out.push_str(&yaml_quoted(s));
            out.push('\n');
        }
        Value::List(_) => out.push_str("[]\n"),
        Value::Map(_) => out.push_str("{}\n"),
        other => {
            out.push_str(&other.to_json().to_string());
            out.push('\n');
        }
    }
}

fn yamlencode(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = String::new();
    yaml_block(&mut out, c.value(0), 0);
    Ok(Value::String(out))
}
