//! Collection functions: alltrue anytrue chunklist coalesce coalescelist
//! compact concat contains distinct element flatten index keys length lookup
//! matchkeys merge one range reverse setintersection setproduct setsubtract
//! setunion slice sort sum transpose values zipmap.
//!
//! Sets are lists here, in Terraform's set order ([`set_of`]: sorted,
//! without duplicates). Functions that only move elements around are
//! `structural`, so unknown elements pass through them; the sizes they
//! build (`range`, `setproduct`) are bounded.

use std::cmp::Ordering;

use unicode_segmentation::UnicodeSegmentation as _;

use super::args::{as_f64, number_value, to_number, to_string, values_equal};
use super::types::unify;
use super::{Call, Function, MAX_OUTPUT, row};
use crate::base::{Map, Value};
use crate::expr::error::{ExprError, suggest};
use crate::expr::eval::taint;
use crate::expr::ops::as_bool;

/// Most elements `range` may produce, as in Terraform.
const MAX_RANGE: usize = 1024;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "collection";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "alltrue",
        "alltrue(list)",
        "whether every element of list is true (true for an empty list)",
        1,
        Some(1),
        alltrue,
    ),
    row(
        "anytrue",
        "anytrue(list)",
        "whether any element of list is true",
        1,
        Some(1),
        anytrue,
    ),
    row(
        "chunklist",
        "chunklist(list, chunk_size)",
        "list cut into lists of chunk_size elements",
        2,
        Some(2),
        chunklist,
    )
    .marked(),
    row(
        "coalesce",
        "coalesce(value, ...)",
        "the first argument that is neither null nor an empty string",
        1,
        None,
        coalesce,
    ),
    row(
        "coalescelist",
        "coalescelist(list, ...)",
        "the first argument that is a non-empty list",
        1,
        None,
        coalescelist,
    )
    .structural(),
    row(
        "compact",
        "compact(list)",
        "list without its null and empty-string elements",
        1,
        Some(1),
        compact,
    ),
    row(
        "concat",
        "concat(list, ...)",
        "the lists joined into one",
        1,
        None,
        concat,
    )
    .marked(),
    row(
        "contains",
        "contains(list, value)",
        "whether list holds value",
        2,
        Some(2),
        contains,
    ),
    row(
        "distinct",
        "distinct(list)",
        "list without duplicates, in order of first occurrence",
        1,
        Some(1),
        distinct,
    ),
    row(
        "element",
        "element(list, index)",
        "the element of list at index, wrapping around past the end",
        2,
        Some(2),
        element,
    )
    .marked(),
    row(
        "flatten",
        "flatten(list)",
        "list with nested lists replaced by their elements, at any depth",
        1,
        Some(1),
        flatten,
    )
    .marked(),
    row(
        "index",
        "index(list, value)",
        "the index of the first element of list equal to value",
        2,
        Some(2),
        index,
    ),
    row(
        "keys",
        "keys(table)",
        "the keys of table, sorted",
        1,
        Some(1),
        keys,
    )
    .marked(),
    row(
        "length",
        "length(list | table | string)",
        "the number of elements of a list or table, or of characters of a string",
        1,
        Some(1),
        length,
    )
    .marked(),
    row(
        "lookup",
        "lookup(table, key[, default])",
        "the value of key in table, or default when key is missing",
        2,
        Some(3),
        lookup,
    )
    .marked_passing(2),
    row(
        "matchkeys",
        "matchkeys(valueslist, keyslist, searchset)",
        "the elements of valueslist whose key in keyslist is in searchset",
        3,
        Some(3),
        matchkeys,
    ),
    row(
        "merge",
        "merge(table, ...)",
        "the tables merged into one, a later key winning",
        1,
        None,
        merge,
    )
    .marked(),
    row(
        "one",
        "one(list)",
        "the only element of list, or null when it is empty",
        1,
        Some(1),
        one,
    )
    .structural(),
    row(
        "range",
        "range(limit) | range(start, limit[, step])",
        "the numbers from start (0) up to limit, not included, by step (1)",
        1,
        Some(3),
        range,
    ),
    row(
        "reverse",
        "reverse(list)",
        "list in reverse order",
        1,
        Some(1),
        reverse,
    )
    .marked(),
    row(
        "setintersection",
        "setintersection(set, ...)",
        "the elements in every set",
        1,
        None,
        setintersection,
    ),
    row(
        "setproduct",
        "setproduct(set, ...)",
        "every combination of one element of each set, as lists",
        1,
        None,
        setproduct,
    )
    .marked(),
    row(
        "setsubtract",
        "setsubtract(a, b)",
        "the elements of set a that are not in set b",
        2,
        Some(2),
        setsubtract,
    ),
    row(
        "setunion",
        "setunion(set, ...)",
        "the elements in any of the sets",
        1,
        None,
        setunion,
    ),
    row(
        "slice",
        "slice(list, startindex, endindex)",
        "the elements of list from startindex up to endindex, not included",
        3,
        Some(3),
        slice,
    )
    .marked(),
    row(
        "sort",
        "sort(list)",
        "the strings of list in lexicographic order",
        1,
        Some(1),
        sort,
    ),
    row(
        "sum",
        "sum(list)",
        "the sum of the numbers of list",
        1,
        Some(1),
        sum,
    ),
    row(
        "transpose",
        "transpose(table)",
        "a table of lists of strings with its keys and values swapped",
        1,
        Some(1),
        transpose,
    ),
    row(
        "values",
        "values(table)",
        "the values of table, in the order of its sorted keys",
        1,
        Some(1),
        values,
    )
    .marked(),
    row(
        "zipmap",
        "zipmap(keyslist, valueslist)",
        "a table of the keys of keyslist, each with the valueslist element at its index",
        2,
        Some(2),
        zipmap,
    )
    .marked(),
];

/// Terraform's set order: numbers by value, strings lexically, then
/// everything else by its JSON form; bools `false` before `true`.
pub(crate) fn set_order(a: &Value, b: &Value) -> Ordering {
    let rank = |v: &Value| match v {
        Value::Int(_) | Value::Float(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        _ => 3,
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            as_f64(a).total_cmp(&as_f64(b))
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_json().to_string().cmp(&b.to_json().to_string())),
    }
}

/// `items` as a set: in set order, each value once.
pub(crate) fn set_of(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by(set_order);
    items.dedup_by(|a, b| values_equal(a, b));
    items
}

/// Argument `i` as a list of bools (`"true"`/`"false"` converted).
fn bools(c: &Call<'_>, i: usize) -> Result<Vec<bool>, ExprError> {
    c.list(i)?
        .iter()
        .enumerate()
        .map(|(n, v)| {
            as_bool(v)
                .ok_or_else(|| c.err(i, format!("element {n} must be a bool, not a {}", v.kind())))
        })
        .collect()
}

fn alltrue(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::Bool(bools(c, 0)?.iter().all(|b| *b)))
}

fn anytrue(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::Bool(bools(c, 0)?.iter().any(|b| *b)))
}

fn chunklist(c: &Call<'_>) -> Result<Value, ExprError> {
    let list = c.list(0)?;
    let size = c.usize(1)?;
    if size == 0 {
        // Terraform: a size of zero is one chunk of everything.
        return Ok(Value::List(vec![Value::List(list.to_vec())]));
    }
    Ok(Value::List(
        list.chunks(size)
            .map(|ch| Value::List(ch.to_vec()))
            .collect(),
    ))
}

/// The first argument that is neither null nor an empty string, after the
/// arguments are converted to one type as Terraform does
/// (`coalesce(1, "a")` is `"1"`).
fn coalesce(c: &Call<'_>) -> Result<Value, ExprError> {
    let given: Vec<Value> = c.args.iter().map(|a| a.value.clone()).collect();
    let unified =
        unify(&given).map_err(|m| c.call_err(format!("the arguments must be of one type: {m}")))?;
    unified
        .into_iter()
        .find(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
        .ok_or_else(|| c.call_err("every argument is null or an empty string"))
}

fn coalescelist(c: &Call<'_>) -> Result<Value, ExprError> {
    for i in 0..c.len() {
        if !c.list(i)?.is_empty() {
            return Ok(c.value(i).clone());
        }
    }
    Err(c.call_err("every argument is an empty list"))
}

fn compact(c: &Call<'_>) -> Result<Value, ExprError> {
    let kept = c.list(0)?.iter().filter_map(|v| match v {
        Value::Null => None,
        v => to_string(v).filter(|s| !s.is_empty()).map(Value::String),
    });
    // Lists and tables have no string form: refuse them as Terraform does.
    if let Some((n, v)) = c
        .list(0)?
        .iter()
        .enumerate()
        .find(|(_, v)| matches!(v, Value::List(_) | Value::Map(_)))
    {
        return Err(c.err(
            0,
            format!("element {n} must be a string, not a {}", v.kind()),
        ));
    }
    Ok(Value::List(kept.collect()))
}

fn concat(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = Vec::new();
    for i in 0..c.len() {
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

fn distinct(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out: Vec<Value> = Vec::new();
    for v in &one_type(c, 0)? {
        if !out.iter().any(|o| values_equal(o, v)) {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

fn element(c: &Call<'_>) -> Result<Value, ExprError> {
    let list = c.list(0)?;
    let index = c.int(1)?;
    if list.is_empty() {
        return Err(c.err(0, "cannot take an element of an empty list"));
    }
    // Wraps around, a negative index counting from the end, as in Terraform.
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    // rem_euclid by a positive length lies in 0..len.
    Ok(list[index.rem_euclid(len) as usize].clone())
}

/// As in Terraform, the elements keep their secrets, a nested list that is
/// itself secret makes the whole result secret, and an unknown element
/// (which may be a list) makes it unknown.
fn flatten(c: &Call<'_>) -> Result<Value, ExprError> {
    /// Appends the flattened `items`; whether a nested list was secret, or
    /// `None` when an element is unknown.
    fn into(out: &mut Vec<Value>, items: &[Value]) -> Option<bool> {
        let mut secret = false;
        for v in items {
            match v {
                Value::Unknown => return None,
                Value::List(inner) => secret |= into(out, inner)?,
                Value::Secret(inner) if matches!(**inner, Value::List(_) | Value::Unknown) => {
                    secret = true;
                    into(out, std::slice::from_ref(inner))?;
                }
                other => out.push(other.clone()),
            }
        }
        Some(secret)
    }
    let mut out = Vec::new();
    Ok(match into(&mut out, c.list(0)?) {
        None => Value::Unknown,
        Some(secret) => taint(Value::List(out), secret),
    })
}

fn index(c: &Call<'_>) -> Result<Value, ExprError> {
    let needle = c.value(1);
    match c.list(0)?.iter().position(|v| values_equal(v, needle)) {
        // A list's length always fits an i64.
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(c.err(1, "the item was not found in the list")),
    }
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
        // Characters as a reader sees them, as Terraform counts.
        Value::String(s) => s.graphemes(true).count(),
        _ => return Err(c.type_err(0, "a list, a table or a string")),
    };
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| c.err(0, "the length does not fit in an integer"))
}

/// The default is passed as given (see the row): as in Terraform, its
/// secret mark reaches the result only when it is the result, and an
/// unknown default does not matter when the key is there.
fn lookup(c: &Call<'_>) -> Result<Value, ExprError> {
    let m = c.map(0)?;
    let key = c.str(1)?;
    if let Some(v) = m.get(&*key) {
        return Ok(v.clone());
    }
    if let Some(default) = c.args.get(2) {
        return Ok(default.value.clone());
    }
    Err(c
        .err(1, format!("no key {} in the table", c.shown(&key)))
        .with_hint_opt(suggest(&key, m.keys().map(String::as_str))))
}

fn matchkeys(c: &Call<'_>) -> Result<Value, ExprError> {
    let (vals, keys, search) = (c.list(0)?, c.list(1)?, c.list(2)?);
    if vals.len() != keys.len() {
        return Err(c.err(
            1,
            format!(
                "the keys list has {} elements but the values list has {}: they must be of one length",
                keys.len(),
                vals.len()
            ),
        ));
    }
    Ok(Value::List(
        vals.iter()
            .zip(keys)
            .filter(|(_, k)| search.iter().any(|s| values_equal(s, k)))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

fn merge(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out = Map::new();
    for i in 0..c.len() {
        match c.value(i) {
            // Terraform skips nulls, which makes optional tables easy to merge.
            Value::Null => {}
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            _ => return Err(c.type_err(i, "a table")),
        }
    }
    Ok(Value::Map(out))
}

fn one(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.list(0)? {
        [] => Ok(Value::Null),
        [v] => Ok(v.clone()),
        more => Err(c.err(
            0,
            format!(
                "must be a list of no more than one element, not {}",
                more.len()
            ),
        )),
    }
}

fn range(c: &Call<'_>) -> Result<Value, ExprError> {
    let nums = (0..c.len())
        .map(|i| c.num(i))
        .collect::<Result<Vec<_>, _>>()?;
    if nums.iter().all(|n| matches!(n, Value::Int(_))) {
        return int_range(c, &nums);
    }
    // Fractional bounds or steps: count in floats, as Terraform does.
    let f: Vec<f64> = nums.iter().map(as_f64).collect();
    let toward = |start: f64, limit: f64| if start <= limit { 1.0 } else { -1.0 };
    let (start, limit, step) = match f[..] {
        [limit] => (0.0, limit, toward(0.0, limit)),
        [start, limit] => (start, limit, toward(start, limit)),
        [start, limit, step] => (start, limit, step),
        _ => return Err(c.call_err("takes 1 to 3 arguments")),
    };
    if step == 0.0 {
        return Err(c.err(2, "the step must not be zero"));
    }
    let mut out = Vec::new();
    let mut k = 0.0;
    loop {
        let x = start + k * step;
        if !((step > 0.0 && x < limit) || (step < 0.0 && x > limit)) {
            break;
        }
        if out.len() >= MAX_RANGE {
            return Err(c.call_err(format!("would produce more than {MAX_RANGE} elements")));
        }
        out.push(number_value(x));
        k += 1.0;
    }
    Ok(Value::List(out))
}

fn int_range(c: &Call<'_>, nums: &[Value]) -> Result<Value, ExprError> {
    let ints: Vec<i64> = nums.iter().filter_map(Value::as_int).collect();
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

fn reverse(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::List(c.list(0)?.iter().rev().cloned().collect()))
}

/// Every argument as a set.
/// The arguments as sets of the one element type they all unify to, as
/// Terraform converts them (`setunion(["a"], [1])` is `["1", "a"]`).
fn sets(c: &Call<'_>) -> Result<Vec<Vec<Value>>, ExprError> {
    let lists: Vec<&[Value]> = (0..c.len()).map(|i| c.list(i)).collect::<Result<_, _>>()?;
    let all: Vec<Value> = lists.concat();
    let mut unified = unify(&all)
        .map_err(|m| c.call_err(format!("the sets' elements must be of one type: {m}")))?
        .into_iter();
    Ok(lists
        .iter()
        .map(|l| set_of(unified.by_ref().take(l.len()).collect()))
        .collect())
}

/// Argument `i`, a list, with its elements converted to one type.
fn one_type(c: &Call<'_>, i: usize) -> Result<Vec<Value>, ExprError> {
    unify(c.list(i)?).map_err(|m| c.err(i, format!("the elements must be of one type: {m}")))
}

fn setintersection(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut all = sets(c)?.into_iter();
    let first = all.next().unwrap_or_default();
    let rest: Vec<Vec<Value>> = all.collect();
    Ok(Value::List(
        first
            .into_iter()
            .filter(|v| rest.iter().all(|s| s.iter().any(|x| values_equal(x, v))))
            .collect(),
    ))
}

fn setunion(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::List(set_of(sets(c)?.concat())))
}

fn setsubtract(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut both = sets(c)?.into_iter();
    let (a, b) = (
        both.next().unwrap_or_default(),
        both.next().unwrap_or_default(),
    );
    Ok(Value::List(
        a.into_iter()
            .filter(|v| !b.iter().any(|x| values_equal(x, v)))
            .collect(),
    ))
}

/// `setproduct`: every combination, one element from each argument, in
/// the arguments' order (lists stay lists).
fn setproduct(c: &Call<'_>) -> Result<Value, ExprError> {
    let lists: Vec<&[Value]> = (0..c.len()).map(|i| c.list(i)).collect::<Result<_, _>>()?;
    let total = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
        .filter(|n| n.saturating_mul(lists.len()) <= MAX_OUTPUT)
        .ok_or_else(|| c.call_err("the product would have too many elements"))?;
    let mut out = Vec::with_capacity(total);
    for mut n in 0..total {
        let mut combo = vec![Value::Null; lists.len()];
        for (k, l) in lists.iter().enumerate().rev() {
            // `total` is non-zero here, so every list is non-empty.
            combo[k] = l[n % l.len()].clone();
            n /= l.len();
        }
        out.push(Value::List(combo));
    }
    Ok(Value::List(out))
}

fn slice(c: &Call<'_>) -> Result<Value, ExprError> {
    let list = c.list(0)?;
    let (start, end) = (c.usize(1)?, c.usize(2)?);
    if end > list.len() {
        return Err(c.err(
            2,
            format!(
                "the end index {end} is past the end of the list (length {})",
                list.len()
            ),
        ));
    }
    if start > end {
        return Err(c.err(
            1,
            format!("the start index {start} must not be greater than the end index {end}"),
        ));
    }
    Ok(Value::List(list[start..end].to_vec()))
}

fn sort(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut items = c.strings(0)?;
    items.sort();
    Ok(Value::List(items.into_iter().map(Value::String).collect()))
}

fn sum(c: &Call<'_>) -> Result<Value, ExprError> {
    let list = c.list(0)?;
    if list.is_empty() {
        return Err(c.err(0, "cannot sum an empty list"));
    }
    let nums = list
        .iter()
        .enumerate()
        .map(|(n, v)| {
            to_number(v).ok_or_else(|| {
                c.err(
                    0,
                    format!("element {n} must be a number, not a {}", v.kind()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let int_sum = nums.iter().try_fold(0i64, |acc, v| match v {
        Value::Int(i) => acc.checked_add(*i),
        _ => None,
    });
    if let Some(s) = int_sum {
        return Ok(Value::Int(s));
    }
    let s: f64 = nums.iter().map(as_f64).sum();
    if !s.is_finite() {
        return Err(c.call_err("the sum is not a finite number"));
    }
    Ok(number_value(s))
}

fn transpose(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for (key, v) in c.map(0)? {
        let Value::List(items) = v else {
            return Err(c.err(0, format!("the value of `{key}` must be a list of strings")));
        };
        for item in items {
            let s = to_string(item).ok_or_else(|| {
                c.err(0, format!("the value of `{key}` must be a list of strings"))
            })?;
            out.entry(s).or_default().push(Value::String(key.clone()));
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

fn zipmap(c: &Call<'_>) -> Result<Value, ExprError> {
    let (keys, vals) = (c.list(0)?, c.list(1)?);
    if keys.len() != vals.len() {
        return Err(c.err(
            1,
            format!(
                "there are {} keys but {} values: the lists must be of one length",
                keys.len(),
                vals.len()
            ),
        ));
    }
    let mut out = Map::new();
    // A key cannot be secret on its own: a secret key makes the table secret.
    let mut secret = false;
    for (n, (k, v)) in keys.iter().zip(vals).enumerate() {
        let (k, key_secret) = k.unwrap_secret();
        if matches!(k, Value::Unknown) {
            // The table's keys are not known yet.
            return Ok(Value::Unknown);
        }
        secret |= key_secret;
        let k = to_string(k)
            .ok_or_else(|| c.err(0, format!("key {n} must be a string, not a {}", k.kind())))?;
        out.insert(k, v.clone());
    }
    Ok(taint(Value::Map(out), secret))
}
