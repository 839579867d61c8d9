//! Planner tests on a small in-memory resource type.

use std::sync::Arc;

use async_trait::async_trait;

use super::*;
use crate::base::SourceFile;
use crate::base::{Property, ValueType};
use crate::provider::{Created, Provider, ProviderError, ReadResult, ResourceType};
use crate::state::RecordOptions;

/// A type whose `name` forces replacement and `size` updates in place.
struct Thing(TypeSchema);

#[async_trait]
impl ResourceType for Thing {
    fn schema(&self) -> &TypeSchema {
        &self.0
    }
    async fn create(&self, _: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        Ok(Created {
            id: "x".into(),
            outputs: inputs.clone(),
        })
    }
    async fn read(
        &self,
        _: &CallContext,
        _: &str,
        i: &Map,
        o: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        Ok(Some(ReadResult {
            inputs: i.clone(),
            outputs: o.clone(),
        }))
    }
    async fn update(
        &self,
        _: &CallContext,
        _: &str,
        _: &Map,
        _: &Map,
        n: &Map,
    ) -> Result<Map, ProviderError> {
        Ok(n.clone())
    }
    async fn delete(
        &self,
        _: &CallContext,
        _: &str,
        _: &Map,
        _: &Map,
    ) -> Result<(), ProviderError> {
        Ok(())
    }
}

struct TestProvider;

impl Provider for TestProvider {
    fn name(&self) -> &str {
        "t"
    }
    fn resource_types(&self) -> Vec<Arc<dyn ResourceType>> {
        let schema = TypeSchema::new("t:m:Thing", "")
            .properties([
                Property::optional("name", ValueType::String).force_new(),
                Property::optional("size", ValueType::Int),
                Property::optional("ref", ValueType::String),
            ])
            .attributes([crate::base::Attribute::new("arn", ValueType::String)]);
        vec![Arc::new(Thing(schema))]
    }
    fn data_sources(&self) -> Vec<Arc<dyn crate::provider::DataSource>> {
        Vec::new()
    }
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(Arc::new(TestProvider));
    r
}

fn record(name: &str, inputs: &[(&str, Value)], deps: &[&str]) -> ResourceRecord {
    let inputs: Map = inputs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let mut outputs = inputs.clone();
    outputs.insert("arn".into(), Value::String(format!("arn:{name}")));
    ResourceRecord {
        address: name.into(),
        type_token: "t:m:Thing".into(),
        id: format!("id-{name}"),
        inputs,
        outputs,
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        options: RecordOptions::default(),
    }
}

async fn plan_of(text: &str, state: &StackState) -> (Stack, Checked, Plan) {
    let file = SourceFile::new("s.toml", text);
    let stack = crate::stack::load_stack("s", file).expect("stack parses");
    let reg = registry();
    let checked = crate::validate::check(&stack, &reg).expect("stack checks");
    let plan = plan(PlanInput {
        stack: &stack,
        checked: &checked,
        registry: &reg,
        config: Arc::new(Map::new()),
        state,
        stacks: Map::new(),
        targets: Vec::new(),
        env: "default".into(),
    })
    .await
    .expect("plan");
    (stack, checked, plan)
}

fn action(plan: &Plan, address: &str) -> Action {
    plan.changes
        .iter()
        .find(|c| c.address == address)
        .map(|c| c.action())
        .unwrap_or(Action::Same)
}

#[tokio::test]
async fn classifies_create_update_replace_delete_and_same() {
    let mut state = StackState::default();
    for r in [
        record("same", &[("size", Value::Int(1))], &[]),
        record("grow", &[("size", Value::Int(1))], &[]),
        record("rename", &[("name", "a".into())], &[]),
        record("gone", &[], &[]),
    ] {
        state.resources.insert(r.address.clone(), r);
    }
    let text = r#"
[resources.same]
type = "t:m:Thing"
size = 1
[resources.grow]
type = "t:m:Thing"
size = 2
[resources.rename]
type = "t:m:Thing"
name = "b"
[resources.new]
type = "t:m:Thing"
"#;
    let (_, _, plan) = plan_of(text, &state).await;
    assert_eq!(action(&plan, "same"), Action::Same);
    assert_eq!(action(&plan, "grow"), Action::Update);
    assert_eq!(action(&plan, "rename"), Action::Replace);
    assert_eq!(action(&plan, "new"), Action::Create);
    assert_eq!(action(&plan, "gone"), Action::Delete);
    let rename = plan.changes.iter().find(|c| c.address == "rename").unwrap();
    assert_eq!(rename.replace_reasons(), vec!["name"]);
}

#[tokio::test]
async fn unknown_values_flow_to_dependents_and_known_ones_do_not_change_them() {
    let state = StackState::default();
    let text = r#"
[resources.a]
type = "t:m:Thing"
size = 1
[resources.b]
type = "t:m:Thing"
ref = "${a.arn}"
count = 2
"#;
    let (_, _, plan) = plan_of(text, &state).await;
    let b0 = plan.changes.iter().find(|c| c.address == "b[0]").unwrap();
    assert_eq!(b0.inputs().get("ref"), Some(&Value::Unknown));
    assert_eq!(action(&plan, "b[1]"), Action::Create);
}

#[tokio::test]
async fn replaced_resource_is_deleted_after_its_users_moved_on() {
    let mut state = StackState::default();
    state
        .resources
        .insert("a".into(), record("a", &[("name", "old".into())], &[]));
    state
        .resources
        .insert("b".into(), record("b", &[("ref", "arn:a".into())], &["a"]));
    let text = r#"
[resources.a]
type = "t:m:Thing"
name = "new"
[resources.b]
type = "t:m:Thing"
ref = "${a.arn}"
"#;
    let (stack, checked, plan) = plan_of(text, &state).await;
    assert_eq!(action(&plan, "a"), Action::Replace);
    // b's ref becomes unknown (a's new arn): b updates in place.
    assert_eq!(action(&plan, "b"), Action::Update);
    let g = build_steps(&stack, &checked, &plan);
    let find = |op: StepOp, addr: &str| {
        g.steps
            .iter()
            .position(|s| s.op == op && plan.changes[s.change].address == addr)
            .unwrap()
    };
    let create_a = find(StepOp::CreateReplacement, "a");
    let update_b = find(StepOp::Update, "b");
    let delete_a = find(StepOp::DeleteReplaced, "a");
    let order = g.dag.order().unwrap();
    let pos = |n| order.iter().position(|&x| x == n).unwrap();
    assert!(pos(create_a) < pos(update_b));
    assert!(pos(update_b) < pos(delete_a));
}

#[tokio::test]
async fn a_removed_resource_goes_after_its_former_user_is_updated() {
    let mut state = StackState::default();
    state
        .resources
        .insert("old".into(), record("old", &[], &[]));
    state.resources.insert(
        "user".into(),
        record("user", &[("ref", "arn:old".into())], &["old"]),
    );
    let text = r#"
[resources.user]
type = "t:m:Thing"
ref = "plain"
"#;
    let (stack, checked, plan) = plan_of(text, &state).await;
    assert_eq!(action(&plan, "old"), Action::Delete);
    assert_eq!(action(&plan, "user"), Action::Update);
    let g = build_steps(&stack, &checked, &plan);
    let upd = g.steps.iter().position(|s| s.op == StepOp::Update).unwrap();
    let del = g.steps.iter().position(|s| s.op == StepOp::Delete).unwrap();
    assert!(g.dag.dependencies(del).any(|d| d == upd));
}

#[tokio::test]
async fn destroy_deletes_users_before_what_they_use() {
    let mut state = StackState::default();
    state
        .resources
        .insert("vpc".into(), record("vpc", &[], &[]));
    state
        .resources
        .insert("subnet".into(), record("subnet", &[], &["vpc"]));
    let plan = destroy_plan(&state);
    let g = destroy_steps(&plan);
    let order = g.dag.order().unwrap();
    let names: Vec<&str> = order
        .iter()
        .map(|&i| plan.changes[g.steps[i].change].address.as_str())
        .collect();
    assert_eq!(names, vec!["subnet", "vpc"]);
}

#[tokio::test]
async fn ignore_changes_keeps_the_recorded_value() {
    let mut state = StackState::default();
    state
        .resources
        .insert("a".into(), record("a", &[("size", Value::Int(1))], &[]));
    let text = r#"
[resources.a]
type = "t:m:Thing"
size = 5
[resources.a.options]
ignore_changes = ["size"]
"#;
    let (_, _, plan) = plan_of(text, &state).await;
    assert_eq!(action(&plan, "a"), Action::Same);
}

#[tokio::test]
async fn a_retired_record_left_by_a_crash_goes_after_its_users_move_on() {
    // A crash between the replacement of `a` and the deletion of the old
    // one: `b` still uses the old `a`, which the state holds as `a~replaced`.
    let mut state = StackState::default();
    state
        .resources
        .insert("a".into(), record("a", &[("name", "new".into())], &[]));
    let mut old = record("a", &[("name", "old".into())], &[]);
    old.address = "a~replaced".into();
    old.id = "id-old-a".into();
    state.resources.insert(old.address.clone(), old);
    state.resources.insert(
        "b".into(),
        record("b", &[("ref", "arn:old-a".into())], &["a"]),
    );
    let text = r#"
[resources.a]
type = "t:m:Thing"
name = "new"
[resources.b]
type = "t:m:Thing"
ref = "${a.arn}"
"#;
    let (stack, checked, plan) = plan_of(text, &state).await;
    assert_eq!(action(&plan, "a~replaced"), Action::Delete);
    assert_eq!(action(&plan, "b"), Action::Update);
    let g = build_steps(&stack, &checked, &plan);
    let upd = g.steps.iter().position(|s| s.op == StepOp::Update).unwrap();
    let del = g.steps.iter().position(|s| s.op == StepOp::Delete).unwrap();
    assert!(g.dag.dependencies(del).any(|d| d == upd));
}

#[tokio::test]
async fn destroy_deletes_users_before_the_retired_records_they_use() {
    let mut state = StackState::default();
    for (name, deps) in [
        ("vpc", &[][..]),
        ("vpc~replaced", &[][..]),
        ("vpc~2~replaced", &[][..]),
        ("subnet", &["vpc"][..]),
    ] {
        state.resources.insert(name.into(), record(name, &[], deps));
    }
    let plan = destroy_plan(&state);
    let g = destroy_steps(&plan);
    let order = g.dag.order().unwrap();
    let names: Vec<&str> = order
        .iter()
        .map(|&i| plan.changes[g.steps[i].change].address.as_str())
        .collect();
    let pos = |n: &str| names.iter().position(|&x| x == n).unwrap();
    for vpc in ["vpc", "vpc~replaced", "vpc~2~replaced"] {
        assert!(pos("subnet") < pos(vpc), "{names:?}");
    }
}
