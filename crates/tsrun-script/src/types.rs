//! Type expressions (`Tensor`, `List[int]`, `__torch__.a.B`...).

use std::fmt;

use crate::ast::{Expr, ExprKind};
use crate::error::{PResult, ParseError};

/// A syntactic type, as written in annotations and in `annotate(T, ...)`,
/// `uninitialized(T)`, `unchecked_cast(T, ...)`, `isinstance(x, T)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// A plain or dotted name, dots kept: `Tensor`, `int`,
    /// `__torch__.a.B`. `None` is written `NoneType`.
    Name(String),
    /// A subscripted type: `List[int]`, `Dict[str, Tensor]`, `Optional[T]`,
    /// `Final[T]`; `Tuple[()]` (the empty tuple type) has no `args`.
    Generic {
        /// The (dotted) name before `[`.
        name: String,
        /// The type arguments.
        args: Vec<TypeExpr>,
    },
}

/// Prints the type the way PyTorch does (`Tuple[int, str]`, `Tuple[()]`).
impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Name(n) => f.write_str(n),
            TypeExpr::Generic { name, args } => {
                write!(f, "{name}[")?;
                if args.is_empty() {
                    f.write_str("()")?;
                }
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// The dotted name spelled by a chain of `Name`/`Attribute` nodes
/// (`__torch__.a.B`), if `e` is one.
pub(crate) fn dotted_name(e: &Expr) -> Option<String> {
    // Walk the chain iteratively, collecting parts from the right.
    let mut parts = Vec::new();
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Name(n) => {
                parts.push(n.as_str());
                break;
            }
            ExprKind::Attribute { value, attr } => {
                parts.push(attr.as_str());
                cur = value;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// Converts an expression to a type.
///
/// Accepts names and dotted names, `None` (as `NoneType`), a string
/// literal (a forward reference, taken as a name) and subscripts of a
/// (dotted) name whose index is a type or a tuple of types (`Tuple[()]`
/// gives no arguments). The error has an empty `path`.
pub fn expr_to_type(e: &Expr) -> Result<TypeExpr, ParseError> {
    to_type(e, "")
}

/// [`expr_to_type`] with a path for errors.
pub(crate) fn to_type(e: &Expr, path: &str) -> PResult<TypeExpr> {
    match &e.kind {
        ExprKind::NoneLit => Ok(TypeExpr::Name("NoneType".to_string())),
        ExprKind::Str(s) => Ok(TypeExpr::Name(s.clone())),
        ExprKind::Name(_) | ExprKind::Attribute { .. } => match dotted_name(e) {
            Some(n) => Ok(TypeExpr::Name(n)),
            None => Err(ParseError::at(path, e.span, "invalid type expression")),
        },
        ExprKind::Subscript { value, index } => {
            let Some(name) = dotted_name(value) else {
                return Err(ParseError::at(path, value.span, "invalid type expression"));
            };
            let args = match &index.kind {
                ExprKind::Tuple(elts) => elts
                    .iter()
                    .map(|a| to_type(a, path))
                    .collect::<PResult<Vec<_>>>()?,
                _ => vec![to_type(index, path)?],
            };
            Ok(TypeExpr::Generic { name, args })
        }
        _ => Err(ParseError::at(path, e.span, "invalid type expression")),
    }
}
