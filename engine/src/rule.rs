//! The interface of policy rules: what a provider implements so that every
//! plan is judged before anything is applied. A rule sees the planned
//! inputs of one resource (and the other planned resources, for rules that
//! need them) and returns what it finds wrong, naming the property that
//! causes it. Rules only read: they make no cloud call and change nothing,
//! so running them on every preview is safe.

use std::fmt;

use crate::base::{Map, Value};

/// How bad a finding is, lowest first, so `>=` compares with a threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, worst first (the order findings print in).
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The severity's name in output and in stack files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity a name stands for.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is: its id, how bad breaking it is, and what to tell the
/// user (a one-line title, why it matters, how to fix it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub reason: String,
    pub fix: String,
}

/// One resource as planned: its address, type and inputs (with schema
/// defaults applied; a value not known until up is `Unknown`).
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub address: &'a str,
    pub type_token: &'a str,
    pub inputs: &'a Map,
}

impl<'a> Subject<'a> {
    /// A property's planned value, if declared or defaulted.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.inputs.get(name)
    }
}

/// What a rule found wrong with one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The top-level property that causes it; `None` when what is wrong is
    /// a property left out (the finding points at the declaration).
    pub property: Option<String>,
    /// What exactly is wrong, in a sentence; never a secret's value.
    pub detail: String,
}

impl Violation {
    /// A violation caused by `property`.
    pub fn at(property: &str, detail: impl Into<String>) -> Violation {
        Violation {
            property: Some(property.to_string()),
            detail: detail.into(),
        }
    }

    /// A violation caused by a property the declaration leaves out.
    pub fn missing(detail: impl Into<String>) -> Violation {
        Violation {
            property: None,
            detail: detail.into(),
        }
    }
}

/// A policy rule: judges the planned resources of the types it knows.
pub trait PolicyRule: Send + Sync {
    /// The rule's id, severity and texts.
    fn info(&self) -> &RuleInfo;

    /// Whether the rule judges resources of type `type_token`.
    fn judges(&self, type_token: &str) -> bool;

    /// What is wrong with `subject`, if anything. A value not known yet is
    /// not judged (it is judged once known).
    fn check(&self, subject: &Subject<'_>) -> Vec<Violation>;
}
