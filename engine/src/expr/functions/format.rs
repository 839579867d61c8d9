//! `format` and `formatlist`: Terraform's printf-like verbs. A verb is
//! `%[flags][width][.precision][[n]]verb` with flags `0 # - + space`; verbs
//! `%v %#v %t %s %q %d %b %o %x %X %e %E %f %g %G` and `%%`. Integers and
//! floats are laid out as Go's `math/big` does, strings are padded by
//! character. Widths and precisions are bounded, so no format string can
//! make a huge result.

use unicode_segmentation::UnicodeSegmentation as _;

use super::args::{as_f64, to_number, to_string};
use super::encoding::json_text;
use super::{Call, Function, MAX_OUTPUT, row};
use crate::base::Value;
use crate::expr::error::ExprError;
use crate::expr::ops::as_bool;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "string";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "format",
        "format(format, args...)",
        "args laid out by the printf-like verbs of format",
        1,
        None,
        format,
    ),
    row(
        "formatlist",
        "formatlist(format, args...)",
        "a list: format applied to the elements of the list args at each index",
        1,
        None,
        formatlist,
    ),
];

/// Largest precision accepted: far past what a float's digits need.
const MAX_PRECISION: usize = 1100;

/// One `%...` verb of a format string.
#[derive(Default)]
struct Verb {
    zero: bool,
    sharp: bool,
    minus: bool,
    plus: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
    /// `%[n]d`: the argument, counted from 1.
    index: Option<usize>,
    mode: char,
}

impl Verb {
    /// The sign a number is printed with: `-`, or `+` / a space as the
    /// flags ask for a non-negative one.
    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }
}

/// A run of decimal digits from `chars`, saturating (the caller bounds it).
fn number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|ch| ch.to_digit(10)) {
        chars.next();
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
    }
    n
}

/// The verb text after its `%`, from `chars`; `Ok(None)` for `%%`.
fn parse_verb(
    c: &Call<'_>,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) -> Result<Option<Verb>, ExprError> {
    if chars.peek() == Some(&'%') {
        chars.next();
        return Ok(None);
    }
    let mut v = Verb::default();
    while let Some(&ch) = chars.peek() {
        match ch {
            '0' => v.zero = true,
            '#' => v.sharp = true,
            '-' => v.minus = true,
            '+' => v.plus = true,
            ' ' => v.space = true,
            _ => break,
        }
        chars.next();
    }
    v.width = number(chars);
    if chars.peek() == Some(&'.') {
        chars.next();
        v.precision = Some(number(chars).unwrap_or(0));
    }
    if chars.peek() == Some(&'[') {
        chars.next();
        v.index = number(chars);
        if chars.next() != Some(']') || v.index.is_none_or(|i| i == 0) {
            return Err(c.err(0, "an argument index must be `[n]` with n from 1"));
        }
    }
    if v.width.is_some_and(|w| w > MAX_OUTPUT) {
        return Err(c.err(0, format!("a width may be at most {MAX_OUTPUT}")));
    }
    if v.precision.is_some_and(|p| p > MAX_PRECISION) {
        return Err(c.err(0, format!("a precision may be at most {MAX_PRECISION}")));
    }
    match chars.next() {
        Some(m) if m.is_ascii_alphabetic() => {
            v.mode = m;
            Ok(Some(v))
        }
        Some(other) => Err(c
            .err(
                0,
                format!("unsupported verb `%{other}` in the format string"),
            )
            .with_hint("write %% for a percent sign")),
        None => Err(c
            .err(0, "the format string ends with a lone `%`")
            .with_hint("write %% for a percent sign")),
    }
}

/// Pads `s` to the verb's width, counting grapheme clusters as cty does.
fn pad(v: &Verb, s: String) -> String {
    let len = s.graphemes(true).count();
    let Some(width) = v.width.filter(|w| *w > len) else {
        return s;
    };
    let fill = if v.zero { "0" } else { " " }.repeat(width - len);
    if v.minus { s + &fill } else { fill + &s }
}

/// A number as Go's `big.Float.Text('g', -1)` writes it: `%v` of a number.
fn shortest_g(x: f64) -> String {
    g_format(x, None, false)
}

/// Decimal digits of `x` (no sign, no trailing zeros) and the position of
/// the decimal point: `x = 0.d1d2... × 10^dp`. `significant` rounds.
fn digits(x: f64, significant: Option<usize>) -> (String, i32) {
    let e = match significant {
        Some(p) => format!("{:.*e}", p.max(1) - 1, x.abs()),
        None => format!("{:e}", x.abs()),
    };
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let mut d: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while d.len() > 1 && d.ends_with('0') {
        d.pop();
    }
    (d, exp.parse::<i32>().unwrap_or(0) + 1)
}

/// Go's exponent: a sign and at least two digits.
fn go_exponent(rust: &str, upper: bool) -> String {
    let (m, e) = rust.split_once('e').unwrap_or((rust, "0"));
    let (sign, digits) = match e.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', e),
    };
    let e = if upper { 'E' } else { 'e' };
    format!("{m}{e}{sign}{digits:0>2}")
}

/// `%g` with an optional precision: `%e` form for exponents below -4 or at
/// least the precision (6 when shortest), else `%f` form.
fn g_format(x: f64, precision: Option<usize>, upper: bool) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    let (d, dp) = digits(x, precision);
    let eprec = match precision {
        None => 6,
        Some(p) if p > d.len() && d.len() as i32 >= dp => d.len() as i32,
        Some(p) => p.max(1) as i32,
    };
    let exp = dp - 1;
    if exp < -4 || exp >= eprec {
        let rest = &d[1..];
        let mantissa = if rest.is_empty() {
            d[..1].to_string()
        } else {
            format!("{}.{rest}", &d[..1])
        };
        return go_exponent(&format!("{mantissa}e{exp}"), upper);
    }
    if dp <= 0 {
        format!("0.{}{d}", "0".repeat(dp.unsigned_abs() as usize))
    } else if dp as usize >= d.len() {
        format!("{d}{}", "0".repeat(dp as usize - d.len()))
    } else {
        format!("{}.{}", &d[..dp as usize], &d[dp as usize..])
    }
}

/// Lays out a signed number `body` (no sign) as `big.Float` does.
fn pad_float(v: &Verb, negative: bool, body: String) -> String {
    let sign = v.sign(negative);
    let padding = v
        .width
        .map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    if v.zero {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if v.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

fn fmt_float(v: &Verb, x: f64) -> String {
    let p = v.precision;
    let body = match v.mode {
        'e' | 'E' => go_exponent(&format!("{:.*e}", p.unwrap_or(6), x.abs()), v.mode == 'E'),
        'f' => format!("{:.*}", p.unwrap_or(6), x.abs()),
        _ => g_format(x.abs(), p, v.mode == 'G'),
    };
    pad_float(v, x.is_sign_negative() && x != 0.0, body)
}

/// Lays out an integer as Go's `big.Int` does:
/// `[left pad][sign][prefix][zeros][digits][right pad]`.
fn fmt_int(v: &Verb, n: i64) -> String {
    let m = n.unsigned_abs();
    let (mut digits, prefix) = match v.mode {
        'b' => (format!("{m:b}"), "0b"),
        'o' => (format!("{m:o}"), "0"),
        'x' => (format!("{m:x}"), "0x"),
        'X' => (format!("{m:X}"), "0X"),
        _ => (m.to_string(), ""),
    };
    let prefix = if v.sharp { prefix } else { "" };
    let sign = v.sign(n < 0);
    let mut zeros = 0;
    if let Some(p) = v.precision {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            digits.clear();
        }
    }
    let length = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = v.width.filter(|w| *w > length) {
        let d = w - length;
        if v.minus {
            right = d;
        } else if v.zero && v.precision.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// `%v`: strings and numbers as they are, everything else (and anything
/// with `#`) as JSON.
fn fmt_as_is(v: &Verb, arg: &Value) -> String {
    let s = match arg {
        Value::String(s) if !v.sharp => s.clone(),
        Value::Int(i) if !v.sharp => shortest_g(*i as f64),
        Value::Float(x) if !v.sharp => shortest_g(*x),
        other => json_text(other),
    };
    pad(v, s)
}

/// Formats one argument (argument `i` of the call) for verb `v`.
fn format_one(c: &Call<'_>, v: &Verb, arg: &Value, i: usize) -> Result<String, ExprError> {
    let verb = v.mode;
    if verb != 'v' && matches!(arg, Value::Null) {
        return Err(c.err(i, format!("%{verb} cannot format null")));
    }
    let integer = matches!(verb, 'd' | 'b' | 'o' | 'x' | 'X');
    let number = || {
        to_number(arg).ok_or_else(|| {
            let want = if integer { "an integer" } else { "a number" };
            c.err(i, format!("%{verb} needs {want}, not a {}", arg.kind()))
        })
    };
    match verb {
        'v' => Ok(fmt_as_is(v, arg)),
        't' => as_bool(arg)
            .map(|b| b.to_string())
            .ok_or_else(|| c.err(i, format!("%t needs a bool, not a {}", arg.kind()))),
        'd' | 'b' | 'o' | 'x' | 'X' => match number()? {
            Value::Int(n) => Ok(fmt_int(v, n)),
            _ => Err(c.err(
                i,
                format!("%{verb} needs an integer, not a {}", arg.kind()),
            )),
        },
        'e' | 'E' | 'f' | 'g' | 'G' => Ok(fmt_float(v, as_f64(&number()?))),
        's' | 'q' => {
            let Some(mut s) = to_string(arg) else {
                return Err(c
                    .err(i, format!("%{verb} cannot format a {}", arg.kind()))
                    .with_hint("use %v or jsonencode()"));
            };
            if let Some(p) = v.precision.filter(|p| *p > 0) {
                s = s.graphemes(true).take(p).collect();
            }
            if verb == 'q' {
                s = json_text(&Value::String(s));
            }
            Ok(pad(v, s))
        }
        other => Err(c
            .err(0, format!("unsupported verb `%{other}` in the format string"))
            .with_hint("supported verbs: %v %t %s %q %d %b %o %x %X %e %E %f %g %G, and %% for a percent sign")),
    }
}

/// Applies format string `fmt` to `args`, where `args[k]` is argument
/// `k + 1` of the call.
fn apply(c: &Call<'_>, fmt: &str, args: &[&Value]) -> Result<String, ExprError> {
    let mut out = String::new();
    let mut next = 1;
    let mut highest = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(verb) = parse_verb(c, &mut chars)? else {
            out.push('%');
            continue;
        };
        let n = verb.index.unwrap_or(next);
        let Some(arg) = args.get(n - 1) else {
            return Err(c.call_err(format!(
                "the format string has more verbs than the {} argument(s) given (it needs argument {n})",
                args.len()
            )));
        };
        out.push_str(&format_one(c, &verb, arg, n)?);
        c.limit(out.len())?;
        highest = highest.max(n);
        next = n + 1;
    }
    if highest < args.len() {
        let message = if highest == 0 {
            "too many arguments: the format string has no verbs".to_string()
        } else {
            format!(
                "too many arguments: the format string uses {highest} of {}",
                args.len()
            )
        };
        return Err(c.err(highest + 1, message));
    }
    Ok(out)
}

fn format(c: &Call<'_>) -> Result<Value, ExprError> {
    let args: Vec<&Value> = (1..c.len()).map(|i| c.value(i)).collect();
    apply(c, &c.str(0)?, &args).map(Value::String)
}

/// `formatlist`: list arguments are walked in step (all of one length),
/// other arguments repeat for every element.
fn formatlist(c: &Call<'_>) -> Result<Value, ExprError> {
    let fmt = c.str(0)?;
    let mut len: Option<(usize, usize)> = None;
    for i in 1..c.len() {
        if let Value::List(l) = c.value(i) {
            match len {
                Some((n, first)) if n != l.len() => {
                    return Err(c.err(
                        i,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {n}",
                            i + 1,
                            l.len(),
                            first + 1
                        ),
                    ));
                }
                None => len = Some((l.len(), i)),
                _ => {}
            }
        }
    }
    let rows = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(rows.min(MAX_OUTPUT));
    let mut total = 0usize;
    for r in 0..rows {
        let args: Vec<&Value> = (1..c.len())
            .map(|i| match c.value(i) {
                Value::List(l) => &l[r],
                v => v,
            })
            .collect();
        let s = apply(c, &fmt, &args)?;
        total = total.saturating_add(s.len());
        c.limit(total)?;
        out.push(Value::String(s));
    }
    Ok(Value::List(out))
}
