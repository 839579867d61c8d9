//! `config set`: a value for a stack's config key, checked against the
//! key's declared type (or its default's) and its validation rules before
//! it is recorded, so a wrong value fails here and not in the middle of an
//! up. A secret key's value is never quoted in an error.

use super::project::Project;
use crate::base::{Value, did_you_mean};
use crate::error::EngineError;
use crate::stack::{ConfigSources, check_config_key, parse_cli_value, type_name};

impl Project {
    /// Records `text` as the value of config `key` of `stack`, parsed as
    /// the key's type; returns the value recorded.
    pub fn set_config(&self, stack: &str, key: &str, text: &str) -> Result<Value, EngineError> {
        let (parsed, _) = self.parse(stack)?;
        let state_key = self.key(stack);
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
            let given = if decl.secret {
                "the value given".to_string()
            } else {
                format!("`{text}`")
            };
            return Err(EngineError::Refused(format!(
                "config `{key}` is of type {ty}, but {given} is of type {}",
                type_name(&v)
            )));
        }
        let mut state = self.store.config(&state_key)?;
        state.insert(key.to_string(), v.clone());
        let sources = ConfigSources {
            overlay: crate::stack::load_overlay(&self.stacks_dir, stack, &self.env)?,
            state,
            missing_as_unknown: true,
            ..ConfigSources::default()
        };
        check_config_key(&parsed, &sources, key)?;
        // Stored as a secret, so the state encrypts it and the echo hides it.
        let v = if decl.secret { Value::secret(v) } else { v };
        self.store.set_config(&state_key, key, &v)?;
        Ok(v)
    }
}
