//! The bottom layer: values, schemas, source positions and diagnostics,
//! instance addresses and durations. It imports nothing else of the engine,
//! so every layer above can use it without a cycle.

mod address;
mod duration;
mod schema;
mod source;
mod value;

pub use address::{Address, AddressError, InstanceKey};
pub use duration::{format_duration, parse_duration};
pub use schema::{Attribute, Property, TypeSchema, ValueType};
pub use source::{Diagnostic, Location, Pos, SourceFile, Span, did_you_mean};
pub use value::{Map, Value};
