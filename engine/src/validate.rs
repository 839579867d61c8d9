//! Static checks of a stack against the provider schemas: types, properties,
//! references and the dependency graph. No cloud calls.

use std::collections::BTreeSet;

use crate::base::{Diagnostic, did_you_mean};
use crate::base::{InstanceKey, Value};
use crate::base::{TypeSchema, ValueType};
use crate::expr::{Expr, ExprKind, Part, PathSegment, Reference, Template, function_names};
use crate::graph::Dag;
use crate::provider::Registry;
use crate::stack::{ConfigRule, Decl, DeclKind, Stack};

/// A stack that passed the static checks.
pub struct Checked {
    /// The schema of each declaration, by declaration index.
    pub schemas: Vec<TypeSchema>,
    /// Declaration-level dependencies (references and `depends_on`).
    pub graph: Dag,
    /// What each declaration depends on, by declaration index, and which
    /// instances of it: the instance-level edges of the step graph and the
    /// dependencies recorded with each resource.
    pub dependencies: Vec<Vec<Dependency>>,
    /// Declaration indexes, dependencies first.
    pub order: Vec<usize>,
    /// Stacks whose outputs this stack reads (`stacks.NAME.output`), with
    /// the outputs read.
    pub stack_refs: Vec<(String, String, crate::base::Span)>,
}

/// Which instances of a declaration a reference reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every instance: `r[*].id`, `length(r)`, a computed index, `depends_on`,
    /// and the one instance of a declaration without `count` or `for_each`.
    All,
    /// The instance with the referencing instance's own key:
    /// `r[count.index].id`, `e[each.key].id`.
    SameKey,
    /// The instance a literal names: `r[0].id`, `e["a"].id`.
    Key(InstanceKey),
}

impl Reach {
    /// What a reference whose accessors are `path` reaches.
    fn of(path: &[PathSegment]) -> Reach {
        match path.first() {
            Some(PathSegment::SameKey) => Reach::SameKey,
            Some(PathSegment::Index(Some(Value::Int(i)))) => Reach::Key(InstanceKey::Index(*i)),
            Some(PathSegment::Index(Some(Value::String(k)))) => {
                Reach::Key(InstanceKey::Key(k.clone()))
            }
            _ => Reach::All,
        }
    }
}

/// A declaration that another depends on, and the instances it reaches:
/// `[Reach::All]` when any reference reaches them all, else each distinct
/// reach once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub decl: usize,
    pub reach: Vec<Reach>,
}

impl Dependency {
    /// The keys of the instances that instance `own` of the dependent
    /// reaches; `None` when it reaches every instance.
    pub fn keys<'a>(&'a self, own: &'a InstanceKey) -> Option<Vec<&'a InstanceKey>> {
        if self.reach.contains(&Reach::All) {
            return None;
        }
        let key = |r: &'a Reach| match r {
            Reach::SameKey => Some(own),
            Reach::Key(k) => Some(k),
            Reach::All => None,
        };
        Some(self.reach.iter().filter_map(key).collect())
    }
}

/// Adds a reference of `reach` to declaration `j` to `deps`.
fn add_dependency(deps: &mut Vec<Dependency>, j: usize, reach: Reach) {
    match deps.iter_mut().find(|d| d.decl == j) {
        Some(d) if d.reach == [Reach::All] => {}
        Some(d) if reach == Reach::All => d.reach = vec![Reach::All],
        Some(d) => {
            if !d.reach.contains(&reach) {
                d.reach.push(reach);
            }
        }
        None => deps.push(Dependency {
            decl: j,
            reach: vec![reach],
        }),
    }
}

/// Runs every static check; returns all errors found, not just the first.
pub fn check(stack: &Stack, registry: &Registry) -> Result<Checked, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut schemas = Vec::with_capacity(stack.decls.len());
    for decl in &stack.decls {
        match schema_of(stack, decl, registry) {
            Ok(s) => {
                check_properties(stack, decl, &s, &mut errors);
                schemas.push(s);
            }
            Err(d) => {
                errors.push(d);
                // A placeholder keeps indexes aligned; reference checks skip it.
                schemas.push(TypeSchema::new("", ""));
            }
        }
    }
    let mut graph = Dag::with_nodes(stack.decls.len());
    let mut dependencies = Vec::with_capacity(stack.decls.len());
    let mut stack_refs = Vec::new();
    for (i, decl) in stack.decls.iter().enumerate() {
        let mut deps = Vec::new();
        let mut refs = Vec::new();
        for p in &decl.properties {
            refs.extend(p.value.references());
        }
        if let Some((t, _)) = &decl.count {
            refs.extend(t.references());
        }
        if let Some((t, _)) = &decl.for_each {
            refs.extend(t.references());
        }
        let mut templates: Vec<&Template> = decl.properties.iter().map(|p| &p.value).collect();
        templates.extend(decl.count.iter().map(|(t, _)| t));
        templates.extend(decl.for_each.iter().map(|(t, _)| t));
        for t in templates {
            check_calls(stack, t, &mut errors);
        }
        for r in refs {
            match check_reference(stack, Some(decl), &schemas, &r) {
                Ok(Target::Decl(j)) => {
                    graph.add_edge(j, i);
                    add_dependency(&mut deps, j, Reach::of(&r.path));
                }
                Ok(Target::Stack(s, o)) => stack_refs.push((s, o, r.span)),
                Ok(Target::Other) => {}
                Err(d) => errors.push(d),
            }
        }
        for (dep, span) in &decl.options.depends_on {
            match stack.decl_index(dep) {
                Some(j) => {
                    graph.add_edge(j, i);
                    add_dependency(&mut deps, j, Reach::All);
                }
                None => errors.push(unknown_name(stack, dep, *span)),
            }
        }
        dependencies.push(deps);
    }
    for o in &stack.outputs {
        check_calls(stack, &o.value, &mut errors);
        for r in o.value.references() {
            match check_reference(stack, None, &schemas, &r) {
                Ok(Target::Stack(s, out)) => stack_refs.push((s, out, r.span)),
                Ok(_) => {}
                Err(d) => errors.push(d),
            }
        }
    }
    for rule in stack.config.iter().flat_map(|c| &c.rules) {
        check_rule(stack, &schemas, rule, &mut errors);
    }
    let order = match graph.order() {
        Ok(order) => order,
        Err(mut cycle) => {
            // The graph's edges run from a dependency to its user; print the
            // cycle the way it reads in the file: each name uses the next.
            cycle.reverse();
            // Start at the declaration that comes first in the file, so the
            // message and its location do not depend on the graph's order.
            if let Some(first) = cycle
                .iter()
                .enumerate()
                .min_by_key(|&(_, &d)| d)
                .map(|(at, _)| at)
            {
                cycle.rotate_left(first);
            }
            let names: Vec<&str> = cycle
                .iter()
                .map(|&i| stack.decls[i].name.as_str())
                .collect();
            let first = &stack.decls[cycle[0]];
            errors.push(
                Diagnostic::at(
                    &stack.file,
                    first.name_span,
                    format!("dependency cycle: {} -> {}", names.join(" -> "), names[0]),
                )
                .with_hint("a resource cannot depend on itself, directly or through others; remove one of these references"),
            );
            Vec::new()
        }
    };
    if errors.is_empty() {
        Ok(Checked {
            schemas,
            graph,
            dependencies,
            order,
            stack_refs,
        })
    } else {
        Err(errors)
    }
}

fn schema_of(stack: &Stack, decl: &Decl, registry: &Registry) -> Result<TypeSchema, Diagnostic> {
    let token = decl.type_token.as_str();
    let found = match decl.kind {
        DeclKind::Resource => registry.resource(token).map(|r| r.schema().clone()),
        DeclKind::Data => registry.data_source(token).map(|d| d.schema().clone()),
    };
    if let Some(s) = found {
        return Ok(s);
    }
    let (what, other_kind) = match decl.kind {
        DeclKind::Resource => ("resource type", registry.data_source(token).is_some()),
        DeclKind::Data => ("data source type", registry.resource(token).is_some()),
    };
    let mut d = Diagnostic::at(
        &stack.file,
        decl.type_span,
        format!("unknown {what} `{token}`"),
    );
    let candidates: Vec<&str> = match decl.kind {
        DeclKind::Resource => registry.resource_tokens().collect(),
        DeclKind::Data => registry.data_tokens().collect(),
    };
    d = if other_kind {
        match decl.kind {
            DeclKind::Resource => d.with_hint(format!(
                "`{token}` is a data source: declare it as [data.{}]",
                decl.name
            )),
            DeclKind::Data => d.with_hint(format!(
                "`{token}` is a resource type: declare it as [resources.{}]",
                decl.name
            )),
        }
    } else if let Some(s) = did_you_mean(token, candidates.iter().copied()) {
        d.with_hint(format!("did you mean `{s}`?"))
    } else {
        d.with_hint("run `skistack types` to list the types the providers offer")
    };
    Err(d)
}

fn check_properties(stack: &Stack, decl: &Decl, schema: &TypeSchema, errors: &mut Vec<Diagnostic>) {
    for p in &decl.properties {
        let Some(ps) = schema.find_property(&p.name) else {
            let mut d = Diagnostic::at(
                &stack.file,
                p.key_span,
                format!("unknown property `{}` for {}", p.name, schema.token),
            );
            let names: Vec<&str> = schema.properties.iter().map(|p| p.name.as_str()).collect();
            d = match did_you_mean(&p.name, names.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None if schema.find_attribute(&p.name).is_some() => d.with_hint(format!(
                    "`{}` is computed by the provider and cannot be set",
                    p.name
                )),
                None => d.with_hint(format!("{} takes: {}", schema.token, names.join(", "))),
            };
            errors.push(d);
            continue;
        };
        if let Template::Literal(v) = &p.value
            && let Err(msg) = check_value(v, &ps.ty)
        {
            errors.push(Diagnostic::at(
                &stack.file,
                p.value_span,
                format!("property `{}` of {} {msg}", p.name, schema.token),
            ));
        }
    }
    for ps in schema.properties.iter().filter(|p| p.required) {
        if decl.property(&ps.name).is_none() {
            let mut d = Diagnostic::at(
                &stack.file,
                decl.name_span,
                format!(
                    "`{}` ({}) is missing the required property `{}`",
                    decl.name, schema.token, ps.name
                ),
            );
            let hint = if ps.description.is_empty() {
                format!("add `{} = ...` ({})", ps.name, ps.ty.describe())
            } else {
                format!(
                    "add `{} = ...`: {} ({})",
                    ps.name,
                    ps.description,
                    ps.ty.describe()
                )
            };
            d = d.with_hint(hint);
            errors.push(d);
        }
    }
    for (name, span) in &decl.options.ignore_changes {
        if schema.find_property(name).is_none() {
            let names: Vec<&str> = schema.properties.iter().map(|p| p.name.as_str()).collect();
            let mut d = Diagnostic::at(
                &stack.file,
                *span,
                format!(
                    "ignore_changes names `{name}`, which is not a property of {}",
                    schema.token
                ),
            );
            if let Some(s) = did_you_mean(name, names) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            errors.push(d);
        }
    }
}

/// Checks a value against a schema type; the error completes "property `x` ...".
pub fn check_value(v: &Value, ty: &ValueType) -> Result<(), String> {
    let (inner, _) = v.unwrap_secret();
    let bad = || {
        Err(format!(
            "must be {}, found {} {v}",
            ty.describe(),
            inner.kind()
        ))
    };
    match (ty, inner) {
        (_, Value::Unknown) | (ValueType::Any, _) => Ok(()),
        (ValueType::String, Value::String(_)) => Ok(()),
        (ValueType::Int, Value::Int(_)) => Ok(()),
        (ValueType::Number, Value::Int(_) | Value::Float(_)) => Ok(()),
        (ValueType::Bool, Value::Bool(_)) => Ok(()),
        (ValueType::Duration, Value::String(s)) => crate::base::parse_duration(s)
            .map(|_| ())
            .map_err(|e| format!("has an {e}")),
        (ValueType::List(of), Value::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_value(item, of).map_err(|m| format!("item {i} {m}"))?;
            }
            Ok(())
        }
        (ValueType::Map(of), Value::Map(m)) => {
            for (k, item) in m {
                check_value(item, of).map_err(|m| format!("key `{k}` {m}"))?;
            }
            Ok(())
        }
        (ValueType::Object(props), Value::Map(m)) => {
            for (k, item) in m {
                match props.iter().find(|p| &p.name == k) {
                    Some(p) => check_value(item, &p.ty).map_err(|m| format!("key `{k}` {m}"))?,
                    None => {
                        let names: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
                        let hint = match did_you_mean(k, names.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("keys are: {}", names.join(", ")),
                        };
                        return Err(format!("has an unknown key `{k}` ({hint})"));
                    }
                }
            }
            for p in props.iter().filter(|p| p.required) {
                if !m.contains_key(&p.name) {
                    return Err(format!("is missing the required key `{}`", p.name));
                }
            }
            Ok(())
        }
        _ => bad(),
    }
}

/// Reports calls of functions that do not exist, before anything runs.
fn check_calls(stack: &Stack, t: &Template, errors: &mut Vec<Diagnostic>) {
    fn expr(stack: &Stack, e: &Expr, errors: &mut Vec<Diagnostic>) {
        e.walk(&mut |e| {
            let ExprKind::Call(name, ..) = &e.kind else {
                return;
            };
            if function_names().any(|f| f == name) {
                return;
            }
            let d = Diagnostic::at(&stack.file, e.span, format!("unknown function `{name}`"));
            errors.push(match did_you_mean(name, function_names()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!(
                    "functions are: {}",
                    function_names().collect::<Vec<_>>().join(", ")
                )),
            });
        });
    }
    match t {
        Template::Literal(_) => {}
        Template::Expr(e) => expr(stack, e, errors),
        Template::Interpolated(parts, _) => {
            for e in Part::exprs_of(parts) {
                expr(stack, e, errors);
            }
        }
        Template::List(items, _) => items.iter().for_each(|i| check_calls(stack, i, errors)),
        Template::Map(items, _) => items
            .iter()
            .for_each(|(_, i)| check_calls(stack, i, errors)),
    }
}

/// A validation rule may call any function but refer only to config keys:
/// it runs before anything is planned.
fn check_rule(
    stack: &Stack,
    schemas: &[TypeSchema],
    rule: &ConfigRule,
    errors: &mut Vec<Diagnostic>,
) {
    check_calls(stack, &rule.condition, errors);
    for r in rule.condition.references() {
        if r.root != "config" {
            errors.push(
                Diagnostic::at(
                    &stack.file,
                    r.span,
                    format!(
                        "a validation rule can refer only to config keys, not `{}`",
                        r.root
                    ),
                )
                .with_hint("rules are checked before anything is planned: use `config.NAME`"),
            );
        } else if let Err(d) = check_reference(stack, None, schemas, &r) {
            errors.push(d);
        }
    }
}

enum Target {
    Decl(usize),
    Stack(String, String),
    Other,
}

const ROOTS: [&str; 4] = ["config", "count", "each", "stacks"];

fn unknown_name(stack: &Stack, name: &str, span: crate::base::Span) -> Diagnostic {
    let mut names: Vec<&str> = stack.decls.iter().map(|d| d.name.as_str()).collect();
    names.extend(ROOTS);
    let d = Diagnostic::at(
        &stack.file,
        span,
        format!("unknown resource or data lookup `{name}`"),
    );
    match did_you_mean(name, names) {
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None => d.with_hint("a reference starts with a resource or data name, `config`, `count`, `each` or `stacks`"),
    }
}

fn check_reference(
    stack: &Stack,
    within: Option<&Decl>,
    schemas: &[TypeSchema],
    r: &Reference,
) -> Result<Target, Diagnostic> {
    let err = |msg: String| Diagnostic::at(&stack.file, r.span, msg);
    let first_attr = r.path.iter().find_map(|s| match s {
        PathSegment::Attr(a) => Some(a.as_str()),
        _ => None,
    });
    match r.root.as_str() {
        "config" => {
            let Some(PathSegment::Attr(key)) = r.path.first() else {
                return Err(err("`config` needs a key: `config.NAME`".into()));
            };
            if stack.config_decl(key).is_none() {
                let names: Vec<&str> = stack.config.iter().map(|c| c.name.as_str()).collect();
                let d = err(format!("unknown config key `{key}`"));
                return Err(match did_you_mean(key, names.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `config.{s}`?")),
                    None => d.with_hint(format!(
                        "declare it under [config] in {}",
                        stack.file.path.display()
                    )),
                });
            }
            Ok(Target::Other)
        }
        "count" => {
            if within.is_none_or(|d| d.count.is_none()) {
                return Err(err(
                    "`count.index` is only available in a resource that sets `count`".into(),
                ));
            }
            if first_attr != Some("index") || r.path.len() != 1 {
                return Err(err("use `count.index`".into()));
            }
            Ok(Target::Other)
        }
        "each" => {
            if within.is_none_or(|d| d.for_each.is_none()) {
                return Err(err("`each.key` and `each.value` are only available in a resource that sets `for_each`".into()));
            }
            if !matches!(r.path.first(), Some(PathSegment::Attr(a)) if a == "key" || a == "value") {
                return Err(err("use `each.key` or `each.value`".into()));
            }
            Ok(Target::Other)
        }
        "stacks" => match (r.path.first(), r.path.get(1)) {
            (Some(PathSegment::Attr(s)), Some(PathSegment::Attr(o))) => {
                if s == &stack.name {
                    return Err(err(format!(
                        "stack `{s}` cannot read its own outputs through `stacks`"
                    )));
                }
                Ok(Target::Stack(s.clone(), o.clone()))
            }
            _ => Err(err("use `stacks.STACK.OUTPUT`".into())),
        },
        name => {
            let Some(j) = stack.decl_index(name) else {
                return Err(unknown_name(stack, name, r.span));
            };
            let target = &stack.decls[j];
            if within.is_some_and(|d| d.name == name) {
                return Err(err(format!("`{name}` refers to itself")));
            }
            let schema = &schemas[j];
            if schema.token.is_empty() {
                // The target's type is unknown; that error is reported already.
                return Ok(Target::Decl(j));
            }
            let multi = target.count.is_some() || target.for_each.is_some();
            let mut path = r.path.iter();
            let first = path.next();
            let attr = match (multi, first) {
                (false, Some(PathSegment::Attr(a))) => Some(a),
                (false, Some(_)) => {
                    return Err(err(format!(
                        "`{name}` is a single instance: use `{name}.ATTRIBUTE`, not an index"
                    )));
                }
                (true, Some(PathSegment::Index(_) | PathSegment::SameKey | PathSegment::Splat)) => {
                    match path.next() {
                        Some(PathSegment::Attr(a)) => Some(a),
                        _ => None,
                    }
                }
                (true, Some(PathSegment::Attr(_))) => {
                    let how = if target.count.is_some() {
                        "`[0]` or `[*]`"
                    } else {
                        "`[\"key\"]` or `[*]`"
                    };
                    return Err(err(format!(
                        "`{name}` has several instances: index it with {how} before the attribute"
                    )));
                }
                (_, None) => None,
            };
            if let Some(attr) = attr
                && !schema.has_field(attr)
            {
                let d = err(format!("{} has no attribute `{attr}`", schema.token));
                return Err(match did_you_mean(attr, schema.field_names()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "{} offers: {}",
                        schema.token,
                        schema.field_names().join(", ")
                    )),
                });
            }
            Ok(Target::Decl(j))
        }
    }
}

/// Names of the stacks a stack reads outputs from.
pub fn referenced_stacks(checked: &Checked) -> BTreeSet<String> {
    checked
        .stack_refs
        .iter()
        .map(|(s, _, _)| s.clone())
        .collect()
}
