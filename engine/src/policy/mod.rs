//! Policy checks: every planned resource is judged by the providers' rules
//! after evaluation and before any provider call, in preview and in up.
//! Findings point at the property that causes them (or at the declaration
//! when a property is left out). In enforce mode, up refuses while a
//! finding at or above the threshold remains.
//!
//! Why it is safe: rules only read planned values; a value not known yet
//! is not judged; a finding's text is the rule's own, never a value, so a
//! secret never prints.

pub use crate::rule::{RuleInfo, Severity, Subject};

use std::fmt;

use crate::base::{Location, Pos};
use crate::plan::{ChangeOp, Plan};
use crate::provider::Registry;
use crate::stack::{DeclKind, Stack};

/// Whether findings only report (the default) or stop an up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyMode {
    #[default]
    Advisory,
    Enforce,
}

impl PolicyMode {
    /// The mode's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyMode::Advisory => "advisory",
            PolicyMode::Enforce => "enforce",
        }
    }
}

impl fmt::Display for PolicyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a run applies the policy: its mode and the lowest severity that
/// stops an up in enforce mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicySettings {
    pub mode: PolicyMode,
    pub threshold: Severity,
}

impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            mode: PolicyMode::Advisory,
            threshold: Severity::High,
        }
    }
}

/// One rule broken by one resource.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: RuleInfo,
    pub address: String,
    pub type_token: String,
    pub detail: String,
    /// The property that causes it, if one does.
    pub property: Option<String>,
    /// Where in the stack file.
    pub at: Location,
}

/// The findings of one stack's plan, worst first.
#[derive(Clone, Debug, Default)]
pub struct PolicyReport {
    pub findings: Vec<Finding>,
    pub settings: PolicySettings,
}

impl PolicyReport {
    /// The findings that stop an up: at or above the threshold, in enforce
    /// mode; none in advisory mode.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        let s = self.settings;
        self.findings
            .iter()
            .filter(move |f| s.mode == PolicyMode::Enforce && f.rule.severity >= s.threshold)
    }
}

/// Judges every resource the plan declares (created, updated, replaced or
/// unchanged) by every rule that knows its type.
pub fn check_plan(
    stack: &Stack,
    plan: &Plan,
    registry: &Registry,
    settings: PolicySettings,
) -> PolicyReport {
    let mut findings = Vec::new();
    for change in &plan.changes {
        if change.kind != DeclKind::Resource {
            continue;
        }
        let at = match &change.op {
            ChangeOp::Create(at)
            | ChangeOp::Update { at, .. }
            | ChangeOp::Replace { at, .. }
            | ChangeOp::Same { at, .. } => at,
            ChangeOp::Read(_) | ChangeOp::Delete(_) | ChangeOp::Forget(..) => continue,
        };
        let subject = Subject {
            address: &change.address,
            type_token: &change.type_token,
            inputs: &at.inputs,
        };
        let decl = &stack.decls[at.decl];
        for rule in registry.policy_rules() {
            if !rule.judges(&change.type_token) {
                continue;
            }
            for v in rule.check(&subject) {
                let span = v
                    .property
                    .as_deref()
                    .and_then(|p| decl.property(p))
                    .map_or(decl.name_span, |p| p.key_span);
                findings.push(Finding {
                    rule: rule.info().clone(),
                    address: change.address.clone(),
                    type_token: change.type_token.clone(),
                    detail: v.detail,
                    property: v.property,
                    at: Pos::new(&stack.file, span).location(),
                });
            }
        }
    }
    findings.sort_by(|a, b| {
        (b.rule.severity.cmp(&a.rule.severity))
            .then_with(|| a.rule.id.cmp(&b.rule.id))
            .then_with(|| a.address.cmp(&b.address))
    });
    PolicyReport { findings, settings }
}
