//! Operators: HCL's precedence table, Terraform's number semantics and
//! conversions, comparisons without conversion, logic with unknowns.

use super::*;

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn b(x: bool) -> Value {
    Value::Bool(x)
}

#[test]
fn each_operator() {
    assert_eq!(ok("7 + 2"), int(9));
    assert_eq!(ok("7 - 2"), int(5));
    assert_eq!(ok("7 * 2"), int(14));
    assert_eq!(ok("10 / 4"), Value::Float(2.5));
    assert_eq!(ok("10 / 5"), int(2));
    assert_eq!(ok("7.5 / 2.5"), Value::Float(3.0));
    assert_eq!(ok("7 % 3"), int(1));
    assert_eq!(ok("-7 % 3"), int(-1));
    assert_eq!(ok("7 % -3"), int(1));
    assert_eq!(ok("5.5 % 2"), Value::Float(1.5));
    assert_eq!(ok("7 % 0"), int(7));
    assert_eq!(ok("1 < 2"), b(true));
    assert_eq!(ok("2 <= 2"), b(true));
    assert_eq!(ok("2 > 2"), b(false));
    assert_eq!(ok("2 >= 2.5"), b(false));
    assert_eq!(ok("1 == 1"), b(true));
    assert_eq!(ok("1 != 1"), b(false));
    assert_eq!(ok("true && false"), b(false));
    assert_eq!(ok("true || false"), b(true));
    assert_eq!(ok("!true"), b(false));
    assert_eq!(ok("!!true"), b(true));
    assert_eq!(ok("-(3)"), int(-3));
}

#[test]
fn division_by_zero_is_an_infinity_as_in_terraform() {
    assert_eq!(ok("1 / 0"), Value::Float(f64::INFINITY));
    assert_eq!(ok("-1 / 0"), Value::Float(f64::NEG_INFINITY));
    assert_eq!(ok("1 / 0 > 1000000"), b(true));
    assert_eq!(ok("\"a${1 / 0}\""), Value::String("a+Inf".into()));
    assert_eq!(ok("tostring(-1 / 0)"), Value::String("-Inf".into()));
    assert_eq!(ok("5 % (1 / 0)"), Value::Float(f64::INFINITY));
    assert_eq!(ok("(1 / 0) - 1"), Value::Float(f64::INFINITY));
    let e = err("0 / 0");
    assert_eq!(
        e.message,
        "can't divide zero by zero or infinity by infinity"
    );
    assert_eq!(e.span, Span::new(4, 5));
    assert!(
        err("(1 / 0) / (1 / 0)")
            .message
            .contains("infinity by infinity")
    );
    assert!(err("(1 / 0) * 0").message.contains("zero by infinity"));
    assert!(
        err("(1 / 0) - (1 / 0)")
            .message
            .contains("infinity from infinity")
    );
    // Only a division by zero or an infinite operand makes an infinity:
    // anything else beyond a float's range is our precision's limit.
    assert!(err("1e308 * 10").message.contains("number overflow"));
    assert!(
        err("(-9223372036854775807 - 1) / -1")
            .message
            .contains("overflow")
    );
    assert_eq!(ok("(-9223372036854775807 - 1) % -1"), int(0));
}

#[test]
fn an_infinity_is_never_stored() {
    let e = render("${[1, 2 / 0]}").unwrap_err();
    assert!(e.message.contains("infinite number"), "{e:?}");
    assert_eq!(e.span, Span::new(2, 12));
    assert_eq!(render("${1 / 0 > 0}"), Ok(b(true)));
    assert_eq!(render("x${1 / 0}"), Ok(Value::String("x+Inf".into())));
}

#[test]
fn precedence_table() {
    let cases = [
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c", "((a && b) || c)"),
        ("a == b && c != d", "((a == b) && (c != d))"),
        ("a < b == c >= d", "((a < b) == (c >= d))"),
        ("a + b < c * d", "((a + b) < (c * d))"),
        ("a - b + c", "((a - b) + c)"),
        ("a / b * c % d", "(((a / b) * c) % d)"),
        ("a + b * c - d / e", "((a + (b * c)) - (d / e))"),
        ("!a && -b < c", "((!a) && ((-b) < c))"),
        ("!a.b[0]", "(!a.b[0])"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a ? b ? c : d : e", "(a ? (b ? c : d) : e)"),
        ("a || b ? c + d : e", "((a || b) ? (c + d) : e)"),
        ("a == b == c", "((a == b) == c)"),
    ];
    for (src, want) in cases {
        assert_eq!(super::parse::sh(src), want, "{src}");
    }
    assert_eq!(ok("1 + 2 * 3 == 7 && 10 / 4 > 2"), b(true));
    assert_eq!(ok("2 * 3 % 4"), int(2));
    assert_eq!(ok("8 / 2 / 2"), int(2));
    assert_eq!(ok("1 + 1 == 2 ? \"y\" : \"n\""), s("y"));
}

#[test]
fn automatic_conversions() {
    assert_eq!(ok("\"5\" + 1"), int(6));
    assert_eq!(ok("\"1.5\" * 2"), Value::Float(3.0));
    assert_eq!(ok("\"10\" > 9"), b(true));
    assert_eq!(ok("-\"5\""), int(-5));
    assert_eq!(ok("\"true\" && true"), b(true));
    assert_eq!(ok("!\"false\""), b(true));
    assert_eq!(ok("\"true\" ? 1 : 2"), int(1));
    let e = err("1 + \"a\"");
    assert_eq!(e.message, "cannot convert \"a\" to number");
    assert_eq!(e.span, Span::new(4, 7));
    let e = err("true + 1");
    assert_eq!(e.message, "a number is required, found a bool");
    assert_eq!(e.span, Span::new(0, 4));
    assert!(err("null + 1").message.contains("null"));
    assert!(err("[1] * 2").message.contains("found a list"));
    let e = err("1 && true");
    assert_eq!(e.message, "a bool is required, found a integer");
    assert!(
        err("\"yes\" || true")
            .message
            .contains("cannot convert \"yes\" to bool")
    );
    assert!(err("\"inf\" + 1").message.contains("cannot convert"));
    // Secrets are not shown in conversion errors.
    let e = err("config.password + 1");
    assert!(!e.message.contains("hunter2"), "{e:?}");
}

#[test]
fn equality_does_not_convert() {
    assert_eq!(ok("1 == \"1\""), b(false));
    assert_eq!(ok("1 == 1.0"), b(true));
    assert_eq!(ok("\"a\" == \"a\""), b(true));
    assert_eq!(ok("true == \"true\""), b(false));
    assert_eq!(ok("null == null"), b(true));
    assert_eq!(ok("config.nothing == null"), b(true));
    assert_eq!(ok("1 == null"), b(false));
    assert_eq!(ok("[1, \"a\"] == [1, \"a\"]"), b(true));
    assert_eq!(ok("[1, 2] == [1]"), b(false));
    assert_eq!(ok("{a = 1} == {a = 1.0}"), b(true));
    assert_eq!(ok("{a = 1} != {b = 1}"), b(true));
    assert_eq!(
        ok("config.tags == {env = \"prod\", team = \"ops\"}"),
        b(true)
    );
    // Unknowns decide only when nothing known differs.
    assert_eq!(ok("[pending.id, 1] == [\"x\", 2]"), b(false));
    assert_eq!(ev("[pending.id, 1] == [\"x\", 1]"), Ok(Value::Unknown));
    assert_eq!(ev("pending.id == null"), Ok(Value::Unknown));
}

#[test]
fn unknowns_and_secrets_flow_through_operators() {
    for src in [
        "pending.id / 2",
        "pending.id % 2",
        "pending.id < 1",
        "pending.id == 1",
        "pending.id != 1",
        "!unknown",
        "unknown && true",
        "true && unknown",
        "unknown || false",
        "false || unknown",
        "unknown && unknown",
    ] {
        assert_eq!(ev(src), Ok(Value::Unknown), "{src}");
    }
    // A known side that decides wins over an unknown one, either way round.
    assert_eq!(ok("false && unknown"), b(false));
    assert_eq!(ok("unknown && false"), b(false));
    assert_eq!(ok("true || unknown"), b(true));
    assert_eq!(ok("unknown || true"), b(true));
    // Conversions are still checked when the other side is unknown.
    assert!(err("unknown + \"a\"").message.contains("cannot convert"));
    assert_eq!(ok("secret(6) / 4"), Value::secret(Value::Float(1.5)));
    assert_eq!(ok("secret(true) || false"), Value::secret(b(true)));
    assert_eq!(ok("!secret(true)"), Value::secret(b(false)));
    assert_eq!(ok("secret(1) < 2"), Value::secret(b(true)));
}

#[test]
fn logic_short_circuits_errors_like_hcl() {
    // The right side's errors are dropped when the left decides.
    assert_eq!(ok("false && vpc.nope"), b(false));
    assert_eq!(ok("true || vpc.nope"), b(true));
    assert_eq!(ok("config.nothing != null && config.nothing.x"), b(false));
    assert_eq!(ev("unknown && vpc.nope"), Ok(Value::Unknown));
    // Otherwise they count, and the left side's always do.
    assert_eq!(err("true && vpc.nope").message, "no attribute `nope`");
    assert_eq!(err("vpc.nope || true").message, "no attribute `nope`");
    // A right side of the wrong type is still an error.
    assert!(err("false && 5").message.contains("bool is required"));
}
