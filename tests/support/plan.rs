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
        .map(|c| (c["address"].as_str().unwrap_or_default().to_string(), c["action"].as_str().unwrap_or_default().to_string()))
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
        .map(|d| d.iter().filter_map(|p| p["property"].as_str().map(str::to_string)).collect())
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
    pairs.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}
