//! Reading the plans that `skistack preview --json` prints.

use std::collections::BTreeMap;

use serde_json::Value;

/// The plan of `stack` in a `preview --json` document.
pub fn stack_plan<'a>(doc: &'a Value, stack: &str) -> &'a Value {
    doc["stacks"]
        .as_array()
        .and_then(|s| s.iter().find(|p| p["stack"] == stack))
        .unwrap_or_else(|| panic!("no plan for stack `{stack}` in:\n{doc:#}"))
}

fn changes(plan: &Value) -> &[Value] {
    plan["changes"].as_array().map_or(&[], Vec::as_slice)
}

/// Address → action of every resource (not data source) that changes.
pub fn resource_actions(plan: &Value) -> BTreeMap<String, String> {
    changes(plan)
        .iter()
        .filter(|c| c["kind"] == "resource" && c["action"] != "same")
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_string(),
                c["action"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The change of one address.
pub fn change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    changes(plan)
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for `{address}` in:\n{plan:#}"))
}

/// The names of the properties a change's diff lists.
pub fn diff_properties(change: &Value) -> Vec<String> {
    change["diff"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|p| p["property"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The diff entry of one property.
pub fn diff_of<'a>(change: &'a Value, property: &str) -> &'a Value {
    change["diff"]
        .as_array()
        .and_then(|d| d.iter().find(|p| p["property"] == property))
        .unwrap_or_else(|| panic!("no diff of `{property}` in:\n{change:#}"))
}

/// A map of `address → action` from literal pairs, to compare against.
pub fn actions<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// True for the pseudo-properties that the engine keeps in the state beside
/// the inputs (what a resource depends on, its options): changing only these
/// is recorded without a provider call.
fn is_state_only(property: &str) -> bool {
    property == "dependencies" || property.starts_with("options.")
}

/// True when a change is an update of the state's records only.
fn is_state_only_update(change: &Value) -> bool {
    change["action"] == "update" && diff_properties(change).iter().all(|p| is_state_only(p))
}

/// Like [`resource_actions`], without the updates that change only the
/// state's records: the changes that reach the cloud.
pub fn cloud_actions(plan: &Value) -> BTreeMap<String, String> {
    let state_only: Vec<&str> = state_only_updates(plan);
    resource_actions(plan)
        .into_iter()
        .filter(|(address, _)| !state_only.contains(&address.as_str()))
        .collect()
}

/// The addresses of the updates that change only the state's records.
pub fn state_only_updates(plan: &Value) -> Vec<&str> {
    changes(plan)
        .iter()
        .filter(|c| c["kind"] == "resource" && is_state_only_update(c))
        .filter_map(|c| c["address"].as_str())
        .collect()
}
