//! Evaluation: accessors, operators, templates, secrets and unknowns.

use super::*;

#[test]
fn attributes_indices_and_splats() {
    assert_eq!(ok("vpc.id"), s("vpc-123"));
    assert_eq!(ok("subnet[1].id"), s("subnet-b"));
    assert_eq!(ok("subnet[count.index].az"), s("b"));
    assert_eq!(ok("bucket[\"logs\"].arn"), s("arn:logs"));
    assert_eq!(ok("config.tags[\"env\"]"), s("prod"));
    assert_eq!(ok("subnet[*].id"), list(&[s("subnet-a"), s("subnet-b")]));
    // Over a table's values, in key order.
    assert_eq!(
        ok("values(bucket)[*].arn"),
        list(&[s("arn:data"), s("arn:logs")])
    );
    // As in Terraform, `[*]` over a table is a list of the table itself.
    let e = err("bucket[*].arn");
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("values(")),
        "{e:?}"
    );
    assert_eq!(ok("subnet[*]").as_list().map(<[Value]>::len), Some(2));
    // The full splat maps indexes over the elements too (HCL); the
    // attribute splat and parentheses index the resulting list.
    assert_eq!(ok("(subnet[*].id)[1]"), s("subnet-b"));
    assert_eq!(ok("subnet.*.id[1]"), s("subnet-b"));
    assert_eq!(ok("config.nothing[*].x"), list(&[]));
    assert_eq!(ok("[10, 20, 30][2]"), Value::Int(30));
    assert_eq!(ok("config.zones[1.0]"), s("b"));
}

#[test]
fn accessor_errors_explain_themselves() {
    let e = err("vpc.cidr_blok");
    assert_eq!(e.message, "no attribute `cidr_blok`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `cidr_block`?"));
    assert_eq!(e.span, Span::new(0, 13));
    let e = err("vpc.zzzzzzzz");
    assert_eq!(e.hint.as_deref(), Some("available: `cidr_block`, `id`"));

    let e = err("subnet.id");
    assert!(e.message.contains("of a list"), "{e:?}");
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("[*].id")),
        "{e:?}"
    );

    let e = err("subnet[5].id");
    assert_eq!(e.message, "index 5 is out of range for a list of length 2");
    assert_eq!(e.span, Span::new(7, 8));
    let e = err("subnet[-1]");
    assert!(e.message.contains("out of range"), "{e:?}");
    let e = err("subnet[\"a\"]");
    assert!(e.message.contains("must be an integer"), "{e:?}");
    let e = err("bucket[\"log\"]");
    assert!(e.message.contains("no key \"log\""), "{e:?}");
    assert_eq!(e.hint.as_deref(), Some("did you mean `logs`?"));
    let e = err("vpc.id.length");
    assert_eq!(
        e.message,
        "cannot read attribute `length` of a string value"
    );
    let e = err("vpc.id[0]");
    assert!(e.message.contains("cannot index a string"), "{e:?}");
    // A splat wraps a value that is not a list (HCL).
    let e = err("vpc.id[*].x");
    assert_eq!(e.message, "cannot read attribute `x` of a string value");
    assert_eq!(e.span, Span::new(0, 11));
    let e = err("subnet[*].name");
    assert_eq!(e.message, "no attribute `name`");

    let e = err("vcp.id");
    assert_eq!(e.message, "unknown resource or data source `vcp`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `vpc`?"));
    assert_eq!(e.span, Span::new(0, 3));
}

#[test]
fn arithmetic_is_checked() {
    assert_eq!(ok("9223372036854775806 + 1"), Value::Int(i64::MAX));
    let e = err("9223372036854775807 + 1");
    assert_eq!(e.message, "integer overflow in `+`");
    assert_eq!(e.span, Span::new(0, 23));
    assert!(err("-9223372036854775807 - 2").message.contains("overflow"));
    assert!(err("4611686018427387904 * 2").message.contains("overflow"));
    assert!(
        err("-(-9223372036854775807 - 1)")
            .message
            .contains("overflow")
    );
    assert_eq!(ok("1.5 * 2"), Value::Float(3.0));
    assert_eq!(ok("1 + 0.5"), Value::Float(1.5));
    assert_eq!(ok("-config.ratio"), Value::Float(-0.5));
    // As in Terraform, `+` is numeric only: strings convert to numbers.
    assert_eq!(
        err("\"a\" + \"b\"").message,
        "cannot convert \"a\" to number"
    );
    let e = err("\"a\" + 1");
    assert_eq!(e.message, "cannot convert \"a\" to number");
    assert_eq!(e.span, Span::new(0, 3));
    assert!(e.hint.is_some());
    assert!(err("\"a\" * \"b\"").message.contains("cannot convert"));
    assert!(err("-true").message.contains("cannot negate a bool"));
    assert!(err("1e308 * 10.0").message.contains("overflow"));
}

#[test]
fn exact_templates_keep_their_type() {
    assert_eq!(render("${config.port}"), Ok(Value::Int(8080)));
    assert_eq!(render("${ config.enabled }"), Ok(Value::Bool(true)));
    assert_eq!(
        render("${config.zones}"),
        Ok(list(&[s("a"), s("b"), s("c")]))
    );
    assert_eq!(
        render("${config.tags}").unwrap().as_map().map(|m| m.len()),
        Some(2)
    );
    assert_eq!(render("${config.nothing}"), Ok(Value::Null));
}

#[test]
fn mixed_templates_stringify() {
    assert_eq!(render("port-${config.port}"), Ok(s("port-8080")));
    assert_eq!(render("${config.name}-${count.index}"), Ok(s("web-1")));
    assert_eq!(
        render("${config.enabled}/${config.ratio}/${config.nothing}|"),
        Ok(s("true/0.5/|"))
    );
    assert_eq!(render("a $${b} ${config.name}"), Ok(s("a ${b} web")));
    assert_eq!(render("plain"), Ok(s("plain")));
    let e = render("zones: ${config.zones}").unwrap_err();
    assert_eq!(e.message, "cannot put a list into a string");
    assert_eq!(e.span, Span::new(9, 21));
    assert!(e.hint.is_some());
    assert!(
        render("${config.tags} ")
            .unwrap_err()
            .message
            .contains("table")
    );
}

#[test]
fn structured_templates_evaluate_element_wise() {
    let t = Template::List(
        vec![
            tpl("${config.port}"),
            tpl("x-${vpc.id}"),
            tpl("${pending.id}"),
        ],
        Span::default(),
    );
    assert_eq!(
        eval_template(&t, &scope()),
        Ok(list(&[Value::Int(8080), s("x-vpc-123"), Value::Unknown]))
    );
    let t = Template::Map(vec![("a".into(), tpl("${vcp.id}"))], Span::default());
    assert!(
        eval_template(&t, &scope())
            .unwrap_err()
            .message
            .contains("vcp")
    );
}

#[test]
fn secrets_taint_results() {
    let secret = |v: Value| Value::secret(v);
    assert_eq!(ok("config.password"), secret(s("hunter2")));
    assert_eq!(render("pw=${config.password}"), Ok(secret(s("pw=hunter2"))));
    assert_eq!(render("${config.password}"), Ok(secret(s("hunter2"))));
    assert_eq!(ok("upper(config.password)"), secret(s("HUNTER2")));
    assert_eq!(ok("length(config.password)"), secret(Value::Int(7)));
    assert_eq!(
        ok("config.password == \"hunter2\""),
        secret(Value::Bool(true))
    );
    assert_eq!(ok("config.keys[0]"), secret(s("k1")));
    assert_eq!(ok("config.keys[*]"), secret(list(&[s("k1"), s("k2")])));
    assert_eq!(ok("element(config.keys, 1)"), secret(s("k2")));
    assert_eq!(ok("secret(\"x\")"), secret(s("x")));
    assert_eq!(ok("secret(secret(1))"), secret(Value::Int(1)));
    assert_eq!(ok("-secret(1)"), secret(Value::Int(-1)));
    assert_eq!(ok("config.zones[secret(0)]"), secret(s("a")));
    // A secret inside a structure taints what is computed from it.
    assert_eq!(
        ok("jsonencode([config.password])"),
        secret(s("[\"hunter2\"]"))
    );
    assert_eq!(
        ok("join(\",\", [\"a\", config.password])"),
        secret(s("a,hunter2"))
    );
    // Collecting a secret into a list keeps it secret inside.
    assert_eq!(
        ok("[config.password, 1]"),
        list(&[secret(s("hunter2")), Value::Int(1)])
    );
    // Nothing derived from plain values is secret.
    assert!(!ok("upper(config.name)").contains_secret());
    // Errors never show a secret's value.
    let e = err("tonumber(config.password)");
    assert!(!e.message.contains("hunter2"), "{e:?}");
    let e = err("lookup(config.tags, config.password)");
    assert!(!e.message.contains("hunter2"), "{e:?}");
    let e = err("config.tags[config.password]");
    assert!(!e.message.contains("hunter2"), "{e:?}");
}

#[test]
fn unknowns_propagate_without_errors() {
    for src in [
        "pending.id",
        "unknown",
        "unknown.a.b.c",
        "unknown[0]",
        "unknown[*].id",
        "subnet[unknown].id",
        "unknown[\"k\"]",
        "pending.id + 1",
        "1 * unknown",
        "-unknown",
        "format(\"%s\", pending.id)",
        "length(unknown)",
        "join(\",\", [pending.id])",
        "upper(pending.id)",
        "cidrsubnet(unknown, 8, 1)",
        "jsonencode([1, unknown])",
        "contains([pending.id], 1)",
        "secret(pending.id)",
    ] {
        assert_eq!(ev(src), Ok(Value::Unknown), "{src}");
    }
    assert_eq!(render("vpc-${pending.id}"), Ok(Value::Unknown));
    assert_eq!(render("${pending.id}"), Ok(Value::Unknown));
    assert_eq!(render("${secret(pending.id)}-x"), Ok(Value::Unknown));
    // Structure-only functions see through unknown elements.
    assert_eq!(ok("length([pending.id, vpc.id])"), Value::Int(2));
    assert_eq!(
        ok("concat([pending.id], [1])"),
        list(&[Value::Unknown, Value::Int(1)])
    );
    assert_eq!(ok("element([pending.id, 1], 1)"), Value::Int(1));
    assert_eq!(ok("keys(pending)"), list(&[s("id"), s("name")]));
    assert_eq!(ok("lookup(pending, \"name\")"), s("p"));
    assert_eq!(
        ok("[pending.id, 1]"),
        list(&[Value::Unknown, Value::Int(1)])
    );
    // Unknowns do not hide errors elsewhere in a template.
    assert!(render("${pending.id}-${vcp.id}").is_err());
    // An unknown attribute inside a splat stays an unknown element.
    let mut sc = scope();
    sc.roots.insert(
        "inst".into(),
        list(&[map(&[("ip", Value::Unknown)]), map(&[("ip", s("1.2.3.4"))])]),
    );
    assert_eq!(
        eval(&parse("inst[*].ip"), &sc),
        Ok(list(&[Value::Unknown, s("1.2.3.4")]))
    );
}

#[test]
fn unknown_functions_suggest_names() {
    let e = err("fromat(\"%s\", 1)");
    assert_eq!(e.message, "unknown function `fromat`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `format`?"));
    assert_eq!(e.span, Span::new(0, 15));
    let e = err("zzzzzzzzzz()");
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("cidrsubnet")),
        "{e:?}"
    );
    // The name is checked before the arguments are evaluated.
    assert_eq!(err("fromat(vcp.id)").message, "unknown function `fromat`");
}

#[test]
fn a_legacy_index_reads_as_an_index() {
    assert_eq!(ok("config.zones.1"), s("b"));
    assert_eq!(ok("[[1, 2], [3, 4]].1.0"), Value::Int(3));
}
