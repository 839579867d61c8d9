//! `format` and `formatlist`: the verb table, flags, widths and errors,
//! against Terraform's documentation and cty's test cases.

use super::*;

/// `format(spec, arg)` with both written as expression source.
fn f(spec: &str, arg: &str) -> Value {
    ok(&format!("format(\"{spec}\", {arg})"))
}

#[test]
fn documented_examples() {
    assert_eq!(ok(r#"format("Hello, %s!", "Ander")"#), s("Hello, Ander!"));
    assert_eq!(
        ok(r#"format("There are %d lights", 4)"#),
        s("There are 4 lights")
    );
    assert_eq!(f("%#v", r#""hello""#), s(r#""hello""#));
    assert_eq!(f("%#v", "true"), s("true"));
    assert_eq!(f("%#v", "1"), s("1"));
    assert_eq!(f("%#v", "config.tags"), s(r#"{"env":"prod","team":"ops"}"#));
    assert_eq!(f("%#v", "[true]"), s("[true]"));
    assert_eq!(f("%#v", "null"), s("null"));
    assert_eq!(ok(r#"format("%-5d|", 42)"#), s("42   |"));
    assert_eq!(ok(r#"format("%.2f", 3.14159)"#), s("3.14"));
    assert_eq!(ok(r#"format("%10.2f|", 3.14159)"#), s("      3.14|"));
}

#[test]
fn verb_table() {
    let table = [
        ("%v", "\"hello\"", "hello"),
        ("%v", "5", "5"),
        ("%v", "1.5", "1.5"),
        ("%v", "true", "true"),
        ("%v", "[1, \"a\"]", "[1,\"a\"]"),
        ("%v", "1234567", "1.234567e+06"),
        ("%v", "123456", "123456"),
        ("%t", "true", "true"),
        ("%t", "\"false\"", "false"),
        ("%s", "\"hello\"", "hello"),
        ("%s", "12", "12"),
        ("%s", "true", "true"),
        ("%q", "\"hello\"", "\"hello\""),
        ("%q", "\"a<b\"", "\"a\\u003cb\""),
        ("%d", "10", "10"),
        ("%d", "\"42\"", "42"),
        ("%d", "-7", "-7"),
        ("%b", "5", "101"),
        ("%o", "9", "11"),
        ("%x", "254", "fe"),
        ("%X", "254", "FE"),
        ("%x", "-255", "-ff"),
        ("%e", "1000", "1.000000e+03"),
        ("%E", "1000", "1.000000E+03"),
        ("%e", "0.000123", "1.230000e-04"),
        ("%f", "10", "10.000000"),
        ("%.1f", "\"1.06\"", "1.1"),
        ("%.4f", "2", "2.0000"),
        ("%g", "1000", "1000"),
        ("%G", "1000", "1000"),
        ("%g", "\"0.00000000000000000000001\"", "1e-23"),
        ("%G", "\"0.00000000000000000000001\"", "1E-23"),
        ("%g", "100000000", "1e+08"),
        ("%g", "0.5", "0.5"),
        ("%.3g", "3.14159", "3.14"),
        ("%.3g", "1234.5", "1.23e+03"),
        ("%g", "0", "0"),
        ("%%", "null", "%"),
    ];
    for (spec, arg, want) in table {
        let src = if spec == "%%" {
            "format(\"%%\")".to_string()
        } else {
            format!("format(\"{spec}\", {arg})")
        };
        assert_eq!(ok(&src), s(want), "{src}");
    }
}

#[test]
fn flags_widths_and_precisions() {
    let table = [
        ("%10s", "\"hello\"", "     hello"),
        ("%-10s", "\"hello\"", "hello     "),
        ("%.2s", "\"hello\"", "he"),
        ("%.2q", "\"hello\"", "\"he\""),
        ("%.5s", "\"日本語日本語\"", "日本語日本"),
        ("%4.2s", "\"hello\"", "  he"),
        ("%-4.2s", "\"hello\"", "he  "),
        ("%6.2q", "\"hello\"", "  \"he\""),
        ("%4s", "\"é\"", "   é"),
        ("%4s", "\"💃🏿\"", "   💃🏿"),
        ("%-6q", "\"💃🏿\"", "\"💃🏿\"   "),
        ("%.1s", "\"e\u{0301}x\"", "e\u{0301}"),
        ("%05s", "\"ab\"", "000ab"),
        ("%+d", "10", "+10"),
        ("% d", "10", " 10"),
        ("%5d", "10", "   10"),
        ("%-5d", "10", "10   "),
        ("%05d", "-42", "-0042"),
        ("%.3d", "7", "007"),
        ("%8.3d", "7", "     007"),
        ("%08.3d", "7", "     007"),
        ("%.0d", "0", ""),
        ("%#x", "255", "0xff"),
        ("%#X", "255", "0XFF"),
        ("%#o", "8", "010"),
        ("%#b", "5", "0b101"),
        ("%+f", "10", "+10.000000"),
        ("% f", "10", " 10.000000"),
        ("%+f", "-10", "-10.000000"),
        ("%08.2f", "-3.14159", "-0003.14"),
        ("%-8.2f|", "3.14159", "3.14    |"),
        ("%+.1e", "12345", "+1.2e+04"),
        ("%6v", "1", "     1"),
        ("%-6v|", "true", "true  |"),
    ];
    for (spec, arg, want) in table {
        assert_eq!(f(spec, arg), s(want), "{spec} {arg}");
    }
}

#[test]
fn argument_indexes() {
    assert_eq!(ok(r#"format("%[2]d things", 1, 10)"#), s("10 things"));
    assert_eq!(ok(r#"format("%[2]s %[1]s %s", "a", "b")"#), s("b a b"));
    assert_eq!(ok(r#"format("%[1]s%[1]s", "x")"#), s("xx"));
    assert!(err(r#"format("%[0]s", "x")"#).message.contains("index"));
    assert!(
        err(r#"format("%[3]s", "x")"#)
            .message
            .contains("more verbs")
    );
    let e = err(r#"format("%[2]s", "a", "b", "c")"#);
    assert!(e.message.contains("uses 2 of 3"), "{e:?}");
}

#[test]
fn errors() {
    assert!(
        err(r#"format("%d", null)"#)
            .message
            .contains("cannot format null")
    );
    assert!(
        err(r#"format("%t", 1)"#)
            .message
            .contains("%t needs a bool")
    );
    assert!(
        err(r#"format("%f", "x")"#)
            .message
            .contains("%f needs a number")
    );
    assert!(
        err(r#"format("%z", 10)"#)
            .message
            .contains("unsupported verb `%z`")
    );
    assert!(
        err(r#"format("%☠", 10)"#)
            .message
            .contains("unsupported verb")
    );
    let e = err(r#"format("hi", 1)"#);
    assert!(e.message.contains("no verbs"), "{e:?}");
    assert_eq!(e.span, Span::new(13, 14));
    assert!(err(r#"format("%999999999d", 1)"#).message.contains("width"));
    assert!(
        err(r#"format("%.999999999f", 1)"#)
            .message
            .contains("precision")
    );
    assert!(
        err(r#"format("%9999999d%9999999d", 1, 2)"#)
            .message
            .contains("too large")
    );
}

#[test]
fn formatlist_walks_lists_in_step() {
    assert_eq!(
        ok(r#"formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])"#),
        strs(&[
            "Hello, Valentina!",
            "Hello, Ander!",
            "Hello, Olivia!",
            "Hello, Sam!"
        ])
    );
    assert_eq!(
        ok(r#"formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])"#),
        strs(&["Salutations, Valentina!", "Salutations, Ander!"])
    );
    assert_eq!(
        ok(r#"formatlist("%s=%d", ["a", "b"], [1, 2])"#),
        strs(&["a=1", "b=2"])
    );
    assert_eq!(ok(r#"formatlist("x")"#), strs(&["x"]));
    assert_eq!(ok(r#"formatlist("%s", [])"#), strs(&[]));
    let e = err(r#"formatlist("%s %s", ["a"], ["b", "c"])"#);
    assert!(e.message.contains("inconsistent with argument 2"), "{e:?}");
    assert_eq!(e.span, Span::new(27, 37));
}
