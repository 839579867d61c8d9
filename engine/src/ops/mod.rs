//! The operations, on top of every other layer: the [`Project`] facade
//! (stack files, providers, state) and the workflows the CLI offers, each a
//! library function that returns a report for the CLI to render.

mod import;
mod lock;
mod project;
mod refresh;

pub use import::Imported;
pub use lock::{Holder, LockGuard, Takeover, describe};
pub use project::{Loaded, Project};
