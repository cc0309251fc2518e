//! Class types from `code/`: modules, script classes, NamedTuples, enums, interfaces.

use std::sync::{Arc, OnceLock};

use crate::function::{Callee, FunctionRef};
use crate::types::Type;
use crate::value::Value;

/// What kind of class a `class` statement declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// `class X(Module):` — an `nn.Module`.
    Module,
    /// `class X:` — a `@torch.jit.script` class.
    Class,
    /// `class X(NamedTuple):`.
    NamedTuple,
    /// `class X(Enum):`.
    Enum,
    /// `class X(ModuleInterface):` / `class X(Interface):`.
    Interface,
}

/// One attribute slot of a class.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Name (may be `"0"` for `Sequential` children).
    pub name: String,
    /// Declared type.
    pub ty: Type,
    /// Listed in `__parameters__`.
    pub is_parameter: bool,
    /// Listed in `__buffers__`.
    pub is_buffer: bool,
}

/// The members of a class, filled in after every class name is known (classes refer to
/// each other, and to themselves, in their attribute and method types).
pub struct ClassBody {
    /// Attribute slots in declaration order (= pickled state order).
    pub attributes: Vec<Attribute>,
    /// `Final` constants: name and value.
    pub constants: Vec<(String, Value, Type)>,
    /// Enum members: name and value.
    pub enum_members: Vec<(String, Value)>,
    /// Methods in printed order. Not owned here (the program owns them): a method's `self`
    /// parameter names this class, so owning them would make a cycle.
    pub methods: Vec<Callee>,
}

/// A class type. Compared by identity.
pub struct ClassType {
    /// Qualified name, e.g. `__torch__.torch.nn.modules.linear.Linear`.
    pub name: String,
    /// Kind of class.
    pub kind: ClassKind,
    body: OnceLock<ClassBody>,
}

impl ClassType {
    /// A class whose body is set later with [`ClassType::set_body`].
    pub fn new(name: String, kind: ClassKind) -> ClassType {
        ClassType {
            name,
            kind,
            body: OnceLock::new(),
        }
    }

    /// Sets the members (once).
    pub fn set_body(&self, body: ClassBody) {
        let _ = self.body.set(body);
    }

    /// The members (empty before they are set).
    pub fn body(&self) -> &ClassBody {
        static EMPTY: ClassBody = ClassBody {
            attributes: Vec::new(),
            constants: Vec::new(),
            enum_members: Vec::new(),
            methods: Vec::new(),
        };
        self.body.get().unwrap_or(&EMPTY)
    }

    /// Index of an attribute slot.
    pub fn attribute_index(&self, name: &str) -> Option<usize> {
        self.body().attributes.iter().position(|a| a.name == name)
    }

    /// A method by name (`None` also once the program that owns it has been dropped).
    pub fn method(&self, name: &str) -> Option<Arc<FunctionRef>> {
        self.body()
            .methods
            .iter()
            .find(|m| m.name() == name)
            .and_then(Callee::get)
    }

    /// The methods in printed order (those whose program is still alive).
    pub fn methods(&self) -> Vec<Arc<FunctionRef>> {
        self.body().methods.iter().filter_map(Callee::get).collect()
    }

    /// A `Final` constant by name.
    pub fn constant(&self, name: &str) -> Option<(&Value, &Type)> {
        self.body()
            .constants
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, t)| (v, t))
    }

    /// True for interfaces.
    pub fn is_interface(&self) -> bool {
        self.kind == ClassKind::Interface
    }

    /// Whether this class has every method the interface declares.
    pub fn implements(&self, iface: &ClassType) -> bool {
        iface
            .body()
            .methods
            .iter()
            .all(|m| self.method(m.name()).is_some())
    }

    /// The short name (`Linear`).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

impl std::fmt::Debug for ClassType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "class {}", self.name)
    }
}
