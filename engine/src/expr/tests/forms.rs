//! The conditional, object and tuple literals, `for` expressions and the
//! `can`/`try` forms.

use super::*;

fn int(i: i64) -> Value {
    Value::Int(i)
}

#[test]
fn conditional_picks_a_branch() {
    assert_eq!(ok("true ? 1 : 2"), int(1));
    assert_eq!(ok("config.port > 80 ? \"high\" : \"low\""), s("high"));
    assert_eq!(ok("false ? 1 : true ? 2 : 3"), int(2));
    // A known condition picks its branch even when the other is unknown or
    // fails to evaluate.
    assert_eq!(ok("true ? 1 : pending.id"), int(1));
    assert_eq!(ok("false ? vpc.nope : \"d\""), s("d"));
    assert_eq!(
        ok("config.nothing == null ? \"none\" : config.nothing.x"),
        s("none")
    );
    // An unknown condition gives an unknown result.
    assert_eq!(ev("pending.id == \"a\" ? 1 : 2"), Ok(Value::Unknown));
    assert_eq!(ev("unknown ? 1 : 2"), Ok(Value::Unknown));
    // The chosen branch's errors count.
    assert_eq!(err("true ? vpc.nope : 1").message, "no attribute `nope`");
    let e = err("config.nothing ? 1 : 2");
    assert_eq!(e.message, "the condition is null");
    assert_eq!(e.span, Span::new(0, 14));
    let e = err("\"maybe\" ? 1 : 2");
    assert!(
        e.message.contains("cannot convert \"maybe\" to bool"),
        "{e:?}"
    );
    // Secrets in either branch or the condition taint the result.
    assert_eq!(ok("secret(true) ? 1 : 2"), Value::secret(int(1)));
    assert_eq!(ok("true ? 1 : secret(2)"), Value::secret(int(1)));
    // Primitive results of different types unify to a string, as in Terraform.
    assert_eq!(ok("true ? 1 : \"a\""), s("1"));
    assert_eq!(ok("false ? \"a\" : true"), s("true"));
    assert_eq!(ok("true ? 1 : 2.5"), int(1));
    assert_eq!(ok("true ? 1 : null"), int(1));
    let e = err("true ? 1 : false");
    assert!(
        e.message.contains("inconsistent types: number and bool"),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(7, 16));
    // Lists and tables unify too: element-wise, or to one element type.
    assert_eq!(ok("true ? [1] : [\"a\", \"b\"]"), list(&[s("1")]));
    assert_eq!(
        ok("true ? [1, true] : [\"a\", false]"),
        list(&[s("1"), Value::Bool(true)])
    );
    assert_eq!(ok("true ? {a = 1} : {b = \"x\"}"), map(&[("a", s("1"))]));
    assert_eq!(ok("true ? [] : [1]"), list(&[]));
    let e = err("true ? [1] : \"a\"");
    assert!(e.message.contains("list and string"), "{e:?}");
    // The `cond()` function still works.
    assert_eq!(ok("cond(true, 1, 2)"), int(1));
    let e = parse_err("${true ? 1}");
    assert!(
        e.message.contains("`:` between the results of `?`"),
        "{e:?}"
    );
}

#[test]
fn object_and_tuple_literals() {
    assert_eq!(
        ok("{ a = 1, \"b\" = \"x\", (config.name) = true }"),
        map(&[("a", int(1)), ("b", s("x")), ("web", Value::Bool(true))])
    );
    assert_eq!(ok("{a: 1, b: 2}"), map(&[("a", int(1)), ("b", int(2))]));
    assert_eq!(
        render("${{\n  a = 1\n  b = [1,\n 2]\n}}"),
        Ok(map(&[("a", int(1)), ("b", list(&[int(1), int(2)]))]))
    );
    assert_eq!(ok("{}"), map(&[]));
    assert_eq!(ok("{a = 1,}"), map(&[("a", int(1))]));
    assert_eq!(ok("{1 = \"x\"}"), map(&[("1", s("x"))]));
    assert_eq!(ok("{a = 1, a = 2}"), map(&[("a", int(2))]));
    assert_eq!(ok("{a = {b = 1}}.a.b"), int(1));
    assert_eq!(ok("{a = pending.id}"), map(&[("a", Value::Unknown)]));
    assert_eq!(ev("{(pending.id) = 1}"), Ok(Value::Unknown));
    assert!(err("{(null) = 1}").message.contains("cannot be null"));
    assert!(err("{([1]) = 1}").message.contains("must be a string"));
    assert_eq!(
        ok("[1, \"a\", true, null, [2], {k = 3}]"),
        list(&[
            int(1),
            s("a"),
            Value::Bool(true),
            Value::Null,
            list(&[int(2)]),
            map(&[("k", int(3))])
        ])
    );
    let e = parse_err("${{a 1}}");
    assert!(e.message.contains("`=` after the key"), "{e:?}");
    let e = parse_err("${{a = 1 b = 2}}");
    assert_eq!(e.span, Span::new(9, 10));
}

#[test]
fn for_over_lists_and_tables() {
    assert_eq!(
        ok("[for z in config.zones : upper(z)]"),
        list(&[s("A"), s("B"), s("C")])
    );
    assert_eq!(
        ok("[for i, z in config.zones : format(\"%d-%s\", i, z) if i != 1]"),
        list(&[s("0-a"), s("2-c")])
    );
    assert_eq!(
        ok("[for k, v in config.tags : format(\"%s=%s\", k, v)]"),
        list(&[s("env=prod"), s("team=ops")])
    );
    assert_eq!(
        ok("[for v in config.tags : v]"),
        list(&[s("prod"), s("ops")])
    );
    assert_eq!(
        ok("{for k, v in config.tags : v => k}"),
        map(&[("ops", s("team")), ("prod", s("env"))])
    );
    assert_eq!(
        ok("{for s in subnet : s.az => s.id}"),
        map(&[("a", s("subnet-a")), ("b", s("subnet-b"))])
    );
    assert_eq!(
        ok("{for n in nums : n % 2 == 0 ? \"even\" : \"odd\" => n...}"),
        map(&[("even", list(&[int(2)])), ("odd", list(&[int(3), int(1)]))])
    );
    assert_eq!(
        ok("[for n in nums : n * 2 if n > 1]"),
        list(&[int(6), int(4)])
    );
    assert_eq!(ok("[for n in [] : n]"), list(&[]));
    // Loop variables shadow outer names inside the body only.
    assert_eq!(ok("[for vpc in [1] : vpc]"), list(&[int(1)]));
    assert_eq!(
        ok("[for x in [[1, 2]] : [for x in x : x + 1]]"),
        list(&[list(&[int(2), int(3)])])
    );
}

#[test]
fn for_errors_and_unknowns() {
    let e = err("{for z in [\"a\", \"a\"] : z => 1}");
    assert!(
        e.message.contains("two items produced the key \"a\""),
        "{e:?}"
    );
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("...")),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(23, 24));
    let e = err("[for c in config.name : c]");
    assert_eq!(e.message, "cannot iterate over a string value");
    assert_eq!(e.span, Span::new(10, 21));
    assert!(
        err("[for c in config.nothing : c]")
            .message
            .contains("null")
    );
    assert!(
        err("[for n in nums : n if n]")
            .message
            .contains("bool is required")
    );
    assert_eq!(ev("[for x in unknown : x]"), Ok(Value::Unknown));
    assert_eq!(
        ev("[for x in [1, 2] : x if pending.id == x]"),
        Ok(Value::Unknown)
    );
    assert_eq!(ev("{for x in [1] : pending.id => x}"), Ok(Value::Unknown));
    assert_eq!(ok("[for x in [pending.id] : x]"), list(&[Value::Unknown]));
    assert_eq!(
        ok("[for k in config.keys : k]"),
        Value::secret(list(&[s("k1"), s("k2")]))
    );
    for (src, want) in [
        ("${[for x xs : x]}", "`in` after the variables"),
        ("${[for x in xs x]}", "`:` after the collection"),
        ("${{for x in xs : x}}", "`=>` after the key"),
        ("${[for x in xs : x}", "`]` to close the `[for]`"),
        ("${[for x, 1 in xs : x]}", "second variable name"),
    ] {
        let e = parse_err(src);
        assert!(e.message.contains(want), "{src}: {e:?}");
    }
}

#[test]
fn can_and_try_catch_errors() {
    assert_eq!(ok("can(vpc.id)"), Value::Bool(true));
    assert_eq!(ok("can(vpc.nope)"), Value::Bool(false));
    assert_eq!(ok("can(0 / 0)"), Value::Bool(false));
    assert_eq!(ok("can(1 / 0)"), Value::Bool(true));
    assert_eq!(ev("can(pending.id)"), Ok(Value::Unknown));
    assert_eq!(
        ok("try(vpc.nope, config.tags.nope, \"fallback\")"),
        s("fallback")
    );
    assert_eq!(ok("try(vpc.id, \"x\")"), s("vpc-123"));
    assert_eq!(ev("try(pending.id, \"x\")"), Ok(Value::Unknown));
    let e = err("try(vpc.nope, 0 / 0)");
    assert!(
        e.message.contains("no argument of `try` succeeded"),
        "{e:?}"
    );
    assert!(e.message.contains("divide zero by zero"), "{e:?}");
    assert!(err("can()").message.contains("exactly one argument"));
    assert!(err("try()").message.contains("at least one"));
    assert!(function_names().any(|f| f == "try"));
    assert!(function_names().any(|f| f == "can"));
    assert_eq!(err("tyr(1)").hint.as_deref(), Some("did you mean `try`?"));
}

#[test]
fn expanding_the_last_argument() {
    assert_eq!(ok("max(nums...)"), int(3));
    assert_eq!(ok("min(5, nums...)"), int(1));
    assert_eq!(ok("concat([[1], [2]]...)"), list(&[int(1), int(2)]));
    assert_eq!(
        ok("format(\"%s-%s\", config.keys...)"),
        Value::secret(s("k1-k2"))
    );
    assert_eq!(ev("max(unknown...)"), Ok(Value::Unknown));
    assert!(err("max(1...)").message.contains("expands a list"));
    let e = parse_err("${max(nums..., 1)}");
    assert!(
        e.message.contains("after the expanded last argument"),
        "{e:?}"
    );
}

#[test]
fn splats_as_hcl_defines_them() {
    let mut sc = scope();
    sc.roots.insert(
        "inst".into(),
        list(&[
            map(&[("ips", list(&[s("1"), s("2")]))]),
            map(&[("ips", list(&[s("3")]))]),
        ]),
    );
    let ev_in = |src: &str| eval(&parse(src), &sc);
    // The full splat maps attributes and indexes over every element.
    assert_eq!(ev_in("inst[*].ips[0]"), Ok(list(&[s("1"), s("3")])));
    assert_eq!(
        ev_in("inst[*].ips[count.index - 1]"),
        Ok(list(&[s("1"), s("3")]))
    );
    // The attribute splat maps attributes only; the index then applies to the list.
    assert_eq!(ev_in("inst.*.ips[1]"), Ok(list(&[s("3")])));
    assert_eq!(ok("subnet.*.az"), list(&[s("a"), s("b")]));
    // A value that is not a list is wrapped, a table too (so `values(r)[*]`
    // reaches the instances of a `for_each` resource); null gives an empty list.
    assert_eq!(ok("config.port[*]"), list(&[int(8080)]));
    assert_eq!(
        ok("config.tags[*]"),
        list(&[map(&[("env", s("prod")), ("team", s("ops"))])])
    );
    assert_eq!(ok("values(config.tags)[*]"), list(&[s("prod"), s("ops")]));
    assert_eq!(ok("config.tags[*].env"), list(&[s("prod")]));
    assert_eq!(ok("config.name[*]"), list(&[s("web")]));
    assert_eq!(ok("config.nothing[*]"), list(&[]));
    assert_eq!(ok("config.nothing.*.x"), list(&[]));
    // On any value, including calls and literals.
    assert_eq!(ok("[{a = 1}, {a = 2}][*].a"), list(&[int(1), int(2)]));
    assert_eq!(
        ok("concat(subnet, [{az = \"c\"}])[*].az"),
        list(&[s("a"), s("b"), s("c")])
    );
    assert_eq!(ok("{a = [1, 2]}.a[1]"), int(2));
    assert_eq!(ok("[[1, 2], [3]][0][1]"), int(2));
    assert_eq!(ok("element(subnet, 1).id"), s("subnet-b"));
    assert_eq!(ev("unknown.*.id"), Ok(Value::Unknown));
}
