//! Conversion and taint functions: Terraform's documented examples.

use super::*;

#[test]
fn scalar_conversions() {
    assert_eq!(ok("tobool(true)"), Value::Bool(true));
    assert_eq!(ok(r#"tobool("true")"#), Value::Bool(true));
    assert_eq!(ok("tobool(null)"), Value::Null);
    let e = err(r#"tobool("no")"#);
    assert_eq!(
        e.message,
        "`tobool`: cannot convert the string \"no\" to a bool"
    );
    assert!(
        err("tobool(1)")
            .message
            .contains("cannot convert a integer")
    );
    assert_eq!(ok("tonumber(1)"), Value::Int(1));
    assert_eq!(ok(r#"tonumber("1")"#), Value::Int(1));
    assert_eq!(ok(r#"tonumber("1.5e3")"#), Value::Int(1500));
    assert_eq!(ok("tonumber(null)"), Value::Null);
    assert!(
        err(r#"tonumber("no")"#)
            .message
            .contains("cannot convert \"no\"")
    );
    assert!(err(r#"tonumber("nan")"#).message.contains("cannot convert"));
    assert_eq!(ok(r#"tostring("hello")"#), s("hello"));
    assert_eq!(ok("tostring(1)"), s("1"));
    assert_eq!(ok("tostring(true)"), s("true"));
    assert_eq!(ok("tostring(null)"), Value::Null);
}

#[test]
fn collection_conversions() {
    assert_eq!(ok(r#"tolist(["a", "b", "c"])"#), strs(&["a", "b", "c"]));
    assert_eq!(ok(r#"tolist(["a", "b", 3])"#), strs(&["a", "b", "3"]));
    assert!(
        err("tolist([1, true])")
            .message
            .contains("number and bool do not convert to one type")
    );
    assert!(
        err("tolist([[1], 1])")
            .message
            .contains("list and number do not convert")
    );
    // Nested collections unify as Terraform's do.
    assert_eq!(
        ok(r#"tolist([[1], ["a", "b"]])"#),
        list(&[strs(&["1"]), strs(&["a", "b"])])
    );
    assert_eq!(ok(r#"toset(["a", "b", "c"])"#), strs(&["a", "b", "c"]));
    assert_eq!(ok(r#"toset(["c", "b", "b"])"#), strs(&["b", "c"]));
    assert_eq!(ok(r#"toset(["a", "b", 3])"#), strs(&["3", "a", "b"]));
    assert_eq!(ok("toset([3, 1, 3])"), ints(&[1, 3]));
    assert_eq!(
        ok(r#"tomap(jsondecode("{\"a\": \"foo\", \"b\": true}"))"#),
        map(&[("a", s("foo")), ("b", s("true"))])
    );
    assert!(err("tomap([1])").message.contains("must be a table"));
    assert_eq!(
        ok("tolist([pending.id, 1])"),
        list(&[Value::Unknown, Value::Int(1)])
    );
}

#[test]
fn sensitivity() {
    assert_eq!(ok(r#"sensitive("x")"#), Value::secret(s("x")));
    assert_eq!(ok("sensitive(unknown)"), Value::Unknown);
    assert_eq!(ok("issensitive(config.password)"), Value::Bool(true));
    assert_eq!(ok(r#"issensitive(sensitive("x"))"#), Value::Bool(true));
    assert_eq!(ok(r#"issensitive("x")"#), Value::Bool(false));
    assert_eq!(ok("issensitive(unknown)"), Value::Unknown);
    // nonsensitive lifts the taint that `call` would otherwise add.
    assert_eq!(ok("nonsensitive(config.password)"), s("hunter2"));
    assert!(!ok("nonsensitive(sha256(config.password))").contains_secret());
    assert_eq!(ok("nonsensitive(config.keys)"), strs(&["k1", "k2"]));
    assert_eq!(ok(r#"nonsensitive("plain")"#), s("plain"));
    // Only the value's own mark goes: a secret element stays secret.
    assert_eq!(
        ok(r#"nonsensitive(["a", config.password])"#),
        list(&[s("a"), Value::secret(s("hunter2"))])
    );
    assert_eq!(ok("nonsensitive(unknown)"), Value::Unknown);
    assert!(err("sensitive()").message.contains("takes 1 argument"));
}

#[test]
fn secrets_stay_on_their_elements_where_terraform_keeps_them() {
    let pw = || Value::secret(s("hunter2"));
    let mixed = r#"["a", config.password]"#;
    // Terraform's `AllowMarked` functions copy elements with their marks.
    assert_eq!(ok(&format!("length({mixed})")), Value::Int(2));
    assert_eq!(ok(&format!("element({mixed}, 0)")), s("a"));
    assert_eq!(ok(&format!("element({mixed}, 1)")), pw());
    assert_eq!(ok(&format!("reverse({mixed})")), list(&[pw(), s("a")]));
    assert_eq!(ok(&format!("slice({mixed}, 0, 1)")), strs(&["a"]));
    assert_eq!(
        ok(&format!(r#"concat({mixed}, ["b"])"#)),
        list(&[s("a"), pw(), s("b")])
    );
    assert_eq!(
        ok(&format!("chunklist({mixed}, 1)")),
        list(&[strs(&["a"]), list(&[pw()])])
    );
    assert_eq!(
        ok(&format!("flatten([{mixed}, [\"b\"]])")),
        list(&[s("a"), pw(), s("b")])
    );
    assert_eq!(ok(&format!("tolist({mixed})")), list(&[s("a"), pw()]));
    let table = r#"{ user = "admin", password = config.password }"#;
    assert_eq!(ok(&format!("lookup({table}, \"user\")")), s("admin"));
    assert_eq!(ok(&format!("keys({table})")), strs(&["password", "user"]));
    assert_eq!(ok(&format!("values({table})")), list(&[pw(), s("admin")]));
    assert_eq!(
        ok(&format!(r#"merge({table}, {{ port = 1 }})"#)),
        map(&[
            ("password", pw()),
            ("port", Value::Int(1)),
            ("user", s("admin"))
        ])
    );
    assert_eq!(
        ok(&format!(r#"zipmap(["u", "p"], {mixed})"#)),
        map(&[("p", pw()), ("u", s("a"))])
    );
    // A value that is itself secret still taints the whole result.
    assert_eq!(ok("length(config.keys)"), Value::secret(Value::Int(2)));
    assert_eq!(
        ok(r#"flatten([["a"], secret(["b"])])"#),
        Value::secret(strs(&["a", "b"]))
    );
    assert_eq!(
        ok(r#"zipmap([secret("k")], ["v"])"#),
        Value::secret(map(&[("k", s("v"))]))
    );
    // Every other function's result is secret when anything in it is.
    assert_eq!(
        ok(&format!("join(\",\", {mixed})")),
        Value::secret(s("a,hunter2"))
    );
    assert_eq!(
        ok(&format!("one([{mixed}])")),
        Value::secret(list(&[s("a"), s("hunter2")]))
    );
    assert_eq!(ok("flatten([[\"a\"], unknown])"), Value::Unknown);
}

#[test]
fn lookup_s_default_counts_only_when_it_is_the_result() {
    // As in Terraform: the table's and the key's marks reach the result,
    // the default's only when the key is missing.
    let table = r#"{ user = "admin" }"#;
    assert_eq!(
        ok(&format!("lookup({table}, \"user\", config.password)")),
        s("admin")
    );
    assert_eq!(
        ok(&format!("lookup({table}, \"pass\", config.password)")),
        Value::secret(s("hunter2"))
    );
    assert_eq!(
        ok(&format!("lookup({table}, \"user\", unknown)")),
        s("admin")
    );
    assert_eq!(
        ok(&format!("lookup({table}, \"pass\", unknown)")),
        Value::Unknown
    );
    assert_eq!(
        ok(&format!("lookup({table}, secret(\"user\"), \"x\")")),
        Value::secret(s("admin"))
    );
    assert_eq!(
        ok(&format!("lookup(secret({table}), \"user\")")),
        Value::secret(s("admin"))
    );
    assert_eq!(
        ok(&format!("lookup({table}, unknown, \"x\")")),
        Value::Unknown
    );
}
