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
        "templatestring(\"$${a}\", pending)",
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

/// Every function with every combination of awkward arguments: each call
/// returns a value or an error, none panics or runs away.
#[test]
fn no_arguments_make_a_function_panic() {
    let values = [
        "null",
        "-1",
        "9223372036854775807",
        "1.5",
        "\"\"",
        "\"%[2]9d%\"",
        "\"a\\nb\"",
        "[]",
        "[1, \"a\", [null]]",
        "config.tags",
        "\"10.0.0.0/8\"",
        "\"2018-01-02T23:12:01+00:00\"",
    ];
    let few = &values[..6];
    for name in function_names() {
        let _ = ev(&format!("{name}()"));
        for a in values {
            let _ = ev(&format!("{name}({a})"));
            for b in values {
                let _ = ev(&format!("{name}({a}, {b})"));
            }
        }
        for a in few {
            for b in few {
                for c in few {
                    let _ = ev(&format!("{name}({a}, {b}, {c})"));
                }
            }
        }
    }
}
