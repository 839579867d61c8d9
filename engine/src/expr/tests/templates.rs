//! Templates: directives, strip markers, escapes, quoted strings inside
//! expressions, and evaluating a template with given variables.

use super::*;
use crate::expr::eval::Vars;

#[test]
fn if_directives() {
    assert_eq!(
        render("a%{ if config.enabled }-on%{ endif }"),
        Ok(s("a-on"))
    );
    assert_eq!(
        render("%{if config.port > 9000}big%{else}small%{endif}"),
        Ok(s("small"))
    );
    assert_eq!(
        render("%{ if false }x%{ else }%{ if true }nested%{ endif }%{ endif }"),
        Ok(s("nested"))
    );
    // A template of only a directive is still a string.
    assert_eq!(render("%{ if true }1%{ endif }"), Ok(s("1")));
    assert_eq!(
        render("x%{ if pending.id == \"a\" }y%{ endif }"),
        Ok(Value::Unknown)
    );
    assert_eq!(
        render("%{ if secret(true) }y%{ endif }"),
        Ok(Value::secret(s("y")))
    );
    let e = render("%{ if config.nothing }y%{ endif }").unwrap_err();
    assert!(e.message.contains("null"), "{e:?}");
    let e = render("%{ if \"x\" }y%{ endif }").unwrap_err();
    assert!(e.message.contains("cannot convert \"x\" to bool"), "{e:?}");
}

#[test]
fn for_directives() {
    assert_eq!(
        render("%{ for z in config.zones }[${z}]%{ endfor }"),
        Ok(s("[a][b][c]"))
    );
    assert_eq!(
        render("%{ for i, z in config.zones }${i}=${z};%{ endfor }"),
        Ok(s("0=a;1=b;2=c;"))
    );
    assert_eq!(
        render("%{ for k, v in config.tags }${k}:${v} %{ endfor }"),
        Ok(s("env:prod team:ops "))
    );
    assert_eq!(render("%{ for x in [] }x%{ endfor }"), Ok(s("")));
    assert_eq!(
        render("%{ for x in unknown }${x}%{ endfor }"),
        Ok(Value::Unknown)
    );
    let e = render("%{ for x in config.name }${x}%{ endfor }").unwrap_err();
    assert_eq!(e.message, "cannot iterate over a string value");
    // The loop variables are local to the body.
    let refs: Vec<String> = tpl("%{ for s in subnet }${s.id}${vpc.id}%{ endfor }${s}")
        .references()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(refs, ["subnet", "vpc.id", "s"]);
}

#[test]
fn strip_markers() {
    assert_eq!(render("a  ${~ config.name ~}  b"), Ok(s("awebb")));
    assert_eq!(render("a \n ${~ config.name} b"), Ok(s("aweb b")));
    assert_eq!(render("a ${config.name ~} \n b"), Ok(s("a webb")));
    assert_eq!(
        render("list:\n%{ for z in config.zones ~}\n- ${z}\n%{ endfor ~}\nend"),
        Ok(s("list:\n- a\n- b\n- c\nend"))
    );
    assert_eq!(
        render("x \n %{~ if true ~} \n y \n %{~ endif ~} \n z"),
        Ok(s("xyz"))
    );
}

#[test]
fn escapes() {
    assert_eq!(
        render("$${a} %%{ if } ${config.name}"),
        Ok(s("${a} %{ if } web"))
    );
    assert_eq!(tpl("%%{x}"), Template::Literal(s("%{x}")));
    assert_eq!(render("100% ${config.port}%"), Ok(s("100% 8080%")));
}

#[test]
fn quoted_strings_in_expressions_are_templates() {
    assert_eq!(ok("\"port-${config.port}\""), s("port-8080"));
    assert_eq!(ok("\"${config.port}\""), Value::Int(8080));
    assert_eq!(
        ok("[for i, z in config.zones : \"${i}-${z}\" if i != 1]"),
        list(&[s("0-a"), s("2-c")])
    );
    assert_eq!(ok("upper(\"a-${config.name}\")"), s("A-WEB"));
    assert_eq!(ok("\"%{ if true }y%{ endif }\""), s("y"));
    assert_eq!(ok("\"a\\\"${\"b\\\"c\"}\""), s("a\"b\"c"));
    assert_eq!(render("${\"a}b\"}"), Ok(s("a}b")));
    let refs: Vec<String> = tpl("${\"x-${vpc.id}\"}")
        .references()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(refs, ["vpc.id"]);
}

#[test]
fn directive_errors() {
    for (src, want, span) in [
        ("a%{ if true }b", "unclosed `%{ if }`", Span::new(1, 6)),
        ("%{ for x in y }b", "unclosed `%{ for }`", Span::new(0, 6)),
        (
            "a%{ endif }",
            "`%{ endif }` without a matching `%{ if }`",
            Span::new(1, 9),
        ),
        (
            "%{ else }",
            "`%{ else }` without a matching `%{ if }`",
            Span::new(0, 7),
        ),
        (
            "%{ for x in y }%{ endif }%{ endfor }",
            "`%{ endif }` without",
            Span::new(15, 23),
        ),
        (
            "%{ if true }%{ else }%{ else }%{ endif }",
            "`%{ else }` without",
            Span::new(21, 28),
        ),
        (
            "%{ while x }",
            "expected `if`, `else`, `endif`, `for` or `endfor` after `%{`, found `while`",
            Span::new(3, 8),
        ),
        ("%{ if true", "unclosed `%{`", Span::new(0, 10)),
        (
            "%{ for 1 in x }",
            "variable name after `for`",
            Span::new(7, 8),
        ),
        ("%{ for x y }", "`in` after the variables", Span::new(9, 10)),
        (
            "%{ if true x }",
            "expected `}` to close `%{`",
            Span::new(11, 12),
        ),
    ] {
        let e = parse_err(src);
        assert!(e.message.contains(want), "{src}: {e:?}");
        assert_eq!(e.span, span, "{src}: {e:?}");
    }
}

#[test]
fn a_template_with_given_variables() {
    // How `templatefile`/`templatestring` evaluate: parse, then evaluate
    // against a scope holding only the variables.
    let t = parse_template(
        "Hello ${name}!%{ for n in nums } ${n * 2}%{ endfor }",
        None,
        Span::default(),
    )
    .unwrap();
    let map = [
        ("name".to_string(), s("web")),
        ("nums".to_string(), list(&[Value::Int(1), Value::Int(2)])),
    ]
    .into_iter()
    .collect();
    let vars = Vars::new(&map, std::path::Path::new("."));
    assert_eq!(eval_template(&t, &vars), Ok(s("Hello web! 2 4")));
    let t = parse_template("${nme}", None, Span::default()).unwrap();
    let e = eval_template(&t, &vars).unwrap_err();
    assert_eq!(e.message, "unknown variable `nme`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `name`?"));
}
