//! The conformance harness: what every resource type must do, checked the
//! same way for each. A type's test builds what the type needs and calls
//! [`conform`] with its inputs and an in-place change of them.

use skistack_engine::{CallContext, Map, ReadResult, ResourceType};
use skistack_provider_aws::AwsProvider;

use crate::common::{delete_and_check_gone, resource, with_defaults};

/// One type's run through the harness.
pub struct Case<'a> {
    /// The type token.
    pub token: &'a str,
    /// The inputs of the create (the type's defaults are added).
    pub inputs: Map,
    /// The inputs after an in-place update (defaults added likewise).
    pub updated: Map,
    /// Whether `find_all` can find the resource by its identity.
    pub findable: bool,
}

/// Runs `case` against the provider: create -> read equals inputs ->
/// update -> read equals the new inputs -> `find_all` finds it -> delete ->
/// read is none -> delete again succeeds. Returns nothing: it panics on
/// the first step that fails, naming the type.
pub async fn conform(p: &AwsProvider, c: &CallContext, case: Case<'_>) {
    let token = case.token;
    let rt = resource(p, token);
    let inputs = with_defaults(rt.as_ref(), case.inputs);
    let created = rt
        .create(c, &inputs)
        .await
        .unwrap_or_else(|e| panic!("{token}: create: {e}"));
    let id = created.id;
    read_equals(
        rt.as_ref(),
        c,
        &id,
        &inputs,
        &created.outputs,
        token,
        "create",
    )
    .await;

    let updated = with_defaults(rt.as_ref(), case.updated);
    let outputs = rt
        .update(c, &id, &inputs, &created.outputs, &updated)
        .await
        .unwrap_or_else(|e| panic!("{token}: update: {e}"));
    read_equals(rt.as_ref(), c, &id, &updated, &outputs, token, "update").await;

    let found = rt
        .find_all(c, &updated)
        .await
        .unwrap_or_else(|e| panic!("{token}: find_all: {e}"));
    if case.findable {
        assert!(
            found.iter().any(|f| f.id == id),
            "{token}: find_all does not find {id}: {found:?}"
        );
    }
    assert!(
        found.iter().all(|f| !f.id.is_empty()),
        "{token}: find_all found an empty id: {found:?}"
    );
    delete_and_check_gone(p, c, token, &id, &updated, &outputs).await;
}

/// Reads the resource back and checks that every property read back equals
/// what was declared: no drift right after the type's own change.
async fn read_equals(
    rt: &dyn ResourceType,
    c: &CallContext,
    id: &str,
    declared: &Map,
    outputs: &Map,
    token: &str,
    after: &str,
) {
    let read: Option<ReadResult> = rt
        .read(c, id, declared, outputs)
        .await
        .unwrap_or_else(|e| panic!("{token}: read after {after}: {e}"));
    let read = read.unwrap_or_else(|| panic!("{token}: {id} does not read back after {after}"));
    for (k, v) in &read.inputs {
        assert_eq!(
            declared.get(k),
            Some(v),
            "{token}: `{k}` reads back other than declared after {after}"
        );
    }
    for (k, v) in declared {
        if let Some(out) = read.outputs.get(k) {
            assert_eq!(
                out, v,
                "{token}: output `{k}` differs from the input after {after}"
            );
        }
    }
}
