//! Crash points for tests: the process dies at a chosen moment of a step,
//! exactly as a `kill -9` there would leave it, so that recovery can be
//! tested at each moment rather than at random ones.
//!
//! `SKISTACK_FAILPOINT=after-create:subnet` aborts the process once the
//! provider has created `subnet` and before the state records it. The
//! points are `after-create`, `after-update` and `after-delete` (the
//! provider call returned, its outcome is not recorded). Several points
//! can be given, separated by commas. Unset, nothing happens.

use std::sync::OnceLock;

/// The environment variable naming the crash points.
pub const ENV: &str = "SKISTACK_FAILPOINT";

/// A moment of a step at which a test may crash the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Each point is after a provider call: the prefix is the meaning.
#[allow(clippy::enum_variant_names)]
pub enum Point {
    /// The provider created the resource; the state does not know it yet.
    AfterCreate,
    /// The provider updated the resource; the state still has the old inputs.
    AfterUpdate,
    /// The provider deleted the resource; the state still records it.
    AfterDelete,
}

impl Point {
    fn name(self) -> &'static str {
        match self {
            Point::AfterCreate => "after-create",
            Point::AfterUpdate => "after-update",
            Point::AfterDelete => "after-delete",
        }
    }
}

fn configured() -> &'static [(String, String)] {
    static POINTS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    POINTS.get_or_init(|| parse(&std::env::var(ENV).unwrap_or_default()))
}

/// `point:address` pairs from the variable's value.
fn parse(text: &str) -> Vec<(String, String)> {
    text.split(',')
        .filter_map(|p| p.trim().split_once(':'))
        .map(|(point, address)| (point.to_string(), address.to_string()))
        .collect()
}

/// Aborts the process, with no cleanup at all, when `point` of `address`
/// is configured.
pub fn hit(point: Point, address: &str) {
    if configured()
        .iter()
        .any(|(p, a)| p == point.name() && a == address)
    {
        eprintln!("failpoint {}:{address}: aborting", point.name());
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_parsed_from_a_comma_separated_list() {
        assert_eq!(
            parse("after-create:subnet[0], after-delete:vpc"),
            vec![
                ("after-create".to_string(), "subnet[0]".to_string()),
                ("after-delete".to_string(), "vpc".to_string())
            ]
        );
        assert!(parse("").is_empty());
        assert!(parse("nonsense").is_empty());
    }
}
