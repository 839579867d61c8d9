//! Collection functions: Terraform's documented examples and errors.

use super::*;

/// A value written as JSON, for tables the expression syntax cannot write.
fn j(text: &str) -> Value {
    ok(&format!("jsondecode({})", Value::String(text.into())))
}

#[test]
fn alltrue_anytrue() {
    assert_eq!(ok(r#"alltrue(["true", true])"#), Value::Bool(true));
    assert_eq!(ok("alltrue([true, false])"), Value::Bool(false));
    assert_eq!(ok("alltrue([])"), Value::Bool(true));
    assert_eq!(ok(r#"anytrue(["true"])"#), Value::Bool(true));
    assert_eq!(ok("anytrue([true, false])"), Value::Bool(true));
    assert_eq!(ok("anytrue([])"), Value::Bool(false));
    assert!(
        err("alltrue([1])")
            .message
            .contains("element 0 must be a bool")
    );
}

#[test]
fn chunklist_slice_reverse() {
    assert_eq!(
        ok(r#"chunklist(["a", "b", "c", "d", "e"], 2)"#),
        list(&[strs(&["a", "b"]), strs(&["c", "d"]), strs(&["e"])])
    );
    assert_eq!(
        ok(r#"chunklist(["a", "b", "c", "d", "e"], 1)"#),
        list(&[
            strs(&["a"]),
            strs(&["b"]),
            strs(&["c"]),
            strs(&["d"]),
            strs(&["e"])
        ])
    );
    assert_eq!(ok("chunklist([1, 2], 0)"), list(&[ints(&[1, 2])]));
    assert!(
        err("chunklist([1], -1)")
            .message
            .contains("must not be negative")
    );
    assert_eq!(
        ok(r#"slice(["a", "b", "c", "d"], 1, 3)"#),
        strs(&["b", "c"])
    );
    assert_eq!(ok("slice([1], 1, 1)"), ints(&[]));
    assert!(err("slice([1, 2], 1, 3)").message.contains("past the end"));
    assert!(
        err("slice([1, 2], 2, 1)")
            .message
            .contains("must not be greater")
    );
    assert_eq!(ok("reverse([1, 2, 3])"), ints(&[3, 2, 1]));
}

#[test]
fn coalescing_and_compact() {
    assert_eq!(ok(r#"coalesce("a", "b")"#), s("a"));
    assert_eq!(ok(r#"coalesce("", "b")"#), s("b"));
    assert_eq!(ok("coalesce(1, 2)"), Value::Int(1));
    assert_eq!(ok(r#"coalesce(1, "hello")"#), s("1"));
    assert_eq!(ok(r#"coalesce(null, "", 2)"#), s("2"));
    assert!(err("coalesce(1, true)").message.contains("of one type"));
    assert_eq!(
        ok(r#"coalescelist(["a", "b"], ["c", "d"])"#),
        strs(&["a", "b"])
    );
    assert_eq!(ok(r#"coalescelist([], ["c", "d"])"#), strs(&["c", "d"]));
    assert!(
        err("coalescelist([], [])")
            .message
            .contains("every argument is an empty list")
    );
    assert_eq!(
        ok(r#"compact(["a", "", "b", null, "c"])"#),
        strs(&["a", "b", "c"])
    );
    assert_eq!(ok(r#"compact([1, "", 2])"#), strs(&["1", "2"]));
    assert!(err("compact([[1]])").message.contains("must be a string"));
}

#[test]
fn concat_contains_distinct_index_flatten() {
    assert_eq!(
        ok(r#"concat(["a", ""], ["b", "c"])"#),
        strs(&["a", "", "b", "c"])
    );
    assert_eq!(ok(r#"contains(["a", "b", "c"], "a")"#), Value::Bool(true));
    assert_eq!(ok(r#"contains(["a", "b", "c"], "d")"#), Value::Bool(false));
    assert_eq!(
        ok(r#"distinct(["a", "b", "a", "c", "d", "b"])"#),
        strs(&["a", "b", "c", "d"])
    );
    assert_eq!(ok(r#"index(["a", "b", "c"], "b")"#), Value::Int(1));
    let e = err(r#"index(["a"], "z")"#);
    assert!(e.message.contains("not found"), "{e:?}");
    assert_eq!(e.span, Span::new(13, 16));
    assert_eq!(
        ok(r#"flatten([["a", "b"], [], ["c"]])"#),
        strs(&["a", "b", "c"])
    );
    assert_eq!(ok("flatten([[[1, 2]], 3])"), ints(&[1, 2, 3]));
    assert_eq!(ok(r#"element(["a", "b", "c"], 1)"#), s("b"));
    assert_eq!(ok(r#"element(["a", "b", "c"], 3)"#), s("a"));
}

#[test]
fn tables() {
    assert_eq!(
        ok(r#"keys(jsondecode("{\"a\":1, \"c\":2, \"d\":3}"))"#),
        strs(&["a", "c", "d"])
    );
    assert_eq!(
        ok(r#"values(jsondecode("{\"a\":3, \"c\":2, \"d\":1}"))"#),
        ints(&[3, 2, 1])
    );
    assert_eq!(
        ok(r#"lookup(jsondecode("{\"a\":\"ay\", \"b\":\"bee\"}"), "a", "what?")"#),
        s("ay")
    );
    assert_eq!(
        ok(r#"lookup(jsondecode("{\"a\":\"ay\", \"b\":\"bee\"}"), "c", "what?")"#),
        s("what?")
    );
    assert_eq!(
        ok(
            r#"merge(jsondecode("{\"a\":\"b\", \"c\":\"d\"}"), jsondecode("{\"e\":\"f\", \"c\":\"z\"}"))"#
        ),
        j(r#"{"a":"b","c":"z","e":"f"}"#)
    );
    assert_eq!(
        ok("length(merge())".replace("merge()", "config.tags").as_str()),
        Value::Int(2)
    );
    assert_eq!(
        ok(r#"zipmap(["a", "b"], [1, 2])"#),
        map(&[("a", Value::Int(1)), ("b", Value::Int(2))])
    );
    assert_eq!(
        ok(r#"zipmap([1], [pending.id])"#),
        map(&[("1", Value::Unknown)])
    );
    assert_eq!(ok(r#"zipmap([pending.id], [1])"#), Value::Unknown);
    assert!(
        err(r#"zipmap(["a"], [])"#)
            .message
            .contains("of one length")
    );
    assert_eq!(
        ok(r#"transpose(jsondecode("{\"a\": [\"1\", \"2\"], \"b\": [\"2\", \"3\"]}"))"#),
        j(r#"{"1":["a"],"2":["a","b"],"3":["b"]}"#)
    );
    assert!(
        err(r#"transpose(jsondecode("{\"a\": 1}"))"#)
            .message
            .contains("list of strings")
    );
    assert_eq!(
        ok(
            r#"matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])"#
        ),
        strs(&["i-abc", "i-def"])
    );
    assert!(
        err("matchkeys([1], [1, 2], [])")
            .message
            .contains("of one length")
    );
}

#[test]
fn one_range_sort_sum() {
    assert_eq!(ok("one([])"), Value::Null);
    assert_eq!(ok(r#"one(["hello"])"#), s("hello"));
    assert!(
        err(r#"one(["hello", "goodbye"])"#)
            .message
            .contains("no more than one element")
    );
    assert_eq!(ok("range(1, 4)"), ints(&[1, 2, 3]));
    assert_eq!(ok("range(-3)"), ints(&[0, -1, -2]));
    assert_eq!(
        ok("range(0, 1, 0.25)"),
        list(&[
            Value::Int(0),
            Value::Float(0.25),
            Value::Float(0.5),
            Value::Float(0.75)
        ])
    );
    assert_eq!(ok("range(4, 1)"), ints(&[4, 3, 2]));
    assert_eq!(ok("range(10, 5, -2)"), ints(&[10, 8, 6]));
    assert!(err("range(1e9)").message.contains("more than 1024"));
    assert!(err("range(0, 1, 0.0)").message.contains("must not be zero"));
    assert_eq!(
        ok(r#"sort(["e", "d", "a", "x"])"#),
        strs(&["a", "d", "e", "x"])
    );
    assert_eq!(ok("sort([3, 1, 10])"), strs(&["1", "10", "3"]));
    assert_eq!(ok("sum([10, 13, 6, 4.5])"), Value::Float(33.5));
    assert_eq!(ok(r#"sum([1, "2"])"#), Value::Int(3));
    assert!(err("sum([])").message.contains("empty list"));
    assert!(
        err(r#"sum(["x"])"#)
            .message
            .contains("element 0 must be a number")
    );
    assert_eq!(
        ok("sum([9223372036854775807, 1])"),
        Value::Float(9223372036854775808.0)
    );
}

#[test]
fn sets_are_sorted_and_deduplicated() {
    assert_eq!(
        ok(r#"setintersection(["a", "b"], ["b", "c"], ["b", "d"])"#),
        strs(&["b"])
    );
    assert_eq!(
        ok(r#"setunion(["a", "b"], ["b", "c"], ["d"])"#),
        strs(&["a", "b", "c", "d"])
    );
    assert_eq!(
        ok(r#"setsubtract(["a", "b", "c"], ["a", "c"])"#),
        strs(&["b"])
    );
    assert_eq!(ok("setunion([3, 1], [2, 1])"), ints(&[1, 2, 3]));
    // The sets' elements convert to one type first, as in Terraform.
    assert_eq!(ok(r#"setunion(["a"], [1])"#), strs(&["1", "a"]));
    assert_eq!(ok(r#"setintersection(["1", "2"], [1])"#), strs(&["1"]));
    assert_eq!(ok(r#"setsubtract(["1", "2"], [1])"#), strs(&["2"]));
    assert!(
        err("setunion([1], [true])")
            .message
            .contains("number and bool do not convert")
    );
    assert_eq!(ok(r#"distinct([1, "1", "a"])"#), strs(&["1", "a"]));
    assert_eq!(
        ok(r#"setproduct(["development", "staging"], ["app1", "app2"])"#),
        list(&[
            strs(&["development", "app1"]),
            strs(&["development", "app2"]),
            strs(&["staging", "app1"]),
            strs(&["staging", "app2"]),
        ])
    );
    assert_eq!(ok(r#"setproduct(["a"], [])"#), list(&[]));
    assert!(
        err("setproduct(range(1000), range(1000), range(1000))")
            .message
            .contains("too many elements")
    );
}
