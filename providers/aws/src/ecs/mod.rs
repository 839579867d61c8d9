//! ECS resource types: clusters, capacity providers and their association
//! with clusters, task definitions and services; and the helpers they share
//! (capacity provider strategies, names and ARNs).

use aws_sdk_ecs::types::CapacityProviderStrategyItem;
use skistack_engine::{Map, Property, ProviderError, Value, ValueType};

use crate::props::{opt_i32, read_back_object, str_of};

mod container;

// Declared here, not by the macro, so that `cargo fmt` reaches them.
mod capacity_provider;
mod cluster;
mod cluster_capacity_providers;
mod service;
mod task_definition;

crate::kit::resource_types! {
    cluster: Cluster;
    capacity_provider: CapacityProvider;
    cluster_capacity_providers: ClusterCapacityProviders;
    task_definition: TaskDefinition;
    service: Service;
}

/// The type of a capacity provider strategy: a list of
/// `{capacity_provider, weight, base}`.
fn strategy_type() -> ValueType {
    ValueType::list(ValueType::Object(vec![
        Property::required("capacity_provider", ValueType::String)
            .describe("The capacity provider's name."),
        Property::optional("weight", ValueType::Int)
            .default(1)
            .describe("The share of tasks placed on this provider, relative to the others."),
        Property::optional("base", ValueType::Int)
            .default(0)
            .describe("How many tasks, at least, run on this provider."),
    ]))
}

/// A capacity provider strategy from its property value.
fn strategy_of(items: &[&Map]) -> Result<Vec<CapacityProviderStrategyItem>, ProviderError> {
    items
        .iter()
        .map(|item| {
            CapacityProviderStrategyItem::builder()
                .capacity_provider(str_of(item, "capacity_provider")?)
                .weight(opt_i32(item, "weight")?.unwrap_or(1))
                .base(opt_i32(item, "base")?.unwrap_or(0))
                .build()
                .map_err(|e| ProviderError::Invalid(format!("capacity provider strategy: {e}")))
        })
        .collect()
}

/// A capacity provider strategy as read back, item by item against the
/// declared items.
fn strategy_value(declared: &[&Map], items: &[CapacityProviderStrategyItem]) -> Value {
    let fields = match strategy_type() {
        ValueType::List(of) => match *of {
            ValueType::Object(fields) => fields,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    Value::List(
        items
            .iter()
            .enumerate()
            .map(|(n, i)| {
                let mut m = Map::new();
                m.insert("capacity_provider".into(), i.capacity_provider().into());
                m.insert("weight".into(), Value::Int(i64::from(i.weight())));
                m.insert("base".into(), Value::Int(i64::from(i.base())));
                // Defaults the declaration left out are not drift.
                Value::Map(read_back_object(&fields, declared.get(n).copied(), m))
            })
            .collect(),
    )
}

/// The short name in an ECS ARN (`arn:...:cluster/web` → `web`), or the
/// text itself when it is a name already.
fn short_name(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
}

/// The declared reference when it names the same thing as the ARN AWS
/// reports (a name and its ARN are equal for drift purposes), else the ARN.
fn same_ref(declared: Option<&str>, arn: &str) -> String {
    match declared {
        Some(d) if d == arn || short_name(d) == short_name(arn) => d.to_string(),
        _ => arn.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arns_compare_equal() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:cluster/web";
        assert_eq!(short_name(arn), "web");
        assert_eq!(short_name("web"), "web");
        assert_eq!(same_ref(Some("web"), arn), "web");
        assert_eq!(same_ref(Some(arn), arn), arn);
        assert_eq!(same_ref(Some("api"), arn), arn);
        assert_eq!(same_ref(None, arn), arn);
    }

    #[test]
    fn strategies_round_trip() {
        let mut item = Map::new();
        item.insert("capacity_provider".into(), "cp".into());
        item.insert("weight".into(), Value::Int(2));
        let items = strategy_of(&[&item]).expect("valid strategy");
        assert_eq!(items[0].base(), 0);
        let Value::List(back) = strategy_value(&[&item], &items) else {
            panic!("a list");
        };
        // The base was left at its default, so it is not read back.
        assert_eq!(back, vec![Value::Map(item.clone())]);
        let Value::List(back) = strategy_value(&[], &items) else {
            panic!("a list");
        };
        let m = back[0].as_map().expect("a table");
        assert_eq!(m.get("weight"), Some(&Value::Int(2)));
        assert_eq!(m.get("base"), None);
    }
}
