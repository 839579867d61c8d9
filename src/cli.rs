//! Command-line arguments. Global options are accepted before or after the
//! subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use skistack_engine::{PolicyMode, PolicySettings, Severity};

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
    /// Where the state lives: a file path (default: .skistack/state.db
    /// beside the stacks directory), or s3://BUCKET/PREFIX[?region=R] for a
    /// state shared between machines.
    #[arg(
        long,
        global = true,
        value_name = "PATH_OR_URL",
        env = "SKISTACK_STATE"
    )]
    pub state: Option<String>,
    /// What encrypts the state's secrets: `awskms://KEY-ID-OR-ALIAS[?region=R]`
    /// (an AWS KMS key), `passphrase` (SKISTACK_PASSPHRASE),
    /// `file://PATH` (a key file), or `keyfile`, the default: the key file
    /// $XDG_CONFIG_HOME/skistack/state.key (~/.config/skistack/state.key).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "SKISTACK_SECRETS_PROVIDER"
    )]
    pub secrets_provider: Option<String>,
    /// Apply without asking for confirmation.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Point every AWS client at this endpoint (a local emulator).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// More output: unchanged resources, provider API call counts.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When another live process holds the stack's lock, wait this long for
    /// it (e.g. 60s, 5m) instead of failing at once.
    #[arg(long, global = true, value_name = "DURATION", env = "SKISTACK_LOCK_WAIT",
          value_parser = skistack_engine::parse_duration)]
    pub lock_wait: Option<std::time::Duration>,
    /// The most AWS API calls in flight at once per service, whatever
    /// --parallel is, to stay under AWS's API rate limits.
    #[arg(long, global = true, value_name = "N", env = "SKISTACK_AWS_MAX_CONCURRENCY",
          default_value_t = skistack_provider_aws::limits::DEFAULT_MAX_CONCURRENCY,
          value_parser = parse_concurrency)]
    pub aws_max_concurrency: usize,
    /// How long after an interrupted create began recovery waits for its
    /// request to land before concluding it made nothing (e.g. 30s; 0s for
    /// an emulator that runs each request before answering it).
    #[arg(long, global = true, value_name = "DURATION", env = "SKISTACK_AWS_LANDING_WINDOW",
          value_parser = parse_window)]
    pub aws_landing_window: Option<std::time::Duration>,
}

/// A duration such as 30s or 2m (the error says how to write one).
fn parse_window(s: &str) -> Result<std::time::Duration, String> {
    skistack_engine::parse_duration(s.trim())
}

/// A positive number of calls.
fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "expected a number of calls of at least 1, got {s:?}"
        )),
    }
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
    /// List the built-in functions of expressions, or show one function.
    Functions { name: Option<String> },
    /// Release a stack's lock left by a process that is gone (asks unless --yes).
    Unlock { stack: String },
    /// Read every resource back and record what changed outside skistack.
    Refresh(RefreshArgs),
    /// Adopt an existing cloud resource under a name the stack file declares.
    Import(ImportArgs),
    /// Inspect or edit a stack's recorded resources.
    State {
        #[command(subcommand)]
        action: StateAction,
    },
    /// Print the JSON Schema of stack files (for editors such as taplo).
    Schema,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

/// The shells `completions` writes for.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl From<CompletionShell> for clap_complete::Shell {
    fn from(s: CompletionShell) -> clap_complete::Shell {
        match s {
            CompletionShell::Bash => clap_complete::Shell::Bash,
            CompletionShell::Zsh => clap_complete::Shell::Zsh,
            CompletionShell::Fish => clap_complete::Shell::Fish,
        }
    }
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
    /// Read every resource first and plan against what the cloud has now
    /// (records nothing).
    #[arg(long)]
    pub refresh: bool,
    /// Save the plan of the one stack named to FILE, for `up --plan FILE`
    /// to apply as reviewed (no secret's value is in it).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// How policy findings are treated.
#[derive(Args, Debug, Clone, Copy)]
pub struct PolicyArgs {
    /// `enforce` makes up refuse (exit code 5, applying nothing) while a
    /// finding at or above --policy-threshold remains; `advisory` only
    /// reports.
    #[arg(long, value_enum, default_value_t = PolicyModeArg::Advisory)]
    pub policy: PolicyModeArg,
    /// The lowest severity that stops an up in enforce mode.
    #[arg(long, value_enum, default_value_t = SeverityArg::High)]
    pub policy_threshold: SeverityArg,
}

impl PolicyArgs {
    /// The settings the engine takes.
    pub fn settings(&self) -> PolicySettings {
        PolicySettings {
            mode: match self.policy {
                PolicyModeArg::Advisory => PolicyMode::Advisory,
                PolicyModeArg::Enforce => PolicyMode::Enforce,
            },
            threshold: match self.policy_threshold {
                SeverityArg::Low => Severity::Low,
                SeverityArg::Medium => Severity::Medium,
                SeverityArg::High => Severity::High,
                SeverityArg::Critical => Severity::Critical,
            },
        }
    }
}

/// `--policy`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum PolicyModeArg {
    Advisory,
    Enforce,
}

/// `--policy-threshold`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
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
    /// Read every resource first, record what changed outside skistack, and
    /// plan against it.
    #[arg(long)]
    pub refresh: bool,
    /// Apply the plan `preview --out FILE` saved, without asking; refuses,
    /// changing nothing, when the stack file, config or state changed since.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["target", "refresh"])]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
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

#[derive(Args, Debug)]
pub struct RefreshArgs {
    pub stack: String,
    /// Only report; exit with code 3 when anything changed outside skistack.
    #[arg(long)]
    pub expect_no_changes: bool,
    /// How many resources may be read at once.
    #[arg(long, default_value_t = 32)]
    pub parallel: usize,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    pub stack: String,
    /// The declared instance to import as, e.g. `vpc` or `subnet[0]`.
    pub name: String,
    /// The resource's id in the cloud, e.g. vpc-0abc.
    pub id: String,
}

#[derive(Subcommand, Debug)]
pub enum StateAction {
    /// List the recorded resources of a stack.
    List { stack: String },
    /// Show everything recorded for one resource.
    Show { stack: String, name: String },
    /// Drop a resource from the state without deleting it.
    Forget { stack: String, name: String },
    /// Re-wrap every stack's secrets key with another secrets provider
    /// (awskms://KEY, passphrase, file://PATH, keyfile); the current one must still be configured.
    ChangeSecretsProvider {
        /// The new provider; `passphrase` reads SKISTACK_NEW_PASSPHRASE
        /// (else SKISTACK_PASSPHRASE).
        url: String,
    },
    /// Copy every stack and environment (resources, pending operations,
    /// outputs, config, history) into another, empty state (a file or
    /// s3://BUCKET/PREFIX), verify the copy, and leave this one untouched.
    Migrate {
        /// Where the copy goes: a path, file://PATH or s3://BUCKET/PREFIX[?region=R].
        #[arg(long)]
        to: String,
        /// The secrets provider of the copy (default: this state's, as
        /// --secrets-provider says); `passphrase` reads SKISTACK_NEW_PASSPHRASE
        /// (else SKISTACK_PASSPHRASE).
        #[arg(long, value_name = "URL")]
        to_secrets_provider: Option<String>,
    },
}
