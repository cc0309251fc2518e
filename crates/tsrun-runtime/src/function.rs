//! Compiled functions and their IR: a tree of statements and expressions in which every
//! name is already resolved: locals to frame slots, attributes to slot indices, operator
//! calls to kernel function pointers, method calls to `FunctionRef`s.
//!
//! Ownership: every `FunctionRef` is owned by the [`crate::compile::Program`] that compiled it
//! (or, for specialised copies, by the `LoadedModule`). Compiled code and class method tables
//! refer to functions through [`Callee`], a non-owning reference, because functions call each
//! other (and themselves) and a method's signature names its own class: owning references
//! there would form cycles that keep a dropped module alive forever.

use std::sync::{Arc, OnceLock, Weak};

use smallvec::{smallvec, SmallVec};

use crate::class::ClassType;
use crate::error::{CompileError, Location};
use crate::ops::OpDef;
use crate::types::Type;
use crate::value::Value;

/// A function parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Declared type.
    pub ty: Type,
    /// Default value, if printed.
    pub default: Option<Value>,
}

/// A compiled (or to-be-compiled) function or method: its signature is known as soon as the
/// code is parsed; the body is compiled once at load time.
pub struct FunctionRef {
    /// Name as called (`forward`, `scripted_helper`).
    pub name: String,
    /// Qualified name for messages (`__torch__.MyCell.forward`).
    pub qualified_name: String,
    /// Parameters, including `self` for methods.
    pub params: Vec<Param>,
    /// Return type.
    pub ret: Type,
    pub(crate) body: OnceLock<Result<Arc<Function>, CompileError>>,
}

impl FunctionRef {
    /// A function whose body is not compiled yet.
    pub fn new(name: String, qualified_name: String, params: Vec<Param>, ret: Type) -> FunctionRef {
        FunctionRef {
            name,
            qualified_name,
            params,
            ret,
            body: OnceLock::new(),
        }
    }

    /// The compiled body, or the error that compiling it gave.
    pub fn compiled(&self) -> Result<&Arc<Function>, CompileError> {
        match self.body.get() {
            Some(Ok(f)) => Ok(f),
            Some(Err(e)) => Err(e.clone()),
            None => Err(CompileError::new(format!(
                "{} was not compiled",
                self.qualified_name
            ))),
        }
    }

    /// `(name: type, ...) -> ret` without `self`.
    pub fn signature_text(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .filter(|p| p.name != "self")
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        format!("{}({}) -> {}", self.name, params.join(", "), self.ret)
    }
}

/// A non-owning reference to a function, held by call sites and class method tables (see the
/// module docs for why it does not own its target).
///
/// Calling through it costs one `Weak::upgrade`; an index into a per-program arena would be
/// cheaper but needs the arena at every call, and breaks silently when an object of one module
/// is passed into another. Plans, which run the hot straight-line bodies, make no calls.
#[derive(Clone)]
pub struct Callee {
    target: Weak<FunctionRef>,
    /// The target's name as called, for method lookup without an upgrade.
    name: Arc<str>,
    /// The target's qualified name, for dumps and for the error when the target is gone.
    qualified_name: Arc<str>,
}

impl Callee {
    /// A reference to `f` that does not keep it alive.
    pub fn new(f: &Arc<FunctionRef>) -> Callee {
        Callee {
            target: Arc::downgrade(f),
            name: f.name.as_str().into(),
            qualified_name: f.qualified_name.as_str().into(),
        }
    }

    /// The target, unless the program that owned it has been dropped.
    #[inline]
    pub fn get(&self) -> Option<Arc<FunctionRef>> {
        self.target.upgrade()
    }

    /// The target's name as called (available even once it is gone).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The target's qualified name (available even once it is gone).
    pub fn qualified_name(&self) -> &str {
        &self.qualified_name
    }

    /// Whether this refers to `f`.
    pub fn is(&self, f: &Arc<FunctionRef>) -> bool {
        std::ptr::eq(self.target.as_ptr(), Arc::as_ptr(f))
    }
}

/// A compiled function body.
pub struct Function {
    /// Number of local slots (parameters first).
    pub num_slots: usize,
    /// The body.
    pub body: Block,
    /// Source file, for error locations.
    pub file: Arc<str>,
    /// The flattened form of a specialised straight-line body, run instead of `body` when
    /// present (see [`crate::plan`]).
    pub plan: Option<crate::plan::Plan>,
}

/// A sequence of statements.
pub type Block = Vec<Stmt>;

/// A statement with the printed-code position it came from.
#[derive(Clone)]
pub struct Stmt {
    /// What it does.
    pub kind: StmtKind,
    /// 1-based line in `Function::file`.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

impl Stmt {
    /// Location of this statement in a file.
    pub fn location(&self, file: &Arc<str>) -> Location {
        Location {
            file: file.clone(),
            line: self.line,
            col: self.col,
        }
    }
}

/// Statement kinds.
#[derive(Clone)]
pub enum StmtKind {
    /// `slot = value`.
    Assign(u32, Expr),
    /// `a, b = value` (tuple unpacking; a length mismatch is a runtime error).
    Unpack(Box<[u32]>, Expr),
    /// `obj.attr = value` (slot index resolved).
    SetAttr {
        /// The object.
        obj: Expr,
        /// Slot index.
        slot: u32,
        /// New value.
        value: Expr,
    },
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `if cond: then else: els`.
    If(Expr, Block, Block),
    /// `for var in range(count): body`.
    ForRange {
        /// Loop variable slot.
        var: u32,
        /// Number of iterations (an int expression).
        count: Expr,
        /// Body.
        body: Block,
    },
    /// `while cond: body`.
    While(Expr, Block),
    /// `with ctx: body` calling `__enter__` / `__exit__` when they exist.
    With {
        /// Context object.
        ctx: Expr,
        /// `__enter__` method, if the class has one.
        enter: Option<Callee>,
        /// `__exit__` method, if the class has one.
        exit: Option<Callee>,
        /// Body.
        body: Block,
    },
    /// `return value`.
    Return(Expr),
    /// `break` (accepted defensively; PyTorch never prints it).
    Break,
    /// `continue` (accepted defensively).
    Continue,
    /// `pass`.
    Pass,
}

/// Expressions.
#[derive(Clone)]
pub enum Expr {
    /// A local slot.
    Local(u32),
    /// A local slot read for the last time: the value is moved out, not cloned, so a kernel
    /// may reuse its buffer (set by the optimizer).
    Move(u32),
    /// A constant (literals, `CONSTANTS.cN`, `Final` attributes, defaults).
    Const(Value),
    /// An operator call: kernel resolved at load time.
    Op(Arc<OpDef>, Box<[Expr]>),
    /// A call of a compiled function or a method (the receiver is the first argument).
    Call(Callee, Box<[Expr]>),
    /// A method call dispatched on the receiver's run-time class (interfaces).
    CallVirtual {
        /// Method name.
        name: Arc<str>,
        /// Arguments, receiver first.
        args: Box<[Expr]>,
    },
    /// An attribute read by slot index.
    GetAttr(Box<Expr>, u32),
    /// `(t)[i]` on a tuple with a constant index.
    TupleIndex(Box<Expr>, usize),
    /// A tuple display.
    MakeTuple(Box<[Expr]>),
    /// A list display with its element type.
    MakeList(Type, Box<[Expr]>),
    /// A dict display with its key and value types.
    MakeDict(Type, Type, Box<[(Expr, Expr)]>),
    /// `Class.__new__(Class)`: a fresh object with `None` slots.
    NewObject(Arc<ClassType>),
    /// `NamedTuple(...)` construction.
    NewNamedTuple(Arc<ClassType>, Box<[Expr]>),
    /// Implicit `int` -> `float` conversion inserted by overload resolution.
    IntToFloat(Box<Expr>),
    /// `isinstance(value, T)` on a value of dynamic type.
    IsInstance(Box<Expr>, Type),
    /// `print(a, b, ...)`.
    Print(Box<[Expr]>),
    /// `"{} {}".format(a, b)` / `aten::format`.
    Format(Box<[Expr]>),
    /// `a and b` / `a or b` (short-circuit; defensive).
    BoolOp(bool, Box<Expr>, Box<Expr>),
    /// `c if a else b` (defensive).
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The direct sub-expressions, for passes that walk the IR. New variants must be listed
    /// here; every pass relies on it.
    pub fn children_mut(&mut self) -> ChildrenMut<'_> {
        match self {
            Expr::Local(_) | Expr::Move(_) | Expr::Const(_) | Expr::NewObject(_) => {
                ChildrenMut::Few([None, None, None].into_iter().flatten())
            }
            Expr::Op(_, args)
            | Expr::Call(_, args)
            | Expr::CallVirtual { args, .. }
            | Expr::MakeTuple(args)
            | Expr::MakeList(_, args)
            | Expr::NewNamedTuple(_, args)
            | Expr::Print(args)
            | Expr::Format(args) => ChildrenMut::Slice(args.iter_mut()),
            Expr::GetAttr(x, _)
            | Expr::TupleIndex(x, _)
            | Expr::IntToFloat(x)
            | Expr::IsInstance(x, _) => {
                ChildrenMut::Few([Some(&mut **x), None, None].into_iter().flatten())
            }
            Expr::MakeDict(_, _, items) => ChildrenMut::Pairs(items.iter_mut().flat_map(pair_mut)),
            Expr::BoolOp(_, a, b) => {
                ChildrenMut::Few([Some(&mut **a), Some(&mut **b), None].into_iter().flatten())
            }
            Expr::IfExp(c, a, b) => ChildrenMut::Few(
                [Some(&mut **c), Some(&mut **a), Some(&mut **b)]
                    .into_iter()
                    .flatten(),
            ),
        }
    }
}

fn pair_mut(kv: &mut (Expr, Expr)) -> [&mut Expr; 2] {
    [&mut kv.0, &mut kv.1]
}

/// The direct sub-expressions of an [`Expr`] ([`Expr::children_mut`]), in evaluation order.
/// An iterator rather than a `Vec`: the load-time passes walk every node of every specialised
/// body several times, and a heap allocation per node was a quarter of the scripted
/// transformer's load.
pub enum ChildrenMut<'a> {
    /// Argument lists.
    Slice(std::slice::IterMut<'a, Expr>),
    /// Up to three boxed operands.
    Few(std::iter::Flatten<std::array::IntoIter<Option<&'a mut Expr>, 3>>),
    /// Dict displays: key, value, key, value, ...
    Pairs(PairsMut<'a>),
}

/// Keys and values of a dict display, in order.
type PairsMut<'a> = std::iter::FlatMap<
    std::slice::IterMut<'a, (Expr, Expr)>,
    [&'a mut Expr; 2],
    fn(&'a mut (Expr, Expr)) -> [&'a mut Expr; 2],
>;

impl<'a> Iterator for ChildrenMut<'a> {
    type Item = &'a mut Expr;

    #[inline]
    fn next(&mut self) -> Option<&'a mut Expr> {
        match self {
            ChildrenMut::Slice(it) => it.next(),
            ChildrenMut::Few(it) => it.next(),
            ChildrenMut::Pairs(it) => it.next(),
        }
    }
}

impl StmtKind {
    /// The expressions directly in this statement (not in nested blocks), in evaluation order.
    /// Inline storage (at most two), no allocation: passes call this on every statement.
    pub fn exprs_mut(&mut self) -> SmallVec<[&mut Expr; 2]> {
        match self {
            StmtKind::Assign(_, e)
            | StmtKind::Unpack(_, e)
            | StmtKind::Expr(e)
            | StmtKind::Return(e) => {
                smallvec![e]
            }
            StmtKind::SetAttr { obj, value, .. } => smallvec![obj, value],
            StmtKind::If(c, _, _) => smallvec![c],
            StmtKind::ForRange { count, .. } => smallvec![count],
            StmtKind::While(c, _) => smallvec![c],
            StmtKind::With { ctx, .. } => smallvec![ctx],
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => SmallVec::new(),
        }
    }

    /// The nested blocks, with whether each is a loop body.
    /// Inline storage (at most two), no allocation.
    pub fn blocks_mut(&mut self) -> SmallVec<[(&mut Block, bool); 2]> {
        match self {
            StmtKind::If(_, a, b) => smallvec![(a, false), (b, false)],
            StmtKind::ForRange { body, .. } | StmtKind::While(_, body) => {
                smallvec![(body, true)]
            }
            StmtKind::With { body, .. } => smallvec![(body, false)],
            _ => SmallVec::new(),
        }
    }

    /// The nested blocks, read-only (for scans that do not rewrite).
    pub fn blocks(&self) -> SmallVec<[&Block; 2]> {
        match self {
            StmtKind::If(_, a, b) => smallvec![a, b],
            StmtKind::ForRange { body, .. } | StmtKind::While(_, body) => smallvec![body],
            StmtKind::With { body, .. } => smallvec![body],
            _ => SmallVec::new(),
        }
    }

    /// Slots this statement assigns directly (no allocation for the common single slot).
    pub fn assigned_slots(&self) -> &[u32] {
        match self {
            StmtKind::Assign(s, _) => std::slice::from_ref(s),
            StmtKind::Unpack(slots, _) => slots,
            StmtKind::ForRange { var, .. } => std::slice::from_ref(var),
            _ => &[],
        }
    }
}
