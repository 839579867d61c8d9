//! Import: a resource made outside skistack is adopted under a declared
//! address without being changed; the next up changes only how it differs
//! from its declaration, and never makes a second one.

use skistack_engine::{Action, EngineError, Value};

use super::{CHAIN, without};
use crate::support::{Harness, Op, map, s};

#[tokio::test]
async fn an_imported_resource_is_recorded_as_it_is_and_then_brought_in_line() {
    let h = Harness::new();
    let text = without(CHAIN, &["subnet", "app"]);
    h.write("web", &text);
    // Made by hand: no identity tags, another size than declared.
    let id = h.cloud.plant(
        "elsewhere",
        "net",
        "by-hand",
        &map(&[("name", s("net")), ("size", Value::Int(5))]),
        false,
    );
    let loaded = h.project.load("web", true).unwrap();
    let imported = h.project.import(&loaded, "net", &id).await.expect("import");
    assert_eq!(imported.record.id, id);
    assert_eq!(imported.record.inputs["size"], Value::Int(5), "as it is");
    let diffs: Vec<_> = imported
        .differences
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(diffs, ["size"]);
    assert_eq!(h.cloud.mutations(), [], "an import changes nothing");
    assert_eq!(h.record("web", "net").id, id);

    // Importing it again, under any name, is refused.
    let err = h.project.import(&loaded, "net", &id).await.err().unwrap();
    assert!(matches!(err, EngineError::Refused(_)), "{err}");

    h.cloud.take_calls();
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("net".to_string(), Action::Update),
            ("other".to_string(), Action::Create)
        ]
    );
    up.succeeded();
    assert_eq!(h.cloud.get(&id).unwrap().inputs["size"], Value::Int(1));
    assert_eq!(h.cloud.calls_of(Op::Create), ["other"]);
    assert_eq!(h.cloud.resources().len(), 2);
}

#[tokio::test]
async fn importing_what_does_not_exist_or_is_not_declared_is_refused() {
    let h = Harness::new();
    h.write("web", CHAIN);
    let loaded = h.project.load("web", true).unwrap();
    let err = h
        .project
        .import(&loaded, "net", "thing-404")
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("thing-404"), "{err}");
    let id = h.cloud.plant("web", "x", "by-hand", &map(&[]), false);
    let err = h.project.import(&loaded, "nett", &id).await.err().unwrap();
    assert!(err.to_string().contains("did you mean `net`"), "{err}");
    assert_eq!(h.addresses("web"), Vec::<String>::new());
}
