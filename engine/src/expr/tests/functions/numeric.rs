//! Numeric functions: Terraform's documented examples and errors.

use super::*;

#[test]
fn abs_ceil_floor_signum() {
    assert_eq!(ok("abs(23)"), Value::Int(23));
    assert_eq!(ok("abs(0)"), Value::Int(0));
    assert_eq!(ok("abs(-12.4)"), Value::Float(12.4));
    assert_eq!(ok("abs(\"-3\")"), Value::Int(3));
    assert!(
        err("abs(-9223372036854775807 - 1)")
            .message
            .contains("overflow")
    );
    assert_eq!(ok("ceil(5)"), Value::Int(5));
    assert_eq!(ok("ceil(5.1)"), Value::Int(6));
    assert_eq!(ok("floor(5)"), Value::Int(5));
    assert_eq!(ok("floor(4.9)"), Value::Int(4));
    assert_eq!(ok("floor(-4.1)"), Value::Int(-5));
    assert_eq!(ok("signum(-13)"), Value::Int(-1));
    assert_eq!(ok("signum(0)"), Value::Int(0));
    assert_eq!(ok("signum(344)"), Value::Int(1));
    let e = err("ceil(\"x\")");
    assert_eq!(
        e.message,
        "`ceil`: argument 1 must be a number, not the string \"x\""
    );
    assert_eq!(e.span, Span::new(5, 8));
    assert_eq!(
        err("floor(true)").message,
        "`floor`: argument 1 must be a number, not a bool"
    );
    assert_eq!(
        err("abs(null)").message,
        "`abs`: argument 1 must be a number, not null"
    );
}

#[test]
fn log_and_pow() {
    assert_eq!(ok("log(50, 10)"), Value::Float(1.6989700043360185));
    assert_eq!(ok("log(16, 2)"), Value::Int(4));
    assert_eq!(ok("log(1, 10)"), Value::Int(0));
    // As in Terraform, which computes `log` and `pow` in 64-bit floats.
    assert_eq!(ok("log(0, 10)"), Value::Float(f64::NEG_INFINITY));
    assert!(err("log(-1, 10)").message.contains("not a number"));
    assert_eq!(ok("pow(3, 2)"), Value::Int(9));
    assert_eq!(ok("pow(4, 0)"), Value::Int(1));
    assert_eq!(ok("pow(2, -1)"), Value::Float(0.5));
    assert_eq!(ok("pow(2, 62)"), Value::Int(1 << 62));
    assert_eq!(ok("pow(10, 400)"), Value::Float(f64::INFINITY));
}

#[test]
fn min_max_as_terraform() {
    assert_eq!(ok("max(12, 54, 3)"), Value::Int(54));
    assert_eq!(ok("min(12, 54, 3)"), Value::Int(3));
    assert_eq!(ok("max(\"7\", 3.5)"), Value::Float(7.0));
    assert!(err("max()").message.contains("takes at least 1 argument"));
}

#[test]
fn parseint_bases() {
    assert_eq!(ok("parseint(\"100\", 10)"), Value::Int(100));
    assert_eq!(ok("parseint(\"FF\", 16)"), Value::Int(255));
    assert_eq!(ok("parseint(\"-10\", 16)"), Value::Int(-16));
    assert_eq!(ok("parseint(\"1011111011101111\", 2)"), Value::Int(48879));
    assert_eq!(ok("parseint(\"aA\", 62)"), Value::Int(656));
    assert_eq!(ok("parseint(\"zz\", 36)"), Value::Int(1295));
    assert_eq!(
        ok("parseint(\"-9223372036854775808\", 10)"),
        Value::Int(i64::MIN)
    );
    let e = err("parseint(\"12\", 2)");
    assert_eq!(
        e.message,
        "`parseint`: cannot parse \"12\" as a base 2 integer"
    );
    assert_eq!(e.span, Span::new(9, 13));
    assert!(err("parseint(\"\", 10)").message.contains("cannot parse"));
    assert!(
        err("parseint(\"1\", 1)")
            .message
            .contains("between 2 and 62")
    );
    assert!(
        err("parseint(\"1\", 63)")
            .message
            .contains("between 2 and 62")
    );
    assert!(
        err("parseint(\"9223372036854775808\", 10)")
            .message
            .contains("too large")
    );
    assert!(
        err("parseint(\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\", 36)")
            .message
            .contains("too large")
    );
}
