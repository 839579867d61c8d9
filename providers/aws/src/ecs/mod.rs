//! ECS resource types: clusters, capacity providers and their association
//! with clusters, task definitions and services; and the helpers they share
//! (capacity provider strategies, names and ARNs, and the tags, reads and
//! finds of resources described with their ARN and tags).

use aws_sdk_ecs::types::{CapacityProviderStrategyItem, Tag};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::kit::{Call, Out, created, read_back_with};
use crate::props::{object_fields, opt_i32, opt_map, put_opt, read_back_object, str_of, with_arn};
use crate::tags::{has_identity, put_read_tags, resource_tags, sdk_tags, tag_pairs, tag_property};

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

/// The fields of a capacity provider strategy's items.
fn strategy_fields() -> Vec<Property> {
    vec![
        Property::required("capacity_provider", ValueType::String)
            .describe("The capacity provider's name."),
        Property::optional("weight", ValueType::Int)
            .default(1)
            .describe("The share of tasks placed on this provider, relative to the others."),
        Property::optional("base", ValueType::Int)
            .default(0)
            .describe("How many tasks, at least, run on this provider."),
    ]
}

/// The type of a capacity provider strategy: a list of
/// `{capacity_provider, weight, base}`.
fn strategy_type() -> ValueType {
    ValueType::list(ValueType::Object(strategy_fields()))
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
    let fields = strategy_fields();
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

/// The end of the schema of a resource with a unique name and an ARN (a
/// cluster, a capacity provider, a service): the tags, the `arn` attribute,
/// and delete before replace, since the name is unique, so a replacement
/// must delete the old resource first.
fn unique_name_schema(schema: TypeSchema) -> TypeSchema {
    schema
        .properties([tag_property()])
        .attributes([Attribute::new("arn", ValueType::String)])
        .delete_before_replace()
}

/// The tags a create call gives what it makes: the declared and identity
/// tags ([`resource_tags`]).
fn create_tags(call: &Call<'_>) -> Result<Vec<Tag>, ProviderError> {
    sdk_tags(&resource_tags(call.ctx, call.inputs))
}

/// Puts `v` under `key` in `read` when the declaration has `key`: what AWS
/// fills in for a property left out is not drift.
fn put_declared(read: &mut Map, inputs: &Map, key: &str, v: Option<impl Into<Value>>) {
    if inputs.contains_key(key) {
        put_opt(read, key, v);
    }
}

/// Puts the nested table `actual` under `key` in `read`, trimmed against
/// the declared one ([`read_back_object`]).
fn put_object(call: &Call<'_>, read: &mut Map, key: &str, actual: Map) -> Out<()> {
    let declared = opt_map(call.inputs, key)?;
    let value = read_back_object(object_fields(call.schema, key), declared, actual);
    read.insert(key.into(), Value::Map(value));
    Ok(())
}

/// The end of a read of a resource whose one attribute is its ARN: the
/// `tags` read back join `read`, and the outputs carry `arn`.
fn read_back_arn(
    call: &Call<'_>,
    mut read: Map,
    tags: &[Tag],
    arn: &str,
) -> Out<Option<ReadResult>> {
    put_read_tags(&mut read, call.ctx, call.inputs, tag_pairs(tags));
    read_back_with(call.inputs, read, |all| with_arn(all, arn))
}

/// What `find_all` makes of the resource a describe found: the resource
/// `id`, with `arn` among its outputs, when its `tags` carry the identity of
/// the instance the call is about; else nothing.
fn own_found(call: &Call<'_>, id: &str, arn: &str, tags: &[Tag]) -> Vec<Created> {
    if !has_identity(call.ctx, tag_pairs(tags)) {
        return Vec::new();
    }
    vec![created(id, with_arn(call.inputs, arn))]
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
