//! skistack's engine: stack files, expressions, the dependency graph, the
//! planner and the executor, and the interfaces that providers and the state
//! store implement. It knows nothing of any cloud or database.

pub mod apply;
pub mod duration;
pub mod events;
pub mod expr;
pub mod failpoint;
pub mod graph;
pub mod import;
pub mod lock;
pub mod plan;
pub mod process;
pub mod project;
pub mod provider;
pub mod recovery;
pub mod refresh;
pub mod schema;
pub mod source;
pub mod stack;
pub mod state;
pub mod validate;
pub mod value;
pub mod walk;

pub use provider::{
    CallContext, Created, DataSource, Provider, ProviderError, ReadResult, Registry, ResourceType,
};
pub use schema::{Attribute, Property, TypeSchema, ValueType};
pub use source::{Diagnostic, Pos, SourceFile, Span};
pub use state::{StackKey, StateError, StateStore};
pub use value::{Map, Value};
