//! `std:RandomString`: a random string generated once and kept in the state,
//! for passwords, name suffixes and the like.

use async_trait::async_trait;
use rand::Rng;
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, Value, ValueType,
};

use crate::props::{bool_or, int_or, keep_attributes, opt_str, random_id};

/// The longest string the type generates.
pub const MAX_LENGTH: i64 = 1024;
/// The length when `length` is left out.
pub const DEFAULT_LENGTH: i64 = 16;
/// The special characters used when `special` is true and no
/// `override_special` is given; chosen to be safe in most password fields.
pub const DEFAULT_SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC: &str = "0123456789";

/// The `std:RandomString` resource type.
pub struct RandomString {
    schema: TypeSchema,
}

impl RandomString {
    /// The type token.
    pub const TOKEN: &'static str = "std:RandomString";

    /// The type with its schema.
    pub fn new() -> RandomString {
        let schema = TypeSchema::new(
            Self::TOKEN,
            "A random string, generated once and kept in the state. It changes only when the \
             resource is replaced, i.e. when one of its properties changes.",
        )
        .properties([
            Property::optional("length", ValueType::Int)
                .default(DEFAULT_LENGTH)
                .force_new()
                .describe("The number of characters, 1 to 1024."),
            Property::optional("special", ValueType::Bool)
                .default(true)
                .force_new()
                .describe(
                    "Include special characters (`!@#$%&*()-_=+[]{}<>:?`, or `override_special`).",
                ),
            Property::optional("upper", ValueType::Bool)
                .default(true)
                .force_new()
                .describe("Include upper-case letters A-Z."),
            Property::optional("lower", ValueType::Bool)
                .default(true)
                .force_new()
                .describe("Include lower-case letters a-z."),
            Property::optional("numeric", ValueType::Bool)
                .default(true)
                .force_new()
                .describe("Include digits 0-9."),
            Property::optional("override_special", ValueType::String)
                .force_new()
                .describe("The special characters to use instead of the default set."),
            Property::optional("keepers", ValueType::Any)
                .force_new()
                .describe("Any value; when it changes a new string is generated."),
            Property::optional("triggers", ValueType::Any)
                .force_new()
                .describe("Any value; when it changes a new string is generated."),
        ])
        .attributes([Attribute::new("result", ValueType::String)
            .secret()
            .describe("The generated string (secret).")]);
        RandomString { schema }
    }
}

impl Default for RandomString {
    fn default() -> Self {
        RandomString::new()
    }
}

/// The length and alphabet asked for by the inputs, validated.
fn spec(inputs: &Map) -> Result<(usize, Vec<char>), ProviderError> {
    let length = int_or(inputs, "length", DEFAULT_LENGTH)?;
    if !(1..=MAX_LENGTH).contains(&length) {
        return Err(ProviderError::Invalid(format!(
            "property `length` must be between 1 and {MAX_LENGTH}, not {length}"
        )));
    }
    let mut alphabet = String::new();
    if bool_or(inputs, "lower", true)? {
        alphabet.push_str(LOWER);
    }
    if bool_or(inputs, "upper", true)? {
        alphabet.push_str(UPPER);
    }
    if bool_or(inputs, "numeric", true)? {
        alphabet.push_str(NUMERIC);
    }
    if bool_or(inputs, "special", true)? {
        alphabet.push_str(opt_str(inputs, "override_special")?.unwrap_or(DEFAULT_SPECIAL));
    }
    let mut chars: Vec<char> = alphabet.chars().collect();
    // A character listed twice (in override_special) would be drawn twice as often.
    chars.sort_unstable();
    chars.dedup();
    if chars.is_empty() {
        return Err(ProviderError::Invalid(
            "no characters to choose from: enable at least one of lower, upper, numeric, special"
                .to_string(),
        ));
    }
    // In range 1..=1024 by the check above, so the cast cannot truncate.
    Ok((length as usize, chars))
}

/// Draws `length` characters uniformly from `alphabet`. `rand::rng()` is a
/// cryptographically secure generator seeded from the OS, fit for passwords.
fn generate(length: usize, alphabet: &[char]) -> String {
    let mut rng = rand::rng();
    (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())])
        .collect()
}

#[async_trait]
impl ResourceType for RandomString {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, _ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let (length, alphabet) = spec(inputs)?;
        let mut outputs = inputs.clone();
        outputs.insert(
            "result".to_string(),
            Value::secret(Value::String(generate(length, &alphabet))),
        );
        Ok(Created {
            id: random_id(),
            outputs,
        })
    }

    /// The string exists only in the state.
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

    /// Every property forces a replacement, so an update only records the
    /// new inputs and keeps the string.
    async fn update(
        &self,
        _ctx: &CallContext,
        _id: &str,
        _old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        Ok(keep_attributes(&self.schema, new_inputs, old_outputs))
    }

    async fn delete(
        &self,
        _ctx: &CallContext,
        _id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_follows_the_flags_and_override() {
        let mut m = Map::new();
        m.insert("special".into(), Value::Bool(true));
        m.insert("override_special".into(), "--_".into());
        m.insert("upper".into(), Value::Bool(false));
        m.insert("lower".into(), Value::Bool(false));
        m.insert("numeric".into(), Value::Bool(false));
        let (len, chars) = spec(&m).unwrap();
        assert_eq!(len, DEFAULT_LENGTH as usize);
        assert_eq!(chars, vec!['-', '_']);

        m.insert("special".into(), Value::Bool(false));
        assert!(matches!(spec(&m), Err(ProviderError::Invalid(_))));
    }
}
