//! Helpers shared by the modules of this test binary: a call context and
//! property maps.

use std::path::Path;
use std::sync::Arc;

use skistack_engine::{CallContext, Map, Value};

/// A context for a resource `name` of stack `demo`, env `dev`, whose stack
/// file lives in `dir`.
pub fn ctx(name: &str, type_token: &str, dir: &Path) -> CallContext {
    CallContext {
        stack: "demo".to_string(),
        env: "dev".to_string(),
        resource: name.to_string(),
        type_token: type_token.to_string(),
        config: Arc::new(Map::new()),
        operation_id: "op-1".to_string(),
        stack_dir: dir.to_path_buf(),
    }
}

/// A property map from pairs.
pub fn map(pairs: &[(&str, Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}
