//! Network functions: Terraform's documented examples and errors.

use super::*;

#[test]
fn cidrhost_examples() {
    assert_eq!(ok(r#"cidrhost("10.12.112.0/20", 16)"#), s("10.12.112.16"));
    assert_eq!(ok(r#"cidrhost("10.12.112.0/20", 268)"#), s("10.12.113.12"));
    assert_eq!(
        ok(r#"cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)"#),
        s("fd00:fd12:3456:7890::22")
    );
    assert_eq!(ok(r#"cidrhost("10.0.0.0/8", "5")"#), s("10.0.0.5"));
}

#[test]
fn cidrnetmask_examples() {
    assert_eq!(ok(r#"cidrnetmask("172.16.0.0/12")"#), s("255.240.0.0"));
    assert_eq!(ok(r#"cidrnetmask("10.0.0.0/32")"#), s("255.255.255.255"));
    assert_eq!(ok(r#"cidrnetmask("0.0.0.0/0")"#), s("0.0.0.0"));
    let e = err(r#"cidrnetmask("fd00::/8")"#);
    assert!(e.message.contains("only IPv4"), "{e:?}");
    assert_eq!(e.span, Span::new(12, 22));
}

#[test]
fn cidrsubnet_examples() {
    assert_eq!(
        ok(r#"cidrsubnet("172.16.0.0/12", 4, 2)"#),
        s("172.18.0.0/16")
    );
    assert_eq!(
        ok(r#"cidrsubnet("10.1.2.0/24", 4, 15)"#),
        s("10.1.2.240/28")
    );
    assert_eq!(
        ok(r#"cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)"#),
        s("fd00:fd12:3456:7800:a200::/72")
    );
}

#[test]
fn cidrsubnets_examples() {
    assert_eq!(
        ok(r#"cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)"#),
        strs(&[
            "10.1.0.0/20",
            "10.1.16.0/20",
            "10.1.32.0/24",
            "10.1.48.0/20"
        ])
    );
    assert_eq!(
        ok(r#"cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)"#),
        strs(&[
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88",
        ])
    );
    assert_eq!(ok(r#"cidrsubnets("10.0.0.0/8")"#), strs(&[]));
    assert_eq!(
        ok(r#"cidrsubnets("::/0", 1, 1)"#),
        strs(&["::/1", "8000::/1"])
    );
    let e = err(r#"cidrsubnets("10.0.0.0/24", 1, 1, 1)"#);
    assert!(
        e.message.contains("not enough remaining address space"),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(33, 34));
    assert!(
        err(r#"cidrsubnets("10.0.0.0/24", 0)"#)
            .message
            .contains("at least one bit")
    );
    assert!(
        err(r#"cidrsubnets("10.0.0.0/24", 9)"#)
            .message
            .contains("too long")
    );
    assert!(
        err(r#"cidrsubnets("::/0", 1, 1, 1)"#)
            .message
            .contains("not enough")
    );
}
