//! Command-line arguments. Global options are accepted before or after the
//! subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "skistack",
    version,
    about = "Declarative infrastructure from TOML stack files",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Directory of the stack files.
    #[arg(
        long,
        global = true,
        default_value = "stacks",
        env = "SKISTACK_STACKS_DIR"
    )]
    pub stacks_dir: PathBuf,
    /// Environment: each has its own state and may have a stacks/NAME.ENV.toml overlay.
    #[arg(long, global = true, default_value = "default", env = "SKISTACK_ENV")]
    pub env: String,
    /// Set a config value for this run (repeatable), e.g. -c az_count=3.
    #[arg(short = 'c', long = "config", global = true, value_name = "KEY=VALUE")]
    pub config: Vec<String>,
    /// State file (default: .skistack/state.db beside the stacks directory).
    #[arg(long, global = true, env = "SKISTACK_STATE")]
    pub state: Option<PathBuf>,
    /// Apply without asking for confirmation.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Point every AWS client at this endpoint (a local emulator).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// More output: unchanged resources, provider API call counts.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show what `up` would change.
    Preview(PreviewArgs),
    /// Apply a stack.
    Up(UpArgs),
    /// Delete every resource of a stack (or of all deployed stacks).
    Destroy(DestroyArgs),
    /// Parse and type-check stacks, with no cloud calls.
    Validate { stacks: Vec<String> },
    /// Show a stack's outputs.
    Outputs(OutputsArgs),
    /// Show the history of updates of a stack.
    History { stack: String },
    /// Print a stack's dependency graph.
    Graph {
        stack: String,
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
    },
    /// Read or change config values kept in the state.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// List the resource types and data sources, or show one type's schema.
    Types { token: Option<String> },
}

#[derive(Args, Debug)]
pub struct PreviewArgs {
    /// Stacks to preview (default: all, in dependency order).
    pub stacks: Vec<String>,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit with code 3 when anything would change.
    #[arg(long)]
    pub expect_no_changes: bool,
    /// Limit the plan to these resources and what they depend on.
    #[arg(long)]
    pub target: Vec<String>,
}

#[derive(Args, Debug)]
pub struct UpArgs {
    pub stack: String,
    /// How many steps may run at once.
    #[arg(long, default_value_t = 32)]
    pub parallel: usize,
    /// Limit the update to these resources and what they depend on.
    #[arg(long)]
    pub target: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DestroyArgs {
    /// The stack (default: every deployed stack, dependents first).
    pub stack: Option<String>,
    #[arg(long, default_value_t = 32)]
    pub parallel: usize,
    /// Destroy even when another deployed stack reads this stack's outputs.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct OutputsArgs {
    pub stack: String,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Subcommand, Debug)]
pub enum ConfigAction {
    /// Set a value: skistack config set STACK KEY VALUE.
    Set {
        stack: String,
        key: String,
        value: String,
    },
    /// Print a value.
    Get { stack: String, key: String },
    /// Remove a value.
    Rm { stack: String, key: String },
    /// List the resolved config and where each value comes from.
    List { stack: String },
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}
