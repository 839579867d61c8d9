//! `config set`: a value for a stack's config key, checked against the
//! key's declared type (or its default's) before it is recorded, so a
//! wrong value fails here and not in the middle of an up.

use super::project::Project;
use crate::base::{Value, did_you_mean};
use crate::error::EngineError;
use crate::stack::{parse_cli_value, type_name};

impl Project {
    /// Records `text` as the value of config `key` of `stack`, parsed as
    /// the key's type; returns the value recorded.
    pub fn set_config(&self, stack: &str, key: &str, text: &str) -> Result<Value, EngineError> {
        let (parsed, _) = self.parse(stack)?;
        let Some(decl) = parsed.config_decl(key) else {
            let names: Vec<&str> = parsed.config.iter().map(|c| c.name.as_str()).collect();
            let hint = did_you_mean(key, names.iter().copied()).map_or_else(
                || format!("stack `{stack}` declares: {}", names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            return Err(EngineError::Refused(format!(
                "unknown config key `{key}` for stack `{stack}`; {hint}"
            )));
        };
        let declared = decl
            .ty
            .clone()
            .or_else(|| decl.default.as_ref().map(|d| type_name(d).to_string()));
        let v = parse_cli_value(text, declared.as_deref());
        if let Some(ty) = &declared
            && type_name(&v) != ty
            && !(ty == "number" && type_name(&v) == "integer")
        {
            // Not even a mistyped secret is echoed.
            let shown = if decl.secret { "the value" } else { text };
            return Err(EngineError::Refused(format!(
                "config `{key}` is of type {ty}, but `{shown}` is of type {}",
                type_name(&v)
            )));
        }
        // Stored as a secret, so the state encrypts it and the echo hides it.
        let v = if decl.secret { Value::secret(v) } else { v };
        self.store.set_config(&self.key(stack), key, &v)?;
        Ok(v)
    }
}
