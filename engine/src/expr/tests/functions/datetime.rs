//! Date and time functions: Terraform's documented examples, and
//! `timestamp()` unknown until apply.

use std::path::Path;

use super::*;

/// The test scope, as the executor sees it when it applies a change.
struct Applying(TestScope);

impl Scope for Applying {
    fn root(&self, name: &str) -> Result<Value, (String, Option<String>)> {
        self.0.root(name)
    }
    fn base_dir(&self) -> &Path {
        self.0.base_dir()
    }
    fn applying(&self) -> bool {
        true
    }
}

pub(super) fn applying(src: &str) -> Result<Value, ExprError> {
    eval(&parse(src), &Applying(scope()))
}

#[test]
fn formatdate_examples() {
    let t = "\"2018-01-02T23:12:01Z\"";
    let f = |spec: &str, t: &str| ok(&format!("formatdate(\"{spec}\", {t})"));
    assert_eq!(f("DD MMM YYYY hh:mm ZZZ", t), s("02 Jan 2018 23:12 UTC"));
    assert_eq!(
        f("EEEE, DD-MMM-YY hh:mm:ss ZZZ", t),
        s("Tuesday, 02-Jan-18 23:12:01 UTC")
    );
    assert_eq!(
        f(
            "EEE, DD MMM YYYY hh:mm:ss ZZZ",
            "\"2018-01-02T23:12:01-08:00\""
        ),
        s("Tue, 02 Jan 2018 23:12:01 -0800")
    );
    assert_eq!(f("MMM DD, YYYY", t), s("Jan 02, 2018"));
    assert_eq!(f("HH:mmaa", t), s("11:12pm"));
    assert_eq!(f("h'h'mm", "\"2018-01-02T23:12:01-08:00\""), s("23h12"));
    assert_eq!(f("H 'o''clock'", t), s("11 o'clock"));
    assert_eq!(f("YYYY-MM-DD'T'hh:mm:ssZ", t), s("2018-01-02T23:12:01Z"));
    assert_eq!(
        f("MMMM D, M/D H AA", "\"2024-02-29T00:05:09.5+05:30\""),
        s("February 29, 2/29 12 AM")
    );
    assert_eq!(
        f("ZZZZZ ZZZZ Z", "\"2024-02-29T00:05:09+05:30\""),
        s("+05:30 +0530 +05:30")
    );
    assert_eq!(f("m:s", t), s("12:1"));
    let e = err(r#"formatdate("YYYYY", "2018-01-02T23:12:01Z")"#);
    assert!(
        e.message.contains("invalid date format verb \"YYYYY\""),
        "{e:?}"
    );
    assert!(
        err(r#"formatdate("'x", "2018-01-02T23:12:01Z")"#)
            .message
            .contains("unterminated")
    );
    let e = err(r#"formatdate("YYYY", "2018-01-02")"#);
    assert!(e.message.contains("not an RFC 3339 timestamp"), "{e:?}");
    assert_eq!(e.span, Span::new(19, 31));
    assert!(
        err(r#"formatdate("YYYY", "2018-02-30T00:00:00Z")"#)
            .message
            .contains("RFC 3339")
    );
}

#[test]
fn timeadd_and_timecmp() {
    assert_eq!(
        ok(r#"timeadd("2017-11-22T00:00:00Z", "10m")"#),
        s("2017-11-22T00:10:00Z")
    );
    assert_eq!(
        ok(r#"timeadd("2017-11-22T00:00:00Z", "-1h30m")"#),
        s("2017-11-21T22:30:00Z")
    );
    assert_eq!(
        ok(r#"timeadd("2017-11-22T23:00:00+01:00", "1.5h")"#),
        s("2017-11-23T00:30:00+01:00")
    );
    assert_eq!(
        ok(r#"timeadd("2024-12-31T23:59:59.5Z", "500ms")"#),
        s("2025-01-01T00:00:00Z")
    );
    assert_eq!(
        ok(r#"timeadd("2017-11-22T00:00:00Z", "0")"#),
        s("2017-11-22T00:00:00Z")
    );
    assert!(
        err(r#"timeadd("2017-11-22T00:00:00Z", "10")"#)
            .message
            .contains("not a duration")
    );
    assert!(
        err(r#"timeadd("2017-11-22T00:00:00Z", "1d")"#)
            .message
            .contains("not a duration")
    );
    assert!(
        err(r#"timeadd("9999-12-31T23:00:00Z", "2h")"#)
            .message
            .contains("outside the years")
    );
    assert!(
        err(r#"timeadd("2017-11-22T00:00:00Z", "99999999999999h")"#)
            .message
            .contains("not a duration")
    );
    assert_eq!(
        ok(r#"timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")"#),
        Value::Int(0)
    );
    assert_eq!(
        ok(r#"timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")"#),
        Value::Int(-1)
    );
    assert_eq!(
        ok(r#"timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z")"#),
        Value::Int(1)
    );
    assert_eq!(
        ok(r#"timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00")"#),
        Value::Int(0)
    );
}

#[test]
fn timestamp_is_unknown_until_apply() {
    assert_eq!(ok("timestamp()"), Value::Unknown);
    let now = applying("timestamp()").unwrap_or_else(|e| panic!("{e:?}"));
    let text = now.as_str().unwrap_or_default().to_string();
    // Whatever the clock says, it is a timestamp formatdate can read.
    assert_eq!(
        applying(&format!(
            "formatdate(\"YYYY-MM-DD'T'hh:mm:ssZ\", \"{text}\")"
        )),
        Ok(s(&text))
    );
    let plan = ok("plantimestamp()");
    assert_eq!(ok("plantimestamp()"), plan, "one plan time per run");
    assert!(err("timestamp(1)").message.contains("takes 0 arguments"));
}
