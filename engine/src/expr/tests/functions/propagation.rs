//! Unknown values and secrets through every function: an unknown argument
//! gives an unknown result (or passes through structural functions), and a
//! result computed from a secret is secret.

use super::*;

#[test]
fn unknown_arguments_give_unknown_results() {
    for src in [
        "abs(unknown)",
        "upper(pending.id)",
        "format(\"%s\", pending.id)",
        "formatlist(\"%s\", [pending.id])",
        "join(\",\", [\"a\", pending.id])",
        "sha256(pending.id)",
        "cidrsubnets(pending.id, 1)",
        "jsonencode([pending.id])",
        "flatten([[pending.id]])",
        "timeadd(pending.id, \"1h\")",
        "tobool(unknown)",
        "templatestring(\"${a}\", pending)",
        "sort([pending.id])",
        "setunion([pending.id], [\"a\"])",
    ] {
        assert_eq!(ok(src), Value::Unknown, "{src}");
    }
}

#[test]
fn structural_functions_pass_unknown_elements() {
    assert_eq!(ok("length([pending.id, 1])"), Value::Int(2));
    assert_eq!(
        ok("reverse([pending.id, 1])"),
        list(&[Value::Int(1), Value::Unknown])
    );
    assert_eq!(ok("slice([pending.id, 1], 1, 2)"), ints(&[1]));
    assert_eq!(ok("one([pending.id])"), Value::Unknown);
    assert_eq!(ok("keys(pending)"), strs(&["id", "name"]));
    assert_eq!(
        ok("chunklist([pending.id, 1], 1)"),
        list(&[list(&[Value::Unknown]), ints(&[1])])
    );
    assert_eq!(
        ok("coalescelist([], [pending.id])"),
        list(&[Value::Unknown])
    );
}

#[test]
fn secrets_taint_results_and_stay_out_of_errors() {
    for src in [
        "upper(config.password)",
        "md5(config.password)",
        "base64encode(config.password)",
        "format(\"%s!\", config.password)",
        "length(config.keys)",
        "sort(config.keys)",
        "yamlencode(config.keys)",
        "regex(\"h.*\", config.password)",
        "tolist(config.keys)",
    ] {
        assert!(ok(src).contains_secret(), "{src}");
    }
    let e = err("tonumber(config.password)");
    assert!(!e.message.contains("hunter2"), "{e:?}");
    let e = err("parseint(config.password, 10)");
    assert!(!e.message.contains("hunter2"), "{e:?}");
    let e = err("formatdate(\"YYYY\", config.password)");
    assert!(!e.message.contains("hunter2"), "{e:?}");
    let e = err("lookup(config.tags, config.password)");
    assert!(!e.message.contains("hunter2"), "{e:?}");
}
