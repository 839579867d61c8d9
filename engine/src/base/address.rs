//! Instance addresses, as typed values: `vpc`, `subnet[0]`, `bucket["logs"]`,
//! and the retired names a replacement gives the resource it supersedes
//! (`vpc~replaced`, `vpc~2~replaced`).
//!
//! The text form is what the state records and what users type, so
//! [`Display`](fmt::Display) and [`FromStr`] are exact inverses: a string
//! key is written with Rust's string escapes and read back through them, so
//! a key holding `[`, `]`, `"` or `~` never confuses the parse. Nothing else
//! in the engine splits address strings.

use std::fmt;
use std::str::FromStr;

/// The suffix that marks a retired record.
const RETIRED_SUFFIX: &str = "~replaced";

/// How one instance of a declaration is addressed: a single instance, a
/// `count` index or a `for_each` key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    Single,
    Index(i64),
    Key(String),
}

impl fmt::Display for InstanceKey {
    /// `""`, `[0]` or `["logs"]`: what follows the declaration name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Single => Ok(()),
            InstanceKey::Index(i) => write!(f, "[{i}]"),
            InstanceKey::Key(k) => write!(f, "[{k:?}]"),
        }
    }
}

/// The address of one resource or data instance in a stack's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    decl: String,
    key: InstanceKey,
    /// `Some(n)` for the n-th retired copy (1 is `~replaced`, 2 and up
    /// `~n~replaced`): a superseded resource waiting for its delete.
    retired: Option<u32>,
}

impl Address {
    /// The address of instance `key` of declaration `decl`.
    pub fn new(decl: &str, key: InstanceKey) -> Address {
        Address {
            decl: decl.to_string(),
            key,
            retired: None,
        }
    }

    /// The declaration's name: `subnet` for `subnet[0]~replaced`.
    pub fn decl(&self) -> &str {
        &self.decl
    }

    /// The instance key.
    pub fn key(&self) -> &InstanceKey {
        &self.key
    }

    /// True for the retired copy of a replaced resource.
    pub fn is_retired(&self) -> bool {
        self.retired.is_some()
    }

    /// The live address a retired one stands for (itself when not retired).
    pub fn live(&self) -> Address {
        Address {
            retired: None,
            ..self.clone()
        }
    }

    /// The `n`-th retired name of this address (`n` from 1).
    fn retired_copy(&self, n: u32) -> Address {
        Address {
            retired: Some(n),
            ..self.live()
        }
    }

    /// The first retired name for this address that `taken` does not hold:
    /// `vpc~replaced`, else `vpc~2~replaced` and so on.
    pub fn free_retired_name(&self, taken: impl Fn(&Address) -> bool) -> Address {
        (1u32..)
            .map(|n| self.retired_copy(n))
            .find(|a| !taken(a))
            // u32 has more names than any state holds records.
            .unwrap_or_else(|| self.retired_copy(1))
    }

    /// The first free retired name for the instance whose address is
    /// `text`, as the state records names. A text that is no address (an
    /// older state's name) is retired the same way, by appending the marker.
    pub fn retired_name_of(text: &str, taken: impl Fn(&str) -> bool) -> String {
        match Address::parse(text) {
            Some(a) => a.free_retired_name(|r| taken(&r.to_string())).to_string(),
            None => format!("{text}{RETIRED_SUFFIX}"),
        }
    }

    /// For the text of a retired address, the text of the live address it
    /// stands for: `subnet[1]` for `subnet[1]~2~replaced`; `None` for any
    /// other text.
    pub fn live_of_retired(text: &str) -> Option<String> {
        Address::parse(text)
            .filter(Address::is_retired)
            .map(|a| a.live().to_string())
    }

    /// Parses an address as the state and users write it; `None` when the
    /// text is not one (see [`FromStr`] for the error).
    pub fn parse(text: &str) -> Option<Address> {
        text.parse().ok()
    }

    /// The declaration name of an address text, or the text itself when it
    /// does not parse (a name from an older state, which then matches no
    /// declaration).
    pub fn decl_of(text: &str) -> String {
        match Address::parse(text) {
            Some(a) => a.decl,
            None => text.to_string(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.decl, self.key)?;
        match self.retired {
            None => Ok(()),
            Some(1) => f.write_str(RETIRED_SUFFIX),
            Some(n) => write!(f, "~{n}{RETIRED_SUFFIX}"),
        }
    }
}

/// Why a text is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("`{text}` is not an address: it must start with a declaration name")]
    NoName { text: String },
    #[error(
        "`{text}` is not an address: the part in brackets must be a whole number or a quoted string, as in `subnet[0]` or `bucket[\"logs\"]`"
    )]
    BadKey { text: String },
    #[error("`{text}` is not an address: unexpected `{rest}` after the instance")]
    Trailing { text: String, rest: String },
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Address, AddressError> {
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(text.len());
        if name_end == 0 {
            return Err(AddressError::NoName { text: text.into() });
        }
        let (decl, rest) = text.split_at(name_end);
        let (key, rest) = match rest.strip_prefix('[') {
            None => (InstanceKey::Single, rest),
            Some(inner) => {
                parse_key(inner).ok_or_else(|| AddressError::BadKey { text: text.into() })?
            }
        };
        let retired = parse_retired(rest).ok_or_else(|| AddressError::Trailing {
            text: text.into(),
            rest: rest.into(),
        })?;
        Ok(Address {
            decl: decl.to_string(),
            key,
            retired,
        })
    }
}

/// The key after `[` and what follows its `]`.
fn parse_key(inner: &str) -> Option<(InstanceKey, &str)> {
    if let Some(quoted) = inner.strip_prefix('"') {
        let (key, after) = unescape(quoted)?;
        return Some((InstanceKey::Key(key), after.strip_prefix(']')?));
    }
    let (digits, after) = inner.split_once(']')?;
    Some((InstanceKey::Index(digits.parse().ok()?), after))
}

/// The retired marker, if any; `None` when `rest` is something else.
fn parse_retired(rest: &str) -> Option<Option<u32>> {
    if rest.is_empty() {
        return Some(None);
    }
    let before = rest.strip_suffix(RETIRED_SUFFIX)?;
    if before.is_empty() {
        return Some(Some(1));
    }
    let digits = before.strip_prefix('~')?;
    // Only the canonical form (no sign, no leading zero), so the parse of
    // a text always writes back the same text.
    if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    (n >= 2).then_some(Some(n))
}

/// Reads a string written with Rust's `{:?}` escapes up to its closing
/// quote; returns it and the text after the quote.
fn unescape(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' | '"' | '\'' => e,
                    'u' => unescape_unicode(&mut chars)?,
                    _ => return None,
                });
            }
            c => out.push(c),
        }
    }
    None
}

/// The char of a `\u{XXXX}` escape, after its `u`.
fn unescape_unicode(chars: &mut std::str::CharIndices<'_>) -> Option<char> {
    if chars.next()?.1 != '{' {
        return None;
    }
    let mut hex = String::new();
    for (_, c) in chars.by_ref() {
        if c == '}' {
            return char::from_u32(u32::from_str_radix(&hex, 16).ok()?);
        }
        hex.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Address {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_round_trips() {
        for text in [
            "vpc",
            "subnet[0]",
            "subnet[-1]",
            r#"bucket["logs"]"#,
            r#"b["x~2"]~replaced"#,
            r#"b["a]\"b\\c\n"]"#,
            "vpc~replaced",
            "subnet[1]~replaced",
            "vpc~2~replaced",
            "nat-gw_1[3]~17~replaced",
        ] {
            assert_eq!(parse(text).to_string(), text);
        }
    }

    #[test]
    fn parts_are_typed() {
        let a = parse(r#"b["x~2"]~3~replaced"#);
        assert_eq!(a.decl(), "b");
        assert_eq!(a.key(), &InstanceKey::Key("x~2".into()));
        assert!(a.is_retired());
        assert_eq!(a.live().to_string(), r#"b["x~2"]"#);
        assert_eq!(parse("subnet[0]~3~replaced").decl(), "subnet");
        assert!(!parse("vpc").is_retired());
        assert_eq!(
            Address::new("s", InstanceKey::Key("é\u{1}".into())).to_string(),
            "s[\"é\\u{1}\"]"
        );
        assert_eq!(
            parse("s[\"é\\u{1}\"]").key(),
            &InstanceKey::Key("é\u{1}".into())
        );
    }

    #[test]
    fn malformed_text_is_refused_with_a_reason() {
        for (text, want) in [
            ("", "must start with a declaration name"),
            ("[0]", "must start with a declaration name"),
            ("s[x]", "whole number or a quoted string"),
            ("s[\"x]", "whole number or a quoted string"),
            ("s[0", "whole number or a quoted string"),
            ("s[0]x", "unexpected `x`"),
            ("vpc~1~replaced", "unexpected"),
            ("vpc~~replaced", "unexpected"),
            ("vpc~replacedx", "unexpected"),
        ] {
            let e = text.parse::<Address>().unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        assert_eq!(Address::decl_of("not an address"), "not an address");
        assert_eq!(Address::decl_of("subnet[2]"), "subnet");
    }

    #[test]
    fn a_text_is_retired_as_an_address_or_by_appending_the_marker() {
        let taken = ["vpc~replaced".to_string()];
        assert_eq!(
            Address::retired_name_of("vpc", |n| taken.iter().any(|t| t == n)),
            "vpc~2~replaced"
        );
        assert_eq!(
            Address::retired_name_of("not an address", |_| false),
            "not an address~replaced"
        );
    }

    #[test]
    fn an_address_names_its_declaration() {
        assert_eq!(Address::decl_of("subnet[0]"), "subnet");
        assert_eq!(Address::decl_of("bucket[\"logs\"]"), "bucket");
        assert_eq!(Address::decl_of("vpc"), "vpc");
    }

    #[test]
    fn retired_names_never_take_a_taken_one() {
        let vpc = parse("vpc");
        let taken = [parse("vpc~replaced"), parse("vpc~2~replaced")];
        let name = vpc.free_retired_name(|a| taken.contains(a));
        assert_eq!(name.to_string(), "vpc~3~replaced");
        assert_eq!(name.live(), vpc);
        assert_eq!(vpc.free_retired_name(|_| false).to_string(), "vpc~replaced");
    }
}
