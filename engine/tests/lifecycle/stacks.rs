//! More than one stack state in one store: environments of a stack are
//! apart (records, identities, recovery, destroy), and a stack reads the
//! outputs of another through `stacks.NAME.OUTPUT`.

use skistack_engine::{Action, EngineError, OpKind};

use super::{CHAIN, without};
use crate::support::{Harness, Op, map, s};

#[tokio::test]
async fn environments_of_a_stack_have_their_own_resources() {
    let h = Harness::new();
    let prod = h.in_env("prod");
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    prod.up("web").await.succeeded();

    // Two of everything, told apart by their identity.
    assert_eq!(h.cloud.resources().len(), 8);
    let net = h.record("web", "net");
    let prod_net = prod.record("web", "net");
    assert_ne!(net.id, prod_net.id);
    let env_of = |id: &str| h.cloud.get(id).unwrap().identity.unwrap()["skistack:env"].clone();
    assert_eq!(env_of(&net.id), "default");
    assert_eq!(env_of(&prod_net.id), "prod");

    // Destroying prod leaves default alone.
    prod.destroy("web").await.succeeded();
    assert_eq!(prod.addresses("web"), Vec::<String>::new());
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert_eq!(h.cloud.resources().len(), 4);
    assert!(h.cloud.get(&net.id).is_some());
}

#[tokio::test]
async fn recovery_in_one_environment_never_adopts_another_ones_resource() {
    let h = Harness::new();
    let prod = h.in_env("prod");
    h.write("web", &without(CHAIN, &["subnet", "app", "other"]));
    h.up("web").await.succeeded();
    let default_net = h.record("web", "net");

    // prod died while creating its net; nothing of prod's was made.
    let inputs = map(&[("name", s("net")), ("size", skistack_engine::Value::Int(1))]);
    let op = prod.begin("web", "net", OpKind::Create, None, &inputs);
    h.cloud.take_calls();
    let up = prod.up("web").await;
    assert!(
        up.notes[0].contains("same idempotency token"),
        "{}",
        up.notes[0]
    );
    up.succeeded();
    let prod_net = prod.record("web", "net");
    assert_ne!(prod_net.id, default_net.id);
    assert_eq!(h.cloud.calls_of(Op::Create), ["net"]);
    let create = h
        .cloud
        .calls()
        .into_iter()
        .find(|c| c.op == Op::Create)
        .unwrap();
    assert_eq!(create.operation_id, prod.operation_id("web", &op));
    assert_eq!(h.record("web", "net"), default_net);
    assert_eq!(h.cloud.census()["net"].len(), 2);
}

const BASE: &str = r#"
[config]
name = "base"

[resources.net]
type = "fake:cloud:Thing"
name = "${config.name}"

[outputs]
net_arn = "${net.arn}"
"#;

const READER: &str = r#"
[resources.user]
type = "fake:cloud:Thing"
ref = "${stacks.base.net_arn}"
"#;

#[tokio::test]
async fn a_stack_reads_another_stacks_outputs() {
    let h = Harness::new();
    h.write("base", BASE);
    h.write("web", READER);

    // Not deployed yet: refused before anything is called.
    let err = h.try_up("web").await.err().expect("base is not deployed");
    assert!(matches!(&err, EngineError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("not deployed"), "{err}");
    assert_eq!(h.cloud.calls(), []);

    h.up("base").await.succeeded();
    h.up("web").await.succeeded();
    let arn = h.record("base", "net").outputs["arn"].clone();
    assert_eq!(h.record("web", "user").inputs["ref"], arn);
    assert_eq!(
        h.project
            .order_stacks(&["web".into(), "base".into()])
            .unwrap(),
        ["base", "web"]
    );
    assert_eq!(h.project.readers_of("base").unwrap(), ["web"]);

    // base's output changes (a replacement): the reader follows on its next up.
    h.write("base", &BASE.replace("name = \"base\"", "name = \"base2\""));
    assert_eq!(h.up("base").await.action("net"), Action::Replace);
    h.cloud.take_calls();
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("user".to_string(), Action::Update)]);
    up.succeeded();
    assert_eq!(
        h.record("web", "user").inputs["ref"],
        h.record("base", "net").outputs["arn"]
    );
    assert_eq!(h.cloud.calls_of(Op::Update), ["user"]);
}
