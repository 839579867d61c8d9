//! Parsing: precedence, identifiers, accessors, literals and syntax errors.

use super::*;
use crate::expr::ast::Accessor;

fn lit(v: Value) -> ExprKind {
    ExprKind::Literal(v)
}

/// The tree without spans, for structural comparison.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(v) => format!("{v}"),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(shape).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::GetAttr(b, a) => format!("{}.{a}", shape(b)),
        ExprKind::Index(b, i) => format!("{}[{}]", shape(b), shape(i)),
        ExprKind::Splat(b, accessors) => format!(
            "{}[*]{}",
            shape(b),
            accessors
                .iter()
                .map(|a| match a {
                    Accessor::Attr(a) => format!(".{a}"),
                    Accessor::Index(i) => format!("[{}]", shape(i)),
                })
                .collect::<String>()
        ),
        ExprKind::Call(n, args, expand) => format!(
            "{n}({}{})",
            args.iter().map(shape).collect::<Vec<_>>().join(", "),
            if *expand { "..." } else { "" }
        ),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", shape(l), op.symbol(), shape(r)),
        ExprKind::Neg(x) => format!("(-{})", shape(x)),
        ExprKind::Not(x) => format!("(!{})", shape(x)),
        ExprKind::Conditional(c, a, b) => format!("({} ? {} : {})", shape(c), shape(a), shape(b)),
        ExprKind::Object(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(|(k, v)| format!("{} = {}", shape(k), shape(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Template(parts) => format!("\"{}\"", parts.len()),
        ExprKind::For(f) => {
            let vars = match &f.key_var {
                Some(k) => format!("{k}, {}", f.value_var),
                None => f.value_var.clone(),
            };
            let cond = f
                .cond
                .as_ref()
                .map(|c| format!(" if {}", shape(c)))
                .unwrap_or_default();
            match &f.key {
                Some(k) => format!(
                    "{{for {vars} in {} : {} => {}{}{cond}}}",
                    shape(&f.collection),
                    shape(k),
                    shape(&f.value),
                    if f.group { "..." } else { "" }
                ),
                None => format!(
                    "[for {vars} in {} : {}{cond}]",
                    shape(&f.collection),
                    shape(&f.value)
                ),
            }
        }
    }
}

pub(super) fn sh(src: &str) -> String {
    shape(&parse(src))
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(sh("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_eq!(sh("(1 + 2) * 3"), "((1 + 2) * 3)");
    assert_eq!(sh("1 - 2 - 3"), "((1 - 2) - 3)");
    assert_eq!(sh("2 * 3 * 4 + 1"), "(((2 * 3) * 4) + 1)");
    assert_eq!(sh("-a.b * 2"), "((-a.b) * 2)");
    assert_eq!(sh("- -1"), "(-(-1))");
    assert_eq!(sh("1+-2"), "(1 + (-2))");
    assert_eq!(ok("1 + 2 * 3"), Value::Int(7));
    assert_eq!(ok("(1 + 2) * 3"), Value::Int(9));
    assert_eq!(ok("1 - 2 - 3"), Value::Int(-4));
    assert_eq!(ok("2 * -3"), Value::Int(-6));
}

#[test]
fn hyphens_join_identifiers_but_spaced_minus_subtracts() {
    assert_eq!(sh("my-vpc.id"), "my-vpc.id");
    assert_eq!(sh("a-b-c"), "a-b-c");
    assert_eq!(sh("a - b"), "(a - b)");
    assert_eq!(sh("a -b"), "(a - b)");
    assert_eq!(sh("a- b"), "(a - b)");
    assert_eq!(sh("a-1"), "a-1");
    assert_eq!(sh("count.index-1"), "count.index-1");
    assert_eq!(sh("count.index - 1"), "(count.index - 1)");
    assert_eq!(sh("_x9"), "_x9");
    assert_eq!(ok("my-vpc.id"), s("vpc-456"));
    assert_eq!(ok("count.index - 1"), Value::Int(0));
}

#[test]
fn accessors_and_splats() {
    assert_eq!(sh("azs.names[count.index]"), "azs.names[count.index]");
    assert_eq!(sh("bucket[\"logs\"].arn"), "bucket[\"logs\"].arn");
    assert_eq!(sh("subnet[*].id"), "subnet[*].id");
    assert_eq!(sh("subnet[ * ].a.b"), "subnet[*].a.b");
    assert_eq!(sh("subnet[*]"), "subnet[*]");
    // As in HCL, the full splat maps indexes too; parentheses end it.
    assert_eq!(sh("subnet[*].id[0]"), "subnet[*].id[0]");
    assert!(matches!(parse("subnet[*].id[0]").kind, ExprKind::Splat(..)));
    assert!(matches!(
        parse("(subnet[*].id)[0]").kind,
        ExprKind::Index(..)
    ));
    // The attribute splat maps attributes only; an index ends it.
    assert_eq!(sh("subnet.*.id"), "subnet[*].id");
    assert!(matches!(parse("subnet.*.id[0]").kind, ExprKind::Index(..)));
    assert_eq!(sh("stacks.network.vpc_id"), "stacks.network.vpc_id");
    assert_eq!(sh("a[0][1].b"), "a[0][1].b");
}

#[test]
fn legacy_indexes_and_comments_as_in_hcl() {
    assert_eq!(sh("a.0"), "a[0]");
    assert_eq!(sh("a.0.1.b"), "a[0][1].b");
    assert_eq!(sh("subnet.1.id"), "subnet[1].id");
    // A float is still a float where no `.` comes before it.
    assert_eq!(sh("[0.5]"), sh("[ 0.5 ]"));
    assert_eq!(sh("a + # the base\n  1"), "(a + 1)");
    assert_eq!(sh("a + // the base\n  1"), "(a + 1)");
    assert_eq!(sh("a /* the base */ + 1"), "(a + 1)");
    assert_eq!(sh("a /* several\nlines */ / 2"), "(a / 2)");
    // In an object literal a line comment ends an item, as a newline does.
    assert_eq!(sh("{ a = 1 # one\n b = 2 }"), sh("{ a = 1, b = 2 }"));
    let e = parse_err("${a /* open}");
    assert!(e.message.contains("unterminated `/*` comment"), "{e:?}");
}

#[test]
fn calls_lists_and_literals() {
    assert_eq!(
        sh("join(\",\", concat(a, [b, \"c\"], []))"),
        "join(\",\", concat(a, [b, \"c\"], []))"
    );
    assert_eq!(sh("f()"), "f()");
    assert_eq!(sh("f (1, 2,)"), "f(1, 2)");
    assert_eq!(
        sh("[1, 2.5, true, false, null,]"),
        "[1, 2.5, true, false, null]"
    );
    assert_eq!(parse("1.5e3").kind, lit(Value::Float(1500.0)));
    assert_eq!(parse("2E-1").kind, lit(Value::Float(0.2)));
    assert_eq!(parse("9223372036854775807").kind, lit(Value::Int(i64::MAX)));
    assert_eq!(parse("\"\"").kind, lit(s("")));
}

#[test]
fn string_escapes() {
    assert_eq!(
        parse(r#""a\"b\\c\nd\te\rf""#).kind,
        lit(s("a\"b\\c\nd\te\rf"))
    );
    // A quoted string is a template (HCL): `$${` is the literal `${`.
    assert_eq!(parse("\"}{ é $${x}\"").kind, lit(s("}{ é ${x}")));
    // A `}` inside a string does not close the interpolation.
    assert_eq!(render(r#"${lower("A}B")}"#), Ok(s("a}b")));
}

#[test]
fn spans_are_file_offsets() {
    let t = parse_template("é-${vpc.id}", Some(100), Span::new(99, 113)).unwrap();
    let Template::Interpolated(parts, span) = &t else {
        panic!("{t:?}")
    };
    assert_eq!(*span, Span::new(99, 113));
    let Part::Expr(e) = &parts[1] else {
        panic!("{parts:?}")
    };
    // "é" is two bytes: `${` starts at 103, `vpc.id` at 105.
    assert_eq!(e.span, Span::new(105, 111));
    let Template::Expr(e) = tpl("${ f(1, a.b) }") else {
        panic!()
    };
    assert_eq!(e.span, Span::new(3, 12));
    let ExprKind::Call(_, args, _) = &e.kind else {
        panic!()
    };
    assert_eq!(args[1].span, Span::new(8, 11));
    // Without a 1:1 mapping every span is the string's.
    let t = parse_template("${a.b + 1}", None, Span::new(7, 30)).unwrap();
    let Template::Expr(e) = t else { panic!() };
    assert_eq!(e.span, Span::new(7, 30));
}

#[test]
fn syntax_errors_point_at_the_problem() {
    let e = parse_template("name-${vpc.}", Some(100), Span::new(99, 113)).unwrap_err();
    assert!(e.message.contains("attribute name"), "{e:?}");
    assert_eq!(e.span, Span::new(111, 112), "{e:?}");

    let e = parse_template("a-${vpc.id", Some(100), Span::new(99, 111)).unwrap_err();
    assert!(e.message.contains("unclosed `${`"), "{e:?}");
    assert_eq!(e.span, Span::new(102, 110));
    assert!(e.hint.is_some());

    let e = parse_err("${vpc.");
    assert!(e.message.contains("unclosed"), "{e:?}");

    let e = parse_err("x ${}");
    assert_eq!(e.message, "expected an expression, found `}`");
    assert_eq!(e.span, Span::new(4, 5));

    let e = parse_err("${1 +}");
    assert_eq!(e.span, Span::new(5, 6));
    let e = parse_err("${a b}");
    assert!(
        e.message.contains("expected `}` to close `${`, found `b`"),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(4, 5));
    let e = parse_err("${f(1 2)}");
    assert!(e.message.contains("arguments of `f`"), "{e:?}");
    assert_eq!(e.span, Span::new(6, 7));
    let e = parse_err("${[1 2]}");
    assert!(e.message.contains("in the list"), "{e:?}");
    let e = parse_err("${a[1}");
    assert!(e.message.contains("expected `]`"), "{e:?}");
    let e = parse_err("${a.\"b\"}");
    assert!(e.message.contains("attribute name"), "{e:?}");
    assert_eq!(e.span, Span::new(4, 5));
    let e = parse_err("${a[*}");
    assert!(e.message.contains("`]` after `[*`"), "{e:?}");
    let e = parse_err(r#"${"abc}"#);
    assert_eq!(e.message, "unterminated string");
    assert_eq!(e.span, Span::new(2, 7));
    let e = parse_err(r#"${"a\qb"}"#);
    assert!(e.message.contains("unknown escape `\\q`"), "{e:?}");
    assert_eq!(e.span, Span::new(4, 6));
    let e = parse_err("${'x'}");
    assert!(
        e.hint
            .as_deref()
            .is_some_and(|h| h.contains("double quotes")),
        "{e:?}"
    );
    let e = parse_err("${a @ b}");
    assert_eq!(e.message, "unexpected character `@`");
    assert_eq!(e.span, Span::new(4, 5));
    // A line comment runs to the end of the line, as in HCL, `}` included.
    let e = parse_err("${a # b}");
    assert!(e.message.contains("unclosed `${`"), "{e:?}");
    let e = parse_err("${99999999999999999999}");
    assert!(e.message.contains("too large"), "{e:?}");
    let e = parse_err("${{a = 1 b = 2}}");
    assert!(
        e.message.contains("a newline or `}` in the object"),
        "{e:?}"
    );

    // Bare expressions end at the end of the text, not at `}`.
    let e = parse_expression("a }", Some(0), Span::new(0, 3)).unwrap_err();
    assert!(e.message.contains("end of the expression"), "{e:?}");
    let e = parse_expression("f(", Some(0), Span::new(0, 2)).unwrap_err();
    assert!(e.message.contains("found the end of the string"), "{e:?}");
}

#[test]
fn template_shapes() {
    assert_eq!(tpl("plain"), Template::Literal(s("plain")));
    assert_eq!(tpl(""), Template::Literal(s("")));
    assert_eq!(tpl("$${not} $$ $"), Template::Literal(s("${not} $$ $")));
    assert!(matches!(tpl("${a}"), Template::Expr(_)));
    assert!(matches!(tpl(" ${a}"), Template::Interpolated(..)));
    assert!(matches!(tpl("${a}${b}"), Template::Interpolated(..)));
    let Template::Interpolated(parts, _) = tpl("a $${b} ${c}d") else {
        panic!()
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], Part::Text("a ${b} ".into()));
    assert!(matches!(&parts[1], Part::Expr(e) if e.kind == ExprKind::Ident("c".into())));
    assert_eq!(parts[2], Part::Text("d".into()));
    assert!(tpl("x").is_literal());
    assert!(!tpl("${x}").is_literal());
}

#[test]
fn templates_from_plain_values() {
    let v = map(&[
        ("a", list(&[Value::Int(1), s("x")])),
        ("b", Value::Bool(true)),
    ]);
    assert_eq!(
        Template::from_value(&v, Span::new(1, 2)),
        Ok(Template::Literal(v.clone()))
    );
    let v = map(&[
        ("a", list(&[Value::Int(1), s("${vpc.id}")])),
        ("b", s("n-${count.index}")),
    ]);
    let t = Template::from_value(&v, Span::new(1, 2)).unwrap();
    assert!(!t.is_literal());
    assert!(matches!(&t, Template::Map(entries, _) if entries.len() == 2));
    assert_eq!(
        eval_template(&t, &scope()),
        Ok(map(&[
            ("a", list(&[Value::Int(1), s("vpc-123")])),
            ("b", s("n-1"))
        ]))
    );
    let e = Template::from_value(&list(&[s("${")]), Span::new(5, 9)).unwrap_err();
    assert_eq!(e.span, Span::new(5, 9));
}
