//! String functions: Terraform's documented examples and errors.

use super::*;

#[test]
fn chomp_trim_and_affixes() {
    assert_eq!(ok(r#"chomp("hello\n")"#), s("hello"));
    assert_eq!(ok(r#"chomp("hello\r\n")"#), s("hello"));
    assert_eq!(ok(r#"chomp("hello\n\n")"#), s("hello"));
    assert_eq!(ok(r#"trim("?!hello?!", "!?")"#), s("hello"));
    assert_eq!(ok(r#"trim("foobar", "far")"#), s("oob"));
    assert_eq!(
        ok(r#"trim("   hello! world.!  ", "! ")"#),
        s("hello! world.")
    );
    assert_eq!(ok(r#"trimprefix("helloworld", "hello")"#), s("world"));
    assert_eq!(ok(r#"trimprefix("helloworld", "cat")"#), s("helloworld"));
    assert_eq!(ok(r#"trimsuffix("helloworld", "world")"#), s("hello"));
    assert_eq!(ok(r#"trimspace("  hello\n\n")"#), s("hello"));
    assert_eq!(
        ok(r#"startswith("hello world", "hello")"#),
        Value::Bool(true)
    );
    assert_eq!(
        ok(r#"startswith("hello world", "world")"#),
        Value::Bool(false)
    );
    assert_eq!(ok(r#"endswith("hello world", "world")"#), Value::Bool(true));
    assert_eq!(
        ok(r#"endswith("hello world", "hello")"#),
        Value::Bool(false)
    );
    assert_eq!(
        ok(r#"strcontains("hello world", "wor")"#),
        Value::Bool(true)
    );
    assert_eq!(
        ok(r#"strcontains("hello world", "wod")"#),
        Value::Bool(false)
    );
}

#[test]
fn case_reverse_and_substr() {
    assert_eq!(ok(r#"lower("HELLO")"#), s("hello"));
    assert_eq!(ok(r#"lower("АЛЛО!")"#), s("алло!"));
    assert_eq!(ok(r#"upper("hello")"#), s("HELLO"));
    assert_eq!(ok(r#"upper(true)"#), s("TRUE"));
    assert_eq!(ok(r#"title("hello world")"#), s("Hello World"));
    assert_eq!(
        ok(r#"title("hello-world foo_bar")"#),
        s("Hello-World Foo_bar")
    );
    assert_eq!(ok(r#"strrev("hello")"#), s("olleh"));
    assert_eq!(ok(r#"strrev("a ☃")"#), s("☃ a"));
    // Characters are grapheme clusters, as in Terraform.
    assert_eq!(ok(r#"strrev("a💃🏿b")"#), s("b💃🏿a"));
    assert_eq!(ok(r#"length("💃🏿")"#), Value::Int(1));
    assert_eq!(ok(r#"substr("💃🏿x", 1, 1)"#), s("x"));
    assert_eq!(ok(r#"substr("hello world", 1, 4)"#), s("ello"));
    assert_eq!(ok(r#"substr("🤔🤷", 0, 1)"#), s("🤔"));
    assert_eq!(ok(r#"substr("hello world", -5, -1)"#), s("world"));
    assert_eq!(ok(r#"substr("hello world", 6, 10)"#), s("world"));
    assert_eq!(ok(r#"substr("hello", 10, 2)"#), s(""));
    assert_eq!(ok(r#"substr("hello", -10, 2)"#), s("he"));
    assert_eq!(
        ok(r#"substr("hello", 9223372036854775807, 9223372036854775807)"#),
        s("")
    );
}

#[test]
fn indent_and_join() {
    assert_eq!(
        ok(r#"indent(2, "[\n  foo,\n  bar,\n]\n")"#),
        s("[\n    foo,\n    bar,\n  ]\n  ")
    );
    assert_eq!(ok(r#"indent(4, "one line")"#), s("one line"));
    assert!(
        err(r#"indent(-1, "x")"#)
            .message
            .contains("must not be negative")
    );
    assert!(
        err(r#"indent(999999999, "a\nb")"#)
            .message
            .contains("too large")
    );
    assert_eq!(ok(r#"join("-", ["foo", "bar", "baz"])"#), s("foo-bar-baz"));
    assert_eq!(
        ok(r#"join(", ", ["foo", "bar", "baz"])"#),
        s("foo, bar, baz")
    );
    assert_eq!(ok(r#"join(", ", ["foo"])"#), s("foo"));
    assert_eq!(ok(r#"join(",", ["a"], ["b", "c"])"#), s("a,b,c"));
    assert!(
        err(r#"join(",", ["a", null])"#)
            .message
            .contains("element 1 is null")
    );
    assert!(err(r#"join(",")"#).message.contains("takes at least 2"));
}

#[test]
fn split_and_replace() {
    assert_eq!(ok(r#"split(",", "foo")"#), strs(&["foo"]));
    assert_eq!(
        ok(r#"split(",", "foo,bar,baz")"#),
        strs(&["foo", "bar", "baz"])
    );
    assert_eq!(ok(r#"split(",", "")"#), strs(&[""]));
    assert_eq!(ok(r#"replace("1 + 2 + 3", "+", "-")"#), s("1 - 2 - 3"));
    assert_eq!(
        ok(r#"replace("hello world", "/w.*d/", "everybody")"#),
        s("hello everybody")
    );
    assert_eq!(
        ok(r#"replace("hello world", "/(?P<first>\\w+) (\\w+)/", "$2 $${first}")"#),
        s("world hello")
    );
    assert_eq!(ok(r#"replace("abc", "/b/", "$$")"#), s("a$c"));
    assert_eq!(
        ok(r#"replace("a1b22", "/(\\d+)/", "<$1>")"#),
        s("a<1>b<22>")
    );
    assert_eq!(ok(r#"replace("ab", "//", "-")"#), s("-a-b-"));
    // Each expansion is bounded before it is made: a replacement of 8670
    // `$0`s over a match of 2890 characters would be 25 MB.
    let big = r#"join("", range(1000))"#;
    let dollars = format!(r#"replace({big}, "/./", "$$0$$0$$0")"#);
    assert_eq!(ok(&format!("length({dollars})")), Value::Int(6 * 2890));
    assert!(
        err(&format!(r#"replace({big}, "/.*/", {dollars})"#))
            .message
            .contains("too large")
    );
    // A lone `/` is a plain substring.
    assert_eq!(ok(r#"replace("a/b", "/", "-")"#), s("a-b"));
    let e = err(r#"replace("x", "/(/", "y")"#);
    assert!(e.message.contains("invalid regular expression"), "{e:?}");
    assert_eq!(e.span, Span::new(13, 18));
    assert!(
        err(r#"replace(replace(join("", range(1000)), "", join("", range(1000))), "", "xyz")"#)
            .message
            .contains("too large")
    );
}

#[test]
fn regex_and_regexall() {
    assert_eq!(
        ok(r#"regex("[a-z]+", "53453453.345345aaabbbccc23454")"#),
        s("aaabbbccc")
    );
    assert_eq!(
        ok(r#"regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")"#),
        strs(&["2019", "02", "01"])
    );
    assert_eq!(
        ok(
            r#"regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")"#
        ),
        map(&[("authority", s("terraform.io")), ("scheme", s("https"))])
    );
    assert_eq!(ok(r#"regex("(a)|(b)", "b")"#), list(&[Value::Null, s("b")]));
    let e = err(r#"regex("[a-z]+", "123")"#);
    assert!(e.message.contains("did not match"), "{e:?}");
    assert_eq!(e.span, Span::new(16, 21));
    assert!(
        err(r#"regex("(?P<a>x)(y)", "xy")"#)
            .message
            .contains("all named or no named")
    );
    assert!(
        err(r#"regex("(", "x")"#)
            .message
            .contains("invalid regular expression")
    );
    assert_eq!(
        ok(r#"regexall("[a-z]+", "1234abcd5678efgh9")"#),
        strs(&["abcd", "efgh"])
    );
    assert_eq!(
        ok(r#"length(regexall("[a-z]+", "1234abcd5678efgh9"))"#),
        Value::Int(2)
    );
    assert_eq!(
        ok(r#"length(regexall("[a-z]+", "123456789"))"#),
        Value::Int(0)
    );
    assert_eq!(
        ok(r#"regexall("(\\w)=(\\d)", "a=1 b=2")"#),
        list(&[strs(&["a", "1"]), strs(&["b", "2"])])
    );
    // RE2 syntax: Unicode classes work, backreferences do not.
    assert_eq!(ok(r#"regex("\\p{Greek}+", "abc αβγ")"#), s("αβγ"));
    assert!(
        err(r#"regex("(a)\\1", "aa")"#)
            .message
            .contains("invalid regular expression")
    );
}

#[test]
fn templatestring_renders_with_only_its_vars() {
    let mut sc = scope();
    sc.roots
        .insert("tmpl".into(), s("Hello, ${name}! You are ${age + 1}."));
    assert_eq!(
        eval(
            &parse(r#"templatestring(tmpl, jsondecode("{\"name\": \"Ann\", \"age\": 41}"))"#),
            &sc
        ),
        Ok(s("Hello, Ann! You are 42."))
    );
    // A template of one interpolation keeps the value's type.
    assert_eq!(
        ok(r#"templatestring("$${x}", jsondecode("{\"x\": [1]}"))"#),
        ints(&[1])
    );
    let e = err(r#"templatestring("$${vpc.id}", config.tags)"#);
    assert!(e.message.contains("unknown variable `vpc`"), "{e:?}");
    assert_eq!(e.span, Span::new(15, 27));
    assert!(
        err(r#"templatestring("x", "y")"#)
            .message
            .contains("must be a table of template variables")
    );
    assert!(
        err(r#"templatestring("$${templatestring(\"a\", t)}", jsondecode("{\"t\": {}}"))"#)
            .message
            .contains("cannot be called from inside a template")
    );
    assert!(
        err(r#"templatestring("$${", config.tags)"#)
            .message
            .contains("invalid template")
    );
}
