//! The built-in functions.
//!
//! [`call`] handles what every function shares: arity, unknown propagation
//! and secret tainting. The functions themselves then see plain values (no
//! secret wrappers) and, unless they are `structural`, no unknowns either.

use std::fmt::Display;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::cidr::{self, CidrError};
use super::error::{ExprError, suggest};
use super::eval::{Scope, taint};
use crate::base::Span;
use crate::base::{Map, Value};

/// Most elements `range` may produce, as in Terraform.
const MAX_RANGE: usize = 1024;

/// An evaluated argument and where it was written.
pub(crate) struct Arg {
    pub(crate) value: Value,
    pub(crate) span: Span,
}

/// A built-in function.
pub(crate) struct Function {
    name: &'static str,
    signature: &'static str,
    min: usize,
    max: Option<usize>,
    /// Only looks at the shape of its list and table arguments, so unknown
    /// elements pass through instead of making the whole result unknown
    /// (`length([a.id, b.id])` is 2 even before the ids are known).
    structural: bool,
    run: fn(&Call<'_>) -> Result<Value, ExprError>,
}

const fn def(
    name: &'static str,
    signature: &'static str,
    min: usize,
    max: Option<usize>,
    structural: bool,
    run: fn(&Call<'_>) -> Result<Value, ExprError>,
) -> Function {
    Function {
        name,
        signature,
        min,
        max,
        structural,
        run,
    }
}

static FUNCTIONS: &[Function] = &[
    def(
        "base64decode",
        "base64decode(string)",
        1,
        Some(1),
        false,
        base64decode,
    ),
    def(
        "base64encode",
        "base64encode(string)",
        1,
        Some(1),
        false,
        base64encode,
    ),
    def(
        "cidrhost",
        "cidrhost(prefix, hostnum)",
        2,
        Some(2),
        false,
        cidrhost,
    ),
    def(
        "cidrsubnet",
        "cidrsubnet(prefix, newbits, netnum)",
        3,
        Some(3),
        false,
        cidrsubnet,
    ),
    def("coalesce", "coalesce(value, ...)", 1, None, false, coalesce),
    def("concat", "concat(list, ...)", 1, None, true, concat),
    def(
        "cond",
        "cond(condition, if_true, if_false)",
        3,
        Some(3),
        false,
        cond,
    ),
    def(
        "contains",
        "contains(list, value)",
        2,
        Some(2),
        false,
        contains,
    ),
    def("element", "element(list, index)", 2, Some(2), true, element),
    def("file", "file(path)", 1, Some(1), false, file),
    def("format", "format(format, args...)", 1, None, false, format),
    def("join", "join(separator, list)", 2, Some(2), false, join),
    def(
        "jsonencode",
        "jsonencode(value)",
        1,
        Some(1),
        false,
        jsonencode,
    ),
    def("keys", "keys(table)", 1, Some(1), true, keys),
    def(
        "length",
        "length(list | table | string)",
        1,
        Some(1),
        true,
        length,
    ),
    def(
        "lookup",
        "lookup(table, key[, default])",
        2,
        Some(3),
        true,
        lookup,
    ),
    def("lower", "lower(string)", 1, Some(1), false, lower),
    def("max", "max(number, ...)", 1, None, false, max),
    def("merge", "merge(table, ...)", 1, None, true, merge),
    def("min", "min(number, ...)", 1, None, false, min),
    def(
        "range",
        "range(limit) | range(start, limit[, step])",
        1,
        Some(3),
        false,
        range,
    ),
    def(
        "replace",
        "replace(string, search, replacement)",
        3,
        Some(3),
        false,
        replace,
    ),
    def("secret", "secret(value)", 1, Some(1), false, secret),
    def(
        "split",
        "split(separator, string)",
        2,
        Some(2),
        false,
        split,
    ),
    def("tonumber", "tonumber(value)", 1, Some(1), false, tonumber),
    def("tostring", "tostring(value)", 1, Some(1), false, tostring),
    def(
        "trimspace",
        "trimspace(string)",
        1,
        Some(1),
        false,
        trimspace,
    ),
    def("upper", "upper(string)", 1, Some(1), false, upper),
    def("values", "values(table)", 1, Some(1), true, values),
];

/// The names of all built-in functions, sorted.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.name)
}

/// The function called `name`.
pub(crate) fn lookup_function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// Calls `f`: checks arity, propagates unknowns, hands the function plain
/// values and marks the result secret when any argument held a secret.
pub(crate) fn call(
    f: &Function,
    args: Vec<Arg>,
    span: Span,
    scope: &dyn Scope,
) -> Result<Value, ExprError> {
    let n = args.len();
    if n < f.min || f.max.is_some_and(|max| n > max) {
        let expected = match f.max {
            Some(max) if max == f.min => max.to_string(),
            Some(max) => format!("{} to {max}", f.min),
            None => format!("at least {}", f.min),
        };
        let plural = if expected == "1" { "" } else { "s" };
        return Err(ExprError::new(
            format!("`{}` takes {expected} argument{plural}, got {n}", f.name),
            span,
        )
        .with_hint(format!("usage: {}", f.signature)));
    }
    if args
        .iter()
        .any(|a| matches!(a.value.unwrap_secret().0, Value::Unknown))
    {
        return Ok(Value::Unknown);
    }
    if !f.structural && args.iter().any(|a| a.value.contains_unknown()) {
        return Ok(Value::Unknown);
    }
    let secret = args.iter().any(|a| a.value.contains_secret());
    let args: Vec<Arg> = args
        .into_iter()
        .map(|a| Arg {
            value: a.value.reveal(),
            span: a.span,
        })
        .collect();
    let c = Call {
        name: f.name,
        span,
        args: &args,
        scope,
        secret,
    };
    Ok(taint((f.run)(&c)?, secret))
}

/// One call in progress.
pub(crate) struct Call<'a> {
    name: &'static str,
    span: Span,
    args: &'a [Arg],
    scope: &'a dyn Scope,
    /// Whether any argument was secret: errors must not show values then.
    secret: bool,
}

static NULL: Value = Value::Null;

impl Call<'_> {
    fn value(&self, i: usize) -> &Value {
        self.args.get(i).map_or(&NULL, |a| &a.value)
    }

    fn span_of(&self, i: usize) -> Span {
        self.args.get(i).map_or(self.span, |a| a.span)
    }

    /// An error located at argument `i`.
    fn err(&self, i: usize, message: impl Display) -> ExprError {
        ExprError::new(format!("`{}`: {message}", self.name), self.span_of(i))
    }

    /// An error about the call as a whole.
    fn call_err(&self, message: impl Display) -> ExprError {
        ExprError::new(format!("`{}`: {message}", self.name), self.span)
    }

    fn type_err(&self, i: usize, want: &str) -> ExprError {
        self.err(
            i,
            format!(
                "argument {} must be {want}, not a {}",
                i + 1,
                self.value(i).kind()
            ),
        )
    }

    /// A string as it may appear in an error message.
    fn shown(&self, s: &str) -> String {
        if self.secret {
            "(secret)".to_string()
        } else {
            format!("{s:?}")
        }
    }

    fn str(&self, i: usize) -> Result<&str, ExprError> {
        match self.value(i) {
            Value::String(s) => Ok(s),
            _ => Err(self.type_err(i, "a string")),
        }
    }

    fn int(&self, i: usize) -> Result<i64, ExprError> {
        self.value(i)
            .as_int()
            .ok_or_else(|| self.type_err(i, "an integer"))
    }

    fn list(&self, i: usize) -> Result<&[Value], ExprError> {
        match self.value(i) {
            Value::List(l) => Ok(l),
            _ => Err(self.type_err(i, "a list")),
        }
    }

    fn map(&self, i: usize) -> Result<&Map, ExprError> {
        match self.value(i) {
            Value::Map(m) => Ok(m),
            _ => Err(self.type_err(i, "a table")),
        }
    }
}

/// Equality that treats `1` and `1.0` alike.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(i), Value::Float(x)) | (Value::Float(x), Value::Int(i)) => *i as f64 == *x,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && values_equal(a, b))
        }
        _ => a == b,
    }
}

fn base64decode(c: &Call<'_>) -> Result<Value, ExprError> {
    let bytes = BASE64
        .decode(c.str(0)?)
        .map_err(|e| c.err(0, format!("argument is not valid base64: {e}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| c.err(0, "the decoded bytes are not UTF-8 text"))
}

fn base64encode(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(BASE64.encode(c.str(0)?)))
}

fn cidr_error(c: &Call<'_>, e: CidrError) -> ExprError {
    match e {
        CidrError::Prefix(m) => c.err(0, m),
        CidrError::Second(m) => c.err(1, m),
        CidrError::Third(m) => c.err(2, m),
    }
}

fn cidrhost(c: &Call<'_>) -> Result<Value, ExprError> {
    cidr::host(c.str(0)?, c.int(1)?)
        .map(Value::String)
        .map_err(|e| cidr_error(c, e))
}

fn cidrsubnet(c: &Call<'_>) -> Result<Value, ExprError> {
    cidr::subnet(c.str(0)?, c.int(1)?, c.int(2)?)
        .map(Value::String)
        .map_err(|e| cidr_error(c, e))
}

fn coalesce(c: &Call<'_>) -> Result<Value, ExprError> {
    c.args
        .iter()
        .map(|a| &a.value)
        .find(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| c.call_err("every argument is null or an empty string"))
}

fn cond(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0).as_bool() {
        Some(true) => Ok(c.value(1).clone()),
        Some(false) => Ok(c.value(2).clone()),
        None => Err(c.type_err(0, "a bool (true or false)")),
    }
}

fn concat(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = Vec::new();
    for i in 0..c.args.len() {
        out.extend(c.list(i)?.iter().cloned());
    }
    Ok(Value::List(out))
}

fn contains(c: &Call<'_>) -> Result<Value, ExprError> {
    let needle = c.value(1);
    Ok(Value::Bool(
        c.list(0)?.iter().any(|v| values_equal(v, needle)),
    ))
}

fn element(c: &Call<'_>) -> Result<Value, ExprError> {
    let list = c.list(0)?;
    let index = c.int(1)?;
    if list.is_empty() {
        return Err(c.err(0, "cannot take an element of an empty list"));
    }
    let index = usize::try_from(index).map_err(|_| c.err(1, "the index must not be negative"))?;
    // Wraps around, as in Terraform.
    Ok(list[index % list.len()].clone())
}

fn file(c: &Call<'_>) -> Result<Value, ExprError> {
    let path = c.str(0)?;
    let full = c.scope.base_dir().join(path);
    std::fs::read_to_string(&full)
        .map(Value::String)
        .map_err(|e| {
            c.err(
                0,
                format!("cannot read file `{path}` ({}): {e}", full.display()),
            )
        })
}

/// `%v`: scalars as in templates, lists and tables as JSON.
fn format_v(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::List(_) | Value::Map(_) => v.to_json().to_string(),
        other => other.to_interpolated().unwrap_or_default(),
    }
}

fn format(c: &Call<'_>) -> Result<Value, ExprError> {
    let fmt = c.str(0)?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = fmt.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let verb = match chars.next() {
            Some('%') => {
                out.push('%');
                continue;
            }
            Some(v @ ('s' | 'd' | 'v')) => v,
            Some(other) => {
                return Err(c
                    .err(
                        0,
                        format!("unsupported verb `%{other}` in the format string"),
                    )
                    .with_hint("supported verbs: %s, %d, %v and %% for a percent sign"));
            }
            None => {
                return Err(c
                    .err(0, "the format string ends with a lone `%`")
                    .with_hint("write %% for a percent sign"));
            }
        };
        if next >= c.args.len() {
            return Err(c.call_err(format!(
                "the format string has more verbs than the {} argument(s) given",
                c.args.len() - 1
            )));
        }
        let v = c.value(next);
        match verb {
            's' => match v.to_interpolated() {
                Some(s) => out.push_str(&s),
                None => {
                    return Err(c
                        .err(next, format!("%s cannot format a {}", v.kind()))
                        .with_hint("use %v or jsonencode()"));
                }
            },
            'd' => {
                let n = match v {
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    other => other.as_int(),
                };
                match n {
                    Some(n) => out.push_str(&n.to_string()),
                    None => {
                        return Err(c.err(next, format!("%d needs an integer, not a {}", v.kind())));
                    }
                }
            }
            _ => out.push_str(&format_v(v)),
        }
        next += 1;
    }
    if next < c.args.len() {
        return Err(c.err(
            next,
            format!(
                "too many arguments: the format string uses {} of {}",
                next - 1,
                c.args.len() - 1
            ),
        ));
    }
    Ok(Value::String(out))
}

fn join(c: &Call<'_>) -> Result<Value, ExprError> {
    let sep = c.str(0)?;
    let parts = c
        .list(1)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.to_interpolated().ok_or_else(|| {
                c.err(
                    1,
                    format!("element {i} is a {}, which has no string form", v.kind()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::String(parts.join(sep)))
}

fn jsonencode(c: &Call<'_>) -> Result<Value, ExprError> {
    serde_json::to_string(&c.value(0).to_json())
        .map(Value::String)
        .map_err(|e| c.err(0, e))
}

fn keys(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::List(
        c.map(0)?.keys().cloned().map(Value::String).collect(),
    ))
}

fn values(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::List(c.map(0)?.values().cloned().collect()))
}

fn length(c: &Call<'_>) -> Result<Value, ExprError> {
    let n = match c.value(0) {
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::String(s) => s.chars().count(),
        _ => return Err(c.type_err(0, "a list, a table or a string")),
    };
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| c.err(0, "the length does not fit in an integer"))
}

fn lookup(c: &Call<'_>) -> Result<Value, ExprError> {
    let m = c.map(0)?;
    let key = c.str(1)?;
    if let Some(v) = m.get(key) {
        return Ok(v.clone());
    }
    if let Some(default) = c.args.get(2) {
        return Ok(default.value.clone());
    }
    Err(c
        .err(1, format!("no key {} in the table", c.shown(key)))
        .with_hint_opt(suggest(key, m.keys().map(String::as_str))))
}

fn lower(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(c.str(0)?.to_lowercase()))
}

fn upper(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(c.str(0)?.to_uppercase()))
}

fn trimspace(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(c.str(0)?.trim().to_string()))
}

/// The numbers of `min`/`max`: the arguments, or the elements of a single
/// list argument.
fn numbers<'c>(c: &'c Call<'_>) -> Result<Vec<&'c Value>, ExprError> {
    let items: Vec<(&Value, usize)> = match c.args {
        [
            Arg {
                value: Value::List(l),
                ..
            },
        ] => l.iter().map(|v| (v, 0)).collect(),
        args => args
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.value, i))
            .collect(),
    };
    if items.is_empty() {
        return Err(c.err(0, "needs at least one number"));
    }
    items
        .into_iter()
        .map(|(v, i)| match v {
            Value::Int(_) | Value::Float(_) => Ok(v),
            other => Err(c.err(i, format!("expected numbers, got a {}", other.kind()))),
        })
        .collect()
}

fn extreme(c: &Call<'_>, want_max: bool) -> Result<Value, ExprError> {
    let nums = numbers(c)?;
    let ints: Option<Vec<i64>> = nums
        .iter()
        .map(|v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })
        .collect();
    if let Some(ints) = ints {
        let best = if want_max {
            ints.iter().max()
        } else {
            ints.iter().min()
        };
        // `numbers` never returns an empty list.
        return Ok(best.map_or(Value::Null, |i| Value::Int(*i)));
    }
    let floats = nums.iter().map(|v| match v {
        Value::Int(i) => *i as f64,
        Value::Float(x) => *x,
        _ => f64::NAN,
    });
    let best = if want_max {
        floats.fold(f64::NEG_INFINITY, f64::max)
    } else {
        floats.fold(f64::INFINITY, f64::min)
    };
    Ok(Value::Float(best))
}

fn max(c: &Call<'_>) -> Result<Value, ExprError> {
    extreme(c, true)
}

fn min(c: &Call<'_>) -> Result<Value, ExprError> {
    extreme(c, false)
}

fn merge(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = Map::new();
    for i in 0..c.args.len() {
        match c.value(i) {
            // Terraform skips nulls, which makes optional tables easy to merge.
            Value::Null => {}
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            _ => return Err(c.type_err(i, "a table")),
        }
    }
    Ok(Value::Map(out))
}

fn range(c: &Call<'_>) -> Result<Value, ExprError> {
    let ints = (0..c.args.len())
        .map(|i| c.int(i))
        .collect::<Result<Vec<_>, _>>()?;
    // Without a step, count towards the limit, as in Terraform.
    let toward = |start: i64, limit: i64| if start <= limit { 1 } else { -1 };
    let (start, limit, step) = match ints[..] {
        [limit] => (0, limit, toward(0, limit)),
        [start, limit] => (start, limit, toward(start, limit)),
        [start, limit, step] => (start, limit, step),
        _ => return Err(c.call_err("takes 1 to 3 arguments")),
    };
    if step == 0 {
        return Err(c.err(2, "the step must not be zero"));
    }
    let mut out = Vec::new();
    let (mut i, limit, step) = (i128::from(start), i128::from(limit), i128::from(step));
    while (step > 0 && i < limit) || (step < 0 && i > limit) {
        if out.len() >= MAX_RANGE {
            return Err(c.call_err(format!("would produce more than {MAX_RANGE} elements")));
        }
        // `i` lies strictly between two i64 values here.
        out.push(Value::Int(
            i64::try_from(i).map_err(|_| c.call_err("out of range"))?,
        ));
        i += step;
    }
    Ok(Value::List(out))
}

fn replace(c: &Call<'_>) -> Result<Value, ExprError> {
    let (s, from, to) = (c.str(0)?, c.str(1)?, c.str(2)?);
    if from.is_empty() {
        return Err(c.err(1, "the text to search for must not be empty"));
    }
    Ok(Value::String(s.replace(from, to)))
}

fn secret(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::secret(c.value(0).clone()))
}

fn split(c: &Call<'_>) -> Result<Value, ExprError> {
    let (sep, s) = (c.str(0)?, c.str(1)?);
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|ch| Value::String(ch.to_string())).collect()
    } else {
        s.split(sep).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

fn tonumber(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        v @ (Value::Int(_) | Value::Float(_) | Value::Null) => Ok(v.clone()),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(i) = t.parse::<i64>() {
                return Ok(Value::Int(i));
            }
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Value::Float(x)),
                _ => Err(c.err(0, format!("cannot convert {} to a number", c.shown(s)))),
            }
        }
        _ => Err(c.type_err(0, "a number or a string")),
    }
}

fn tostring(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        Value::Null => Ok(Value::Null),
        v => v.to_interpolated().map(Value::String).ok_or_else(|| {
            c.err(0, format!("cannot convert a {} to a string", v.kind()))
                .with_hint("use jsonencode()")
        }),
    }
}
