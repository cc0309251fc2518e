//! Static TorchScript types, as the compiler tracks them for every local and expression.
//!
//! Types drive overload resolution at load time (`torch.add(x, 1)` is `add.Scalar` because `x`
//! is a `Tensor` and `1` an `int`), so every expression the compiler emits has one.

use std::fmt;
use std::sync::Arc;

use crate::class::ClassType;

/// A TorchScript type.
#[derive(Clone)]
pub enum Type {
    /// `Tensor`.
    Tensor,
    /// `int` (64-bit, wrapping). Also dtype, layout and memory-format codes.
    Int,
    /// `float` (64-bit).
    Float,
    /// `bool`.
    Bool,
    /// `str`.
    Str,
    /// `NoneType`.
    None,
    /// `Device`.
    Device,
    /// `Any`: checked only at run time.
    Any,
    /// `Scalar` / `number` in schemas: an int, float or bool.
    Number,
    /// `Optional[T]`.
    Optional(Arc<Type>),
    /// `List[T]`.
    List(Arc<Type>),
    /// `Dict[K, V]`.
    Dict(Arc<Type>, Arc<Type>),
    /// `Tuple[T1, ...]`.
    Tuple(Arc<[Type]>),
    /// `Union[T1, ...]`.
    Union(Arc<[Type]>),
    /// A module, script class, NamedTuple, enum or interface from `code/`.
    Class(Arc<ClassType>),
    /// `Future[T]` (fork/wait run synchronously).
    Future(Arc<Type>),
    /// A compiled free function bound to a local (`_0 = __torch__.f`).
    Function(Arc<crate::function::FunctionRef>),
    /// A schema type variable (`t` in `t[]`); only appears in operator schemas.
    Var(Arc<str>),
}

impl Type {
    /// `Optional[t]`, collapsing `Optional[Optional[t]]` and `Optional[NoneType]`.
    pub fn optional(t: Type) -> Type {
        match t {
            Type::Optional(_) | Type::None | Type::Any => t,
            other => Type::Optional(Arc::new(other)),
        }
    }

    /// `List[t]`.
    pub fn list(t: Type) -> Type {
        Type::List(Arc::new(t))
    }

    /// True for `Optional[..]`, `None`, `Any`.
    pub fn admits_none(&self) -> bool {
        matches!(self, Type::Optional(_) | Type::None | Type::Any)
    }

    /// The inner type of `Optional[T]`, or the type itself.
    pub fn unwrap_optional(&self) -> &Type {
        match self {
            Type::Optional(t) => t,
            t => t,
        }
    }

    /// Structural equality (classes compare by identity).
    pub fn same(&self, other: &Type) -> bool {
        use Type::*;
        match (self, other) {
            (Tensor, Tensor) | (Int, Int) | (Float, Float) | (Bool, Bool) | (Str, Str) => true,
            (None, None) | (Device, Device) | (Any, Any) | (Number, Number) => true,
            (Optional(a), Optional(b)) | (List(a), List(b)) | (Future(a), Future(b)) => a.same(b),
            (Dict(k1, v1), Dict(k2, v2)) => k1.same(k2) && v1.same(v2),
            (Tuple(a), Tuple(b)) | (Union(a), Union(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same(y))
            }
            (Class(a), Class(b)) => Arc::ptr_eq(a, b) || a.name == b.name,
            (Function(a), Function(b)) => Arc::ptr_eq(a, b),
            (Var(a), Var(b)) => a == b,
            _ => false,
        }
    }

    /// Whether a value of static type `self` may be passed where `target` is expected,
    /// without conversion (subtyping: `T <: Optional[T]`, `None <: Optional[T]`, anything `<: Any`).
    pub fn is_subtype_of(&self, target: &Type) -> bool {
        use Type::*;
        if self.same(target) {
            return true;
        }
        match (self, target) {
            (_, Any) => true,
            (None, Optional(_)) => true,
            (Optional(a), Optional(b)) => a.is_subtype_of(b),
            (t, Optional(b)) => t.is_subtype_of(b),
            (Int | Float | Bool, Number) => true,
            (t, Union(ms)) => ms.iter().any(|m| t.is_subtype_of(m)),
            (List(a), List(b)) => a.same(b) || matches!(**b, Any),
            (Tuple(a), Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.is_subtype_of(y))
            }
            (Class(a), Class(b)) => b.is_interface() && a.implements(b),
            _ => false,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, ts: &[Type]| -> fmt::Result {
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{t}")?;
            }
            Ok(())
        };
        match self {
            Type::Tensor => write!(f, "Tensor"),
            Type::Int => write!(f, "int"),
            Type::Float => write!(f, "float"),
            Type::Bool => write!(f, "bool"),
            Type::Str => write!(f, "str"),
            Type::None => write!(f, "NoneType"),
            Type::Device => write!(f, "Device"),
            Type::Any => write!(f, "Any"),
            Type::Number => write!(f, "Scalar"),
            Type::Optional(t) => write!(f, "Optional[{t}]"),
            Type::List(t) => write!(f, "List[{t}]"),
            Type::Dict(k, v) => write!(f, "Dict[{k}, {v}]"),
            Type::Tuple(ts) => {
                write!(f, "Tuple[")?;
                join(f, ts)?;
                write!(f, "]")
            }
            Type::Union(ts) => {
                write!(f, "Union[")?;
                join(f, ts)?;
                write!(f, "]")
            }
            Type::Class(c) => write!(f, "{}", c.name),
            Type::Future(t) => write!(f, "Future[{t}]"),
            Type::Function(func) => write!(f, "Function[{}]", func.name),
            Type::Var(v) => write!(f, "{v}"),
        }
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
