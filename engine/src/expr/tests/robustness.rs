//! No input makes the parser or the evaluator panic or overflow the stack.

use super::*;

/// Parses `src` as a template and, when that works, evaluates it; either
/// outcome is fine, panicking is not.
fn survive(src: &str) {
    for start in [Some(0), None] {
        if let Ok(t) = parse_template(src, start, Span::new(0, src.len())) {
            let _ = t.references();
            let _ = eval_template(&t, &scope());
        }
    }
}

#[test]
fn malformed_inputs_never_panic() {
    let samples = [
        "${",
        "${}",
        "$${",
        "$$${",
        "${${}}",
        "${a.}",
        "${.a}",
        "${a..b}",
        "${a[}",
        "${a[]}",
        "${a[*}",
        "${a[*].}",
        "${a[*]*}",
        "${[}",
        "${]}",
        "${(}",
        "${)}",
        "${f(}",
        "${f(,)}",
        "${f(1,,2)}",
        "${\"}",
        "${\"\\}",
        "${\"\\",
        "${\"\\u{1F600}\"}",
        "${1e}",
        "${1e+}",
        "${1.}",
        "${.5}",
        "${--}",
        "${-}",
        "${+1}",
        "${a-}",
        "${-a-}",
        "${é}",
        "${a.é}",
        "é${ä}ö",
        "${\"日本\"}${日本}",
        "😀${😀}",
        "${\u{0}}",
        "${9999999999999999999999999999}",
        "${-9223372036854775808}",
        "${1e999}",
        "${a[99999999999999999999]}",
        "${subnet[9223372036854775807]}",
        "${element(config.zones, 9223372036854775807)}",
        "${range(-9223372036854775808, 9223372036854775807, 9223372036854775807)}",
        "${range(9223372036854775807, -9223372036854775808)}",
        "${cidrsubnet(\"::/0\", 128, 9223372036854775807)}",
        "${cidrhost(\"::/0\", -9223372036854775808)}",
        "${format(\"%\")}",
        "${format(\"%é\", 1)}",
        "${substr(}",
        "${config.password[*]}",
        "${unknown(}",
        "}",
        "{",
        "$",
        "${ \n\t vpc \n . \n id \n}",
        "%{",
        "%{}",
        "%{ if",
        "%{ if }",
        "%{ if x }",
        "%{ endif }",
        "%{ for }",
        "%{ for x in }",
        "%{ for x in [1] }${x}",
        "%{~",
        "${~",
        "${~}",
        "${~ 1 ~ }",
        "${ 1 ~~}",
        "%%{",
        "%%%{",
        "${\"${\"}",
        "${\"${}\"}",
        "${\"%{ if true }\"}",
        "${\"\\",
        "${{a = 1, b}}",
        "${{a = }}",
        "${{for}}",
        "${[for x in [1] : ]}",
        "${{for k, v in {a = 1} : k => v...}}",
        "${a ? b}",
        "${a ? b :}",
        "${? : }",
        "${1 / 0}",
        "${-9223372036854775808 / -1}",
        "${-9223372036854775808 % -1}",
        "${f(x...)}",
        "${f(...)}",
        "${a.*}",
        "${a.*.*}",
        "${a[*][*]}",
        "${try()}",
        "${can(}",
        "${!}",
        "${a == }",
        "${a &&& b}",
        "${a | b}",
        "${a => b}",
    ];
    for src in samples {
        survive(src);
    }
}

#[test]
fn every_truncation_of_a_valid_template_is_handled() {
    let full = r#"x-${format("%s-%d", lower(config.name), length(subnet[*].id) + -2 * 3)}-${bucket["logs"].arn}é"#;
    assert!(render(full).is_ok());
    for (i, _) in full.char_indices() {
        survive(&full[..i]);
        survive(&full[i..]);
    }
    let full = r#"%{ for i, z in config.zones ~} ${i}:${z == "a" ? upper(z) : "${z}-x"} %{~ if i < 2 }, %{ else }.%{ endif }%{ endfor } ${{for k, v in config.tags : k => [for c in [v] : c if c != ""]...}["env"][0][0]} ${try(vpc.nope, max(nums...) / 2 % 1)}é"#;
    assert!(render(full).is_ok(), "{:?}", render(full));
    for (i, _) in full.char_indices() {
        survive(&full[..i]);
        survive(&full[i..]);
    }
}

#[test]
fn deep_nesting_is_rejected_not_overflowed() {
    let n = 100_000;
    let deep = [
        format!("${{{}1{}}}", "(".repeat(n), ")".repeat(n)),
        format!("${{{}1{}}}", "[".repeat(n), "]".repeat(n)),
        format!("${{{}1}}", "-".repeat(n)),
        format!("${{{}1{}}}", "f(".repeat(n), ")".repeat(n)),
        format!("${{a{}}}", ".a".repeat(n)),
        format!("${{a{}}}", "[0]".repeat(n)),
        format!("${{1{}}}", " + 1".repeat(n)),
        format!("${{1{}}}", " * 1".repeat(n)),
        format!("${{{}", "(".repeat(n)),
        format!("${{a{}}}", "[a".repeat(n)),
        format!("${{{}true}}", "!".repeat(n)),
        format!("${{{}1}}", "-!".repeat(n)),
        format!("${{{}1}}", "a ? b : ".repeat(n)),
        format!("${{{}1}}", "a ? ".repeat(n)),
        format!("${{{}1{}}}", "{a = ".repeat(n), "}".repeat(n)),
        format!("${{{}1{}}}", "{(".repeat(n), ") = 1}".repeat(n)),
        format!("${{{}1{}}}", "[for x in ".repeat(n), " : x]".repeat(n)),
        format!("${{{}x{}}}", "[for x in xs : ".repeat(n), "]".repeat(n)),
        format!("${{{}1}}", "{for k, v in m : k => ".repeat(n)),
        format!("${{1{}}}", " && true || false == 1 < 2 / 3 % 4".repeat(n)),
        format!("${{{}1{}}}", "try(".repeat(n), ")".repeat(n)),
        format!("${{{}1{}}}", "max(".repeat(n), "...)".repeat(n)),
        format!("${{{}1{}}}", "\"${".repeat(n), "}\"".repeat(n)),
        format!("${{{}1{}}}", "\"x${".repeat(n), "}\"".repeat(n)),
        format!("${{{}1}}", "\"%{ if ".repeat(n)),
    ];
    for src in [
        "%{ if true }".repeat(n),
        format!(
            "{}x{}",
            "%{ for x in y }".repeat(n),
            "%{ endfor }".repeat(n)
        ),
        format!("{}x", "%{~ if true ~}%{ else }".repeat(n)),
    ] {
        let e = parse_template(&src, Some(0), Span::new(0, src.len())).unwrap_err();
        assert!(
            e.message.contains("nested too deeply"),
            "{}: {e:?}",
            &src[..20]
        );
    }
    for src in &deep {
        let e = parse_template(src, Some(0), Span::new(0, src.len())).unwrap_err();
        assert!(
            e.message.contains("nested too deeply"),
            "{}: {e:?}",
            &src[..20]
        );
    }
    // Moderate nesting is fine.
    let ok_src = format!("${{{}1{}}}", "(".repeat(40), ")".repeat(40));
    assert_eq!(render(&ok_src), Ok(Value::Int(1)));
    let ok_src = format!("${{1{}}}", " + 1".repeat(100));
    assert_eq!(render(&ok_src), Ok(Value::Int(101)));
}
