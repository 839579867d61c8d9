//! The provider registers every std type under its token.

use std::sync::Arc;

use skistack_engine::{Provider, Registry};
use skistack_provider_std::StdProvider;

#[test]
fn registers_every_type_with_described_properties() {
    let provider = Arc::new(StdProvider::new());
    assert_eq!(provider.name(), "std");
    let mut registry = Registry::new();
    registry.register(provider);
    let tokens: Vec<&str> = registry.resource_tokens().collect();
    assert_eq!(
        tokens,
        vec!["std:Command", "std:Data", "std:RandomString", "std:Sleep"]
    );
    for token in tokens {
        let schema = registry.resource(token).unwrap().schema();
        assert!(!schema.description.is_empty(), "{token}");
        for p in &schema.properties {
            assert!(!p.description.is_empty(), "{token}.{}", p.name);
        }
        for a in &schema.attributes {
            assert!(!a.description.is_empty(), "{token}.{}", a.name);
        }
    }
    assert_eq!(registry.data_tokens().count(), 0);
}
