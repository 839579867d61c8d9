//! Every built-in function, with edge cases and errors: the long-standing
//! cases here, Terraform's documented examples per category in the
//! submodules.

mod collection;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod hashing;
mod network;
mod numeric;
mod propagation;
mod string;
mod types;

use super::*;

pub(super) fn ints(v: &[i64]) -> Value {
    Value::List(v.iter().copied().map(Value::Int).collect())
}

pub(super) fn strs(v: &[&str]) -> Value {
    Value::List(v.iter().copied().map(s).collect())
}

#[test]
fn cidrsubnet_and_cidrhost() {
    assert_eq!(ok("cidrsubnet(\"10.0.0.0/16\", 8, 10)"), s("10.0.10.0/24"));
    assert_eq!(ok("cidrsubnet(\"10.0.0.0/16\", 4, 15)"), s("10.0.240.0/20"));
    assert_eq!(
        ok("cidrsubnet(vpc.cidr_block, 8, count.index + 100)"),
        s("10.0.101.0/24")
    );
    assert_eq!(
        ok("cidrsubnet(\"2001:db8::/32\", 16, 1)"),
        s("2001:db8:1::/48")
    );
    let e = err("cidrsubnet(\"10.0.0.0/16\", 17, 0)");
    assert!(
        e.message
            .contains("insufficient address space to extend prefix of 16 by 17"),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(26, 28));
    let e = err("cidrsubnet(\"10.0.0.0/16\", 4, 16)");
    assert!(
        e.message
            .contains("does not accommodate a subnet numbered 16"),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(29, 31));
    let e = err("cidrsubnet(\"10.0.0.300/16\", 4, 1)");
    assert!(e.message.contains("not a CIDR prefix"), "{e:?}");
    assert_eq!(e.span, Span::new(11, 26));
    // Terraform converts numeric strings to numbers.
    assert_eq!(
        ok("cidrsubnet(\"10.0.0.0/16\", \"4\", 1)"),
        s("10.0.16.0/20")
    );
    let e = err("cidrsubnet(\"10.0.0.0/16\", \"x\", 1)");
    assert_eq!(
        e.message,
        "`cidrsubnet`: argument 2 must be a number, not the string \"x\""
    );
    let e = err("cidrsubnet(\"10.0.0.0/16\", [4], 1)");
    assert_eq!(
        e.message,
        "`cidrsubnet`: argument 2 must be an integer, not a list"
    );
    let e = err("cidrsubnet(\"10.0.0.0/16\", 4)");
    assert_eq!(e.message, "`cidrsubnet` takes 3 arguments, got 2");
    assert_eq!(
        e.hint.as_deref(),
        Some("usage: cidrsubnet(prefix, newbits, netnum)")
    );
    assert_eq!(ok("cidrhost(\"10.0.1.0/24\", 5)"), s("10.0.1.5"));
    assert_eq!(ok("cidrhost(\"10.0.1.0/24\", -2)"), s("10.0.1.254"));
    assert!(
        err("cidrhost(\"10.0.1.0/24\", 256)")
            .message
            .contains("host numbered 256")
    );
}

#[test]
fn element_wraps_around() {
    assert_eq!(ok("element(config.zones, 0)"), s("a"));
    assert_eq!(ok("element(config.zones, 4)"), s("b"));
    assert_eq!(ok("element(config.zones, count.index + 2)"), s("a"));
    assert!(err("element([], 0)").message.contains("empty list"));
    // As Terraform (cty) today: a negative index counts from the end.
    assert_eq!(ok("element(config.zones, -1)"), s("c"));
    assert_eq!(ok("element(config.zones, -4)"), s("c"));
    assert!(
        err("element(\"abc\", 0)")
            .message
            .contains("must be a list")
    );
}

#[test]
fn length_of_lists_tables_and_strings() {
    assert_eq!(ok("length(config.zones)"), Value::Int(3));
    assert_eq!(ok("length(config.tags)"), Value::Int(2));
    assert_eq!(ok("length(\"héllo\")"), Value::Int(5));
    assert_eq!(ok("length([])"), Value::Int(0));
    let e = err("length(1)");
    assert_eq!(
        e.message,
        "`length`: argument 1 must be a list, a table or a string, not a integer"
    );
    assert_eq!(e.span, Span::new(7, 8));
}

#[test]
fn join_and_split() {
    assert_eq!(ok("join(\",\", config.zones)"), s("a,b,c"));
    assert_eq!(ok("join(\"-\", [1, true, \"x\"])"), s("1-true-x"));
    assert_eq!(ok("join(\",\", [])"), s(""));
    assert!(
        err("join(\",\", [[1]])")
            .message
            .contains("element 0 is a list")
    );
    assert!(err("join(\",\", \"a\")").message.contains("must be a list"));
    assert_eq!(ok("split(\",\", \"a,b,,c\")"), strs(&["a", "b", "", "c"]));
    assert_eq!(ok("split(\",\", \"\")"), strs(&[""]));
    assert_eq!(ok("split(\"\", \"ab\")"), strs(&["a", "b"]));
    assert_eq!(ok("join(\"/\", split(\".\", \"a.b\"))"), s("a/b"));
}

#[test]
fn concat_and_contains() {
    assert_eq!(ok("concat([1], [], [2, 3])"), ints(&[1, 2, 3]));
    assert_eq!(ok("concat(config.zones)"), strs(&["a", "b", "c"]));
    let e = err("concat([1], 2)");
    assert_eq!(
        e.message,
        "`concat`: argument 2 must be a list, not a integer"
    );
    assert_eq!(e.span, Span::new(12, 13));
    assert_eq!(ok("contains(config.zones, \"b\")"), Value::Bool(true));
    assert_eq!(ok("contains(config.zones, \"z\")"), Value::Bool(false));
    assert_eq!(ok("contains([1, 2], 2.0)"), Value::Bool(true));
    assert_eq!(ok("contains([[1]], [1])"), Value::Bool(true));
    assert!(
        err("contains(\"abc\", \"a\")")
            .message
            .contains("must be a list")
    );
}

#[test]
fn format_verbs() {
    assert_eq!(ok("format(\"%s-%d\", config.name, 3)"), s("web-3"));
    assert_eq!(
        ok("format(\"%v|%v|%v\", 1, \"x\", [1, \"a\"])"),
        s("1|x|[1,\"a\"]")
    );
    assert_eq!(ok("format(\"%v\", null)"), s("null"));
    assert_eq!(ok("format(\"100%%\")"), s("100%"));
    assert_eq!(ok("format(\"%d\", \"42\")"), s("42"));
    assert_eq!(ok("format(\"%s\", 1.5)"), s("1.5"));
    assert_eq!(ok("format(\"é%sé\", \"x\")"), s("éxé"));
    assert!(err("format(\"%s %s\", 1)").message.contains("more verbs"));
    let e = err("format(\"%s\", 1, 2)");
    assert!(e.message.contains("too many arguments"), "{e:?}");
    assert_eq!(e.span, Span::new(16, 17));
    assert!(
        err("format(\"%y\", 1)")
            .message
            .contains("unsupported verb `%y`")
    );
    assert!(err("format(\"50%\")").message.contains("lone `%`"));
    assert!(
        err("format(\"%d\", \"x\")")
            .message
            .contains("%d needs an integer")
    );
    assert!(
        err("format(\"%d\", 1.5)")
            .message
            .contains("%d needs an integer")
    );
    assert!(
        err("format(\"%s\", [1])")
            .message
            .contains("%s cannot format a list")
    );
    // Terraform converts a number to the string format needs.
    assert_eq!(ok("format(1)"), s("1"));
    assert!(err("format([1])").message.contains("must be a string"));
}

#[test]
fn lookup_keys_values_merge() {
    assert_eq!(ok("lookup(config.tags, \"env\")"), s("prod"));
    assert_eq!(ok("lookup(config.tags, \"nope\", \"dflt\")"), s("dflt"));
    let e = err("lookup(config.tags, \"evn\")");
    assert_eq!(e.message, "`lookup`: no key \"evn\" in the table");
    assert_eq!(e.hint.as_deref(), Some("did you mean `env`?"));
    assert_eq!(e.span, Span::new(20, 25));
    assert_eq!(ok("keys(config.tags)"), strs(&["env", "team"]));
    assert_eq!(ok("values(config.tags)"), strs(&["prod", "ops"]));
    assert!(err("keys([1])").message.contains("must be a table"));
    assert_eq!(
        ok("merge(config.tags, null, bucket[\"logs\"])"),
        map(&[
            ("arn", s("arn:logs")),
            ("env", s("prod")),
            ("team", s("ops"))
        ])
    );
    assert_eq!(
        ok("lookup(merge(config.tags, config.tags), \"team\")"),
        s("ops")
    );
    let mut sc = scope();
    sc.roots.insert("over".into(), map(&[("env", s("dev"))]));
    assert_eq!(
        eval(&parse("merge(config.tags, over)"), &sc),
        Ok(map(&[("env", s("dev")), ("team", s("ops"))]))
    );
    assert!(
        err("merge(config.tags, [1])")
            .message
            .contains("argument 2 must be a table")
    );
}

#[test]
fn string_functions() {
    assert_eq!(ok("lower(\"AbC\")"), s("abc"));
    assert_eq!(ok("upper(\"straße\")"), s("STRASSE"));
    assert_eq!(ok("trimspace(\"  a b \\n\")"), s("a b"));
    assert_eq!(ok("replace(\"a-b-c\", \"-\", \"_\")"), s("a_b_c"));
    // As Go's strings.Replace: an empty substring matches between characters.
    assert_eq!(ok("replace(\"abc\", \"\", \"x\")"), s("xaxbxcx"));
    // Terraform converts numbers to strings.
    assert_eq!(ok("lower(1)"), s("1"));
    assert!(err("lower([1])").message.contains("must be a string"));
    assert!(err("upper()").message.contains("takes 1 argument, got 0"));
}

#[test]
fn encodings_and_files() {
    assert_eq!(
        ok("jsonencode(config.tags)"),
        s(r#"{"env":"prod","team":"ops"}"#)
    );
    assert_eq!(
        ok("jsonencode([1, 2.5, null, true, \"x\"])"),
        s(r#"[1,2.5,null,true,"x"]"#)
    );
    assert_eq!(ok("base64encode(\"hello\")"), s("aGVsbG8="));
    assert_eq!(ok("base64decode(base64encode(\"héllo\"))"), s("héllo"));
    assert!(
        err("base64decode(\"!!\")")
            .message
            .contains("not valid base64")
    );
    let text = ok("file(\"Cargo.toml\")");
    assert!(text.as_str().is_some_and(|t| t.contains("skistack-engine")));
    let e = err("file(\"no/such-file.txt\")");
    assert!(e.message.contains("`no/such-file.txt`"), "{e:?}");
    assert_eq!(e.span, Span::new(5, 23));
}

#[test]
fn conversions() {
    assert_eq!(ok("tostring(5)"), s("5"));
    assert_eq!(ok("tostring(true)"), s("true"));
    assert_eq!(ok("tostring(\"x\")"), s("x"));
    assert_eq!(ok("tostring(null)"), Value::Null);
    assert!(
        err("tostring([1])")
            .message
            .contains("cannot convert a list")
    );
    assert_eq!(ok("tonumber(\"42\")"), Value::Int(42));
    assert_eq!(ok("tonumber(\" 1.5 \")"), Value::Float(1.5));
    assert_eq!(ok("tonumber(7)"), Value::Int(7));
    assert_eq!(ok("tonumber(tostring(config.port)) + 1"), Value::Int(8081));
    let e = err("tonumber(\"abc\")");
    assert_eq!(e.message, "`tonumber`: cannot convert \"abc\" to a number");
    assert!(err("tonumber(\"inf\")").message.contains("cannot convert"));
    assert!(
        err("tonumber(true)")
            .message
            .contains("must be a number or a string")
    );
}

#[test]
fn ranges() {
    assert_eq!(ok("range(3)"), ints(&[0, 1, 2]));
    assert_eq!(ok("range(0)"), ints(&[]));
    assert_eq!(ok("range(-2)"), ints(&[0, -1]));
    assert_eq!(ok("range(1, 4)"), ints(&[1, 2, 3]));
    assert_eq!(ok("range(4, 1)"), ints(&[4, 3, 2]));
    assert_eq!(ok("range(0, 10, 3)"), ints(&[0, 3, 6, 9]));
    assert_eq!(ok("range(0, 10, -1)"), ints(&[]));
    assert!(err("range(0, 10, 0)").message.contains("must not be zero"));
    assert!(err("range(100000)").message.contains("more than 1024"));
    assert_eq!(ok("length(range(1024))"), Value::Int(1024));
    assert_eq!(
        ok("range(9223372036854775806, 9223372036854775807)"),
        ints(&[i64::MAX - 1])
    );
    assert!(
        err("range(1, 2, 3, 4)")
            .message
            .contains("takes 1 to 3 arguments")
    );
}

#[test]
fn min_max_coalesce() {
    assert_eq!(ok("min(3, 1, 2)"), Value::Int(1));
    assert_eq!(ok("max(3, 1, 2)"), Value::Int(3));
    assert_eq!(ok("max(nums)"), Value::Int(3));
    assert_eq!(ok("min(1, 0.5)"), Value::Float(0.5));
    assert_eq!(ok("max(-1)"), Value::Int(-1));
    assert!(err("min([])").message.contains("at least one number"));
    // Terraform converts numeric strings to numbers.
    assert_eq!(ok("max(1, \"2\")"), Value::Int(2));
    let e = err("max(1, \"x\")");
    assert!(
        e.message.contains("expected numbers, got the string \"x\""),
        "{e:?}"
    );
    assert_eq!(e.span, Span::new(7, 10));
    assert_eq!(ok("coalesce(null, \"\", \"x\", \"y\")"), s("x"));
    assert_eq!(ok("coalesce(config.nothing, 0)"), Value::Int(0));
    assert!(
        err("coalesce(null, \"\")")
            .message
            .contains("every argument is null")
    );
}

#[test]
fn secret_function_marks_values() {
    assert_eq!(ok("secret([1])"), Value::secret(ints(&[1])));
    assert!(ok("length(secret([1, 2]))").contains_secret());
    assert!(err("secret()").message.contains("takes 1 argument"));
}

#[test]
fn function_names_are_sorted_and_unique() {
    let names: Vec<&str> = function_names().collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted);
    for required in [
        "cidrsubnet",
        "element",
        "length",
        "join",
        "concat",
        "format",
        "lookup",
        "lower",
        "upper",
        "jsonencode",
        "base64encode",
        "file",
        "secret",
        "tostring",
        "tonumber",
        "keys",
        "values",
        "merge",
        "range",
        "split",
        "replace",
        "trimspace",
        "min",
        "max",
        "coalesce",
        "contains",
    ] {
        assert!(names.contains(&required), "{required}");
    }
}

#[test]
fn cond_picks_a_branch() {
    assert_eq!(ok("cond(true, 1, \"x\")"), Value::Int(1));
    assert_eq!(ok("cond(config.enabled, vpc.id, null)"), s("vpc-123"));
    assert_eq!(ok("cond(false, 1, [2])"), ints(&[2]));
    assert_eq!(ok("cond(unknown, 1, 2)"), Value::Unknown);
    assert_eq!(ok("cond(secret(true), 1, 2)"), Value::secret(Value::Int(1)));
    let e = err("cond(\"yes\", 1, 2)");
    assert_eq!(
        e.message,
        "`cond`: argument 1 must be a bool (true or false), not a string"
    );
    assert_eq!(e.span, Span::new(5, 10));
    assert!(err("cond(true, 1)").message.contains("takes 3 arguments"));
}

#[test]
fn every_function_has_a_one_line_summary_and_a_category() {
    let docs = crate::expr::function_docs();
    let mut named: Vec<&str> = docs.iter().map(|d| d.name).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        function_names().collect::<Vec<_>>(),
        "one row per callable name"
    );
    for d in &docs {
        assert!(
            d.signature.starts_with(&format!("{}(", d.name)),
            "{}",
            d.signature
        );
        assert!(
            !d.summary.is_empty() && !d.summary.contains('\n'),
            "{}",
            d.name
        );
        assert!(
            !d.summary.ends_with('.'),
            "{}: a summary is a phrase",
            d.name
        );
        assert!(!d.category.is_empty(), "{}", d.name);
    }
    // Grouped: a category's rows are together, sorted by name.
    for group in docs.chunk_by(|a, b| a.category == b.category) {
        assert!(group.is_sorted_by_key(|d| d.name), "{}", group[0].category);
        let later = docs
            .iter()
            .skip_while(|d| d.name != group[group.len() - 1].name);
        assert!(
            later.skip(1).all(|d| d.category != group[0].category),
            "{}",
            group[0].category
        );
    }
    let try_ = docs.iter().find(|d| d.name == "try");
    assert_eq!(try_.map(|d| d.category), Some("types"));
}
