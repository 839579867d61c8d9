use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::base::{Address, Diagnostic, InstanceKey, Pos, SourceFile, Span, Value};
use crate::expr::{ExprError, Template};
use crate::state::RecordOptions;

/// A parsed stack file.
#[derive(Debug)]
pub struct Stack {
    /// The stack's name: the file name without `.toml`.
    pub name: String,
    pub file: Arc<SourceFile>,
    /// The directory of the stack file; `file()` paths are relative to it.
    pub dir: PathBuf,
    pub description: Option<String>,
    pub config: Vec<ConfigDecl>,
    /// Resources and data lookups, in declaration order.
    pub decls: Vec<Decl>,
    pub outputs: Vec<OutputDecl>,
    /// `[[moved]]`: recorded resources whose address changed.
    pub moves: Vec<MoveDecl>,
    /// `[[removed]]`: recorded resources no longer declared, and whether
    /// they are deleted or only forgotten.
    pub removals: Vec<RemovedDecl>,
    /// Declaration index by name, so lookups stay cheap in large stacks.
    pub index: HashMap<String, usize>,
}

impl Stack {
    pub fn decl(&self, name: &str) -> Option<&Decl> {
        self.decl_index(name).map(|i| &self.decls[i])
    }

    /// The position of a declaration in [`Stack::decls`].
    pub fn decl_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn config_decl(&self, name: &str) -> Option<&ConfigDecl> {
        self.config.iter().find(|c| c.name == name)
    }

    pub fn pos(&self, span: Span) -> Pos {
        Pos::new(&self.file, span)
    }

    /// A diagnostic for an expression error in this stack's file.
    pub fn expr_diagnostic(&self, e: ExprError) -> Diagnostic {
        let mut d = Diagnostic::new(e.message, Some(self.pos(e.span)));
        if let Some(h) = e.hint {
            d = d.with_hint(h);
        }
        d
    }
}

/// A key of `[config]`.
#[derive(Debug, Clone)]
pub struct ConfigDecl {
    pub name: String,
    /// The default; `None` for a required key.
    pub default: Option<Value>,
    /// The declared type (`string`, `integer`, `number`, `bool`, `list`,
    /// `table`), taken from the default when not declared.
    pub ty: Option<String>,
    pub description: Option<String>,
    pub secret: bool,
    pub span: Span,
    /// `validation = [{ condition, message }]`, checked against the
    /// resolved value.
    pub rules: Vec<ConfigRule>,
}

/// One validation rule of a config key, as Terraform's `validation` block.
#[derive(Debug, Clone)]
pub struct ConfigRule {
    /// `"${...}"`, true when the value is acceptable.
    pub condition: Template,
    /// What to tell the user when it is not.
    pub message: String,
    /// The rule's table, for pointing at it.
    pub span: Span,
}

/// Whether a declaration is a resource or a data lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    Resource,
    Data,
}

/// A `[resources.NAME]` or `[data.NAME]` table.
#[derive(Debug)]
pub struct Decl {
    pub name: String,
    pub kind: DeclKind,
    pub type_token: String,
    /// The span of the table's name in its header.
    pub name_span: Span,
    pub type_span: Span,
    pub count: Option<(Template, Span)>,
    pub for_each: Option<(Template, Span)>,
    pub properties: Vec<PropertyDecl>,
    pub options: Options,
}

impl Decl {
    pub fn property(&self, name: &str) -> Option<&PropertyDecl> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// One property of a declaration.
#[derive(Debug)]
pub struct PropertyDecl {
    pub name: String,
    pub key_span: Span,
    pub value: Template,
    pub value_span: Span,
}

/// `[resources.NAME.options]`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub depends_on: Vec<(String, Span)>,
    pub protect: bool,
    pub ignore_changes: Vec<(String, Span)>,
    pub delete_before_replace: bool,
    pub retain_on_delete: bool,
}

impl Options {
    /// The options the state records beside a resource, for when its
    /// declaration is gone.
    pub fn recorded(&self) -> RecordOptions {
        RecordOptions {
            protect: self.protect,
            retain_on_delete: self.retain_on_delete,
            delete_before_replace: self.delete_before_replace,
        }
    }
}

/// A key of `[outputs]`.
#[derive(Debug)]
pub struct OutputDecl {
    pub name: String,
    pub value: Template,
    pub span: Span,
}

/// A `[[moved]]` entry: what the state records at `from` is now at `to`.
///
/// Two addresses without instance keys move a whole declaration, every
/// instance keeping its key (`from = "bastion_sg"`, `to = "jump_sg"`); an
/// address with a key moves that instance alone (`from = "subnet[0]"`,
/// `to = "subnet[\"a\"]"`), where a keyless one is the instance of a
/// declaration without `count` or `for_each`.
#[derive(Debug, Clone)]
pub struct MoveDecl {
    pub from: Address,
    pub to: Address,
    /// The entry's table, for errors naming it.
    pub span: Span,
}

impl MoveDecl {
    /// Whether both ends name declarations rather than instances.
    pub fn whole(&self) -> bool {
        *self.from.key() == InstanceKey::Single && *self.to.key() == InstanceKey::Single
    }

    /// Where this entry sends the instance at `a`, if it covers it.
    pub fn destination(&self, a: &Address) -> Option<Address> {
        if a.is_retired() {
            return None;
        }
        if self.whole() {
            (a.decl() == self.from.decl()).then(|| Address::new(self.to.decl(), a.key().clone()))
        } else {
            (*a == self.from).then(|| self.to.clone())
        }
    }
}

/// A `[[removed]]` entry: the recorded instances of `from` (a declaration,
/// or one instance of it) leave the state; with `destroy = false` they stay
/// in the cloud, as `state forget` leaves them.
#[derive(Debug, Clone)]
pub struct RemovedDecl {
    pub from: Address,
    pub destroy: bool,
    pub span: Span,
}

impl RemovedDecl {
    /// Whether this entry is about the recorded instance at `a`.
    pub fn covers(&self, a: &Address) -> bool {
        !a.is_retired()
            && a.decl() == self.from.decl()
            && (*self.from.key() == InstanceKey::Single || a.key() == self.from.key())
    }
}
