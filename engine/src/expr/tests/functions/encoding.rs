//! Encoding functions: Terraform's documented examples and errors.

use std::io::Read as _;

use super::*;

#[test]
fn base64_family() {
    assert_eq!(ok(r#"base64encode("Hello World")"#), s("SGVsbG8gV29ybGQ="));
    assert_eq!(ok(r#"base64decode("SGVsbG8gV29ybGQ=")"#), s("Hello World"));
    assert!(err(r#"base64decode("/w==")"#).message.contains("not UTF-8"));
    assert_eq!(
        ok(r#"textencodebase64("Hello World", "UTF-16LE")"#),
        s("SABlAGwAbABvACAAVwBvAHIAbABkAA==")
    );
    assert_eq!(
        ok(r#"textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")"#),
        s("Hello World")
    );
    assert_eq!(ok(r#"textencodebase64("é", "ISO-8859-1")"#), s("6Q=="));
    assert_eq!(ok(r#"textdecodebase64("6Q==", "ISO-8859-1")"#), s("é"));
    assert!(
        err(r#"textencodebase64("é", "US-ASCII")"#)
            .message
            .contains("cannot represent")
    );
    let e = err(r#"textencodebase64("x", "EBCDIC")"#);
    assert!(
        e.message.contains("not a supported IANA encoding name"),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(22, 30));
    // The WHATWG encodings, by their IANA names and aliases.
    assert_eq!(ok(r#"textencodebase64("€", "windows-1252")"#), s("gA=="));
    assert_eq!(ok(r#"textdecodebase64("gA==", "csWindows1252")"#), s("€"));
    assert_eq!(
        ok(r#"textencodebase64("日本", "Shift_JIS")"#),
        s("k/qWew==")
    );
    assert_eq!(ok(r#"textdecodebase64("k/qWew==", "ms_kanji")"#), s("日本"));
    assert_eq!(ok(r#"textencodebase64("Ж", "KOI8-R")"#), s("9g=="));
    let e = err(r#"textencodebase64("a日", "windows-1252")"#);
    assert!(e.message.contains("'日'"), "{e:?}");
    assert!(
        err(r#"textdecodebase64("gQ==", "Shift_JIS")"#)
            .message
            .contains("not defined for Shift_JIS")
    );
}

#[test]
fn text_encodings_are_named_as_iana_names_them() {
    // Matching ignores case and surrounding blanks, as Go's index does.
    assert_eq!(ok(r#"textencodebase64("é", " Latin1 ")"#), s("6Q=="));
    assert_eq!(ok(r#"textencodebase64("é", "cp819")"#), s("6Q=="));
    // WHATWG labels that IANA does not register are refused, as in
    // Terraform ("cp1252", "replacement", "unicode-1-1-utf-8").
    for name in [
        "cp1252",
        "replacement",
        "unicode-1-1-utf-8",
        "x-mac-cyrillic",
    ] {
        let e = err(&format!(r#"textencodebase64("x", "{name}")"#));
        assert!(e.message.contains("not a supported IANA"), "{name}: {e:?}");
    }
    // Errors name the character set by its IANA name.
    let e = err(r#"textencodebase64("日", "ISO-8859-1")"#);
    assert!(
        e.message.contains("ISO_8859-1:1987 cannot represent"),
        "{e:?}"
    );
}

#[test]
fn ibm_code_pages_and_iso_8859_9_are_icu_s_tables() {
    assert_eq!(ok(r#"textencodebase64("╬", "IBM437")"#), s("zg=="));
    assert_eq!(ok(r#"textdecodebase64("zg==", "cp437")"#), s("╬"));
    // The variants of 437 differ where their languages need it.
    assert_eq!(ok(r#"textencodebase64("¢", "IBM437")"#), s("mw=="));
    assert_eq!(ok(r#"textencodebase64("ø", "IBM865")"#), s("mw=="));
    assert_eq!(ok(r#"textencodebase64("א", "IBM862")"#), s("gA=="));
    // EBCDIC: letters are not where ASCII has them, and 037 and 1047
    // differ on the brackets.
    assert_eq!(ok(r#"textencodebase64("Hello", "IBM037")"#), s("yIWTk5Y="));
    assert_eq!(
        ok(r#"textdecodebase64("yIWTk5Y=", "ebcdic-cp-us")"#),
        s("Hello")
    );
    assert_eq!(ok(r#"textencodebase64("[", "IBM037")"#), s("ug=="));
    assert_eq!(ok(r#"textencodebase64("[", "IBM1047")"#), s("rQ=="));
    // The euro variants.
    assert_eq!(ok(r#"textencodebase64("€", "IBM01140")"#), s("nw=="));
    assert_eq!(ok(r#"textencodebase64("€", "IBM00858")"#), s("1Q=="));
    let e = err(r#"textencodebase64("€", "IBM850")"#);
    assert!(e.message.contains("IBM850 cannot represent"), "{e:?}");
    // ISO-8859-9 is ICU's Latin 5, not WHATWG's windows-1254.
    assert_eq!(ok(r#"textencodebase64("Ğ", "ISO-8859-9")"#), s("0A=="));
    assert!(
        err(r#"textencodebase64("€", "latin5")"#)
            .message
            .contains("cannot represent")
    );
    assert_eq!(ok(r#"textencodebase64("€", "windows-1254")"#), s("gA=="));
}

#[test]
fn utf_16_with_a_byte_order_mark() {
    // "UTF-16" writes a big-endian mark and reads either order by its mark.
    assert_eq!(ok(r#"textencodebase64("A", "UTF-16")"#), s("/v8AQQ=="));
    assert_eq!(ok(r#"textdecodebase64("/v8AQQ==", "UTF-16")"#), s("A"));
    assert_eq!(ok(r#"textdecodebase64("//5BAA==", "UTF-16")"#), s("A"));
    assert_eq!(ok(r#"textdecodebase64("AEE=", "UTF-16")"#), s("A"));
    // UTF-16LE/BE keep a mark as the character it spells.
    assert_eq!(
        ok(r#"textdecodebase64("//5BAA==", "UTF-16LE")"#),
        s("\u{feff}A")
    );
    assert_eq!(ok(r#"textencodebase64("A", "UTF-16BE")"#), s("AEE="));
    assert_eq!(ok(r#"textencodebase64("😀", "UTF-16BE")"#), s("2D3eAA=="));
    // An odd byte or a lone surrogate is no text.
    assert!(
        err(r#"textdecodebase64("AEEA", "UTF-16BE")"#)
            .message
            .contains("not defined")
    );
    assert!(
        err(r#"textdecodebase64("2D0=", "UTF-16BE")"#)
            .message
            .contains("not defined")
    );
}

#[test]
fn a_replacement_character_in_decoded_text_is_refused_as_terraform_does() {
    // Go's decoders mark what they cannot read with U+FFFD and Terraform
    // refuses any U+FFFD in the result, even one the bytes spell.
    let e = err(r#"textdecodebase64("77+9", "UTF-8")"#);
    assert!(e.message.contains("not defined for UTF-8"), "{e:?}");
    assert!(
        err(r#"textdecodebase64("gA==", "US-ASCII")"#)
            .message
            .contains("not defined")
    );
}

#[test]
fn base64gzip_round_trips() {
    let Value::String(b64) = ok(r#"base64gzip("hello world")"#) else {
        panic!("not a string");
    };
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap_or_default();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap_or_default();
    assert_eq!(text, "hello world");
}

#[test]
fn csvdecode_reads_records() {
    assert_eq!(
        ok(r#"csvdecode("a,b,c\n1,2,3\n4,5,6")"#),
        list(&[
            map(&[("a", s("1")), ("b", s("2")), ("c", s("3"))]),
            map(&[("a", s("4")), ("b", s("5")), ("c", s("6"))]),
        ])
    );
    assert_eq!(
        ok(r#"csvdecode("name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\r\n")"#),
        list(&[map(&[
            ("name", s("Smith, J")),
            ("note", s("said \"hi\"\nthen left"))
        ])])
    );
    assert_eq!(ok(r#"csvdecode("a,b\n")"#), list(&[]));
    assert!(
        err(r#"csvdecode("a,b\n1")"#)
            .message
            .contains("record 1 has 1 fields")
    );
    assert!(err(r#"csvdecode("a\n\"x")"#).message.contains("not closed"));
    assert!(err(r#"csvdecode("")"#).message.contains("no header"));
}

#[test]
fn json_both_ways() {
    assert_eq!(
        ok(r#"jsondecode("{\"hello\": \"world\"}")"#),
        map(&[("hello", s("world"))])
    );
    assert_eq!(ok(r#"jsondecode("true")"#), Value::Bool(true));
    assert_eq!(
        ok(r#"jsondecode("[1, 2.5, null]")"#),
        list(&[Value::Int(1), Value::Float(2.5), Value::Null])
    );
    // A table that looks like the state file's secret tag is just a table.
    assert_eq!(
        ok(r#"jsondecode("{\"$secret\": 1}")"#),
        map(&[("$secret", Value::Int(1))])
    );
    let e = err(r#"jsondecode("{")"#);
    assert!(e.message.contains("invalid JSON"), "{e:?}");
    assert_eq!(e.span, Span::new(11, 14));
    assert_eq!(
        ok(r#"jsonencode(jsondecode("{\"hello\": \"world\"}"))"#),
        s(r#"{"hello":"world"}"#)
    );
    assert_eq!(
        ok(r#"jsonencode("<b> & c")"#),
        s(r#""\u003cb\u003e \u0026 c""#)
    );
    assert_eq!(
        ok("jsonencode(config.password)"),
        Value::secret(s("\"hunter2\""))
    );
}

#[test]
fn urlencode_as_query_escape() {
    assert_eq!(ok(r#"urlencode("Hello World!")"#), s("Hello+World%21"));
    assert_eq!(ok(r#"urlencode("☃")"#), s("%E2%98%83"));
    assert_eq!(
        ok(r#"format("http://example.com/search?q=%s", urlencode("terraform urlencode"))"#),
        s("http://example.com/search?q=terraform+urlencode")
    );
    assert_eq!(ok(r#"urlencode("a-b_c.d~e/f")"#), s("a-b_c.d~e%2Ff"));
}

#[test]
fn yaml_both_ways() {
    assert_eq!(
        ok(r#"yamldecode("hello: world")"#),
        map(&[("hello", s("world"))])
    );
    assert_eq!(ok(r#"yamldecode("true")"#), Value::Bool(true));
    assert_eq!(
        ok(r#"yamldecode("{a: &foo [1, 2, 3], b: *foo}")"#),
        map(&[("a", ints(&[1, 2, 3])), ("b", ints(&[1, 2, 3]))])
    );
    assert_eq!(
        ok(r#"yamldecode("{a: &foo [1, foo, bar], b: *foo}")"#),
        map(&[
            ("a", list(&[Value::Int(1), s("foo"), s("bar")])),
            ("b", list(&[Value::Int(1), s("foo"), s("bar")])),
        ])
    );
    assert_eq!(ok(r#"yamldecode("1: x")"#), map(&[("1", s("x"))]));
    assert_eq!(ok(r#"yamldecode("")"#), Value::Null);
    // Aliases that would expand exponentially ("billion laughs") are refused.
    let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x]\\n");
    for (i, name) in "bcdefghijk".chars().enumerate() {
        let prev = char::from(b'a' + i as u8);
        laughs.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\\n"));
    }
    assert!(
        err(&format!("yamldecode(\"{laughs}\")"))
            .message
            .contains("invalid YAML")
    );
    assert!(
        err(r#"yamldecode("a: [")"#)
            .message
            .contains("invalid YAML")
    );
    assert!(
        err(r#"yamldecode("a\n---\nb")"#)
            .message
            .contains("invalid YAML")
    );
    let j = |text: &str| {
        ok(&format!(
            "yamlencode(jsondecode({}))",
            Value::String(text.into())
        ))
    };
    assert_eq!(j(r#"{"a":"b","c":"d"}"#), s("\"a\": \"b\"\n\"c\": \"d\"\n"));
    assert_eq!(
        j(r#"{"foo":[1,2,3],"bar":"baz"}"#),
        s("\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n")
    );
    assert_eq!(
        j(r#"{"foo":[1,{"a":"b","c":"d"},3],"bar":"baz"}"#),
        s("\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n")
    );
    assert_eq!(
        j(r#"{"a":{"b":{"c":1}}}"#),
        s("\"a\":\n  \"b\":\n    \"c\": 1\n")
    );
    assert_eq!(j("[[1, 2], []]"), s("- - 1\n  - 2\n- []\n"));
    assert_eq!(
        j(r#"{"e":{},"n":null,"t":true}"#),
        s("\"e\": {}\n\"n\": null\n\"t\": true\n")
    );
    assert_eq!(j(r#"{"s":"a\nb"}"#), s("\"s\": |-\n  a\n  b\n"));
    assert_eq!(j(r#""q\"\\""#), s("\"q\\\"\\\\\"\n"));
    // What yamlencode writes, yamldecode reads back.
    let back = ok(
        r#"yamldecode(yamlencode(jsondecode("{\"a\": [1, {\"b\": \"x\\ny\\n\"}], \"c\": \"\"}")))"#,
    );
    assert_eq!(
        back,
        ok(r#"jsondecode("{\"a\": [1, {\"b\": \"x\\ny\\n\"}], \"c\": \"\"}")"#)
    );
}

#[test]
fn hz_gb_2312_as_go_writes_it() {
    // `~` is doubled even inside GB2312, and nothing closes the last run.
    assert_eq!(
        ok(r#"textencodebase64("a中~b", "HZ-GB-2312")"#),
        s("YX57VlB+fn59Yg==")
    );
    assert_eq!(
        ok(r#"textencodebase64("中文", "hz-gb-2312")"#),
        s("fntWUE5E")
    );
    // Reading: switches, a doubled `~`, and `~` before a newline is nothing.
    assert_eq!(
        ok(r#"textdecodebase64("fntWUH59fgp+fng=", "HZ-GB-2312")"#),
        s("中~x")
    );
    assert_eq!(
        ok(r#"textdecodebase64("YX57VlB+fn59Yg==", "HZ-GB-2312")"#),
        s("a中~b")
    );
    // A character outside GB2312, a stray `~`, a byte above 0x7F: refused.
    assert!(
        err(r#"textencodebase64("€", "HZ-GB-2312")"#)
            .message
            .contains("cannot represent")
    );
    assert!(
        err(r#"textdecodebase64("fng=", "HZ-GB-2312")"#)
            .message
            .contains("not defined")
    );
    assert!(
        err(r#"textdecodebase64("gA==", "HZ-GB-2312")"#)
            .message
            .contains("not defined")
    );
}
