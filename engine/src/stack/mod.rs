//! Stack files: the model of a parsed stack and the loader that builds it
//! from TOML, keeping the source position of everything for diagnostics.

mod config;
mod load;
mod model;
mod refactor;
mod rules;
mod schema;

pub use config::{
    ConfigLayer, ConfigSources, check_config_key, parse_cli_value, resolve_config, type_name,
};
pub use load::{list_stack_names, load_overlay, load_stack, load_stack_source};
pub use model::{ConfigRule, Decl, DeclKind, MoveDecl, RemovedDecl, Stack};
pub use schema::stack_json_schema;
