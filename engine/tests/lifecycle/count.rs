//! Instances of `count` and `for_each`: their addresses (`r[0]`,
//! `keyed["a"]`) in the plan, the state and the provider's calls; a user of
//! every instance; instances removed when the count shrinks or a key goes,
//! after the user moved off them.

use skistack_engine::{Action, Value};

use crate::support::{Harness, Op, position, s};

const INSTANCES: &str = r#"
[config]
n = 3
keys = ["a", "b"]

[resources.r]
type = "fake:cloud:Thing"
count = "${config.n}"
name = "r-${count.index}"
size = "${count.index}"

[resources.user]
type = "fake:cloud:Thing"
ref = "${r[*].arn}"

[resources.keyed]
type = "fake:cloud:Thing"
for_each = "${config.keys}"
name = "each-${each.key}"

[outputs]
ids = "${r[*].id}"
b = "${keyed[\"b\"].arn}"
"#;

fn arns(h: &Harness, addresses: &[&str]) -> Value {
    Value::List(
        addresses
            .iter()
            .map(|a| h.record("web", a).outputs["arn"].clone())
            .collect(),
    )
}

#[tokio::test]
async fn count_and_for_each_instances_are_created_under_their_addresses() {
    let h = Harness::new();
    h.write("web", INSTANCES);
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            r#"keyed["a"]"#,
            r#"keyed["b"]"#,
            "r[0]",
            "r[1]",
            "r[2]",
            "user"
        ]
        .map(|a| (a.to_string(), Action::Create))
    );
    up.succeeded();
    assert_eq!(
        h.addresses("web"),
        [
            r#"keyed["a"]"#,
            r#"keyed["b"]"#,
            "r[0]",
            "r[1]",
            "r[2]",
            "user"
        ]
    );
    // Each instance got its own index or key, and its own identity.
    assert_eq!(h.record("web", "r[2]").inputs["size"], Value::Int(2));
    assert_eq!(h.record("web", "r[1]").inputs["name"], s("r-1"));
    assert_eq!(h.record("web", r#"keyed["a"]"#).inputs["name"], s("each-a"));
    assert_eq!(h.cloud.at("r[0]").len(), 1);
    assert_eq!(h.cloud.at(r#"keyed["b"]"#).len(), 1);

    // The user waits for every instance and references them all.
    let calls = h.cloud.calls();
    let user = position(&calls, Op::Create, "user");
    for r in ["r[0]", "r[1]", "r[2]"] {
        assert!(position(&calls, Op::Create, r) < user, "{calls:#?}");
    }
    let rec = h.record("web", "user");
    assert_eq!(rec.inputs["ref"], arns(&h, &["r[0]", "r[1]", "r[2]"]));
    assert_eq!(rec.dependencies, ["r[0]", "r[1]", "r[2]"]);

    let outputs = h.store_outputs("web");
    let ids: Vec<Value> = ["r[0]", "r[1]", "r[2]"]
        .iter()
        .map(|a| s(&h.record("web", a).id))
        .collect();
    assert_eq!(outputs["ids"], Value::List(ids));
    assert_eq!(
        outputs["b"],
        h.record("web", r#"keyed["b"]"#).outputs["arn"]
    );
}

#[tokio::test]
async fn a_shrinking_count_deletes_the_last_instances_after_their_user_moved() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", INSTANCES);
    h.up("web").await.succeeded();
    let r0 = h.record("web", "r[0]");
    h.cloud.take_calls();

    h.write("web", &INSTANCES.replace("n = 3", "n = 1"));
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("r[1]".to_string(), Action::Delete),
            ("r[2]".to_string(), Action::Delete),
            ("user".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    let calls = h.cloud.calls();
    let update = position(&calls, Op::Update, "user");
    assert!(update < position(&calls, Op::Delete, "r[1]"), "{calls:#?}");
    assert!(update < position(&calls, Op::Delete, "r[2]"), "{calls:#?}");

    assert_eq!(
        h.record("web", "r[0]"),
        r0,
        "the first instance stays as it was"
    );
    assert!(h.cloud.at("r[1]").is_empty() && h.cloud.at("r[2]").is_empty());
    assert_eq!(h.record("web", "user").inputs["ref"], arns(&h, &["r[0]"]));
    assert_eq!(h.record("web", "user").dependencies, ["r[0]"]);
    assert_eq!(h.store_outputs("web")["ids"], Value::List(vec![s(&r0.id)]));
    h.assert_no_pending("web");

    // Growing it again makes a new r[1] and nothing else new.
    h.cloud.take_calls();
    h.write("web", &INSTANCES.replace("n = 3", "n = 2"));
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("r[1]".to_string(), Action::Create),
            ("user".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), ["r[1]"]);
}

#[tokio::test]
async fn a_removed_for_each_key_deletes_its_instance_only() {
    let h = Harness::new();
    h.write("web", INSTANCES);
    h.up("web").await.succeeded();
    let b = h.record("web", r#"keyed["b"]"#);
    let a = h.record("web", r#"keyed["a"]"#);
    h.cloud.take_calls();

    h.write(
        "web",
        &INSTANCES.replace(r#"keys = ["a", "b"]"#, r#"keys = ["b", "c"]"#),
    );
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            (r#"keyed["a"]"#.to_string(), Action::Delete),
            (r#"keyed["c"]"#.to_string(), Action::Create)
        ]
    );
    up.succeeded();
    assert_eq!(h.record("web", r#"keyed["b"]"#), b, "keyed, not positional");
    assert!(h.cloud.get(&a.id).is_none());
    assert_eq!(
        h.cloud
            .calls()
            .iter()
            .filter(|c| c.op == Op::Delete)
            .map(|c| c.id.clone().unwrap())
            .collect::<Vec<_>>(),
        [a.id.as_str()]
    );
    assert_eq!(h.record("web", r#"keyed["c"]"#).inputs["name"], s("each-c"));
}

#[tokio::test]
async fn instance_keys_and_values_are_evaluated_again_when_the_step_runs() {
    // `ref` is unknown at plan time, so the inputs are evaluated again
    // when each create runs: count.index, each.key and each.value must
    // be those of the instance there too.
    let h = Harness::new();
    h.write(
        "web",
        r#"
[resources.net]
type = "fake:cloud:Thing"

[resources.indexed]
type = "fake:cloud:Thing"
count = 2
size = "${count.index + 10}"
ref = "${net.arn}"

[resources.valued]
type = "fake:cloud:Thing"
for_each = { a = "alpha", b = "beta" }
name = "${each.key}-${each.value}"
ref = "${net.arn}"
"#,
    );
    h.up("web").await.succeeded();
    let arn = h.record("web", "net").outputs["arn"].clone();
    assert_eq!(h.record("web", "indexed[1]").inputs["size"], Value::Int(11));
    assert_eq!(h.record("web", "indexed[0]").inputs["ref"], arn);
    assert_eq!(
        h.record("web", r#"valued["b"]"#).inputs["name"],
        s("b-beta")
    );
    assert_eq!(
        h.record("web", r#"valued["a"]"#).inputs["name"],
        s("a-alpha")
    );
    assert_eq!(h.record("web", r#"valued["a"]"#).inputs["ref"], arn);
    let made = h.cloud.at(r#"valued["b"]"#);
    assert_eq!(made[0].inputs["name"], s("b-beta"));
}

/// Instances that read the instance of their own index or key, or one
/// named by a literal.
const PAIRED: &str = r#"
[config]
keys = ["a", "b"]

[resources.r]
type = "fake:cloud:Thing"
count = 3
name = "r-${count.index}"

[resources.s]
type = "fake:cloud:Thing"
count = 3
ref = "${r[count.index].arn}"

[resources.e]
type = "fake:cloud:Thing"
for_each = "${config.keys}"
name = "e-${each.key}"

[resources.f]
type = "fake:cloud:Thing"
for_each = "${config.keys}"
ref = "${e[each.key].arn}"

[resources.first]
type = "fake:cloud:Thing"
ref = "${r[0].arn}"
"#;

#[tokio::test]
async fn an_instance_depends_only_on_the_instances_it_reads() {
    let h = Harness::new();
    h.write("web", PAIRED);
    h.up("web").await.succeeded();
    for (user, used) in [
        ("s[0]", "r[0]"),
        ("s[2]", "r[2]"),
        (r#"f["a"]"#, r#"e["a"]"#),
        (r#"f["b"]"#, r#"e["b"]"#),
        ("first", "r[0]"),
    ] {
        let rec = h.record("web", user);
        assert_eq!(rec.dependencies, [used], "{user}");
        assert_eq!(rec.inputs["ref"], h.record("web", used).outputs["arn"]);
    }
    let calls = h.cloud.calls();
    for (user, used) in [("s[1]", "r[1]"), (r#"f["b"]"#, r#"e["b"]"#)] {
        assert!(
            position(&calls, Op::Create, used) < position(&calls, Op::Create, user),
            "{used} before {user}: {calls:#?}"
        );
    }

    // Destroy takes each user before the one instance it reads.
    h.cloud.refuse_deleting_used();
    h.cloud.take_calls();
    h.destroy("web").await.succeeded();
    let calls = h.cloud.calls();
    for (user, used) in [
        ("s[1]", "r[1]"),
        ("first", "r[0]"),
        (r#"f["a"]"#, r#"e["a"]"#),
    ] {
        assert!(
            position(&calls, Op::Delete, user) < position(&calls, Op::Delete, used),
            "{user} before {used}: {calls:#?}"
        );
    }
    assert!(h.addresses("web").is_empty());
}
