//! `std:Command`: runs shell commands when the resource is created, updated
//! and deleted, for the glue no provider covers.

use std::path::PathBuf;

use async_trait::async_trait;
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, Value, ValueType,
};

use crate::props::{any_secret, keep_attributes, opt_str, random_id, req_str, string_map};
use crate::shell::{Printed, Script};

/// Environment variable holding the stack's name.
pub const ENV_STACK: &str = "SKISTACK_STACK";
/// Environment variable holding the stack's environment (`--env`).
pub const ENV_ENV: &str = "SKISTACK_ENV";
/// Environment variable holding the resource's logical name.
pub const ENV_RESOURCE: &str = "SKISTACK_RESOURCE";
/// Environment variable holding the operation id: the same for every attempt
/// of one create (a retry after a crash included), so a command can use it
/// as an idempotency key.
pub const ENV_OPERATION_ID: &str = "SKISTACK_OPERATION_ID";
/// Environment variable holding the recorded stdout, for `update` and `delete`.
pub const ENV_STDOUT: &str = "SKISTACK_STDOUT";
/// Environment variable holding the recorded stderr, for `update` and `delete`.
pub const ENV_STDERR: &str = "SKISTACK_STDERR";

/// The `std:Command` resource type.
pub struct Command {
    schema: TypeSchema,
}

impl Command {
    /// The type token.
    pub const TOKEN: &'static str = "std:Command";

    /// The type with its schema.
    pub fn new() -> Command {
        let schema = TypeSchema::new(
            Self::TOKEN,
            "Runs shell commands (`sh -c`) when the resource is created, updated and deleted. \
             Commands see SKISTACK_STACK, SKISTACK_ENV and SKISTACK_RESOURCE in their \
             environment, and SKISTACK_OPERATION_ID, which stays the same when a create \
             interrupted by a crash is retried (an idempotency key). A command that exits \
             non-zero fails the step.",
        )
        .properties([
            Property::required("create", ValueType::String)
                .force_new()
                .describe(
                    "The command run on create. Its stdout and stderr become the `stdout` and \
                 `stderr` attributes. Changing it replaces the resource.",
                ),
            Property::optional("update", ValueType::String).describe(
                "The command run when `update`, `delete`, `dir` or `environment` change. It sees \
             the previous output in SKISTACK_STDOUT and SKISTACK_STDERR, and its own output \
             replaces `stdout` and `stderr`. Without it an update only records the new values.",
            ),
            Property::optional("delete", ValueType::String).describe(
                "The command run on delete. It sees the recorded stdout in SKISTACK_STDOUT and \
             stderr in SKISTACK_STDERR.",
            ),
            Property::optional("dir", ValueType::String).describe(
                "The working directory, relative to the stack file's directory. Defaults to the \
             stack file's directory.",
            ),
            Property::optional("environment", ValueType::map(ValueType::String))
                .describe("Extra environment variables for every command."),
            Property::optional("triggers", ValueType::Any)
                .force_new()
                .describe(
                    "Any value; when it changes the resource is replaced, so the \
                           `delete` and `create` commands run again.",
                ),
        ])
        .attributes([
            Attribute::new("stdout", ValueType::String).describe(
                "What the last `create` or `update` command printed on stdout, without one \
             trailing newline. Secret when the command or its environment is.",
            ),
            Attribute::new("stderr", ValueType::String).describe(
                "What the last `create` or `update` command printed on stderr, without one \
             trailing newline. Secret when the command or its environment is.",
            ),
        ]);
        Command { schema }
    }
}

impl Default for Command {
    fn default() -> Self {
        Command::new()
    }
}

/// The working directory: `dir` against the stack's directory (an absolute
/// `dir` stands alone), or the stack's directory itself. `None` when neither
/// is set, i.e. the current directory.
fn working_dir(ctx: &CallContext, inputs: &Map) -> Result<Option<PathBuf>, ProviderError> {
    let dir = match opt_str(inputs, "dir")? {
        Some(d) => ctx.stack_dir.join(d),
        None => ctx.stack_dir.clone(),
    };
    Ok((!dir.as_os_str().is_empty()).then_some(dir))
}

/// The user's environment, then ours, so SKISTACK_* can be relied upon.
fn environment(ctx: &CallContext, inputs: &Map) -> Result<Vec<(String, String)>, ProviderError> {
    let mut env = string_map(inputs, "environment")?;
    env.push((ENV_STACK.to_string(), ctx.stack.clone()));
    env.push((ENV_ENV.to_string(), ctx.env.clone()));
    env.push((ENV_RESOURCE.to_string(), ctx.resource.clone()));
    env.push((ENV_OPERATION_ID.to_string(), ctx.operation_id.clone()));
    Ok(env)
}

/// The previously recorded output, revealed, for SKISTACK_STDOUT/STDERR.
fn recorded(outputs: &Map) -> Vec<(String, String)> {
    let get = |name: &str| {
        outputs
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    vec![
        (ENV_STDOUT.to_string(), get("stdout")),
        (ENV_STDERR.to_string(), get("stderr")),
    ]
}

/// The inputs plus what the command printed, secret when what produced it is.
fn with_printed(inputs: &Map, printed: Printed, role: &str) -> Map {
    let secret = any_secret(inputs, &[role, "environment"]);
    let wrap = |s: String| {
        if secret {
            Value::secret(Value::String(s))
        } else {
            Value::String(s)
        }
    };
    let mut out = inputs.clone();
    out.insert("stdout".to_string(), wrap(printed.stdout));
    out.insert("stderr".to_string(), wrap(printed.stderr));
    out
}

#[async_trait]
impl ResourceType for Command {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    /// The command gets the intent's operation id (`SKISTACK_OPERATION_ID`)
    /// as its idempotency token.
    fn idempotent_create(&self) -> bool {
        true
    }

    /// Like the default, except that an update running an `update` command
    /// makes `stdout` and `stderr` unknown again.
    fn preview(&self, inputs: &Map, prior_outputs: Option<&Map>) -> Map {
        let runs_update = inputs
            .get("update")
            .is_some_and(|v| !matches!(v.unwrap_secret().0, Value::Null));
        let mut out = inputs.clone();
        for a in &self.schema.attributes {
            let v = match prior_outputs {
                Some(prior) if !runs_update => {
                    prior.get(&a.name).cloned().unwrap_or(Value::Unknown)
                }
                _ => Value::Unknown,
            };
            out.insert(a.name.clone(), v);
        }
        out
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let script = Script {
            role: "create",
            script: req_str(inputs, "create")?,
            dir: working_dir(ctx, inputs)?,
            env: environment(ctx, inputs)?,
        };
        let printed = script.run().await?;
        Ok(Created {
            id: random_id(),
            outputs: with_printed(inputs, printed, "create"),
        })
    }

    /// What a command did cannot be read back; the recorded values stand.
    async fn read(
        &self,
        _ctx: &CallContext,
        _id: &str,
        inputs: &Map,
        outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        Ok(Some(ReadResult {
            inputs: inputs.clone(),
            outputs: outputs.clone(),
        }))
    }

    async fn update(
        &self,
        ctx: &CallContext,
        _id: &str,
        _old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        let Some(update) = opt_str(new_inputs, "update")? else {
            // Validate what the next delete will use, so a mistake shows now.
            environment(ctx, new_inputs)?;
            working_dir(ctx, new_inputs)?;
            return Ok(keep_attributes(&self.schema, new_inputs, old_outputs));
        };
        let mut env = environment(ctx, new_inputs)?;
        env.extend(recorded(old_outputs));
        let script = Script {
            role: "update",
            script: update,
            dir: working_dir(ctx, new_inputs)?,
            env,
        };
        let printed = script.run().await?;
        Ok(with_printed(new_inputs, printed, "update"))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        _id: &str,
        inputs: &Map,
        outputs: &Map,
    ) -> Result<(), ProviderError> {
        let Some(delete) = opt_str(inputs, "delete")? else {
            return Ok(());
        };
        let mut env = environment(ctx, inputs)?;
        env.extend(recorded(outputs));
        let script = Script {
            role: "delete",
            script: delete,
            dir: working_dir(ctx, inputs)?,
            env,
        };
        script.run().await.map(drop)
    }
}
