//! `From` / `TryFrom` between [`Value`] and Rust types, so callers build inputs and read
//! results without matching on variants.
//!
//! | Rust | `Value` |
//! |---|---|
//! | [`Tensor`] | `Tensor` |
//! | `i64`, `i32` | `int` |
//! | `f64`, `f32` | `float` |
//! | `bool` | `bool` |
//! | `String`, `&str` | `str` |
//! | `Vec<T>` | `List[T]` (element type from `T`) |
//! | `Vec<Value>` | `List[T]` with `T` the items' common type, else `List[Any]` |
//! | `(A, B, ...)` (1 to 6 items) | `Tuple[A, B, ...]` |
//! | `BTreeMap<K, V>` | `Dict[K, V]` (entries in key order; back with `TryFrom`, also to `HashMap`) |
//! | `Option<T>` | `T` or `None` |
//!
//! They live in the runtime crate, not in the facade, because Rust only allows
//! `impl From<X> for Value` in the crate that defines `Value` (or `X`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::Hash;

use tsrun_tensor::Tensor;

use crate::types::Type;
use crate::value::Value;

/// A [`Value`] that is not of the requested Rust type.
///
/// ```
/// use tsrun_runtime::Value;
/// let err = i64::try_from(Value::Float(1.5)).unwrap_err();
/// assert_eq!(err.to_string(), "expected int, got float");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionError {
    /// The kind that was asked for (`int`, `Tensor`, `tuple of 2`...).
    pub expected: String,
    /// The kind the value has ([`Value::kind_name`]).
    pub got: String,
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.got)
    }
}

impl std::error::Error for ConversionError {}

fn mismatch(expected: impl Into<String>, v: &Value) -> ConversionError {
    ConversionError {
        expected: expected.into(),
        got: v.kind_name().to_string(),
    }
}

/// A Rust type that maps to one TorchScript type, so `Vec<T>` knows its list element type.
///
/// ```
/// use tsrun_runtime::introspect::conversions::Typed;
/// assert_eq!(<Vec<i64> as Typed>::script_type().to_string(), "List[int]");
/// ```
pub trait Typed {
    /// The TorchScript type of values converted from `Self`.
    fn script_type() -> Type;
}

macro_rules! typed {
    ($($t:ty => $ty:expr),* $(,)?) => {
        $(impl Typed for $t {
            fn script_type() -> Type {
                $ty
            }
        })*
    };
}

typed!(
    Tensor => Type::Tensor,
    i64 => Type::Int,
    i32 => Type::Int,
    f64 => Type::Float,
    f32 => Type::Float,
    bool => Type::Bool,
    String => Type::Str,
    &str => Type::Str,
);

impl<T: Typed> Typed for Vec<T> {
    fn script_type() -> Type {
        Type::list(T::script_type())
    }
}

impl<T: Typed> Typed for Option<T> {
    fn script_type() -> Type {
        Type::optional(T::script_type())
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i.into())
    }
}

impl From<f32> for Value {
    fn from(f: f32) -> Value {
        Value::Float(f.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::None, Into::into)
    }
}

impl<T: Into<Value> + Typed> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::new_list(
            T::script_type(),
            items.into_iter().map(Into::into).collect(),
        )
    }
}

impl From<Vec<Value>> for Value {
    /// A list typed by its items' common type (`List[Any]` if they differ or it is empty and
    /// nothing tells; TorchScript methods that declare `List[T]` check the items at the call).
    fn from(items: Vec<Value>) -> Value {
        let elem = common_type(&items);
        Value::new_list(elem, items)
    }
}

/// The static type of a simple value, if it has one without further context.
fn simple_type(v: &Value) -> Option<Type> {
    Some(match v {
        Value::Tensor(_) => Type::Tensor,
        Value::Int(_) => Type::Int,
        Value::Float(_) => Type::Float,
        Value::Bool(_) => Type::Bool,
        Value::Str(_) => Type::Str,
        Value::List(l) => Type::list(l.elem.clone()),
        _ => return None,
    })
}

fn common_type(items: &[Value]) -> Type {
    let mut types = items.iter().map(simple_type);
    let Some(Some(first)) = types.next() else {
        return Type::Any;
    };
    if types.all(|t| t.is_some_and(|t| t.same(&first))) {
        first
    } else {
        Type::Any
    }
}

impl<K: Into<Value> + Typed, V: Into<Value> + Typed> From<BTreeMap<K, V>> for Value {
    fn from(map: BTreeMap<K, V>) -> Value {
        let items = map.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        Value::new_dict(K::script_type(), V::script_type(), items)
    }
}

macro_rules! tuples {
    ($($n:literal: ($($t:ident),+)),* $(,)?) => {
        $(
            impl<$($t: Into<Value>),+> From<($($t,)+)> for Value {
                #[allow(non_snake_case)]
                fn from(($($t,)+): ($($t,)+)) -> Value {
                    Value::tuple(vec![$($t.into()),+])
                }
            }

            impl<$($t: TryFrom<Value>),+> TryFrom<Value> for ($($t,)+)
            where
                $(ConversionError: From<$t::Error>,)+
            {
                type Error = ConversionError;
                fn try_from(v: Value) -> Result<Self, ConversionError> {
                    let items = match &v {
                        Value::Tuple(items) if items.len() == $n => items.clone(),
                        _ => return Err(mismatch(concat!("tuple of ", $n), &v)),
                    };
                    let mut it = items.iter().cloned();
                    Ok(($($t::try_from(it.next().unwrap_or_default()).map_err(ConversionError::from)?,)+))
                }
            }
        )*
    };
}

tuples!(
    1: (A),
    2: (A, B),
    3: (A, B, C),
    4: (A, B, C, D),
    5: (A, B, C, D, E),
    6: (A, B, C, D, E, F),
);

impl TryFrom<Value> for Tensor {
    type Error = ConversionError;
    fn try_from(v: Value) -> Result<Tensor, ConversionError> {
        match v {
            Value::Tensor(t) => Ok(t),
            other => Err(mismatch("Tensor", &other)),
        }
    }
}

impl TryFrom<Value> for i64 {
    type Error = ConversionError;
    fn try_from(v: Value) -> Result<i64, ConversionError> {
        v.as_int().ok_or_else(|| mismatch("int", &v))
    }
}

impl TryFrom<Value> for f64 {
    type Error = ConversionError;
    /// A `float`, or an `int` widened (as TorchScript does for a `float` parameter).
    fn try_from(v: Value) -> Result<f64, ConversionError> {
        v.as_float().ok_or_else(|| mismatch("float", &v))
    }
}

impl TryFrom<Value> for bool {
    type Error = ConversionError;
    fn try_from(v: Value) -> Result<bool, ConversionError> {
        v.as_bool().ok_or_else(|| mismatch("bool", &v))
    }
}

impl TryFrom<Value> for String {
    type Error = ConversionError;
    fn try_from(v: Value) -> Result<String, ConversionError> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| mismatch("str", &v))
    }
}

impl<T: TryFrom<Value>> TryFrom<Value> for Vec<T>
where
    ConversionError: From<T::Error>,
{
    type Error = ConversionError;
    /// The items of a list or a tuple, each converted.
    fn try_from(v: Value) -> Result<Vec<T>, ConversionError> {
        v.sequence_items()
            .ok_or_else(|| mismatch("list", &v))?
            .into_iter()
            .map(|item| T::try_from(item).map_err(ConversionError::from))
            .collect()
    }
}

/// Lets `Value` itself (whose `TryFrom<Value>` cannot fail) sit in a converted tuple or `Vec`.
impl From<std::convert::Infallible> for ConversionError {
    fn from(never: std::convert::Infallible) -> ConversionError {
        match never {}
    }
}

/// The entries of a dict, each key and value converted.
fn dict_entries<K, V>(
    v: Value,
) -> Result<impl Iterator<Item = Result<(K, V), ConversionError>>, ConversionError>
where
    K: TryFrom<Value>,
    V: TryFrom<Value>,
    ConversionError: From<K::Error> + From<V::Error>,
{
    let items = v.dict_items().ok_or_else(|| mismatch("dict", &v))?;
    Ok(items.into_iter().map(|(k, v)| {
        Ok((
            K::try_from(k).map_err(ConversionError::from)?,
            V::try_from(v).map_err(ConversionError::from)?,
        ))
    }))
}

impl<K, V> TryFrom<Value> for BTreeMap<K, V>
where
    K: TryFrom<Value> + Ord,
    V: TryFrom<Value>,
    ConversionError: From<K::Error> + From<V::Error>,
{
    type Error = ConversionError;
    fn try_from(v: Value) -> Result<BTreeMap<K, V>, ConversionError> {
        dict_entries(v)?.collect()
    }
}

impl<K, V> TryFrom<Value> for HashMap<K, V>
where
    K: TryFrom<Value> + Eq + Hash,
    V: TryFrom<Value>,
    ConversionError: From<K::Error> + From<V::Error>,
{
    type Error = ConversionError;
    fn try_from(v: Value) -> Result<HashMap<K, V>, ConversionError> {
        dict_entries(v)?.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_round_trip() {
        assert_eq!(i64::try_from(Value::from(3i32)), Ok(3));
        assert_eq!(f64::try_from(Value::from(1.5f32)), Ok(1.5));
        assert_eq!(f64::try_from(Value::from(2i64)), Ok(2.0));
        assert_eq!(bool::try_from(Value::from(true)), Ok(true));
        assert_eq!(
            String::try_from(Value::from("hi".to_string())).unwrap(),
            "hi"
        );
        assert!(matches!(Value::from(None::<i64>), Value::None));
        assert!(i64::try_from(Value::str("x")).is_err());
    }

    #[test]
    fn lists_are_typed() {
        let v = Value::from(vec![1i64, 2]);
        assert!(matches!(&v, Value::List(l) if l.elem.to_string() == "int"));
        assert_eq!(Vec::<i64>::try_from(v), Ok(vec![1, 2]));
        let v = Value::from(vec![Value::Float(1.0), Value::Float(2.0)]);
        assert!(matches!(&v, Value::List(l) if l.elem.to_string() == "float"));
        let v = Value::from(vec![Value::Float(1.0), Value::Int(2)]);
        assert!(matches!(&v, Value::List(l) if l.elem.to_string() == "Any"));
    }

    #[test]
    fn tuples_round_trip() {
        let v = Value::from((1i64, 2.5f64, "s"));
        let (a, b, c): (i64, f64, String) = v.try_into().unwrap();
        assert_eq!((a, b, c.as_str()), (1, 2.5, "s"));
        let e = <(i64, i64)>::try_from(Value::from((1i64,))).unwrap_err();
        assert_eq!(e.to_string(), "expected tuple of 2, got tuple");
    }

    #[test]
    fn dicts_keep_key_order() {
        let map: BTreeMap<String, i64> = [("b".to_string(), 2), ("a".to_string(), 1)].into();
        let v = Value::from(map);
        let keys: Vec<String> = v
            .dict_items()
            .unwrap()
            .into_iter()
            .map(|(k, _)| String::try_from(k).unwrap())
            .collect();
        assert_eq!(keys, ["a", "b"]);
        let back: HashMap<String, i64> = v.clone().try_into().unwrap();
        assert_eq!(back["b"], 2);
        let back: BTreeMap<String, f64> = v.try_into().unwrap();
        assert_eq!(back["a"], 1.0);
        assert!(BTreeMap::<String, i64>::try_from(Value::Int(1)).is_err());
    }
}
