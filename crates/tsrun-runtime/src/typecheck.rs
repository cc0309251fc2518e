//! Run-time type tests: `isinstance`, checking a caller's inputs against a signature.

use crate::types::Type;
use crate::value::Value;

/// Whether a run-time value belongs to a static type.
pub fn value_has_type(v: &Value, ty: &Type) -> bool {
    match (ty, v) {
        (Type::Any, _) => true,
        (Type::Optional(_), Value::None) => true,
        (Type::Optional(inner), v) => value_has_type(v, inner),
        (Type::Union(ms), v) => ms.iter().any(|m| value_has_type(v, m)),
        (Type::Tensor, Value::Tensor(_)) => true,
        (Type::Int, Value::Int(_)) => true,
        (Type::Float, Value::Float(_)) => true,
        (Type::Bool, Value::Bool(_)) => true,
        (Type::Number, Value::Int(_) | Value::Float(_) | Value::Bool(_)) => true,
        (Type::Str, Value::Str(_)) => true,
        (Type::None, Value::None) => true,
        (Type::Device, Value::Device(_)) => true,
        (Type::List(elem), Value::List(l)) => {
            l.elem.is_subtype_of(elem) || l.items.lock().iter().all(|x| value_has_type(x, elem))
        }
        (Type::Dict(k, val), Value::Dict(d)) => d.key.same(k) && d.value.is_subtype_of(val),
        (Type::Tuple(ts), Value::Tuple(items)) => {
            ts.len() == items.len()
                && ts
                    .iter()
                    .zip(items.iter())
                    .all(|(t, x)| value_has_type(x, t))
        }
        (Type::Class(c), Value::Object(o)) => {
            std::sync::Arc::ptr_eq(c, &o.class) || (c.is_interface() && o.class.implements(c))
        }
        (Type::Class(c), Value::Tuple(_)) => c.kind == crate::class::ClassKind::NamedTuple,
        (Type::Class(c), Value::Enum(e)) => std::sync::Arc::ptr_eq(c, &e.class),
        _ => false,
    }
}
