//! The built-in functions: Terraform's function library, one module per
//! category, each a table of rows joined here into one sorted table.
//!
//! [`call`] handles what every function shares: arity, unknown propagation
//! and secret tainting. The functions themselves then see plain values (no
//! secret wrappers) and, unless they are `structural`, no unknowns either;
//! only the `raw` rows (`sensitive`, `nonsensitive`, `issensitive`) see the
//! wrappers, because taint is what they are about. Every size a function
//! builds from its arguments is bounded ([`MAX_OUTPUT`]) so that no input
//! can exhaust memory.
//!
//! Each row also declares a one-line summary of what it returns, and each
//! table its category: [`docs`] hands them to `skistack functions`, and the
//! README's list of functions is checked against them.

mod args;
mod charsets;
mod collection;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod hashing;
mod network;
mod numeric;
mod string;
mod types;

use std::sync::OnceLock;

use super::error::ExprError;
use super::eval::{Scope, taint};
use crate::base::Span;
use crate::base::Value;

pub(crate) use args::Call;
pub(crate) use datetime::{plan_time, set_plan_time};

/// Most bytes (or elements) a function may produce, so that `indent`,
/// `format("%999999999d")` or `chunklist` over a huge count are refused
/// instead of exhausting memory.
pub(crate) const MAX_OUTPUT: usize = 16 * 1024 * 1024;

/// An evaluated argument and where it was written.
pub(crate) struct Arg {
    pub(crate) value: Value,
    pub(crate) span: Span,
}

/// How a function sees unknown and secret arguments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Any unknown inside an argument makes the result unknown.
    Plain,
    /// Only looks at the shape of its list and table arguments, so unknown
    /// elements pass through instead of making the whole result unknown
    /// (`length([a.id, b.id])` is 2 even before the ids are known).
    Structural,
    /// Structural, and keeps the secrets inside its arguments where they
    /// are: only an argument that is itself secret taints the whole result
    /// (`element([secret(a), b], 1)` is `b`, not secret). These are the
    /// functions Terraform declares `AllowMarked`; every other function's
    /// result is secret when anything in its arguments is, as there.
    /// Arguments from `passed` on are given exactly as they are, secret
    /// mark and unknown included, and taint nothing by themselves: the
    /// function returns such an argument whole or not at all (`lookup`'s
    /// default is secret in the result only when it is the result).
    Marked { passed: usize },
    /// Sees arguments exactly as given, secret wrappers and unknowns
    /// included, and its result is not tainted: for the functions that
    /// manage taint themselves.
    Raw,
}

/// A built-in function.
pub(crate) struct Function {
    name: &'static str,
    /// Shown in the hint of an arity error.
    signature: &'static str,
    /// What it returns, in one line: shown by `skistack functions` and in
    /// the README.
    summary: &'static str,
    min: usize,
    /// `None`: any number of arguments.
    max: Option<usize>,
    mode: Mode,
    run: fn(&Call<'_>) -> Result<Value, ExprError>,
}

/// The function `name`, usage `signature`, returning what `summary` says,
/// taking `min` to `max` arguments (`None`: any number).
const fn row(
    name: &'static str,
    signature: &'static str,
    summary: &'static str,
    min: usize,
    max: Option<usize>,
    run: fn(&Call<'_>) -> Result<Value, ExprError>,
) -> Function {
    Function {
        name,
        signature,
        summary,
        min,
        max,
        mode: Mode::Plain,
        run,
    }
}

impl Function {
    /// The row, seeing unknown elements (see [`Mode::Structural`]).
    const fn structural(mut self) -> Function {
        self.mode = Mode::Structural;
        self
    }

    /// The row, keeping the secrets inside its arguments (see [`Mode::Marked`]).
    const fn marked(self) -> Function {
        self.marked_passing(usize::MAX)
    }

    /// [`Function::marked`], with the arguments from `passed` on given as
    /// they are (see [`Mode::Marked`]).
    const fn marked_passing(mut self, passed: usize) -> Function {
        self.mode = Mode::Marked { passed };
        self
    }

    /// The row, seeing secrets and unknowns as given (see [`Mode::Raw`]).
    const fn raw(mut self) -> Function {
        self.mode = Mode::Raw;
        self
    }
}

/// Every category's rows, with the category's name, in the order the
/// categories are listed (`format.rs` is a second table of string functions).
static TABLES: &[(&str, &[Function])] = &[
    (numeric::CATEGORY, numeric::ROWS),
    (string::CATEGORY, string::ROWS),
    (format::CATEGORY, format::ROWS),
    (collection::CATEGORY, collection::ROWS),
    (encoding::CATEGORY, encoding::ROWS),
    (filesystem::CATEGORY, filesystem::ROWS),
    (datetime::CATEGORY, datetime::ROWS),
    (hashing::CATEGORY, hashing::ROWS),
    (network::CATEGORY, network::ROWS),
    (types::CATEGORY, types::ROWS),
];

/// The category the special forms `can` and `try` are listed under, as in
/// Terraform's documentation.
pub(crate) const SPECIAL_CATEGORY: &str = types::CATEGORY;

/// Every function as `(category, name, signature, summary)`, in the order
/// of [`TABLES`].
pub(crate) fn docs()
-> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    TABLES.iter().flat_map(|(category, rows)| {
        rows.iter()
            .map(|f| (*category, f.name, f.signature, f.summary))
    })
}

/// All functions, sorted by name.
fn sorted() -> &'static [&'static Function] {
    static SORTED: OnceLock<Vec<&'static Function>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut all: Vec<&'static Function> = TABLES.iter().flat_map(|(_, t)| t.iter()).collect();
        all.sort_by_key(|f| f.name);
        all
    })
}

/// The names of all built-in functions, sorted.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    sorted().iter().map(|f| f.name)
}

/// The function called `name`.
pub(crate) fn lookup_function(name: &str) -> Option<&'static Function> {
    let all = sorted();
    all.binary_search_by_key(&name, |f| f.name)
        .ok()
        .map(|i| all[i])
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
    if f.mode == Mode::Raw {
        return (f.run)(&Call::new(f.name, span, &args, scope, false));
    }
    let passed = match f.mode {
        Mode::Marked { passed } => passed,
        _ => usize::MAX,
    };
    if args
        .iter()
        .take(passed)
        .any(|a| matches!(a.value.unwrap_secret().0, Value::Unknown))
    {
        return Ok(Value::Unknown);
    }
    if f.mode == Mode::Plain && args.iter().any(|a| a.value.contains_unknown()) {
        return Ok(Value::Unknown);
    }
    // Errors never show a value from arguments holding a secret anywhere.
    let hidden = args.iter().any(|a| a.value.contains_secret());
    if let Mode::Marked { passed } = f.mode {
        let secret = (args.iter().take(passed)).any(|a| matches!(a.value, Value::Secret(_)));
        let args: Vec<Arg> = (args.into_iter().enumerate())
            .map(|(i, a)| Arg {
                value: match a.value {
                    Value::Secret(inner) if i < passed => *inner,
                    v => v,
                },
                span: a.span,
            })
            .collect();
        let out = (f.run)(&Call::new(f.name, span, &args, scope, hidden))?;
        return Ok(taint(out, secret));
    }
    let args: Vec<Arg> = args
        .into_iter()
        .map(|a| Arg {
            value: a.value.reveal(),
            span: a.span,
        })
        .collect();
    let out = (f.run)(&Call::new(f.name, span, &args, scope, hidden))?;
    Ok(taint(out, hidden))
}
