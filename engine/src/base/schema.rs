//! Resource and data source schemas published by providers. The engine
//! validates declarations and diffs properties from these alone.

use crate::base::{Map, Value};

/// The type of a property or attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueType {
    /// Anything, checked by the provider.
    Any,
    String,
    Int,
    /// Integer or float.
    Number,
    Bool,
    /// A duration string such as "500ms", "30s", "2m", "1h".
    Duration,
    List(Box<ValueType>),
    /// A table whose values all have one type (tags, environment variables).
    Map(Box<ValueType>),
    /// A table with known keys (a nested block such as a health check).
    Object(Vec<Property>),
}

impl ValueType {
    pub fn list(of: ValueType) -> ValueType {
        ValueType::List(Box::new(of))
    }

    pub fn map(of: ValueType) -> ValueType {
        ValueType::Map(Box::new(of))
    }

    /// A short description for error messages.
    pub fn describe(&self) -> String {
        match self {
            ValueType::Any => "any value".into(),
            ValueType::String => "a string".into(),
            ValueType::Int => "an integer".into(),
            ValueType::Number => "a number".into(),
            ValueType::Bool => "a bool (true or false)".into(),
            ValueType::Duration => "a duration such as \"500ms\", \"30s\" or \"2m\"".into(),
            ValueType::List(of) => format!("a list of {}", of.plural()),
            ValueType::Map(of) => format!("a table of {}", of.plural()),
            ValueType::Object(props) => {
                let names: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
                format!("a table with keys {}", names.join(", "))
            }
        }
    }
}

impl ValueType {
    /// The description of many values of the type, for the elements of a
    /// list or table: "strings", "tables with keys weight, base". Written
    /// per type, never by appending an `s`, so key names stay as they are.
    fn plural(&self) -> String {
        match self {
            ValueType::Any => "any values".into(),
            ValueType::String => "strings".into(),
            ValueType::Int => "integers".into(),
            ValueType::Number => "numbers".into(),
            ValueType::Bool => "bools (true or false)".into(),
            ValueType::Duration => "durations such as \"500ms\", \"30s\" or \"2m\"".into(),
            ValueType::List(of) => format!("lists of {}", of.plural()),
            ValueType::Map(of) => format!("tables of {}", of.plural()),
            ValueType::Object(props) => {
                let names: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
                format!("tables with keys {}", names.join(", "))
            }
        }
    }
}

/// One input property of a resource type.
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    pub name: String,
    pub ty: ValueType,
    pub required: bool,
    /// Used when the declaration leaves the property out.
    pub default: Option<Value>,
    /// A change of this property replaces the resource instead of updating it.
    pub force_new: bool,
    /// Values of this property never print.
    pub secret: bool,
    /// The cloud cannot return it (a key pair's public key material, a
    /// write-only password): a read keeps the recorded or declared value.
    /// In a type with [`TypeSchema::complete_reads`], every other property
    /// a read leaves out is absent in the cloud.
    pub unreadable: bool,
    /// A reference the cloud enforces: what it names cannot be deleted
    /// while this property names it (a listener's target group, an
    /// instance's security groups). When that resource is replaced by
    /// deleting it first, a resource holding it is replaced the same way
    /// instead of being updated after (see the planner).
    pub holds: bool,
    pub description: String,
}

impl Property {
    /// An optional property.
    pub fn optional(name: &str, ty: ValueType) -> Property {
        Property {
            name: name.to_string(),
            ty,
            required: false,
            default: None,
            force_new: false,
            secret: false,
            unreadable: false,
            holds: false,
            description: String::new(),
        }
    }

    /// A required property.
    pub fn required(name: &str, ty: ValueType) -> Property {
        Property {
            required: true,
            ..Property::optional(name, ty)
        }
    }

    pub fn default(mut self, v: impl Into<Value>) -> Property {
        self.default = Some(v.into());
        self
    }

    pub fn force_new(mut self) -> Property {
        self.force_new = true;
        self
    }

    pub fn secret(mut self) -> Property {
        self.secret = true;
        self
    }

    /// See [`Property::unreadable`].
    pub fn unreadable(mut self) -> Property {
        self.unreadable = true;
        self
    }

    /// See [`Property::holds`].
    pub fn holds(mut self) -> Property {
        self.holds = true;
        self
    }

    pub fn describe(mut self, d: &str) -> Property {
        self.description = d.to_string();
        self
    }
}

/// One attribute a provider computes (known after create).
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: ValueType,
    pub secret: bool,
    pub description: String,
}

impl Attribute {
    pub fn new(name: &str, ty: ValueType) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty,
            secret: false,
            description: String::new(),
        }
    }

    pub fn secret(mut self) -> Attribute {
        self.secret = true;
        self
    }

    pub fn describe(mut self, d: &str) -> Attribute {
        self.description = d.to_string();
        self
    }
}

/// The schema of a resource type or data source, e.g. `aws:ec2:Vpc`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeSchema {
    /// The full type token, `provider:module:Name`.
    pub token: String,
    pub description: String,
    pub properties: Vec<Property>,
    /// Computed attributes. `id` is always available and need not be listed.
    pub attributes: Vec<Attribute>,
    /// The type cannot exist twice at once (a unique name), so a replacement
    /// must delete the old resource before creating the new one.
    pub delete_before_replace: bool,
    /// The type's read reports every property it can observe, absence
    /// included (a gateway attached to nothing reads without `vpc_id`), so a
    /// property the read leaves out is absent unless marked
    /// [`Property::unreadable`]. Without it a property the read leaves out
    /// keeps its recorded value: types whose reads are not yet audited.
    pub complete_reads: bool,
}

impl TypeSchema {
    pub fn new(token: &str, description: &str) -> TypeSchema {
        TypeSchema {
            token: token.to_string(),
            description: description.to_string(),
            properties: Vec::new(),
            attributes: Vec::new(),
            delete_before_replace: false,
            complete_reads: false,
        }
    }

    /// Adds the declarable properties, in the order `types` lists them.
    pub fn properties(mut self, ps: impl IntoIterator<Item = Property>) -> TypeSchema {
        self.properties.extend(ps);
        self
    }

    /// Adds the attributes the provider reports, in the order `types` lists them.
    pub fn attributes(mut self, attrs: impl IntoIterator<Item = Attribute>) -> TypeSchema {
        self.attributes.extend(attrs);
        self
    }

    pub fn delete_before_replace(mut self) -> TypeSchema {
        self.delete_before_replace = true;
        self
    }

    /// See [`TypeSchema::complete_reads`].
    pub fn complete_reads(mut self) -> TypeSchema {
        self.complete_reads = true;
        self
    }

    /// Whether a read that leaves `p` out means it is absent in the cloud.
    pub fn absent_unless_read(&self, p: &Property) -> bool {
        self.complete_reads && !p.unreadable
    }

    pub fn find_property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// True when `name` can be read from an instance: `id`, a property or an attribute.
    pub fn has_field(&self, name: &str) -> bool {
        name == "id" || self.find_property(name).is_some() || self.find_attribute(name).is_some()
    }

    /// Every name that can be read from an instance, for "did you mean".
    pub fn field_names(&self) -> Vec<&str> {
        let mut names = vec!["id"];
        names.extend(self.properties.iter().map(|p| p.name.as_str()));
        names.extend(self.attributes.iter().map(|a| a.name.as_str()));
        names
    }

    /// Fills in defaults for properties the declaration left out.
    pub fn apply_defaults(&self, inputs: &mut Map) {
        for p in &self.properties {
            if let Some(d) = &p.default {
                inputs.entry(p.name.clone()).or_insert_with(|| d.clone());
            }
        }
    }

    /// True when the named field is secret by schema.
    pub fn is_secret(&self, name: &str) -> bool {
        self.find_property(name).is_some_and(|p| p.secret)
            || self.find_attribute(name).is_some_and(|a| a.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_tables_describe_their_elements_without_renaming_keys() {
        let strategy = ValueType::list(ValueType::Object(vec![
            Property::required("capacity_provider", ValueType::String),
            Property::optional("weight", ValueType::Int),
            Property::optional("base", ValueType::Int),
        ]));
        assert_eq!(
            strategy.describe(),
            "a list of tables with keys capacity_provider, weight, base"
        );
        let mappings = ValueType::list(ValueType::Object(vec![Property::required(
            "container_port",
            ValueType::Int,
        )]));
        assert_eq!(
            mappings.describe(),
            "a list of tables with keys container_port"
        );
        assert_eq!(
            ValueType::list(ValueType::String).describe(),
            "a list of strings"
        );
        assert_eq!(
            ValueType::list(ValueType::Int).describe(),
            "a list of integers"
        );
        assert_eq!(
            ValueType::map(ValueType::Any).describe(),
            "a table of any values"
        );
        assert_eq!(
            ValueType::list(ValueType::Bool).describe(),
            "a list of bools (true or false)"
        );
        assert_eq!(
            ValueType::map(ValueType::list(ValueType::String)).describe(),
            "a table of lists of strings"
        );
    }
}
