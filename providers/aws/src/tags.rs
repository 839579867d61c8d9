//! The tags every AWS resource carries: the stack's `default_tags`, the
//! resource's own `tags`, and the identity tags that let `find` locate it;
//! and, per service, a declaration of how it tags and untags a resource
//! ([`TagApi`]), which the kit's adapter applies on every update.
//!
//! The declarations are data, in the style of terraform-provider-aws's
//! `generate.go` tag lines: each names the service's two calls and how they
//! address the resource, and [`tag_api!`] writes the calls. A mistake in one
//! is a compile error, since every setter is the SDK's own.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use skistack_engine::{CallContext, Map, Property, ProviderError, Value, ValueType};

use crate::shared::Clients;

/// Tags as key/value pairs, in the order they were read or declared.
pub(crate) type Pairs = Vec<(String, String)>;

/// The future of one tag call.
pub(crate) type TagFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(), ProviderError>> + Send + 'a>>;

/// How one service tags and untags a resource, addressed by a target the
/// type names (its id, ARN or name).
#[derive(Clone, Copy)]
pub(crate) struct TagApi {
    /// Adds or overwrites tags.
    pub tag: for<'a> fn(&'a Clients, &'a str, &'a [(String, String)]) -> TagFuture<'a>,
    /// Removes tags by key.
    pub untag: for<'a> fn(&'a Clients, &'a str, &'a [String]) -> TagFuture<'a>,
}

impl TagApi {
    /// Applies `changes` to `target`; no call when nothing changes.
    pub(crate) async fn apply(
        &self,
        clients: &Clients,
        target: &str,
        changes: &TagChanges,
    ) -> Result<(), ProviderError> {
        if !changes.set.is_empty() {
            (self.tag)(clients, target, &changes.set).await?;
        }
        if !changes.remove.is_empty() {
            (self.untag)(clients, target, &changes.remove).await?;
        }
        Ok(())
    }
}

/// Declares a [`TagApi`]: the noun errors name the target by, then the tag
/// and the untag request as closures over the clients, the target and the
/// tags (or keys). The request is sent and its error turned into a
/// provider error here, once for every service.
macro_rules! tag_api {
    ($noun:literal,
     tag: |$c:ident, $t:ident, $pairs:ident| $tag:expr,
     untag: |$uc:ident, $ut:ident, $keys:ident| $untag:expr $(,)?) => {{
        fn tag<'a>(
            $c: &'a $crate::shared::Clients,
            $t: &'a str,
            $pairs: &'a [(String, String)],
        ) -> $crate::tags::TagFuture<'a> {
            Box::pin(async move {
                $tag.send()
                    .await
                    .map_err(|e| $crate::errors::aws_error(&format!("tag {}{}", $noun, $t), e))?;
                Ok::<(), ::skistack_engine::ProviderError>(())
            })
        }
        fn untag<'a>(
            $uc: &'a $crate::shared::Clients,
            $ut: &'a str,
            $keys: &'a [String],
        ) -> $crate::tags::TagFuture<'a> {
            Box::pin(async move {
                $untag.send().await.map_err(|e| {
                    $crate::errors::aws_error(&format!("untag {}{}", $noun, $ut), e)
                })?;
                Ok::<(), ::skistack_engine::ProviderError>(())
            })
        }
        $crate::tags::TagApi { tag, untag }
    }};
}

/// EC2: CreateTags and DeleteTags by resource id.
pub(crate) const EC2: TagApi = tag_api!("",
    tag: |c, id, pairs| c.ec2.create_tags().resources(id).set_tags(Some(sdk_tags(pairs)?)),
    // Keys without a value: DeleteTags with a value removes only a tag that has it.
    untag: |c, id, keys| c.ec2.delete_tags().resources(id).set_tags(Some(
        keys.iter().map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build()).collect()
    )),
);

/// ECS: TagResource and UntagResource by ARN.
pub(crate) const ECS: TagApi = tag_api!("",
    tag: |c, arn, pairs| c.ecs.tag_resource().resource_arn(arn).set_tags(Some(sdk_tags(pairs)?)),
    untag: |c, arn, keys| c.ecs.untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec())),
);

/// ELBv2: AddTags and RemoveTags by ARN.
pub(crate) const ELBV2: TagApi = tag_api!("",
    tag: |c, arn, pairs| c.elbv2.add_tags().resource_arns(arn).set_tags(Some(sdk_tags(pairs)?)),
    untag: |c, arn, keys| c.elbv2.remove_tags().resource_arns(arn).set_tag_keys(Some(keys.to_vec())),
);

/// ELBv2 lists tags apart from its describe calls: DescribeTags by ARN.
pub(crate) async fn elbv2_tags(clients: &Clients, arn: &str) -> Result<Pairs, ProviderError> {
    let out = clients
        .elbv2
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .map_err(|e| crate::errors::aws_error(&format!("describe tags of {arn}"), e))?;
    Ok(out
        .tag_descriptions()
        .iter()
        .flat_map(|d| owned(tag_pairs(d.tags())))
        .collect())
}

/// IAM roles: TagRole and UntagRole by name.
pub(crate) const IAM_ROLE: TagApi = tag_api!("IAM role ",
    tag: |c, name, pairs| c.iam.tag_role().role_name(name).set_tags(Some(sdk_tags(pairs)?)),
    untag: |c, name, keys| c.iam.untag_role().role_name(name).set_tag_keys(Some(keys.to_vec())),
);

/// IAM instance profiles: TagInstanceProfile and UntagInstanceProfile by name.
pub(crate) const IAM_INSTANCE_PROFILE: TagApi = tag_api!("IAM instance profile ",
    tag: |c, name, pairs| c
        .iam
        .tag_instance_profile()
        .instance_profile_name(name)
        .set_tags(Some(sdk_tags(pairs)?)),
    untag: |c, name, keys| c
        .iam
        .untag_instance_profile()
        .instance_profile_name(name)
        .set_tag_keys(Some(keys.to_vec())),
);

/// ECR: TagResource and UntagResource by ARN.
pub(crate) const ECR: TagApi = tag_api!("",
    tag: |c, arn, pairs| c.ecr.tag_resource().resource_arn(arn).set_tags(Some(sdk_tags(pairs)?)),
    untag: |c, arn, keys| c.ecr.untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec())),
);

/// ECR lists tags apart from its describe calls: ListTagsForResource by ARN.
pub(crate) async fn ecr_tags(clients: &Clients, arn: &str) -> Result<Pairs, ProviderError> {
    let out = clients
        .ecr
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| crate::errors::aws_error(&format!("list tags of {arn}"), e))?;
    Ok(owned(tag_pairs(out.tags())))
}

/// CloudWatch Logs: TagResource and UntagResource by ARN; tags are a map.
pub(crate) const LOGS: TagApi = tag_api!("log group ",
    tag: |c, arn, pairs| c
        .logs
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(pairs.iter().cloned().collect())),
    untag: |c, arn, keys| c.logs.untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec())),
);

/// CloudWatch Logs lists tags apart from its describe calls:
/// ListTagsForResource by ARN.
pub(crate) async fn logs_tags(clients: &Clients, arn: &str) -> Result<Pairs, ProviderError> {
    let out = clients
        .logs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| crate::errors::aws_error(&format!("list tags of {arn}"), e))?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

/// Auto Scaling: CreateOrUpdateTags and DeleteTags, each tag naming its
/// group; the tags propagate to the group's instances.
pub(crate) const AUTOSCALING: TagApi = tag_api!("auto scaling group ",
    tag: |c, name, pairs| c.autoscaling.create_or_update_tags().set_tags(Some(asg_tags(name, pairs))),
    untag: |c, name, keys| c.autoscaling.delete_tags().set_tags(Some(asg_tags(
        name,
        &keys.iter().map(|k| (k.clone(), String::new())).collect::<Vec<_>>(),
    ))),
);

/// Auto Scaling tags of the group `name`, propagated at launch.
pub(crate) fn asg_tags(
    name: &str,
    tags: &[(String, String)],
) -> Vec<aws_sdk_autoscaling::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_autoscaling::types::Tag::builder()
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .key(k)
                .value(v)
                .propagate_at_launch(true)
                .build()
        })
        .collect()
}

/// A tag of one of the SDKs, made from and read as a key/value pair.
pub(crate) trait SdkTag: Sized {
    /// The tag `key` = `value`.
    fn of(key: &str, value: &str) -> Result<Self, ProviderError>;
    /// Its key and value; `None` for a tag without a key.
    fn pair(&self) -> Option<(&str, &str)>;
}

/// Implements [`SdkTag`] for SDK tag types whose builder takes a key and a
/// value: `optional` where both are optional (the builder cannot fail),
/// `required` where they are required (it can).
macro_rules! sdk_tag {
    (optional: $($ty:ty),*) => {$(
        impl SdkTag for $ty {
            fn of(key: &str, value: &str) -> Result<Self, ProviderError> {
                Ok(<$ty>::builder().key(key).value(value).build())
            }
            fn pair(&self) -> Option<(&str, &str)> {
                Some((self.key()?, self.value().unwrap_or("")))
            }
        }
    )*};
    (required: $($ty:ty),*) => {$(
        impl SdkTag for $ty {
            fn of(key: &str, value: &str) -> Result<Self, ProviderError> {
                <$ty>::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| ProviderError::Invalid(format!("tag {key}: {e}")))
            }
            fn pair(&self) -> Option<(&str, &str)> {
                Some((self.key(), self.value()))
            }
        }
    )*};
}

sdk_tag!(required: aws_sdk_iam::types::Tag, aws_sdk_ecr::types::Tag);
sdk_tag!(
    optional: aws_sdk_ec2::types::Tag,
    aws_sdk_ecs::types::Tag,
    aws_sdk_elasticloadbalancingv2::types::Tag
);

/// SDK tags from key/value pairs.
pub(crate) fn sdk_tags<T: SdkTag>(pairs: &[(String, String)]) -> Result<Vec<T>, ProviderError> {
    pairs.iter().map(|(k, v)| T::of(k, v)).collect()
}

/// Borrowed key/value pairs of owned ones.
pub(crate) fn pairs(tags: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// Owned key/value pairs from borrowed ones.
fn owned<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Pairs {
    pairs.map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Key/value pairs of SDK tags.
pub(crate) fn tag_pairs<T: SdkTag>(tags: &[T]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().filter_map(SdkTag::pair)
}

/// The optional `tags` property: a table of strings, updatable in place.
pub fn tag_property() -> Property {
    Property::optional("tags", ValueType::map(ValueType::String)).describe(
        "Tags of the resource. The stack's `default_tags` and the identity tags \
         (skistack:stack, skistack:env, skistack:resource) are added.",
    )
}

/// The tags a resource gets: `default_tags` from the stack's config, then the
/// resource's `tags`, then the identity tags; a later source wins a key.
pub fn resource_tags(ctx: &CallContext, inputs: &Map) -> Pairs {
    let mut tags = BTreeMap::new();
    if let Some(defaults) = ctx.config.get("default_tags").and_then(Value::as_map) {
        add_table(&mut tags, defaults);
    }
    if let Some(own) = inputs.get("tags").and_then(Value::as_map) {
        add_table(&mut tags, own);
    }
    tags.extend(ctx.identity_tags());
    tags.into_iter().collect()
}

fn add_table(tags: &mut BTreeMap<String, String>, table: &Map) {
    for (k, v) in table {
        // Config tables may hold numbers or bools; AWS tag values are strings.
        if let Some(s) = v.to_interpolated() {
            tags.insert(k.clone(), s);
        }
    }
}

/// What an update must do to a resource's tags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    /// Tags to add or overwrite.
    pub set: Vec<(String, String)>,
    /// Keys to remove.
    pub remove: Vec<String>,
}

impl TagChanges {
    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }
}

/// The changes that turn the tags `old` into `new`.
pub fn diff_tags(old: &[(String, String)], new: &[(String, String)]) -> TagChanges {
    let old: BTreeMap<&str, &str> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let new_keys: BTreeMap<&str, &str> =
        new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TagChanges {
        set: new
            .iter()
            .filter(|(k, v)| old.get(k.as_str()) != Some(&v.as_str()))
            .cloned()
            .collect(),
        remove: old
            .keys()
            .filter(|k| !new_keys.contains_key(*k))
            .map(|k| k.to_string())
            .collect(),
    }
}

/// The tag changes an update from `old_inputs` to `new_inputs` needs.
pub fn tag_changes(ctx: &CallContext, old_inputs: &Map, new_inputs: &Map) -> TagChanges {
    diff_tags(
        &resource_tags(ctx, old_inputs),
        &resource_tags(ctx, new_inputs),
    )
}

/// The user's own tags among tags read back from AWS: those that are neither
/// identity tags nor default tags with their default value, for drift
/// detection of the `tags` property.
pub fn own_tags<'a>(ctx: &CallContext, read: impl IntoIterator<Item = (&'a str, &'a str)>) -> Map {
    let mut defaults = BTreeMap::new();
    if let Some(d) = ctx.config.get("default_tags").and_then(Value::as_map) {
        add_table(&mut defaults, d);
    }
    read.into_iter()
        .filter(|(k, _)| !k.starts_with("skistack:"))
        .filter(|(k, v)| defaults.get(*k).map(String::as_str) != Some(*v))
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect()
}

/// The `tags` input as read back from AWS for drift detection: the user's
/// own tags (see [`own_tags`]), or `None` when there are none and the
/// declaration had no `tags` either (so that "no tags" is not drift).
pub fn read_back_tags<'a>(
    ctx: &CallContext,
    declared: &Map,
    read: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Value> {
    let own = own_tags(ctx, read);
    let declared_tags = declared
        .get("tags")
        .is_some_and(|v| !matches!(v, Value::Null));
    (declared_tags || !own.is_empty()).then_some(Value::Map(own))
}

/// Puts the tags read back ([`read_back_tags`]) under `tags` in `read`,
/// when there are any to put.
pub fn put_read_tags<'a>(
    read: &mut Map,
    ctx: &CallContext,
    declared: &Map,
    tags: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    if let Some(v) = read_back_tags(ctx, declared, tags) {
        read.insert("tags".into(), v);
    }
}

/// True when tags read back from AWS carry the identity tags of the
/// resource the call is about, so that `find` only adopts a resource this
/// stack, environment and logical resource created.
pub fn has_identity<'a>(
    ctx: &CallContext,
    read: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> bool {
    let want = ctx.identity_tags();
    let have: BTreeMap<&str, &str> = read.into_iter().collect();
    want.iter()
        .all(|(k, v)| have.get(k.as_str()) == Some(&v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ctx(config: Map) -> CallContext {
        CallContext {
            stack: "web".into(),
            env: "prod".into(),
            resource: "vpc".into(),
            type_token: "aws:ec2:Vpc".into(),
            config: Arc::new(config),
            operation_id: "op-1".into(),
            stack_dir: ".".into(),
        }
    }

    fn table(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn later_sources_win() {
        let mut config = Map::new();
        config.insert(
            "default_tags".into(),
            table(&[
                ("team", "infra".into()),
                ("cost", Value::Int(42)),
                ("skistack:stack", "x".into()),
            ]),
        );
        let mut inputs = Map::new();
        inputs.insert(
            "tags".into(),
            table(&[("team", "web".into()), ("Name", "main".into())]),
        );
        let tags = resource_tags(&ctx(config), &inputs);
        let get = |k: &str| tags.iter().find(|(t, _)| t == k).map(|(_, v)| v.as_str());
        assert_eq!(get("team"), Some("web"));
        assert_eq!(get("cost"), Some("42"));
        assert_eq!(get("Name"), Some("main"));
        assert_eq!(get("skistack:stack"), Some("web"));
        assert_eq!(get("skistack:env"), Some("prod"));
        assert_eq!(get("skistack:resource"), Some("vpc"));
        assert_eq!(tags.len(), 6);
    }

    #[test]
    fn diff_finds_added_changed_and_removed() {
        let s = |k: &str, v: &str| (k.to_string(), v.to_string());
        let old = vec![s("a", "1"), s("b", "2"), s("c", "3")];
        let new = vec![s("a", "1"), s("b", "20"), s("d", "4")];
        let d = diff_tags(&old, &new);
        assert_eq!(d.set, vec![s("b", "20"), s("d", "4")]);
        assert_eq!(d.remove, vec!["c".to_string()]);
        assert!(diff_tags(&new, &new).is_empty());
    }

    #[test]
    fn own_tags_leave_out_identity_and_unchanged_defaults() {
        let mut config = Map::new();
        config.insert(
            "default_tags".into(),
            table(&[("team", "infra".into()), ("env", "prod".into())]),
        );
        let own = own_tags(
            &ctx(config),
            [
                ("team", "infra"),
                ("env", "staging"),
                ("Name", "x"),
                ("skistack:stack", "web"),
            ],
        );
        let keys: Vec<&str> = own.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["Name", "env"]);
    }

    #[test]
    fn identity_needs_all_three_tags() {
        let c = ctx(Map::new());
        let ours = [
            ("skistack:stack", "web"),
            ("skistack:env", "prod"),
            ("skistack:resource", "vpc"),
            ("Name", "x"),
        ];
        assert!(has_identity(&c, ours));
        assert!(!has_identity(
            &c,
            ours.into_iter().filter(|(k, _)| *k != "skistack:env")
        ));
        let other = [
            ("skistack:stack", "web"),
            ("skistack:env", "prod"),
            ("skistack:resource", "db"),
        ];
        assert!(!has_identity(&c, other));
    }
}
