//! The operations, on top of every other layer: the [`Project`] facade
//! (stack files, providers, state) and the workflows the CLI offers (up,
//! preview, destroy, refresh, import), each a library function that talks
//! to the user through a [`Frontend`] and returns a report for the CLI to
//! render.

mod config;
mod destroy;
mod frontend;
mod import;
mod lock;
mod migrate;
mod preview;
mod project;
mod refresh;
mod saved;
mod up;
mod workflow;

pub use destroy::{DestroyOptions, DestroyReport, destroy};
pub use frontend::Frontend;
pub use import::Imported;
pub use lock::{Holder, LockGuard, Takeover, describe};
pub use migrate::{MigrateReport, MigratedStack, migrate};
pub use preview::{PreviewOptions, PreviewReport, StackPreview, preview};
pub use project::{Loaded, Project};
pub use refresh::{RefreshOptions, RefreshReport, refresh_stack};
pub use saved::{Fingerprint, SAVED_PLAN_FORMAT, SavedPlan};
pub use up::{UpOptions, UpReport, up};
pub use workflow::take_lock;
