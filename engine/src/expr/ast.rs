//! The syntax tree of expressions and the static references they make.

use std::fmt;

use super::template::Part;
use crate::base::Span;
use crate::base::Value;

/// An expression with its location in the stack file.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// Byte offsets in the file (or the whole string's span when the string
    /// had TOML escapes and offsets can't be mapped back).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `1`, `1.5`, `"text"`, `true`, `null`.
    Literal(Value),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// A root name: `vpc`, `config`, `count`, `each`, `stacks`, ...
    Ident(String),
    /// `base.attr`.
    GetAttr(Box<Expr>, String),
    /// `base[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `base[*].a[0]` (full splat: attributes and indexes) or `base.*.a`
    /// (attribute splat: attributes only): the accessors mapped over every
    /// element.
    Splat(Box<Expr>, Vec<Accessor>),
    /// `name(args...)`; `expand` when the last argument ends in `...`.
    Call(String, Vec<Expr>, bool),
    /// `a + b`, `a && b`, `a == b`, ...
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `-a`.
    Neg(Box<Expr>),
    /// `!a`.
    Not(Box<Expr>),
    /// `cond ? a : b`.
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `{ key = value, ... }`: keys are expressions (a bare name is a
    /// string literal there, as in HCL).
    Object(Vec<(Expr, Expr)>),
    /// `[for ...]` and `{for ...}`.
    For(Box<ForExpr>),
    /// A quoted string with interpolations or directives: `"a-${x}"`.
    Template(Vec<Part>),
}

/// An accessor applied to each element by a splat.
#[derive(Clone, Debug, PartialEq)]
pub enum Accessor {
    /// `.name`
    Attr(String),
    /// `[index]`
    Index(Expr),
}

/// A `for` expression: `[for k, v in coll : value if cond]` or
/// `{for k, v in coll : key => value... if cond}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    /// The key (or index) variable, when two are named.
    pub key_var: Option<String>,
    /// The value variable.
    pub value_var: String,
    pub collection: Expr,
    /// The key expression of a `{for}`; `None` for a `[for]`.
    pub key: Option<Expr>,
    pub value: Expr,
    /// `...` after the value: group values with the same key into lists.
    pub group: bool,
    pub cond: Option<Expr>,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::NotEq => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }
}

/// A reference found statically in an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The root name: "vpc", "config", "count", "each", "stacks", ...
    pub root: String,
    /// Accessors after the root, in order.
    pub path: Vec<PathSegment>,
    /// The whole reference chain.
    pub span: Span,
}

/// One accessor of a [`Reference`].
#[derive(Clone, Debug, PartialEq)]
pub enum PathSegment {
    /// `.name`
    Attr(String),
    /// `[literal]`, or `None` when the index is computed (`[length(x) - 1]`).
    Index(Option<Value>),
    /// `[count.index]` or `[each.key]`: the instance with the same key as
    /// the one evaluating, so that an instance depends on that one only.
    SameKey,
    /// `[*]`
    Splat,
}

/// `vpc.id`, `subnet[0].id`, `bucket["logs"].arn`, `subnet[*].id`, `azs[...]`.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.root)?;
        for seg in &self.path {
            match seg {
                PathSegment::Attr(a) => write!(f, ".{a}")?,
                PathSegment::Index(Some(Value::String(s))) => write!(f, "[{s:?}]")?,
                PathSegment::Index(Some(v)) => write!(f, "[{v}]")?,
                PathSegment::Index(None) | PathSegment::SameKey => write!(f, "[...]")?,
                PathSegment::Splat => write!(f, "[*]")?,
            }
        }
        Ok(())
    }
}

impl Expr {
    /// An expression node.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Every maximal identifier-rooted accessor chain in the expression,
    /// including those inside function arguments and index expressions, in
    /// source order.
    pub fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        // Chains are pushed after the references in their computed indices;
        // sorting restores source order (stable, so equal fallback spans keep
        // discovery order).
        out.sort_by_key(|r| r.span.start);
        out
    }

    pub(crate) fn collect_references(&self, out: &mut Vec<Reference>) {
        match &self.kind {
            ExprKind::Ident(_)
            | ExprKind::GetAttr(..)
            | ExprKind::Index(..)
            | ExprKind::Splat(..) => {
                if let Some((root, path)) = self.chain(out) {
                    out.push(Reference {
                        root,
                        path,
                        span: self.span,
                    });
                }
            }
            ExprKind::For(f) => {
                f.collection.collect_references(out);
                // The loop variables are local: references to them are not
                // dependencies (an outer name they shadow is not either).
                let mut inner = Vec::new();
                for e in [f.key.as_ref(), Some(&f.value), f.cond.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    e.collect_references(&mut inner);
                }
                out.extend(inner.into_iter().filter(|r| {
                    r.root != f.value_var && f.key_var.as_deref() != Some(r.root.as_str())
                }));
            }
            ExprKind::Template(parts) => Part::collect_references(parts, out),
            _ => {
                for e in self.children() {
                    e.collect_references(out);
                }
            }
        }
    }

    /// The direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Ident(_) => Vec::new(),
            ExprKind::List(items) | ExprKind::Call(_, items, _) => items.iter().collect(),
            ExprKind::GetAttr(e, _)
            | ExprKind::Splat(e, _)
            | ExprKind::Neg(e)
            | ExprKind::Not(e) => {
                vec![e]
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::Conditional(c, a, b) => vec![c, a, b],
            ExprKind::Object(items) => items.iter().flat_map(|(k, v)| [k, v]).collect(),
            ExprKind::Template(parts) => Part::exprs_of(parts),
            ExprKind::For(f) => [
                Some(&f.collection),
                f.key.as_ref(),
                Some(&f.value),
                f.cond.as_ref(),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        for c in self.children() {
            c.walk(f);
        }
    }

    /// Whether this is `count.index` or `each.key`: the evaluating
    /// instance's own key.
    fn is_own_key(&self) -> bool {
        let ExprKind::GetAttr(base, attr) = &self.kind else {
            return false;
        };
        matches!((&base.kind, attr.as_str()), (ExprKind::Ident(root), "index") if root == "count")
            || matches!((&base.kind, attr.as_str()), (ExprKind::Ident(root), "key") if root == "each")
    }

    /// The root and accessor path when this expression is an accessor chain
    /// on an identifier. Collects references found in computed indices and in
    /// non-identifier bases along the way.
    fn chain(&self, out: &mut Vec<Reference>) -> Option<(String, Vec<PathSegment>)> {
        match &self.kind {
            ExprKind::Ident(name) => Some((name.clone(), Vec::new())),
            ExprKind::GetAttr(base, name) => base.chain(out).map(|(root, mut path)| {
                path.push(PathSegment::Attr(name.clone()));
                (root, path)
            }),
            ExprKind::Index(base, index) => {
                let base = base.chain(out);
                let seg = index_segment(index, out);
                base.map(|(root, mut path)| {
                    path.push(seg);
                    (root, path)
                })
            }
            ExprKind::Splat(base, accessors) => {
                let base = base.chain(out);
                let mut segs = vec![PathSegment::Splat];
                for a in accessors {
                    segs.push(match a {
                        Accessor::Attr(name) => PathSegment::Attr(name.clone()),
                        Accessor::Index(index) => index_segment(index, out),
                    });
                }
                base.map(|(root, mut path)| {
                    path.extend(segs);
                    (root, path)
                })
            }
            _ => {
                self.collect_references(out);
                None
            }
        }
    }
}

/// The path segment of `[index]`, collecting the index's own references.
fn index_segment(index: &Expr, out: &mut Vec<Reference>) -> PathSegment {
    match &index.kind {
        ExprKind::Literal(v) => PathSegment::Index(Some(v.clone())),
        _ => {
            index.collect_references(out);
            if index.is_own_key() {
                PathSegment::SameKey
            } else {
                PathSegment::Index(None)
            }
        }
    }
}
