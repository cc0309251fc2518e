//! Type expressions of the printed code (`List[int]`, `__torch__.a.B`) to [`Type`]s.

use std::sync::Arc;

use tsrun_script::TypeExpr;

use super::Program;
use crate::types::Type;

impl Program {
    /// Converts a parsed type expression; unknown names are errors naming the type.
    pub(crate) fn type_of(&self, t: &TypeExpr) -> Result<Type, String> {
        match t {
            TypeExpr::Name(n) => self.named_type(n),
            TypeExpr::Generic { name, args } => {
                let a: Vec<Type> = args
                    .iter()
                    .map(|x| self.type_of(x))
                    .collect::<Result<_, _>>()?;
                let one = |a: &[Type]| -> Result<Type, String> {
                    a.first()
                        .cloned()
                        .ok_or_else(|| format!("{name}[] needs a type argument"))
                };
                Ok(match name.as_str() {
                    "List" => Type::list(one(&a)?),
                    "Optional" => Type::optional(one(&a)?),
                    "Future" => Type::Future(Arc::new(one(&a)?)),
                    "Final" => one(&a)?,
                    "Tuple" => Type::Tuple(a.into()),
                    // As TorchScript's `UnionType::create`: one member is that type itself
                    // (printed code writes `unchecked_cast(Union[number], p)`).
                    "Union" if a.len() == 1 => a[0].clone(),
                    "Union" => Type::Union(a.into()),
                    "Dict" => {
                        if a.len() != 2 {
                            return Err("Dict[] needs two type arguments".into());
                        }
                        Type::Dict(Arc::new(a[0].clone()), Arc::new(a[1].clone()))
                    }
                    other => return Err(format!("unknown generic type '{other}'")),
                })
            }
        }
    }

    fn named_type(&self, n: &str) -> Result<Type, String> {
        Ok(match n {
            "Tensor" => Type::Tensor,
            "int" => Type::Int,
            "float" => Type::Float,
            "bool" => Type::Bool,
            "str" => Type::Str,
            "NoneType" | "None" => Type::None,
            "Device" => Type::Device,
            "Any" => Type::Any,
            "number" | "Scalar" => Type::Number,
            // An opaque C++ handle (the profiler's `_RecordFunction.capsule`); never inspected.
            "Capsule" => Type::Any,
            other => match self.classes.get(other) {
                Some(c) => Type::Class(c.clone()),
                None => return Err(format!("unknown type '{other}'")),
            },
        })
    }
}
