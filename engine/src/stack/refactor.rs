//! `[[moved]]` and `[[removed]]`: refactoring a stack without touching the
//! cloud. This file reads them and checks what the file alone can tell:
//! each address parses, no entry contradicts another (the same `from`
//! twice, the same `to` twice, a move and a removal of one thing), and
//! neither a whole declaration moved away nor a removed one is still
//! declared. What the state holds is judged when planning.
//!
//! Why it is safe: an entry that cannot be read is an error at its line,
//! never skipped, so a typo can't turn a move into a delete and a create.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::load::Loader;
use super::model::{MoveDecl, RemovedDecl, Stack};
use crate::base::{Address, Pos, Span};

const MOVED_SHAPE: &str = r#"write [[moved]] with from = "old_name" and to = "new_name""#;
const REMOVED_SHAPE: &str =
    r#"write [[removed]] with from = "name" and destroy = false (keep it in the cloud) or true"#;

impl Loader<'_> {
    /// The entries of `[[moved]]`.
    pub(super) fn moves(&mut self, v: &Spanned<DeValue<'_>>) -> Vec<MoveDecl> {
        let mut out = Vec::new();
        for (t, span) in self.entries(v, "[[moved]]", MOVED_SHAPE) {
            let (mut from, mut to) = (None, None);
            for (k, v) in t {
                match k.get_ref().as_ref() {
                    "from" => from = self.address(v, "from"),
                    "to" => to = self.address(v, "to"),
                    other => {
                        self.err(k.span(), format!("unknown key `{other}` in [[moved]]"))
                            .hint = Some(MOVED_SHAPE.into());
                    }
                }
            }
            match (from, to) {
                (Some(from), Some(to)) if from == to => {
                    self.err(span, format!("[[moved]] moves `{from}` to itself"));
                }
                (Some(from), Some(to)) => out.push(MoveDecl { from, to, span }),
                _ if t.contains_key("from") && t.contains_key("to") => {}
                _ => {
                    self.err(span, "[[moved]] needs `from` and `to`").hint =
                        Some(MOVED_SHAPE.into());
                }
            }
        }
        out
    }

    /// The entries of `[[removed]]`.
    pub(super) fn removals(&mut self, v: &Spanned<DeValue<'_>>) -> Vec<RemovedDecl> {
        let mut out = Vec::new();
        for (t, span) in self.entries(v, "[[removed]]", REMOVED_SHAPE) {
            let (mut from, mut destroy) = (None, None);
            for (k, v) in t {
                match k.get_ref().as_ref() {
                    "from" => from = self.address(v, "from"),
                    "destroy" => destroy = Some(self.bool_value(v, "destroy")),
                    other => {
                        self.err(k.span(), format!("unknown key `{other}` in [[removed]]"))
                            .hint = Some(REMOVED_SHAPE.into());
                    }
                }
            }
            match (from, destroy) {
                (Some(from), Some(destroy)) => out.push(RemovedDecl {
                    from,
                    destroy,
                    span,
                }),
                (_, None) => {
                    // No default: keeping or deleting a resource is a choice
                    // to write down, as Terraform's `lifecycle { destroy }`.
                    self.err(
                        span,
                        "[[removed]] needs `destroy = true` or `destroy = false`",
                    )
                    .hint = Some(REMOVED_SHAPE.into());
                }
                (None, Some(_)) if t.contains_key("from") => {}
                (None, Some(_)) => {
                    self.err(span, "[[removed]] needs `from`").hint = Some(REMOVED_SHAPE.into());
                }
            }
        }
        out
    }

    /// The tables of an array of tables, each with its span.
    fn entries<'v, 'i>(
        &mut self,
        v: &'v Spanned<DeValue<'i>>,
        what: &str,
        shape: &str,
    ) -> Vec<(&'v DeTable<'i>, Span)> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(v.span(), format!("{what} must be an array of tables"))
                .hint = Some(shape.into());
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, Span::from(item.span()))),
                other => {
                    self.err(
                        item.span(),
                        format!(
                            "an entry of {what} must be a table, found {}",
                            other.type_str()
                        ),
                    )
                    .hint = Some(shape.into());
                }
            }
        }
        out
    }

    /// A string holding a live instance address.
    fn address(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Option<Address> {
        let Some(text) = v.get_ref().as_str() else {
            let found = v.get_ref().type_str();
            self.err(
                v.span(),
                format!("`{key}` must be an address string, found {found}"),
            );
            return None;
        };
        match text.parse::<Address>() {
            Ok(a) if a.is_retired() => {
                self.err(
                    v.span(),
                    format!("`{text}` is a replaced resource's record; name the live address"),
                );
                None
            }
            Ok(a) => Some(a),
            Err(e) => {
                self.err(v.span(), e.to_string()).hint =
                    Some(r#"addresses look like `vpc`, `subnet[0]` or `bucket["logs"]`"#.into());
                None
            }
        }
    }

    /// The checks that need every entry and every declaration.
    pub(super) fn check_refactoring(&mut self, stack: &Stack) {
        let moves = &stack.moves;
        for (i, m) in moves.iter().enumerate() {
            for earlier in &moves[..i] {
                if earlier.from == m.from {
                    self.conflict(m.span, earlier.span, format!("`{}` is moved twice", m.from));
                } else if earlier.to == m.to {
                    self.conflict(
                        m.span,
                        earlier.span,
                        format!("two moves lead to `{}`", m.to),
                    );
                }
            }
            if m.whole() && m.from.decl() != m.to.decl() && stack.decl(m.from.decl()).is_some() {
                self.err(
                    m.span,
                    format!("`{}` is moved but still declared", m.from.decl()),
                )
                .hint = Some(format!(
                    "rename the declaration to `{}`, or drop this [[moved]] entry",
                    m.to.decl()
                ));
            }
        }
        for (i, r) in stack.removals.iter().enumerate() {
            if let Some(earlier) = stack.removals[..i].iter().find(|e| e.from == r.from) {
                self.conflict(
                    r.span,
                    earlier.span,
                    format!("`{}` is removed twice", r.from),
                );
            }
            if let Some(m) = moves
                .iter()
                .find(|m| r.covers(&m.from) || m.destination(&r.from).is_some())
            {
                self.conflict(
                    r.span,
                    m.span,
                    format!("`{}` is both moved and removed", r.from),
                );
            }
            if stack.decl(r.from.decl()).is_some() {
                self.err(
                    r.span,
                    format!("`{}` is removed but still declared", r.from.decl()),
                )
                .hint = Some("delete its declaration, or drop this [[removed]] entry".into());
            }
        }
    }

    fn conflict(&mut self, span: Span, earlier: Span, msg: String) {
        let at = Pos::new(self.file, earlier).location();
        self.err(span, msg).hint = Some(format!("the other entry is at {at}; keep one"));
    }
}
