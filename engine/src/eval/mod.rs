//! Evaluation: the scope an instance's expressions see, the expansion of
//! `count` and `for_each` into instances, and the evaluation of an
//! instance's inputs. The planner, the executor and import all evaluate the
//! same way, so it lives below all three.

mod scope;

use std::collections::BTreeSet;

pub use scope::{EvalScope, Values};

use crate::base::{Address, Diagnostic, InstanceKey, Map, TypeSchema, Value};
use crate::expr::{ExprError, Template, eval_template};
use crate::stack::{Decl, DeclKind, Stack};
use crate::validate::{Checked, check_value};

/// A diagnostic for an expression error in a stack file.
pub fn expr_diagnostic(stack: &Stack, e: ExprError) -> Diagnostic {
    stack.expr_diagnostic(e)
}

/// The keys of a declaration's instances, each with its `each.value`.
pub type Instances = Vec<(InstanceKey, Option<Value>)>;

/// The instances of a declaration: its keys, from `count` or `for_each`.
/// `None` when they depend on values known only after up.
pub fn expand(
    stack: &Stack,
    decl: &Decl,
    scope: &EvalScope<'_>,
) -> Result<Option<Instances>, Diagnostic> {
    if let Some((t, span)) = &decl.count {
        let v = eval_template(t, scope).map_err(|e| expr_diagnostic(stack, e))?;
        if v.contains_unknown() {
            return Ok(None);
        }
        let n = v.as_int().ok_or_else(|| {
            Diagnostic::at(
                &stack.file,
                *span,
                format!("`count` must be a whole number, found {} {v}", v.kind()),
            )
        })?;
        if !(0..=100_000).contains(&n) {
            return Err(Diagnostic::at(
                &stack.file,
                *span,
                format!("`count` must be between 0 and 100000, found {n}"),
            ));
        }
        return Ok(Some(
            (0..n).map(|i| (InstanceKey::Index(i), None)).collect(),
        ));
    }
    if let Some((t, span)) = &decl.for_each {
        let v = eval_template(t, scope).map_err(|e| expr_diagnostic(stack, e))?;
        if v.contains_unknown() {
            return Ok(None);
        }
        let mut out = Vec::new();
        match v.unwrap_secret().0 {
            Value::List(items) => {
                let mut seen = BTreeSet::new();
                for item in items {
                    let Some(s) = item.as_str() else {
                        return Err(Diagnostic::at(
                            &stack.file,
                            *span,
                            format!(
                                "`for_each` over a list takes strings, found {} {item}",
                                item.kind()
                            ),
                        ));
                    };
                    if seen.insert(s.to_string()) {
                        out.push((
                            InstanceKey::Key(s.to_string()),
                            Some(Value::String(s.to_string())),
                        ));
                    }
                }
            }
            Value::Map(m) => {
                for (k, v) in m {
                    out.push((InstanceKey::Key(k.clone()), Some(v.clone())));
                }
            }
            other => {
                return Err(Diagnostic::at(
                    &stack.file,
                    *span,
                    format!(
                        "`for_each` takes a list of strings or a table, found {} {other}",
                        other.kind()
                    ),
                ));
            }
        }
        return Ok(Some(out));
    }
    Ok(Some(vec![(InstanceKey::Single, None)]))
}

/// Evaluates the inputs of one instance, applies schema defaults and checks
/// the types of values computed by expressions.
pub fn eval_inputs(
    stack: &Stack,
    decl: &Decl,
    schema: &TypeSchema,
    scope: &EvalScope<'_>,
) -> Result<Map, Diagnostic> {
    let mut inputs = Map::new();
    for p in &decl.properties {
        let v = eval_template(&p.value, scope).map_err(|e| expr_diagnostic(stack, e))?;
        if !matches!(p.value, Template::Literal(_))
            && let Some(ps) = schema.find_property(&p.name)
        {
            check_value(&v, &ps.ty).map_err(|m| {
                Diagnostic::at(
                    &stack.file,
                    p.value_span,
                    format!("property `{}` of {} {m}", p.name, schema.token),
                )
            })?;
        }
        let secret = schema.find_property(&p.name).is_some_and(|ps| ps.secret);
        inputs.insert(p.name.clone(), if secret { Value::secret(v) } else { v });
    }
    schema.apply_defaults(&mut inputs);
    Ok(inputs)
}

/// The scope for instance `key` of `decl`.
pub fn instance_scope<'a>(
    stack: &'a Stack,
    config: &'a Map,
    values: &'a Values,
    stacks: &'a Map,
    key: &InstanceKey,
    each_value: Option<&Value>,
) -> EvalScope<'a> {
    EvalScope {
        stack,
        config,
        values,
        stacks,
        count_index: match key {
            InstanceKey::Index(i) => Some(*i),
            _ => None,
        },
        each: match key {
            InstanceKey::Key(k) => Some((
                k.clone(),
                each_value
                    .cloned()
                    .unwrap_or_else(|| Value::String(k.clone())),
            )),
            _ => None,
        },
        applying: false,
    }
}

/// Outputs with the `id` attribute included.
pub fn with_id(mut outputs: Map, id: Value) -> Map {
    outputs.insert("id".to_string(), id);
    outputs
}

/// Evaluates the outputs with final values, leaving out those still
/// unknown (of what the run did not make).
pub fn final_outputs(
    stack: &Stack,
    config: &Map,
    values: &Values,
    stacks: &Map,
) -> Result<Map, Diagnostic> {
    let scope = instance_scope(stack, config, values, stacks, &InstanceKey::Single, None);
    let mut m = Map::new();
    for o in &stack.outputs {
        let v = eval_template(&o.value, &scope).map_err(|e| expr_diagnostic(stack, e))?;
        // An output of something the run did not make (an `up --target`)
        // is not known yet: it is left out, so that a stack reading it is
        // told it is missing instead of being built on a null.
        if !v.contains_unknown() {
            m.insert(o.name.clone(), v);
        }
    }
    Ok(m)
}

/// The addresses of the resource instances that instance `key` of `decl`
/// depends on, sorted, for recording with it: for `r[count.index]` only the
/// instance of the same index, so that N instances reading N others record
/// N dependencies, not N².
pub fn dependency_addresses(
    stack: &Stack,
    checked: &Checked,
    values: &Values,
    decl: usize,
    key: &InstanceKey,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for dep in &checked.dependencies[decl] {
        let j = dep.decl;
        if stack.decls[j].kind != DeclKind::Resource {
            continue;
        }
        match dep.keys(key) {
            None => out.extend(values.instances[j].iter().map(|(_, a)| a.clone())),
            Some(keys) => out.extend(keys.into_iter().filter_map(|k| {
                let address = Address::new(&stack.decls[j].name, k.clone()).to_string();
                values.has_instance(&address).then_some(address)
            })),
        }
    }
    out.sort();
    out.dedup();
    out
}
