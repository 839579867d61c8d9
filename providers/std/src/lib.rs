//! skistack's built-in `std` provider: resource types that live only in the
//! state or on the machine running skistack.
//!
//! - `std:Data` keeps a value and mirrors it as `output`.
//! - `std:Sleep` waits on create and on delete.
//! - `std:RandomString` generates a string once and keeps it.
//! - `std:Command` runs shell commands on create, update and delete.

mod command;
mod data;
mod props;
mod random_string;
mod shell;
mod sleep;

use std::sync::Arc;

use skistack_engine::{DataSource, Provider, ResourceType};

pub use command::{Command, ENV_ENV, ENV_RESOURCE, ENV_STACK, ENV_STDERR, ENV_STDOUT};
pub use data::Data;
pub use random_string::{DEFAULT_LENGTH, DEFAULT_SPECIAL, MAX_LENGTH, RandomString};
pub use shell::STDERR_TAIL_LINES;
pub use sleep::Sleep;

/// The `std` provider.
pub struct StdProvider {
    resources: Vec<Arc<dyn ResourceType>>,
}

impl StdProvider {
    /// The provider's name, the first part of its type tokens.
    pub const NAME: &'static str = "std";

    /// The provider with every `std` type.
    pub fn new() -> StdProvider {
        StdProvider {
            resources: vec![
                Arc::new(Data::new()),
                Arc::new(Sleep::new()),
                Arc::new(RandomString::new()),
                Arc::new(Command::new()),
            ],
        }
    }
}

impl Default for StdProvider {
    fn default() -> Self {
        StdProvider::new()
    }
}

impl Provider for StdProvider {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn resource_types(&self) -> Vec<Arc<dyn ResourceType>> {
        self.resources.clone()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}
