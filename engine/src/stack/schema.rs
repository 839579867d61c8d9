//! The JSON Schema (draft-07) of stack files, for editors (taplo, Even
//! Better TOML) to complete and check them as they are typed. It is built
//! from the registry's type schemas and the loader's own key lists, so it
//! can never name a key the loader does not know nor miss one it does.
//!
//! Safe because it is advice, never the authority: `skistack validate`
//! still checks every file. It is deliberately no stricter than the loader
//! where the loader accepts something (any property may be a string holding
//! a `${ }` expression), and it rejects unknown keys exactly where the
//! loader or the validator does. Each declaration picks its type's schema
//! by `oneOf` with a `const` on `type`: taplo documents draft-4 features
//! (which `if`/`then` is not) and resolves `oneOf` branches for completion.

use serde_json::{Map as JMap, Value as J, json};

use super::load::{
    CONFIG_DECL_KEYS, CONFIG_TYPES, ConfigKey, DECL_KEYS, DeclKey, OPTIONS, RESERVED_NAMES,
    SECTIONS, STACK_KEYS, Section,
};
use super::model::DeclKind;
use crate::base::{Property, TypeSchema, ValueType};
use crate::provider::Registry;

/// The `$schema` the document declares.
const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// The JSON Schema of a stack file for the types `registry` offers.
pub fn stack_json_schema(registry: &Registry) -> J {
    let mut defs = JMap::new();
    let resources: Vec<&TypeSchema> = registry
        .resource_tokens()
        .filter_map(|t| registry.resource(t).map(|r| r.schema()))
        .collect();
    let data: Vec<&TypeSchema> = registry
        .data_tokens()
        .filter_map(|t| registry.data_source(t).map(|d| d.schema()))
        .collect();
    let resource_refs = type_defs(&resources, DeclKind::Resource, &mut defs);
    let data_refs = type_defs(&data, DeclKind::Data, &mut defs);
    defs.insert("options".into(), options_schema());
    let mut sections = JMap::new();
    for (name, section) in SECTIONS {
        let s = match section {
            Section::Stack => stack_section(),
            Section::Config => config_section(),
            Section::Data => decls_section(data_refs.clone(), "Data lookups: [data.NAME]"),
            Section::Resources => {
                decls_section(resource_refs.clone(), "Resources: [resources.NAME]")
            }
            Section::Outputs => json!({
                "type": "object",
                "description": "Values the stack publishes: a literal or a `${ }` expression each",
            }),
            Section::Moved => refactor_section(
                "Addresses that changed: the state follows, with no cloud call",
                json!({ "from": address_schema(), "to": address_schema() }),
                &["from", "to"],
            ),
            Section::Removed => refactor_section(
                "Declarations dropped on purpose: deleted (destroy = true) or only forgotten",
                json!({
                    "from": address_schema(),
                    "destroy": { "type": "boolean", "description": "false keeps it in the cloud" },
                }),
                &["from", "destroy"],
            ),
        };
        sections.insert(name.to_string(), s);
    }
    json!({
        "$schema": DRAFT,
        "title": "skistack stack file",
        "type": "object",
        "properties": sections,
        "additionalProperties": false,
        "definitions": defs,
    })
}

/// An instance or declaration address, as `[[moved]]` and `[[removed]]`
/// take it.
fn address_schema() -> J {
    json!({
        "type": "string",
        "description": "An address: `name`, `name[0]` or `name[\"key\"]`",
    })
}

/// `[[moved]]` or `[[removed]]`: an array of tables with `props`.
fn refactor_section(description: &str, props: J, required: &[&str]) -> J {
    json!({
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "properties": props,
            "required": required,
            "additionalProperties": false,
        },
    })
}

/// One definition per type, keyed by kind and token; returns the `$ref`s.
fn type_defs(types: &[&TypeSchema], kind: DeclKind, defs: &mut JMap<String, J>) -> Vec<J> {
    let prefix = if kind == DeclKind::Data {
        "data"
    } else {
        "resource"
    };
    types
        .iter()
        .map(|t| {
            let key = format!("{prefix}:{}", t.token);
            defs.insert(key.clone(), decl_schema(t, kind));
            json!({ "$ref": format!("#/definitions/{key}") })
        })
        .collect()
}

/// `[data]` or `[resources]`: a table of named declarations.
fn decls_section(refs: Vec<J>, description: &str) -> J {
    json!({
        "type": "object",
        "description": description,
        "propertyNames": {
            // The loader's `valid_name`: a letter or `_`, then letters,
            // digits, `_` and `-`.
            "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$",
            "not": { "enum": RESERVED_NAMES },
        },
        "additionalProperties": {
            "type": "object",
            "required": ["type"],
            "oneOf": refs,
        },
    })
}

/// One declaration of a type: the language's keys and the type's properties.
fn decl_schema(t: &TypeSchema, kind: DeclKind) -> J {
    let mut props = JMap::new();
    for (key, which) in DECL_KEYS {
        let s = match which {
            DeclKey::Type => json!({ "const": t.token, "description": t.description }),
            DeclKey::Count => json!({
                "type": ["integer", "string"],
                "description": "How many instances (NAME[0], NAME[1], ...): an integer or an expression",
            }),
            DeclKey::ForEach => json!({
                "type": ["array", "object", "string"],
                "description": "One instance per item of a list or entry of a table (NAME[\"key\"])",
            }),
            // Options of a data lookup are not options: the loader takes them
            // as a property, which the validator rejects.
            DeclKey::Options if kind == DeclKind::Data => continue,
            DeclKey::Options => json!({ "$ref": "#/definitions/options" }),
        };
        props.insert(key.to_string(), s);
    }
    for p in &t.properties {
        props.insert(p.name.clone(), property_schema(p));
    }
    let mut required = vec![J::from("type")];
    required.extend(
        t.properties
            .iter()
            .filter(|p| p.required && p.default.is_none())
            .map(|p| J::from(p.name.clone())),
    );
    json!({
        "type": "object",
        "description": t.description,
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

/// A property: its type, description and default.
fn property_schema(p: &Property) -> J {
    let mut s = value_schema(&p.ty);
    if let J::Object(o) = &mut s {
        let mut description = p.description.clone();
        if p.force_new {
            description.push_str(" (a change replaces the resource)");
        }
        if !description.is_empty() {
            o.insert(
                "description".into(),
                J::from(description.trim().to_string()),
            );
        }
        if let Some(d) = &p.default {
            o.insert("default".into(), d.to_display_json(false));
        }
    }
    s
}

/// The schema of a value of `ty`. Strings are accepted everywhere: a string
/// may be an expression yielding any type.
fn value_schema(ty: &ValueType) -> J {
    match ty {
        ValueType::Any => json!({}),
        ValueType::String | ValueType::Duration => json!({ "type": "string" }),
        ValueType::Int => json!({ "type": ["integer", "string"] }),
        ValueType::Number => json!({ "type": ["number", "string"] }),
        ValueType::Bool => json!({ "type": ["boolean", "string"] }),
        ValueType::List(of) => json!({ "type": ["array", "string"], "items": value_schema(of) }),
        ValueType::Map(of) => json!({
            "type": ["object", "string"],
            "additionalProperties": value_schema(of),
        }),
        ValueType::Object(props) => {
            let properties: JMap<String, J> = props
                .iter()
                .map(|p| (p.name.clone(), property_schema(p)))
                .collect();
            let required: Vec<&str> = props
                .iter()
                .filter(|p| p.required)
                .map(|p| p.name.as_str())
                .collect();
            json!({
                "type": ["object", "string"],
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        }
    }
}

/// A resource's `options` table.
fn options_schema() -> J {
    let props: JMap<String, J> = OPTIONS
        .iter()
        .map(|(key, kind)| {
            let s = if kind.takes_names() {
                json!({
                    "type": "array",
                    "items": { "type": "string" },
                    "description": "a list of names",
                })
            } else {
                json!({ "type": "boolean" })
            };
            (key.to_string(), s)
        })
        .collect();
    json!({
        "type": "object",
        "description": "Resource options",
        "properties": props,
        "additionalProperties": false,
    })
}

/// `[stack]`: its description, nothing else.
fn stack_section() -> J {
    let props: JMap<String, J> = STACK_KEYS
        .iter()
        .map(|k| (k.to_string(), json!({ "type": "string" })))
        .collect();
    json!({
        "type": "object",
        "description": "About the stack",
        "properties": props,
        "additionalProperties": false,
    })
}

/// `[config]`: each entry a plain value, or a typed declaration (a table
/// whose `type` is a string; the loader rejects one naming no config type).
fn config_section() -> J {
    let mut props = JMap::new();
    for (key, which) in CONFIG_DECL_KEYS {
        let s = match which {
            ConfigKey::Type => json!({ "enum": CONFIG_TYPES }),
            ConfigKey::Default => json!({}),
            ConfigKey::Description => json!({ "type": "string" }),
            ConfigKey::Secret => json!({ "type": "boolean" }),
            ConfigKey::Validation => json!({
                "type": "array",
                "description": "Rules the value must pass",
                "items": {
                    "type": "object",
                    "required": ["condition", "message"],
                    "properties": {
                        "condition": { "type": "string", "description": "\"${...}\": true when the value is acceptable" },
                        "message": { "type": "string", "description": "What to say when it is not" },
                    },
                    "additionalProperties": false,
                },
            }),
        };
        props.insert(key.to_string(), s);
    }
    let typed = json!({
        "type": "object",
        "required": ["type"],
        "properties": props,
        "additionalProperties": false,
    });
    let plain = json!({
        "not": {
            "type": "object",
            "required": ["type"],
            "properties": { "type": { "type": "string" } },
        },
    });
    json!({
        "type": "object",
        "description": "Config values: a plain value, or { type, default, description, secret, validation }",
        "additionalProperties": { "anyOf": [typed, plain] },
    })
}
