//! Terraform's type unification over dynamic values: the one type that
//! the branches of `c ? a : b`, the elements given to `tolist`, `toset`,
//! `tomap`, `distinct` and the set functions, and the arguments of
//! `coalesce` convert to, and the conversion itself.
//!
//! Our values carry no static types, so a value's type is read from its
//! shape (a list literal is a tuple, a table an object, null and unknown
//! are dynamic) and unified as go-cty's `convert.Unify` does:
//! primitives unify to a string when one of them is a string (number and
//! bool do not unify); tuples of one length unify element-wise, of
//! different lengths to a list of one element type; objects with the same
//! keys unify key-wise, with different keys to a map of one value type;
//! nothing unifies a collection with a primitive. A unified conversion
//! cannot fail, so [`convert`] never loses a value, and secrets stay on
//! the elements they marked.

use crate::base::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A value's type, as unification sees it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    /// Null or unknown: converts to anything.
    Dynamic,
    String,
    Number,
    Bool,
    /// A list literal: one type per element.
    Tuple(Vec<Ty>),
    /// A list of one element type (what tuples of different lengths unify to).
    List(Box<Ty>),
    /// A table: one type per key.
    Object(BTreeMap<String, Ty>),
    /// A table of one value type (what objects with different keys unify to).
    Map(Box<Ty>),
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Dynamic => write!(f, "null"),
            Ty::String => write!(f, "string"),
            Ty::Number => write!(f, "number"),
            Ty::Bool => write!(f, "bool"),
            Ty::Tuple(_) | Ty::List(_) => write!(f, "list"),
            Ty::Object(_) | Ty::Map(_) => write!(f, "table"),
        }
    }
}

/// Why types do not unify: the two that disagree first.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{a} and {b} do not convert to one type")]
pub(crate) struct Mismatch {
    a: String,
    b: String,
}

impl Mismatch {
    fn of(a: &Ty, b: &Ty) -> Mismatch {
        Mismatch {
            a: a.to_string(),
            b: b.to_string(),
        }
    }
}

/// The type of `v`, read from its shape.
pub(crate) fn type_of(v: &Value) -> Ty {
    match v {
        Value::Secret(inner) => type_of(inner),
        Value::Null | Value::Unknown => Ty::Dynamic,
        Value::String(_) => Ty::String,
        Value::Int(_) | Value::Float(_) => Ty::Number,
        Value::Bool(_) => Ty::Bool,
        Value::List(items) => Ty::Tuple(items.iter().map(type_of).collect()),
        Value::Map(m) => Ty::Object(m.iter().map(|(k, v)| (k.clone(), type_of(v))).collect()),
    }
}

/// The one type every type of `tys` converts to.
pub(crate) fn unify(tys: &[Ty]) -> Result<Ty, Mismatch> {
    let known: Vec<&Ty> = tys.iter().filter(|t| **t != Ty::Dynamic).collect();
    let Some(first) = known.first() else {
        return Ok(Ty::Dynamic);
    };
    if known.iter().all(|t| t == first) {
        return Ok((*first).clone());
    }
    let sequences = known
        .iter()
        .all(|t| matches!(t, Ty::Tuple(_) | Ty::List(_)));
    let tables = known
        .iter()
        .all(|t| matches!(t, Ty::Object(_) | Ty::Map(_)));
    if sequences {
        return unify_sequences(&known);
    }
    if tables {
        return unify_tables(&known);
    }
    unify_primitives(&known)
}

fn unify_primitives(known: &[&Ty]) -> Result<Ty, Mismatch> {
    let primitive = |t: &&Ty| matches!(t, Ty::String | Ty::Number | Ty::Bool);
    let first = known.first().map(primitive);
    // The first type that is not of the first one's kind (both kinds are
    // here, or this would not be reached: see `unify`).
    if let Some(other) = known.iter().find(|t| Some(primitive(t)) != first) {
        return Err(Mismatch::of(known[0], other));
    }
    // Every primitive converts to a string; number and bool to nothing else.
    if known.contains(&&Ty::String) {
        return Ok(Ty::String);
    }
    Err(Mismatch::of(&Ty::Number, &Ty::Bool))
}

/// Tuples of one length element-wise; otherwise a list of one type.
fn unify_sequences(known: &[&Ty]) -> Result<Ty, Mismatch> {
    let tuples: Option<Vec<&Vec<Ty>>> = known
        .iter()
        .map(|t| match t {
            Ty::Tuple(items) => Some(items),
            _ => None,
        })
        .collect();
    if let Some(tuples) = &tuples
        && tuples.iter().all(|t| t.len() == tuples[0].len())
    {
        let columns = (0..tuples[0].len())
            .map(|i| unify(&tuples.iter().map(|t| t[i].clone()).collect::<Vec<_>>()))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Ty::Tuple(columns));
    }
    let elements: Vec<Ty> = known
        .iter()
        .flat_map(|t| match t {
            Ty::Tuple(items) => items.clone(),
            Ty::List(of) => vec![(**of).clone()],
            _ => Vec::new(),
        })
        .collect();
    Ok(Ty::List(Box::new(unify(&elements)?)))
}

/// Objects with the same keys key-wise; otherwise a map of one type.
fn unify_tables(known: &[&Ty]) -> Result<Ty, Mismatch> {
    let objects: Option<Vec<&BTreeMap<String, Ty>>> = known
        .iter()
        .map(|t| match t {
            Ty::Object(m) => Some(m),
            _ => None,
        })
        .collect();
    if let Some(objects) = &objects
        && objects.iter().all(|o| o.keys().eq(objects[0].keys()))
    {
        let fields = objects[0]
            .keys()
            .map(|k| {
                let tys: Vec<Ty> = objects.iter().map(|o| o[k].clone()).collect();
                Ok((k.clone(), unify(&tys)?))
            })
            .collect::<Result<BTreeMap<_, _>, Mismatch>>()?;
        return Ok(Ty::Object(fields));
    }
    let values: Vec<Ty> = known
        .iter()
        .flat_map(|t| match t {
            Ty::Object(m) => m.values().cloned().collect(),
            Ty::Map(of) => vec![(**of).clone()],
            _ => Vec::new(),
        })
        .collect();
    Ok(Ty::Map(Box::new(unify(&values)?)))
}

/// `v` converted to `ty`, a type [`unify`] gave for it: only primitives
/// change (to strings), so nothing is lost. Secrets keep their mark.
pub(crate) fn convert(v: Value, ty: &Ty) -> Value {
    match (v, ty) {
        (Value::Secret(inner), ty) => Value::secret(convert(*inner, ty)),
        (v @ (Value::Int(_) | Value::Float(_) | Value::Bool(_)), Ty::String) => {
            v.to_interpolated().map_or(v, Value::String)
        }
        (Value::List(items), Ty::Tuple(tys)) if items.len() == tys.len() => Value::List(
            items
                .into_iter()
                .zip(tys)
                .map(|(v, t)| convert(v, t))
                .collect(),
        ),
        (Value::List(items), Ty::List(of)) => {
            Value::List(items.into_iter().map(|v| convert(v, of)).collect())
        }
        (Value::Map(m), Ty::Object(tys)) => Value::Map(
            m.into_iter()
                .map(|(k, v)| {
                    let t = tys.get(&k).unwrap_or(&Ty::Dynamic);
                    let v = convert(v, t);
                    (k, v)
                })
                .collect(),
        ),
        (Value::Map(m), Ty::Map(of)) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, convert(v, of)))
                .collect::<Map>(),
        ),
        (v, _) => v,
    }
}

/// `items` converted to the one type they unify to.
pub(crate) fn unify_values(items: Vec<Value>) -> Result<Vec<Value>, Mismatch> {
    let ty = unify(&items.iter().map(type_of).collect::<Vec<_>>())?;
    Ok(items.into_iter().map(|v| convert(v, &ty)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    fn list(items: &[Value]) -> Value {
        Value::List(items.to_vec())
    }

    #[test]
    fn primitives_unify_to_a_string_when_one_is() {
        let out = unify_values(vec![Value::Int(1), s("a"), Value::Bool(true), Value::Null]);
        assert_eq!(out, Ok(vec![s("1"), s("a"), s("true"), Value::Null]));
        let e = unify_values(vec![Value::Int(1), Value::Bool(true)]).unwrap_err();
        assert_eq!(e.to_string(), "number and bool do not convert to one type");
    }

    #[test]
    fn tuples_unify_element_wise_or_to_one_element_type() {
        let same = unify_values(vec![
            list(&[Value::Int(1), s("x")]),
            list(&[s("a"), s("b")]),
        ]);
        assert_eq!(
            same,
            Ok(vec![list(&[s("1"), s("x")]), list(&[s("a"), s("b")])])
        );
        // Different lengths: a list of one type, so every number becomes a string.
        let other = unify_values(vec![list(&[Value::Int(1)]), list(&[s("a"), Value::Int(2)])]);
        assert_eq!(other, Ok(vec![list(&[s("1")]), list(&[s("a"), s("2")])]));
        assert!(unify_values(vec![list(&[]), s("a")]).is_err());
    }

    #[test]
    fn objects_unify_key_wise_or_to_one_value_type() {
        let obj = |entries: &[(&str, Value)]| {
            Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            )
        };
        let keyed = unify_values(vec![
            obj(&[("a", Value::Int(1)), ("b", Value::Bool(true))]),
            obj(&[("a", s("x")), ("b", Value::Bool(false))]),
        ]);
        assert_eq!(
            keyed,
            Ok(vec![
                obj(&[("a", s("1")), ("b", Value::Bool(true))]),
                obj(&[("a", s("x")), ("b", Value::Bool(false))]),
            ])
        );
        let mapped = unify_values(vec![obj(&[("a", Value::Int(1))]), obj(&[("b", s("x"))])]);
        assert_eq!(
            mapped,
            Ok(vec![obj(&[("a", s("1"))]), obj(&[("b", s("x"))])])
        );
    }

    #[test]
    fn a_secret_element_keeps_its_mark() {
        let out = unify_values(vec![Value::secret(Value::Int(1)), s("a")]);
        assert_eq!(out, Ok(vec![Value::secret(s("1")), s("a")]));
    }
}
