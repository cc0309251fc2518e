//! The syntax tree produced by [`crate::parse_file`].
//!
//! The tree mirrors the printed TorchScript subset (printed-code.md) plus a
//! few defensive Python forms (operators, `elif`, `break`...). Nothing is
//! resolved: names are plain strings and types are [`TypeExpr`]s.

use crate::span::Span;
use crate::types::TypeExpr;

/// One parsed `code/**.py` file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The path given to [`crate::parse_file`].
    pub path: String,
    /// Top-level classes and functions, in source order.
    pub items: Vec<Item>,
}

/// A top-level item of a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `class X(Base): ...`
    Class(ClassDef),
    /// `def f(...): ...`
    Function(FuncDef),
}

/// A class definition, with its body split by kind of line.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDef {
    /// The class name (unqualified).
    pub name: String,
    /// The base in parentheses (`Module`, `NamedTuple`, `Enum`,
    /// `ModuleInterface`; dotted bases are joined with `.`); `None` for
    /// `class X:` and `class X():`.
    pub base: Option<String>,
    /// Names listed in `__parameters__ = [...]`.
    pub parameters: Vec<String>,
    /// Names listed in `__buffers__ = [...]`.
    pub buffers: Vec<String>,
    /// Attribute declarations `name : T` and `__annotations__["k"] = T`,
    /// in source order.
    pub attributes: Vec<AttrDecl>,
    /// Class-level constants: `name : Final[T] = literal` (with `ty` the
    /// inner `T`) and non-`Final` `name : T = expr`, in source order.
    pub constants: Vec<ConstDecl>,
    /// `NAME = expr` lines other than `__parameters__`, `__buffers__` and
    /// `__annotations__` (Enum members), in source order.
    pub enum_members: Vec<(String, Expr)>,
    /// Methods, in source order.
    pub methods: Vec<FuncDef>,
    /// From `class` to the end of the body.
    pub span: Span,
}

/// A class attribute (slot) declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrDecl {
    /// Slot name; not necessarily an identifier (`"0"` from
    /// `__annotations__["0"] = T`).
    pub name: String,
    /// Declared type.
    pub ty: TypeExpr,
    /// The declaring line.
    pub span: Span,
}

/// A class-level constant.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstDecl {
    /// Constant name.
    pub name: String,
    /// Declared type, with `Final[...]` removed.
    pub ty: TypeExpr,
    /// The value expression (a literal in printed code).
    pub value: Expr,
    /// The declaring line.
    pub span: Span,
}

/// A function or method definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncDef {
    /// Function name.
    pub name: String,
    /// Parameters, including `self` for methods.
    pub params: Vec<Param>,
    /// Return annotation after `->`.
    pub ret: Option<TypeExpr>,
    /// The body (never empty).
    pub body: Vec<Stmt>,
    /// From `def` to the end of the body.
    pub span: Span,
}

/// One parameter of a [`FuncDef`].
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Parameter name.
    pub name: String,
    /// Annotation; `None` for an unannotated `self`.
    pub ty: Option<TypeExpr>,
    /// Default value after `=`.
    pub default: Option<Expr>,
    /// From the name to the end of the default or annotation.
    pub span: Span,
}

/// A statement with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What the statement is.
    pub kind: StmtKind,
    /// For simple statements the whole line (without the newline); for
    /// compound statements from the keyword to the end of the last body.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `a = e`, `a, b = e`, `a, b, = e`, `self.x = e`, `x[i] = e`.
    ///
    /// `targets` holds one entry per assigned place: a single target gives
    /// one entry with `unpack == false`; a tuple or list of targets (with or
    /// without parentheses or a trailing comma) gives its elements with
    /// `unpack == true` (so `a, = e` unpacks a one-element tuple). Each
    /// target is a `Name`, `Attribute` or `Subscript`.
    Assign {
        /// The assigned places.
        targets: Vec<Expr>,
        /// Whether the value is unpacked into `targets`.
        unpack: bool,
        /// The assigned value (a `Tuple` for `a, b = c, d`).
        value: Expr,
    },
    /// `name : T = e` in a function body.
    AnnAssign {
        /// The assigned name.
        target: String,
        /// The annotation.
        ty: TypeExpr,
        /// The value.
        value: Expr,
    },
    /// `target op= value` (never printed by PyTorch; accepted defensively).
    AugAssign {
        /// A `Name`, `Attribute` or `Subscript`.
        target: Expr,
        /// The operator (`+=` gives [`BinOp::Add`]).
        op: BinOp,
        /// Right-hand side.
        value: Expr,
    },
    /// An expression statement (a call in printed code).
    Expr(Expr),
    /// `if cond: ... else: ...`; `elif` is desugared into an `If` nested in
    /// `else_body`; a missing `else` gives an empty `else_body`.
    If {
        /// Condition.
        cond: Expr,
        /// Statements run when `cond` is true.
        then_body: Vec<Stmt>,
        /// Statements run otherwise (possibly empty).
        else_body: Vec<Stmt>,
    },
    /// `for var in iter: body` (only single-name targets).
    For {
        /// The loop variable.
        var: String,
        /// The iterable (`range(n)` in printed code).
        iter: Expr,
        /// Loop body.
        body: Vec<Stmt>,
    },
    /// `while cond: body`.
    While {
        /// Condition.
        cond: Expr,
        /// Loop body.
        body: Vec<Stmt>,
    },
    /// `with ctx: body` (no `as`).
    With {
        /// The context manager object.
        ctx: Expr,
        /// Body.
        body: Vec<Stmt>,
    },
    /// `return` or `return e` (`return a, b` gives a `Tuple`).
    Return(Option<Expr>),
    /// `pass`.
    Pass,
    /// `break` (defensive).
    Break,
    /// `continue` (defensive).
    Continue,
    /// `raise` or `raise e` (defensive).
    Raise(Option<Expr>),
    /// `assert cond` or `assert cond, msg` (defensive).
    Assert {
        /// The asserted condition.
        cond: Expr,
        /// Optional message.
        msg: Option<Expr>,
    },
    /// A nested `def` (the closures passed to `fork`).
    FuncDef(Box<FuncDef>),
}

/// An expression with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Source range (including enclosing parentheses, if any).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An identifier (including `inf`, `nan`, `self`, `torch`...).
    Name(String),
    /// An integer literal; unary minus on a literal is folded in, so
    /// `-9223372036854775808` is `Int(i64::MIN)`.
    Int(i64),
    /// A float literal (`1.`, `1e-05`...); unary minus on a float literal
    /// and `-inf` are folded into a negative value.
    Float(f64),
    /// A string literal, escapes decoded; adjacent literals are joined.
    Str(String),
    /// `True` / `False`.
    Bool(bool),
    /// `None`.
    NoneLit,
    /// `...`.
    Ellipsis,
    /// `value.attr`.
    Attribute {
        /// The object.
        value: Box<Expr>,
        /// The attribute name.
        attr: String,
    },
    /// `func(args, name=value)`.
    Call {
        /// The callee.
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments, in order.
        kwargs: Vec<(String, Expr)>,
    },
    /// `value[index]`; several comma-separated indices give a `Tuple` index
    /// (`Dict[str, int]`).
    Subscript {
        /// The subscripted object.
        value: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// `lower:upper:step`, only as (part of) a subscript index.
    Slice {
        /// Lower bound.
        lower: Option<Box<Expr>>,
        /// Upper bound.
        upper: Option<Box<Expr>>,
        /// Step.
        step: Option<Box<Expr>>,
    },
    /// `(a, b)`, `()`, or an unparenthesised `a, b` where allowed.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{k: v, ...}`.
    Dict(Vec<(Expr, Expr)>),
    /// `-x`, `+x`, `~x`, `not x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A binary arithmetic or bitwise operation (defensive).
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// A single comparison (defensive); chains `a < b < c` are desugared to
    /// `a < b and b < c` (with `b` duplicated).
    Compare {
        /// The operator.
        op: CmpOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `and` / `or` (defensive).
    BoolOp {
        /// The operator.
        op: BoolOpKind,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `then if cond else else_` (defensive).
    IfExp {
        /// Condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        else_: Box<Expr>,
    },
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `not x`
    Not,
    /// `~x`
    Invert,
}

/// Binary arithmetic and bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `@`
    MatMul,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtE,
    /// `>`
    Gt,
    /// `>=`
    GtE,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

/// Short-circuit boolean operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoolOpKind {
    /// `and`
    And,
    /// `or`
    Or,
}

impl Expr {
    /// Builds an expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}
