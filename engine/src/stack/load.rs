//! The stack file loader: TOML text to a [`Stack`], every value kept with
//! its source span so that any error points at file:line:column. It never
//! panics on input: each problem becomes a diagnostic and loading goes on,
//! so one run reports every error in the file.

use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::model::{
    ConfigDecl, ConfigRule, Decl, DeclKind, Options, OutputDecl, PropertyDecl, Stack,
};
use crate::base::{Diagnostic, SourceFile, Span, did_you_mean};
use crate::base::{Map, Value};
use crate::expr::{Template, parse_template};

/// A section of a stack file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Section {
    /// `[stack]`: about the stack.
    Stack,
    /// `[config]`: the config values and declarations.
    Config,
    /// `[data.NAME]`: data lookups.
    Data,
    /// `[resources.NAME]`: resources.
    Resources,
    /// `[outputs]`: what the stack publishes.
    Outputs,
    /// `[[moved]]`: addresses that changed.
    Moved,
    /// `[[removed]]`: declarations dropped on purpose.
    Removed,
}

/// The sections of a stack file, by name.
pub(super) const SECTIONS: [(&str, Section); 7] = [
    ("stack", Section::Stack),
    ("config", Section::Config),
    ("data", Section::Data),
    ("resources", Section::Resources),
    ("outputs", Section::Outputs),
    ("moved", Section::Moved),
    ("removed", Section::Removed),
];

/// The shape of a validation rule, for hints.
const RULE_SHAPE: &str =
    r#"write validation = [{ condition = "${length(config.KEY) > 0}", message = "..." }]"#;

const TOP_LEVEL: [&str; 7] = names(SECTIONS);

/// The keys of `[stack]`.
pub(super) const STACK_KEYS: [&str; 1] = ["description"];
/// Names a resource or data lookup cannot take: the roots of expressions.
pub(super) const RESERVED_NAMES: [&str; 4] = ["config", "count", "each", "stacks"];

/// A key of a typed config declaration (`x = { type = "string", ... }`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum ConfigKey {
    /// One of [`CONFIG_TYPES`].
    Type,
    /// The value when nothing sets one.
    Default,
    /// What the value is for.
    Description,
    /// The value never prints.
    Secret,
    /// Rules the value must pass.
    Validation,
}

/// The keys of a typed config declaration, by name.
pub(super) const CONFIG_DECL_KEYS: [(&str, ConfigKey); 5] = [
    ("type", ConfigKey::Type),
    ("default", ConfigKey::Default),
    ("description", ConfigKey::Description),
    ("secret", ConfigKey::Secret),
    ("validation", ConfigKey::Validation),
];

/// The keys of a declaration that are not properties of its type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum DeclKey {
    /// The type token, e.g. `"aws:ec2:Vpc"`.
    Type,
    /// How many instances: an integer or an expression.
    Count,
    /// One instance per item of a list or entry of a table.
    ForEach,
    /// The resource options (resources only).
    Options,
}

/// The language's own keys of a `[data.X]` or `[resources.X]` table.
pub(super) const DECL_KEYS: [(&str, DeclKey); 4] = [
    ("type", DeclKey::Type),
    ("count", DeclKey::Count),
    ("for_each", DeclKey::ForEach),
    ("options", DeclKey::Options),
];

/// A key of a resource's `options` table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum OptionKey {
    DependsOn,
    Protect,
    IgnoreChanges,
    DeleteBeforeReplace,
    RetainOnDelete,
}

impl OptionKey {
    /// Whether the option takes a list of names (else `true` or `false`).
    pub(super) fn takes_names(self) -> bool {
        matches!(self, OptionKey::DependsOn | OptionKey::IgnoreChanges)
    }
}

/// The keys of a resource's `options` table, by name.
pub(super) const OPTIONS: [(&str, OptionKey); 5] = [
    ("depends_on", OptionKey::DependsOn),
    ("protect", OptionKey::Protect),
    ("ignore_changes", OptionKey::IgnoreChanges),
    ("delete_before_replace", OptionKey::DeleteBeforeReplace),
    ("retain_on_delete", OptionKey::RetainOnDelete),
];
const OPTION_KEYS: [&str; 5] = names(OPTIONS);

/// The names of a table of keys, for hints.
const fn names<K: Copy, const N: usize>(table: [(&'static str, K); N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = table[i].0;
        i += 1;
    }
    out
}

/// What `key` means in a table of keys, if it is one.
fn lookup<K: Copy>(table: &[(&str, K)], key: &str) -> Option<K> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Type names accepted in a typed config declaration.
pub(crate) const CONFIG_TYPES: [&str; 6] = ["string", "integer", "number", "bool", "list", "table"];

/// The names of the stacks in a directory: every `NAME.toml` whose name has
/// no dot (`NAME.ENV.toml` files are environment overlays).
pub fn list_stack_names(dir: &Path) -> Result<Vec<String>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::new(
            format!("cannot read the stacks directory {}: {e}", dir.display()),
            None,
        )
        .with_hint("run skistack from the project root, or pass --stacks-dir")
    })?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            && !stem.contains('.')
        {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Reads `DIR/NAME.toml`.
pub fn load_stack_source(dir: &Path, name: &str) -> Result<Arc<SourceFile>, Diagnostic> {
    let path = dir.join(format!("{name}.toml"));
    read_source(&path).map_err(|e| {
        let e = match e {
            ReadError::NotUtf8(d) => return d,
            ReadError::Io(e) => e,
        };
        let mut d = Diagnostic::new(
            format!("cannot read stack `{name}` ({}): {e}", path.display()),
            None,
        );
        // Only a missing file calls for another name.
        if e.kind() != std::io::ErrorKind::NotFound {
            return d;
        }
        if let Ok(names) = list_stack_names(dir) {
            if let Some(s) = did_you_mean(name, names.iter().map(String::as_str)) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            } else if !names.is_empty() {
                d = d.with_hint(format!("stacks in {}: {}", dir.display(), names.join(", ")));
            }
        }
        d
    })
}

/// Why a stack file could not be read.
enum ReadError {
    Io(std::io::Error),
    /// The bytes are not UTF-8; the diagnostic points at the first bad one.
    NotUtf8(Diagnostic),
}

fn read_source(path: &Path) -> Result<Arc<SourceFile>, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path.to_path_buf(), text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // The lossy text is identical up to `at`, so the span stays right.
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(path.to_path_buf(), text);
            Err(ReadError::NotUtf8(
                Diagnostic::at(
                    &file,
                    Span::new(at, at + 1),
                    "the file is not valid UTF-8 text",
                )
                .with_hint("stack files are TOML, which must be UTF-8"),
            ))
        }
    }
}

/// Parses a stack file.
pub fn load_stack(name: &str, file: Arc<SourceFile>) -> Result<Stack, Vec<Diagnostic>> {
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let root = parse_toml(&file).map_err(|d| vec![d])?;
    let mut l = Loader {
        file: &file,
        errors: Vec::new(),
    };
    let mut stack = Stack {
        name: name.to_string(),
        file: Arc::clone(&file),
        dir,
        description: None,
        config: Vec::new(),
        decls: Vec::new(),
        outputs: Vec::new(),
        moves: Vec::new(),
        removals: Vec::new(),
        index: Default::default(),
    };
    for (key, value) in root.get_ref() {
        let span = Span::from(key.span());
        match lookup(&SECTIONS, key.get_ref().as_ref()) {
            Some(Section::Stack) => stack.description = l.stack_table(value),
            Some(Section::Config) => {
                if let Some(t) = l.table(value, "[config]") {
                    stack.config = t.iter().filter_map(|(k, v)| l.config_entry(k, v)).collect();
                }
            }
            Some(Section::Data) => l.decls(value, DeclKind::Data, &mut stack.decls),
            Some(Section::Resources) => l.decls(value, DeclKind::Resource, &mut stack.decls),
            Some(Section::Moved) => stack.moves = l.moves(value),
            Some(Section::Removed) => stack.removals = l.removals(value),
            Some(Section::Outputs) => {
                if let Some(t) = l.table(value, "[outputs]") {
                    for (k, v) in t {
                        if let Some(value) = l.template(v) {
                            stack.outputs.push(OutputDecl {
                                name: k.get_ref().to_string(),
                                value,
                                span: k.span().into(),
                            });
                        }
                    }
                }
            }
            None => {
                let other = key.get_ref();
                let mut d = Diagnostic::at(
                    &file,
                    span,
                    format!("unknown section `{other}` in a stack file"),
                );
                d = match did_you_mean(other, TOP_LEVEL) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint("a stack file has [stack], [config], [data.NAME], [resources.NAME], [outputs], [[moved]] and [[removed]]"),
                };
                l.errors.push(d);
            }
        }
    }
    l.index_decls(&mut stack);
    l.check_refactoring(&stack);
    if l.errors.is_empty() {
        Ok(stack)
    } else {
        Err(l.errors)
    }
}

/// Reads the `[config]` of an environment overlay `DIR/NAME.ENV.toml`, if it exists.
pub fn load_overlay(
    dir: &Path,
    name: &str,
    env: &str,
) -> Result<Option<super::config::Overlay>, Vec<Diagnostic>> {
    let path = dir.join(format!("{name}.{env}.toml"));
    if !path.exists() {
        return Ok(None);
    }
    let file = read_source(&path).map_err(|e| match e {
        ReadError::Io(e) => vec![Diagnostic::new(
            format!("cannot read {}: {e}", path.display()),
            None,
        )],
        ReadError::NotUtf8(d) => vec![d],
    })?;
    let root = parse_toml(&file).map_err(|d| vec![d])?;
    let mut l = Loader {
        file: &file,
        errors: Vec::new(),
    };
    let mut values = Vec::new();
    for (key, value) in root.get_ref() {
        if key.get_ref().as_ref() != "config" {
            l.errors.push(
                Diagnostic::at(
                    &file,
                    key.span().into(),
                    format!(
                        "unexpected section `{}` in an environment overlay",
                        key.get_ref()
                    ),
                )
                .with_hint("an overlay holds only a [config] table"),
            );
            continue;
        }
        if let Some(t) = l.table(value, "[config]") {
            for (k, v) in t {
                if let Some(val) = l.literal(v) {
                    values.push((k.get_ref().to_string(), val, Span::from(v.span())));
                }
            }
        }
    }
    if l.errors.is_empty() {
        Ok(Some((Arc::clone(&file), values)))
    } else {
        Err(l.errors)
    }
}

fn parse_toml(file: &Arc<SourceFile>) -> Result<Spanned<DeTable<'_>>, Diagnostic> {
    DeTable::parse(&file.text).map_err(|e| {
        let span = e.span().map(Span::from).unwrap_or_default();
        Diagnostic::at(
            file,
            span,
            format!("TOML syntax error: {}", e.message().trim()),
        )
    })
}

pub(super) struct Loader<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    errors: Vec<Diagnostic>,
}

impl<'a> Loader<'a> {
    pub(super) fn err(&mut self, span: impl Into<Span>, msg: impl Into<String>) -> &mut Diagnostic {
        self.errors
            .push(Diagnostic::at(self.file, span.into(), msg));
        let last = self.errors.len() - 1;
        &mut self.errors[last]
    }

    fn table<'v, 'i>(
        &mut self,
        v: &'v Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'v DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be a table, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn stack_table(&mut self, v: &Spanned<DeValue<'_>>) -> Option<String> {
        let t = self.table(v, "[stack]")?;
        let mut description = None;
        for (k, v) in t {
            match (k.get_ref().as_ref(), v.get_ref()) {
                ("description", DeValue::String(s)) => description = Some(s.to_string()),
                ("description", other) => {
                    self.err(
                        v.span(),
                        format!("`description` must be a string, found {}", other.type_str()),
                    );
                }
                (other, _) => {
                    let d = self.err(k.span(), format!("unknown key `{other}` in [stack]"));
                    d.hint = Some(format!("[stack] accepts only {}", STACK_KEYS.join(", ")));
                }
            }
        }
        description
    }

    fn config_entry(
        &mut self,
        k: &Spanned<toml::de::DeString<'_>>,
        v: &Spanned<DeValue<'_>>,
    ) -> Option<ConfigDecl> {
        let name = k.get_ref().to_string();
        let span = Span::from(k.span());
        // A table with a `type` key naming a config type is a typed declaration.
        if let DeValue::Table(t) = v.get_ref() {
            let ty = t
                .iter()
                .find(|(k, _)| k.get_ref() == "type")
                .and_then(|(_, v)| v.get_ref().as_str());
            if let Some(ty) = ty {
                if !CONFIG_TYPES.contains(&ty) {
                    let d = self.err(v.span(), format!("unknown config type `{ty}` for `{name}`"));
                    *d = d
                        .clone()
                        .with_hint(format!("use one of: {}", CONFIG_TYPES.join(", ")));
                    return None;
                }
                let mut decl = ConfigDecl {
                    name,
                    default: None,
                    ty: Some(ty.to_string()),
                    description: None,
                    secret: false,
                    span,
                    rules: Vec::new(),
                };
                for (k2, v2) in t {
                    match lookup(&CONFIG_DECL_KEYS, k2.get_ref().as_ref()) {
                        Some(ConfigKey::Type) => {}
                        Some(ConfigKey::Default) => decl.default = self.literal(v2),
                        Some(ConfigKey::Description) => {
                            decl.description = v2.get_ref().as_str().map(str::to_string)
                        }
                        Some(ConfigKey::Secret) => {
                            decl.secret = v2.get_ref().as_bool().unwrap_or(false)
                        }
                        Some(ConfigKey::Validation) => {
                            decl.rules = self.config_rules(&decl.name, v2)
                        }
                        None => {
                            let other = k2.get_ref();
                            let d = self.err(
                                k2.span(),
                                format!(
                                    "unknown key `{other}` in the declaration of config `{}`",
                                    decl.name
                                ),
                            );
                            d.hint = Some(format!(
                                "a typed config declaration takes {}",
                                names(CONFIG_DECL_KEYS).join(", ")
                            ));
                        }
                    }
                }
                if let Some(default) = &decl.default
                    && let Err(msg) = super::config::check_type(default, ty)
                {
                    self.err(
                        v.span(),
                        format!("the default of config `{}` {msg}", decl.name),
                    );
                }
                return Some(decl);
            }
        }
        let default = self.literal(v)?;
        Some(ConfigDecl {
            name,
            default: Some(default),
            ty: None,
            description: None,
            secret: false,
            span,
            rules: Vec::new(),
        })
    }

    /// `validation = [{ condition = "${...}", message = "..." }, ...]`.
    fn config_rules(&mut self, name: &str, v: &Spanned<DeValue<'_>>) -> Vec<ConfigRule> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v.span(),
                format!("`validation` of config `{name}` must be an array of tables"),
            )
            .hint = Some(RULE_SHAPE.into());
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.config_rule(name, item))
            .collect()
    }

    fn config_rule(&mut self, name: &str, item: &Spanned<DeValue<'_>>) -> Option<ConfigRule> {
        let span = Span::from(item.span());
        let DeValue::Table(t) = item.get_ref() else {
            self.err(
                item.span(),
                format!("a validation rule of config `{name}` must be a table"),
            )
            .hint = Some(RULE_SHAPE.into());
            return None;
        };
        let (mut condition, mut message) = (None, None);
        for (k, v) in t {
            match k.get_ref().as_ref() {
                "condition" => match self.template(v)? {
                    t @ Template::Expr(_) => condition = Some(t),
                    _ => {
                        self.err(
                            v.span(),
                            "a validation condition must be one expression, \"${...}\"",
                        )
                        .hint = Some(RULE_SHAPE.into());
                        return None;
                    }
                },
                "message" => match v.get_ref().as_str() {
                    Some(m) if !m.trim().is_empty() => message = Some(m.to_string()),
                    _ => {
                        self.err(v.span(), "a validation message must be a non-empty string");
                        return None;
                    }
                },
                other => {
                    self.err(
                        k.span(),
                        format!("unknown key `{other}` in a validation rule of config `{name}`"),
                    )
                    .hint = Some(RULE_SHAPE.into());
                    return None;
                }
            }
        }
        let (Some(condition), Some(message)) = (condition, message) else {
            self.err(
                item.span(),
                format!("a validation rule of config `{name}` needs a condition and a message"),
            )
            .hint = Some(RULE_SHAPE.into());
            return None;
        };
        Some(ConfigRule {
            condition,
            message,
            span,
        })
    }

    fn decls(&mut self, v: &Spanned<DeValue<'_>>, kind: DeclKind, out: &mut Vec<Decl>) {
        let what = if kind == DeclKind::Data {
            "[data]"
        } else {
            "[resources]"
        };
        let Some(t) = self.table(v, what) else { return };
        for (k, v) in t {
            if let Some(d) = self.decl(k, v, kind) {
                out.push(d);
            }
        }
    }

    fn decl(
        &mut self,
        k: &Spanned<toml::de::DeString<'_>>,
        v: &Spanned<DeValue<'_>>,
        kind: DeclKind,
    ) -> Option<Decl> {
        let name = k.get_ref().to_string();
        let name_span = Span::from(k.span());
        if !valid_name(&name) {
            let d = self.err(name_span, format!("invalid name `{name}`"));
            d.hint = Some(
                "names start with a letter or `_` and hold letters, digits, `_` and `-`".into(),
            );
            return None;
        }
        if RESERVED_NAMES.contains(&name.as_str()) {
            self.err(
                name_span,
                format!("`{name}` is reserved and cannot name a resource or data lookup"),
            );
            return None;
        }
        let what = format!(
            "[{}.{name}]",
            if kind == DeclKind::Data {
                "data"
            } else {
                "resources"
            }
        );
        let t = self.table(v, &what)?;
        let mut decl = Decl {
            name,
            kind,
            type_token: String::new(),
            name_span,
            type_span: name_span,
            count: None,
            for_each: None,
            properties: Vec::new(),
            options: Options::default(),
        };
        let mut has_type = false;
        for (pk, pv) in t {
            let key = pk.get_ref().as_ref();
            let key_span = Span::from(pk.span());
            match lookup(&DECL_KEYS, key) {
                Some(DeclKey::Type) => match pv.get_ref() {
                    DeValue::String(s) => {
                        decl.type_token = s.to_string();
                        decl.type_span = pv.span().into();
                        has_type = true;
                    }
                    other => {
                        self.err(
                            pv.span(),
                            format!(
                                "`type` must be a string such as \"std:Data\", found {}",
                                other.type_str()
                            ),
                        );
                        return None;
                    }
                },
                Some(DeclKey::Count) => {
                    decl.count = self.template(pv).map(|t| (t, Span::from(pv.span())))
                }
                Some(DeclKey::ForEach) => {
                    decl.for_each = self.template(pv).map(|t| (t, Span::from(pv.span())))
                }
                Some(DeclKey::Options) if kind == DeclKind::Resource => {
                    decl.options = self.options(pv)
                }
                _ => {
                    if let Some(value) = self.template(pv) {
                        decl.properties.push(PropertyDecl {
                            name: key.to_string(),
                            key_span,
                            value,
                            value_span: pv.span().into(),
                        });
                    }
                }
            }
        }
        if !has_type {
            let d = self.err(name_span, format!("{what} has no `type`"));
            *d = d
                .clone()
                .with_hint("add a line such as `type = \"std:Data\"`");
            return None;
        }
        if decl.count.is_some() && decl.for_each.is_some() {
            self.err(
                name_span,
                format!("{what} has both `count` and `for_each`; use one"),
            );
        }
        Some(decl)
    }

    fn options(&mut self, v: &Spanned<DeValue<'_>>) -> Options {
        let mut o = Options::default();
        let Some(t) = self.table(v, "options") else {
            return o;
        };
        for (k, v) in t {
            let key = k.get_ref().as_ref();
            match lookup(&OPTIONS, key) {
                Some(OptionKey::DependsOn) => o.depends_on = self.string_list(v, key),
                Some(OptionKey::IgnoreChanges) => o.ignore_changes = self.string_list(v, key),
                Some(OptionKey::Protect) => o.protect = self.bool_value(v, key),
                Some(OptionKey::DeleteBeforeReplace) => {
                    o.delete_before_replace = self.bool_value(v, key)
                }
                Some(OptionKey::RetainOnDelete) => o.retain_on_delete = self.bool_value(v, key),
                None => {
                    let other = key;
                    let hint = match did_you_mean(other, OPTION_KEYS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("options are: {}", OPTION_KEYS.join(", ")),
                    };
                    let d = self.err(k.span(), format!("unknown option `{other}`"));
                    d.hint = Some(hint);
                }
            }
        }
        o
    }

    pub(super) fn bool_value(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> bool {
        match v.get_ref() {
            DeValue::Boolean(b) => *b,
            other => {
                self.err(
                    v.span(),
                    format!("`{key}` must be true or false, found {}", other.type_str()),
                );
                false
            }
        }
    }

    fn string_list(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Vec<(String, Span)> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::String(s) => Some((s.to_string(), Span::from(item.span()))),
                    other => {
                        self.err(
                            item.span(),
                            format!("`{key}` takes names (strings), found {}", other.type_str()),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                self.err(
                    v.span(),
                    format!(
                        "`{key}` must be a list of names, found {}",
                        other.type_str()
                    ),
                );
                Vec::new()
            }
        }
    }

    /// A TOML value as a template: strings may hold `${...}`.
    fn template(&mut self, v: &Spanned<DeValue<'_>>) -> Option<Template> {
        let span = Span::from(v.span());
        match v.get_ref() {
            DeValue::String(s) => {
                let start = content_start(&self.file.text, span, s);
                match parse_template(s, start, span) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        let mut d = Diagnostic::at(self.file, e.span, e.message.clone());
                        if let Some(h) = &e.hint {
                            d = d.with_hint(h.clone());
                        }
                        self.errors.push(d);
                        None
                    }
                }
            }
            DeValue::Array(items) => {
                let parts: Option<Vec<Template>> = items.iter().map(|i| self.template(i)).collect();
                let parts = parts?;
                if parts.iter().all(Template::is_literal) {
                    Some(Template::Literal(Value::List(
                        parts.into_iter().map(literal_of).collect(),
                    )))
                } else {
                    Some(Template::List(parts, span))
                }
            }
            DeValue::Table(t) => {
                let mut parts = Vec::new();
                for (k, v) in t {
                    parts.push((k.get_ref().to_string(), self.template(v)?));
                }
                if parts.iter().all(|(_, t)| t.is_literal()) {
                    Some(Template::Literal(Value::Map(
                        parts.into_iter().map(|(k, t)| (k, literal_of(t))).collect(),
                    )))
                } else {
                    Some(Template::Map(parts, span))
                }
            }
            _ => self.literal(v).map(Template::Literal),
        }
    }

    /// A TOML value taken as it is (config values: no templates).
    fn literal(&mut self, v: &Spanned<DeValue<'_>>) -> Option<Value> {
        Some(match v.get_ref() {
            DeValue::String(s) => Value::String(s.to_string()),
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                match i64::from_str_radix(&digits, i.radix()) {
                    Ok(n) => Value::Int(n),
                    Err(_) => {
                        self.err(v.span(), "integer out of range (64-bit)");
                        return None;
                    }
                }
            }
            DeValue::Float(f) => {
                let text = f.as_str().replace('_', "");
                // The state and providers speak JSON, which has no `inf` or
                // `nan`: such a value would be stored as null.
                match text.parse::<f64>() {
                    Ok(x) if x.is_finite() => Value::Float(x),
                    Ok(_) => {
                        self.err(
                            v.span(),
                            format!("`{text}` cannot be stored: a value must be a finite number"),
                        );
                        return None;
                    }
                    Err(_) => {
                        self.err(v.span(), format!("invalid number `{text}`"));
                        return None;
                    }
                }
            }
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(d) => Value::String(d.to_string()),
            DeValue::Array(items) => {
                let vals: Option<Vec<Value>> = items.iter().map(|i| self.literal(i)).collect();
                Value::List(vals?)
            }
            DeValue::Table(t) => {
                let mut m = Map::new();
                for (k, v) in t {
                    m.insert(k.get_ref().to_string(), self.literal(v)?);
                }
                Value::Map(m)
            }
        })
    }

    /// Fills the stack's name index, reporting every name declared twice
    /// against its first declaration. One map lookup per declaration, so a
    /// stack of 100,000 loads in linear time.
    fn index_decls(&mut self, stack: &mut Stack) {
        for (i, d) in stack.decls.iter().enumerate() {
            match stack.index.entry(d.name.clone()) {
                Entry::Vacant(v) => {
                    v.insert(i);
                }
                Entry::Occupied(o) => {
                    let first = &stack.decls[*o.get()];
                    let (line, _) = self.file.line_col(first.name_span.start);
                    let e = self.err(d.name_span, format!("`{}` is declared twice", d.name));
                    e.hint = Some(format!(
                        "resources and data lookups share one namespace; the first `{}` is on line {line}",
                        d.name
                    ));
                }
            }
        }
    }
}

fn literal_of(t: Template) -> Value {
    match t {
        Template::Literal(v) => v,
        // Only called after checking `is_literal`.
        _ => Value::Null,
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The file offset of a string's first content character, when the raw TOML
/// token maps one to one onto its value (no escapes, no line-ending trim).
fn content_start(text: &str, span: Span, content: &str) -> Option<usize> {
    let raw = text.get(span.start..span.end)?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if raw.len() >= 2 * quote.len() && raw.starts_with(quote) && raw.ends_with(quote) {
            let inner = &raw[quote.len()..raw.len() - quote.len()];
            let (inner, skip) = match inner.strip_prefix('\n') {
                Some(rest) if quote.len() == 3 => (rest, 1),
                _ => (inner, 0),
            };
            return (inner == content).then_some(span.start + quote.len() + skip);
        }
    }
    None
}
