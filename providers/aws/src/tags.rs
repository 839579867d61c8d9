//! The tags every AWS resource carries: the stack's `default_tags`, the
//! resource's own `tags`, and the identity tags that let `find` locate it.

use std::collections::BTreeMap;

use skistack_engine::{CallContext, Map, Property, Value, ValueType};

/// The optional `tags` property: a table of strings, updatable in place.
pub fn tag_property() -> Property {
    Property::optional("tags", ValueType::map(ValueType::String)).describe(
        "Tags of the resource. The stack's `default_tags` and the identity tags \
         (skistack:stack, skistack:env, skistack:resource) are added.",
    )
}

/// The tags a resource gets: `default_tags` from the stack's config, then the
/// resource's `tags`, then the identity tags; a later source wins a key.
pub fn resource_tags(ctx: &CallContext, inputs: &Map) -> Vec<(String, String)> {
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
