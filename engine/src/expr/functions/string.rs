//! String functions: chomp endswith indent join lower regex regexall replace
//! split startswith strcontains strrev substr templatestring title trim
//! trimprefix trimsuffix trimspace upper (`format` and `formatlist` are in
//! `format.rs`). Regular expressions use RE2 syntax (the `regex` crate,
//! whose compile size limit refuses pathological patterns); templates are
//! rendered with only the variables given in scope, and may not nest, so a
//! template cannot recurse into itself.

use std::cell::Cell;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation as _;

use super::args::to_string;
use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::error::ExprError;
use crate::expr::{Vars, eval_template, parse_template};

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "string";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "chomp",
        "chomp(string)",
        "string without the newlines at its end",
        1,
        Some(1),
        chomp,
    ),
    row(
        "endswith",
        "endswith(string, suffix)",
        "whether string ends with suffix",
        2,
        Some(2),
        endswith,
    ),
    row(
        "indent",
        "indent(num_spaces, string)",
        "string with every line but the first indented by num_spaces spaces",
        2,
        Some(2),
        indent,
    ),
    row(
        "join",
        "join(separator, list, ...)",
        "the strings of the lists joined into one, separator between them",
        2,
        None,
        join,
    ),
    row(
        "lower",
        "lower(string)",
        "string in lowercase",
        1,
        Some(1),
        lower,
    ),
    row(
        "regex",
        "regex(pattern, string)",
        "the first match of pattern in string (its capture groups if it has any)",
        2,
        Some(2),
        regex,
    ),
    row(
        "regexall",
        "regexall(pattern, string)",
        "every match of pattern in string, as a list",
        2,
        Some(2),
        regexall,
    ),
    row(
        "replace",
        "replace(string, substring, replacement)",
        "string with each substring replaced (a `/pattern/` substring is a regex)",
        3,
        Some(3),
        replace,
    ),
    row(
        "split",
        "split(separator, string)",
        "string cut into a list at each separator",
        2,
        Some(2),
        split,
    ),
    row(
        "startswith",
        "startswith(string, prefix)",
        "whether string starts with prefix",
        2,
        Some(2),
        startswith,
    ),
    row(
        "strcontains",
        "strcontains(string, substr)",
        "whether string contains substr",
        2,
        Some(2),
        strcontains,
    ),
    row(
        "strrev",
        "strrev(string)",
        "string with its characters in reverse order",
        1,
        Some(1),
        strrev,
    ),
    row(
        "substr",
        "substr(string, offset, length)",
        "length characters of string from offset (length -1: to the end)",
        3,
        Some(3),
        substr,
    ),
    row(
        "templatestring",
        "templatestring(template, vars)",
        "the template string rendered with the variables of vars",
        2,
        Some(2),
        templatestring,
    ),
    row(
        "title",
        "title(string)",
        "string with the first letter of each word in uppercase",
        1,
        Some(1),
        title,
    ),
    row(
        "trim",
        "trim(string, str_character_set)",
        "string without the characters of str_character_set at its start and end",
        2,
        Some(2),
        trim,
    ),
    row(
        "trimprefix",
        "trimprefix(string, prefix)",
        "string without prefix at its start",
        2,
        Some(2),
        trimprefix,
    ),
    row(
        "trimspace",
        "trimspace(string)",
        "string without whitespace at its start and end",
        1,
        Some(1),
        trimspace,
    ),
    row(
        "trimsuffix",
        "trimsuffix(string, suffix)",
        "string without suffix at its end",
        2,
        Some(2),
        trimsuffix,
    ),
    row(
        "upper",
        "upper(string)",
        "string in uppercase",
        1,
        Some(1),
        upper,
    ),
];

fn string(s: impl Into<String>) -> Result<Value, ExprError> {
    Ok(Value::String(s.into()))
}

fn chomp(c: &Call<'_>) -> Result<Value, ExprError> {
    string(c.str(0)?.trim_end_matches(['\r', '\n']))
}

fn endswith(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::Bool(c.str(0)?.ends_with(&*c.str(1)?)))
}

fn startswith(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::Bool(c.str(0)?.starts_with(&*c.str(1)?)))
}

fn strcontains(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::Bool(c.str(0)?.contains(&*c.str(1)?)))
}

fn indent(c: &Call<'_>) -> Result<Value, ExprError> {
    let n = c.usize(0)?;
    let s = c.str(1)?;
    let lines = s.matches('\n').count();
    c.limit(n.saturating_mul(lines).saturating_add(s.len()))?;
    let pad = format!("\n{}", " ".repeat(if lines == 0 { 0 } else { n }));
    string(s.replace('\n', &pad))
}

fn join(c: &Call<'_>) -> Result<Value, ExprError> {
    let sep = c.str(0)?;
    let mut parts = Vec::new();
    for i in 1..c.len() {
        for (n, v) in c.list(i)?.iter().enumerate() {
            let part = match v {
                Value::Null => Err(c.err(i, format!("element {n} is null"))),
                v => to_string(v).ok_or_else(|| {
                    c.err(
                        i,
                        format!("element {n} is a {}, which has no string form", v.kind()),
                    )
                }),
            }?;
            parts.push(part);
        }
    }
    let total = parts.iter().map(String::len).sum::<usize>();
    c.limit(total.saturating_add(sep.len().saturating_mul(parts.len())))?;
    string(parts.join(&sep))
}

fn lower(c: &Call<'_>) -> Result<Value, ExprError> {
    string(c.str(0)?.to_lowercase())
}

fn upper(c: &Call<'_>) -> Result<Value, ExprError> {
    string(c.str(0)?.to_uppercase())
}

fn trimspace(c: &Call<'_>) -> Result<Value, ExprError> {
    string(c.str(0)?.trim())
}

fn trim(c: &Call<'_>) -> Result<Value, ExprError> {
    let set: Vec<char> = c.str(1)?.chars().collect();
    string(c.str(0)?.trim_matches(set.as_slice()))
}

fn trimprefix(c: &Call<'_>) -> Result<Value, ExprError> {
    let (s, p) = (c.str(0)?, c.str(1)?);
    string(s.strip_prefix(&*p).unwrap_or(&s))
}

fn trimsuffix(c: &Call<'_>) -> Result<Value, ExprError> {
    let (s, p) = (c.str(0)?, c.str(1)?);
    string(s.strip_suffix(&*p).unwrap_or(&s))
}

fn strrev(c: &Call<'_>) -> Result<Value, ExprError> {
    string(c.str(0)?.graphemes(true).rev().collect::<String>())
}

/// Go's `strings.Title`: a letter starts a word when what precedes it is a
/// separator (space or ASCII punctuation other than `_`).
fn title(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = String::new();
    let mut after_separator = true;
    for ch in c.str(0)?.chars() {
        if after_separator {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        after_separator = if ch.is_ascii() {
            !(ch.is_ascii_alphanumeric() || ch == '_')
        } else {
            ch.is_whitespace()
        };
    }
    string(out)
}

fn substr(c: &Call<'_>) -> Result<Value, ExprError> {
    let s = c.str(0)?;
    let (offset, length) = (c.int(1)?, c.int(2)?);
    // Offsets count grapheme clusters, as Terraform's do.
    let chars: Vec<&str> = s.graphemes(true).collect();
    let total = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    // A negative offset counts from the end; past either end it clamps.
    let start = if offset < 0 {
        offset.saturating_add(total).max(0)
    } else {
        offset.min(total)
    };
    let end = if length < 0 {
        total
    } else {
        start.saturating_add(length).min(total)
    };
    // Both lie in 0..=total, which came from a usize.
    let (start, end) = (start as usize, end as usize);
    string(chars[start..end].concat())
}

fn split(c: &Call<'_>) -> Result<Value, ExprError> {
    let (sep, s) = (c.str(0)?, c.str(1)?);
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|ch| Value::String(ch.to_string())).collect()
    } else {
        s.split(&*sep).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

/// Compiles argument `i` as an RE2-syntax regular expression.
pub(super) fn compile(c: &Call<'_>, i: usize, pattern: &str) -> Result<Regex, ExprError> {
    Regex::new(pattern).map_err(|e| c.err(i, format!("invalid regular expression: {e}")))
}

/// What one match of `re` gives: the match itself without capture groups, a
/// list of the groups, or a table of them when they are named (unmatched
/// groups are null).
fn captures(c: &Call<'_>, re: &Regex, caps: &regex::Captures<'_>) -> Result<Value, ExprError> {
    let group = |i: usize| {
        caps.get(i)
            .map_or(Value::Null, |m| Value::String(m.as_str().to_string()))
    };
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return Ok(group(0));
    }
    if names.iter().all(Option::is_some) {
        return Ok(Value::Map(
            names
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (n.to_string(), group(i + 1))))
                .collect(),
        ));
    }
    if names.iter().any(Option::is_some) {
        return Err(c.err(
            0,
            "the pattern must have either all named or no named capture groups",
        ));
    }
    Ok(Value::List((1..=names.len()).map(group).collect()))
}

fn regex(c: &Call<'_>) -> Result<Value, ExprError> {
    let re = compile(c, 0, &c.str(0)?)?;
    let s = c.str(1)?;
    match re.captures(&s) {
        Some(caps) => captures(c, &re, &caps),
        None => Err(c.err(1, "the pattern did not match any part of the string")),
    }
}

fn regexall(c: &Call<'_>) -> Result<Value, ExprError> {
    let re = compile(c, 0, &c.str(0)?)?;
    let s = c.str(1)?;
    re.captures_iter(&s)
        .map(|caps| captures(c, &re, &caps))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::List)
}

/// `replace`: a `/pattern/` substring is a regular expression, whose
/// replacement may name groups as `$1`, `${1}` or `${name}`.
fn replace(c: &Call<'_>) -> Result<Value, ExprError> {
    let (s, from, to) = (c.str(0)?, c.str(1)?, c.str(2)?);
    if from.len() > 1
        && let Some(pattern) = from.strip_prefix('/').and_then(|p| p.strip_suffix('/'))
    {
        return regex_replace(c, &s, &compile(c, 1, pattern)?, &to);
    }
    // An empty substring matches between every two characters, as in Go.
    let matches = if from.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(&*from).count()
    };
    c.limit(matches.saturating_mul(to.len()).saturating_add(s.len()))?;
    string(s.replace(&*from, &to))
}

/// Replaces every match of `re` in `s`, expanding `$1` / `${name}` in
/// `to`; each expansion is bounded before it is made, since `$0$0$0...`
/// over a long match could otherwise grow without limit.
fn regex_replace(c: &Call<'_>, s: &str, re: &Regex, to: &str) -> Result<Value, ExprError> {
    let refs = to.matches('$').count();
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        // Group 0 always takes part in a match.
        let Some(m) = caps.get(0) else { continue };
        let most = refs.saturating_mul(m.len()).saturating_add(to.len());
        c.limit(
            out.len()
                .saturating_add(m.start() - last)
                .saturating_add(most),
        )?;
        out.push_str(&s[last..m.start()]);
        caps.expand(to, &mut out);
        last = m.end();
    }
    out.push_str(&s[last..]);
    c.limit(out.len())?;
    string(out)
}

thread_local! {
    /// Whether a template function is being evaluated on this thread: a
    /// template may not call one, which also stops a file that renders itself.
    static IN_TEMPLATE: Cell<bool> = const { Cell::new(false) };
}

/// Renders `text` as a template with only the table in argument `vars` in
/// scope. Errors inside the template point at argument `at`, where the
/// template came from.
pub(super) fn render(c: &Call<'_>, text: &str, at: usize, vars: usize) -> Result<Value, ExprError> {
    let vars = match c.value(vars) {
        Value::Map(m) => m,
        _ => return Err(c.type_err(vars, "a table of template variables")),
    };
    if IN_TEMPLATE.with(Cell::get) {
        return Err(c.call_err("cannot be called from inside a template"));
    }
    let span = c.args.get(at).map_or(c.span, |a| a.span);
    let scope = Vars::new(vars, c.scope().base_dir());
    let template = parse_template(text, None, span)
        .map_err(|e| c.err(at, format!("invalid template: {}", e.message)))?;
    IN_TEMPLATE.with(|t| t.set(true));
    let out = eval_template(&template, &scope);
    IN_TEMPLATE.with(|t| t.set(false));
    out.map_err(|e| c.err(at, format!("in the template: {}", e.message)))
}

fn templatestring(c: &Call<'_>) -> Result<Value, ExprError> {
    render(c, &c.str(0)?, 0, 1)
}
