//! Adjusting a literal input to the type its parameter declares.
//!
//! A JSON literal alone cannot say whether `1` is meant for a `float` parameter or what an empty
//! list holds. PyTorch's own Python binding converts such arguments when it calls a scripted
//! method (an `int` is accepted for `float`), so the CLI does the same when it knows the
//! method's signature: `int` -> `float` for `float` parameters (also inside lists), and an empty
//! list takes the declared element type; a nested list of numbers for a `Tensor` parameter
//! becomes a tensor as `torch.tensor` would make it (see [`crate::list_tensor`]). Anything else is passed through unchanged and left for
//! the interpreter's own argument check.

use tsrun::{Type, Value};

/// The parts of a declared parameter type that matter for coercion.
#[derive(Debug, Clone, PartialEq)]
enum Want {
    Float,
    List(Box<Want>),
    /// A type that needs no conversion, kept to type empty lists: `int`, `bool`, `str`, `Tensor`.
    Plain(&'static str),
    /// Anything else (tuples, dicts, classes...): leave the value alone.
    Other,
}

/// Parses a type as printed by the runtime (`List[float]`, `Optional[int]`) or as in operator
/// schemas (`float[]`, `int?`).
fn parse_type(text: &str) -> Want {
    let t = text.trim();
    if let Some(inner) = t
        .strip_prefix("Optional[")
        .and_then(|r| r.strip_suffix(']'))
    {
        return parse_type(inner);
    }
    if let Some(inner) = t.strip_suffix('?') {
        return parse_type(inner);
    }
    if let Some(inner) = t.strip_prefix("List[").and_then(|r| r.strip_suffix(']')) {
        return Want::List(Box::new(parse_type(inner)));
    }
    if let Some(inner) = t.strip_suffix("[]") {
        return Want::List(Box::new(parse_type(inner)));
    }
    match t {
        "float" => Want::Float,
        "int" => Want::Plain("int"),
        "bool" => Want::Plain("bool"),
        "str" => Want::Plain("str"),
        "Tensor" => Want::Plain("Tensor"),
        _ => Want::Other,
    }
}

impl Want {
    fn to_type(&self) -> Option<Type> {
        match self {
            Want::Float => Some(Type::Float),
            Want::List(inner) => inner.to_type().map(Type::list),
            Want::Plain("int") => Some(Type::Int),
            Want::Plain("bool") => Some(Type::Bool),
            Want::Plain("str") => Some(Type::Str),
            Want::Plain("Tensor") => Some(Type::Tensor),
            Want::Plain(_) => None,
            Want::Other => None,
        }
    }
}

/// `value` adjusted to the declared `param_type` (see the module docs).
pub fn coerce(value: Value, param_type: &str) -> Value {
    coerce_to(value, &parse_type(param_type))
}

fn coerce_to(value: Value, want: &Want) -> Value {
    match (value, want) {
        (Value::Int(i), Want::Float) => Value::Float(i as f64),
        (Value::List(list), Want::List(elem)) => {
            let items = Value::List(list.clone())
                .sequence_items()
                .unwrap_or_default();
            let Some(elem_type) = elem.to_type() else {
                return Value::List(list);
            };
            // A new list is safe: a literal's list is fresh, never shared with anything.
            let items: Vec<Value> = items.into_iter().map(|v| coerce_to(v, elem)).collect();
            Value::new_list(elem_type, items)
        }
        // `torch.tensor(list)`: a nested number list for a Tensor parameter.
        (Value::List(list), Want::Plain("Tensor")) => {
            let value = Value::List(list);
            crate::list_tensor::list_to_tensor(&value).map_or(value, Value::Tensor)
        }
        (value, _) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_type(v: &Value) -> String {
        match v {
            Value::List(l) => format!("{}", l.elem),
            other => panic!("not a list: {other:?}"),
        }
    }

    #[test]
    fn parses_both_type_spellings() {
        assert_eq!(parse_type("float"), Want::Float);
        assert_eq!(parse_type("Optional[float]"), Want::Float);
        assert_eq!(parse_type("float?"), Want::Float);
        assert_eq!(parse_type("List[float]"), Want::List(Box::new(Want::Float)));
        assert_eq!(parse_type("float[]"), Want::List(Box::new(Want::Float)));
        assert_eq!(parse_type("Tuple[int, int]"), Want::Other);
    }

    #[test]
    fn int_becomes_float_only_for_float() {
        assert!(matches!(coerce(Value::Int(2), "float"), Value::Float(f) if f == 2.0));
        assert!(matches!(
            coerce(Value::Int(2), "Optional[float]"),
            Value::Float(_)
        ));
        assert!(matches!(coerce(Value::Int(2), "int"), Value::Int(2)));
        assert!(matches!(coerce(Value::Int(2), "Scalar"), Value::Int(2)));
        assert!(matches!(
            coerce(Value::None, "Optional[float]"),
            Value::None
        ));
        assert!(matches!(
            coerce(Value::Bool(true), "float"),
            Value::Bool(true)
        ));
    }

    #[test]
    fn lists_follow_the_declared_element_type() {
        let ints = Value::new_list(Type::Int, vec![Value::Int(1), Value::Int(2)]);
        let floats = coerce(ints, "List[float]");
        assert_eq!(list_type(&floats), "float");
        assert!(floats
            .sequence_items()
            .unwrap_or_default()
            .iter()
            .all(|v| matches!(v, Value::Float(_))));

        let empty = Value::new_list(Type::Int, vec![]);
        assert_eq!(list_type(&coerce(empty.clone(), "List[str]")), "str");
        assert_eq!(list_type(&coerce(empty.clone(), "Tensor[]")), "Tensor");
        assert_eq!(
            list_type(&coerce(empty, "List[List[float]]")),
            "List[float]"
        );

        let nested = Value::new_list(
            Type::list(Type::Int),
            vec![Value::new_list(Type::Int, vec![Value::Int(3)])],
        );
        assert_eq!(
            list_type(&coerce(nested, "List[List[float]]")),
            "List[float]"
        );
    }
}
