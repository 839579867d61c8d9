//! The IAM types against moto, through the provider's trait methods, checked
//! through the AWS SDK.

use std::collections::BTreeMap;

use crate::common::{
    Moto, create, ctx, ctx_with_config, delete_and_check_gone, map, out_str, provider, resource,
    table,
};
use skistack_engine::{Map, Value};
use skistack_provider_aws::Clients;

use crate::conformance::{Case, conform};

const ECS_INSTANCE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";
const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const TASKS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const READ_LOGS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:GetLogEvents"],"Resource":"*"}]}"#;
const WRITE_LOGS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream"],"Resource":"*"}]}"#;

async fn role_tags(clients: &Clients, name: &str) -> BTreeMap<String, String> {
    let out = clients
        .iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .expect("get role");
    out.role()
        .expect("a role")
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

async fn attached(clients: &Clients, role: &str) -> Vec<String> {
    clients
        .iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .expect("list attached policies")
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn role_with_managed_and_inline_policies() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx_with_config(
        "app",
        "role",
        map([("default_tags", table(&[("team", "platform")]))]),
    );
    let clients = p.shared().clients(&c).await.expect("clients");
    let roles = resource(&p, "aws:iam:Role");

    let (id, inputs, outputs) = create(
        &p,
        &c,
        "aws:iam:Role",
        map([
            ("name", "ecs-instance".into()),
            ("assume_role_policy", EC2_TRUST.into()),
            ("description", "ECS container instances".into()),
            ("tags", table(&[("Name", "ecs-instance")])),
        ]),
    )
    .await;
    assert_eq!(id, "ecs-instance");
    assert!(
        out_str(&outputs, "arn").ends_with(":role/ecs-instance"),
        "{outputs:?}"
    );
    assert!(!out_str(&outputs, "unique_id").is_empty());
    let tags = role_tags(&clients, "ecs-instance").await;
    assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("ecs-instance"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("role")
    );

    // Read back: the trust policy compares by meaning, so no drift.
    let read = roles
        .read(&c, &id, &inputs, &outputs)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "assume_role_policy",
        "description",
        "path",
        "max_session_duration",
        "tags",
    ] {
        assert_eq!(
            read.inputs.get(key),
            inputs.get(key),
            "{key} drifted: {read:?}"
        );
    }

    // The managed policy attachment.
    let attachments = resource(&p, "aws:iam:RolePolicyAttachment");
    let ac = ctx("app", "attach");
    let (att_id, att_inputs, att_outputs) = create(
        &p,
        &ac,
        "aws:iam:RolePolicyAttachment",
        map([
            ("role", "ecs-instance".into()),
            ("policy_arn", ECS_INSTANCE_POLICY.into()),
        ]),
    )
    .await;
    assert_eq!(att_id, format!("ecs-instance/{ECS_INSTANCE_POLICY}"));
    assert_eq!(
        attached(&clients, "ecs-instance").await,
        vec![ECS_INSTANCE_POLICY.to_string()]
    );
    let read = attachments
        .read(&ac, &att_id, &att_inputs, &att_outputs)
        .await
        .expect("read")
        .expect("attached");
    assert_eq!(
        read.inputs.get("policy_arn"),
        Some(&Value::from(ECS_INSTANCE_POLICY))
    );
    assert_eq!(
        attachments
            .find(&ac, &att_inputs)
            .await
            .expect("find")
            .map(|f| f.id),
        Some(att_id.clone())
    );

    // An inline policy, updated in place.
    let inline = resource(&p, "aws:iam:RolePolicy");
    let ic = ctx("app", "inline");
    let (pol_id, pol_inputs, pol_outputs) = create(
        &p,
        &ic,
        "aws:iam:RolePolicy",
        map([
            ("role", "ecs-instance".into()),
            ("name", "logs".into()),
            ("policy", READ_LOGS.into()),
        ]),
    )
    .await;
    assert_eq!(pol_id, "ecs-instance:logs");
    let read = inline
        .read(&ic, &pol_id, &pol_inputs, &pol_outputs)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("policy"), Some(&Value::from(READ_LOGS)));
    let mut pol_updated = pol_inputs.clone();
    pol_updated.insert("policy".into(), WRITE_LOGS.into());
    let pol_outputs = inline
        .update(&ic, &pol_id, &pol_inputs, &pol_outputs, &pol_updated)
        .await
        .expect("update inline policy");
    let doc = clients
        .iam
        .get_role_policy()
        .role_name("ecs-instance")
        .policy_name("logs")
        .send()
        .await
        .expect("get role policy")
        .policy_document()
        .to_string();
    assert!(doc.contains("PutLogEvents"), "{doc}");
    let read = inline
        .read(&ic, &pol_id, &pol_updated, &pol_outputs)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("policy"), Some(&Value::from(WRITE_LOGS)));

    // The role updated in place: trust, description, session length, tags.
    let mut updated = inputs.clone();
    updated.insert("assume_role_policy".into(), TASKS_TRUST.into());
    updated.insert("description".into(), "ECS tasks".into());
    updated.insert("max_session_duration".into(), Value::Int(7200));
    updated.insert("tags".into(), table(&[("tier", "back")]));
    let outputs2 = roles
        .update(&c, &id, &inputs, &outputs, &updated)
        .await
        .expect("update role");
    assert_eq!(outputs2.get("arn"), outputs.get("arn"));
    let read = roles
        .read(&c, &id, &updated, &outputs2)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "assume_role_policy",
        "description",
        "max_session_duration",
        "tags",
    ] {
        assert_eq!(
            read.inputs.get(key),
            updated.get(key),
            "{key} not updated: {read:?}"
        );
    }
    let tags = role_tags(&clients, "ecs-instance").await;
    assert!(!tags.contains_key("Name"), "{tags:?}");
    assert_eq!(tags.get("tier").map(String::as_str), Some("back"));

    // Find adopts the role only for the resource that made it.
    assert!(roles.find(&c, &updated).await.expect("find").is_some());
    assert!(
        roles
            .find(&ctx("app", "other"), &updated)
            .await
            .expect("find")
            .is_none()
    );

    // Dependents go first, as the engine orders them.
    delete_and_check_gone(
        &p,
        &ic,
        "aws:iam:RolePolicy",
        &pol_id,
        &pol_updated,
        &pol_outputs,
    )
    .await;
    delete_and_check_gone(
        &p,
        &ac,
        "aws:iam:RolePolicyAttachment",
        &att_id,
        &att_inputs,
        &att_outputs,
    )
    .await;
    assert!(attached(&clients, "ecs-instance").await.is_empty());
    delete_and_check_gone(&p, &c, "aws:iam:Role", &id, &updated, &outputs2).await;
}

#[tokio::test]
async fn instance_profile_holds_and_swaps_its_role() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("app", "profile");
    let clients = p.shared().clients(&c).await.expect("clients");

    let (a, a_in, a_out) = create(
        &p,
        &ctx("app", "role_a"),
        "aws:iam:Role",
        map([
            ("name", "role-a".into()),
            ("assume_role_policy", EC2_TRUST.into()),
        ]),
    )
    .await;
    let (b, b_in, b_out) = create(
        &p,
        &ctx("app", "role_b"),
        "aws:iam:Role",
        map([
            ("name", "role-b".into()),
            ("assume_role_policy", EC2_TRUST.into()),
        ]),
    )
    .await;

    let profiles = resource(&p, "aws:iam:InstanceProfile");
    let (id, inputs, outputs) = create(
        &p,
        &c,
        "aws:iam:InstanceProfile",
        map([
            ("name", "web".into()),
            ("role", "role-a".into()),
            ("tags", table(&[("Name", "web")])),
        ]),
    )
    .await;
    assert_eq!(id, "web");
    assert!(
        out_str(&outputs, "arn").ends_with(":instance-profile/web"),
        "{outputs:?}"
    );
    let got = clients
        .iam
        .get_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .expect("get profile");
    let profile = got.instance_profile().expect("a profile");
    let roles: Vec<&str> = profile.roles().iter().map(|r| r.role_name()).collect();
    assert_eq!(roles, vec!["role-a"]);
    let tags: BTreeMap<&str, &str> = profile
        .tags()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    assert_eq!(tags.get("Name"), Some(&"web"));
    assert_eq!(tags.get("skistack:resource"), Some(&"profile"));

    let read = profiles
        .read(&c, &id, &inputs, &outputs)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("role"), Some(&Value::from("role-a")));
    assert_eq!(read.inputs.get("tags"), inputs.get("tags"));

    // Swap the role in place.
    let mut updated = inputs.clone();
    updated.insert("role".into(), "role-b".into());
    let outputs2 = profiles
        .update(&c, &id, &inputs, &outputs, &updated)
        .await
        .expect("update");
    assert_eq!(outputs2.get("arn"), outputs.get("arn"));
    let read = profiles
        .read(&c, &id, &updated, &outputs2)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("role"), Some(&Value::from("role-b")));

    // Deleting the profile takes the role out first.
    delete_and_check_gone(&p, &c, "aws:iam:InstanceProfile", &id, &updated, &outputs2).await;
    delete_and_check_gone(&p, &ctx("app", "role_a"), "aws:iam:Role", &a, &a_in, &a_out).await;

    // A role still held by a profile made outside the stack is taken out of
    // it on delete.
    clients
        .iam
        .create_instance_profile()
        .instance_profile_name("outside")
        .send()
        .await
        .expect("create profile");
    clients
        .iam
        .add_role_to_instance_profile()
        .instance_profile_name("outside")
        .role_name("role-b")
        .send()
        .await
        .expect("add role");
    delete_and_check_gone(&p, &ctx("app", "role_b"), "aws:iam:Role", &b, &b_in, &b_out).await;
    let outside = clients
        .iam
        .get_instance_profile()
        .instance_profile_name("outside")
        .send()
        .await
        .expect("the outside profile stays");
    assert!(
        outside
            .instance_profile()
            .expect("a profile")
            .roles()
            .is_empty()
    );
}

/// Every IAM type through the conformance harness, each on a role the SDK
/// made for it.
#[tokio::test]
async fn iam_types_conform() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("conform", "it");
    let clients = p.shared().clients(&c).await.expect("clients");
    clients
        .iam
        .create_role()
        .role_name("conform-host")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .expect("create role");
    let tagged = |mut m: Map| {
        m.insert("tags".into(), table(&[("Name", "conform")]));
        m
    };

    let role = map([
        ("name", "conform".into()),
        ("assume_role_policy", EC2_TRUST.into()),
    ]);
    let mut role_up = tagged(role.clone());
    role_up.insert("description".into(), "conformance".into());
    let case = Case {
        token: "aws:iam:Role",
        inputs: role,
        updated: role_up,
        findable: true,
    };
    conform(&p, &c, case).await;

    let attachment = map([
        ("role", "conform-host".into()),
        ("policy_arn", ECS_INSTANCE_POLICY.into()),
    ]);
    let case = Case {
        token: "aws:iam:RolePolicyAttachment",
        updated: attachment.clone(),
        inputs: attachment,
        findable: true,
    };
    conform(&p, &c, case).await;

    let policy = map([
        ("role", "conform-host".into()),
        ("name", "logs".into()),
        ("policy", READ_LOGS.into()),
    ]);
    let mut policy_up = policy.clone();
    policy_up.insert("policy".into(), WRITE_LOGS.into());
    let case = Case {
        token: "aws:iam:RolePolicy",
        inputs: policy,
        updated: policy_up,
        findable: true,
    };
    conform(&p, &c, case).await;

    let profile = map([("name", "conform".into()), ("role", "conform-host".into())]);
    let case = Case {
        token: "aws:iam:InstanceProfile",
        updated: tagged(profile.clone()),
        inputs: profile,
        findable: true,
    };
    conform(&p, &c, case).await;
}
