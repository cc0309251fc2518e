//! Run-time values: what locals, arguments, attributes and results hold.
//!
//! Scalars are unboxed; containers are reference types shared through `Arc`, as in
//! TorchScript (appending to a list seen through two names changes both). Everything is
//! `Send + Sync` so one loaded module can serve many threads.

use std::fmt;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use tsrun_tensor::{Scalar, Tensor};

use crate::class::ClassType;
use crate::function::FunctionRef;
use crate::types::Type;

/// A TorchScript value.
#[derive(Clone, Default)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `bool`.
    Bool(bool),
    /// `int` (64-bit, wrapping).
    Int(i64),
    /// `float` (64-bit).
    Float(f64),
    /// `str`.
    Str(Arc<str>),
    /// A tensor (a cheap, shared handle).
    Tensor(Tensor),
    /// An immutable tuple.
    Tuple(Arc<[Value]>),
    /// A mutable, shared list.
    List(Arc<List>),
    /// A mutable, shared, insertion-ordered dict.
    Dict(Arc<Dict>),
    /// A module or script-class instance.
    Object(Arc<Object>),
    /// A device (`"cpu"`).
    Device(Arc<str>),
    /// An enum member: its class and value.
    Enum(Arc<EnumValue>),
    /// A compiled function used as a value.
    Function(Arc<FunctionRef>),
    /// A completed future (fork runs synchronously).
    Future(Arc<Value>),
}

/// A TorchScript list: element type plus items behind a lock (lists are mutable and shared).
pub struct List {
    /// Static element type.
    pub elem: Type,
    /// The items.
    pub items: Mutex<Vec<Value>>,
}

/// A TorchScript dict: key/value types plus insertion-ordered entries.
pub struct Dict {
    /// Static key type.
    pub key: Type,
    /// Static value type.
    pub value: Type,
    /// Entries in insertion order.
    pub items: Mutex<Vec<(Value, Value)>>,
}

/// An instance of a class from `code/`: a module, a script class, a NamedTuple.
pub struct Object {
    /// The class.
    pub class: Arc<ClassType>,
    /// Attribute slots, in the class's declaration order.
    pub slots: RwLock<Vec<Value>>,
}

/// An enum member.
pub struct EnumValue {
    /// The enum class.
    pub class: Arc<ClassType>,
    /// Member name.
    pub name: Arc<str>,
    /// Member value.
    pub value: Value,
}

impl Value {
    /// A new list value.
    pub fn new_list(elem: Type, items: Vec<Value>) -> Value {
        Value::List(Arc::new(List {
            elem,
            items: Mutex::new(items),
        }))
    }

    /// A new dict value.
    pub fn new_dict(key: Type, value: Type, items: Vec<(Value, Value)>) -> Value {
        Value::Dict(Arc::new(Dict {
            key,
            value,
            items: Mutex::new(items),
        }))
    }

    /// A new tuple value.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(items.into())
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// The name of this value's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Tensor(_) => "Tensor",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Object(_) => "object",
            Value::Device(_) => "Device",
            Value::Enum(_) => "enum",
            Value::Function(_) => "function",
            Value::Future(_) => "Future",
        }
    }

    /// The tensor, if this is one.
    pub fn as_tensor(&self) -> Option<&Tensor> {
        match self {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// The int, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The float (ints convert), if this is a number.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The bool, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// This number as a tensor-library scalar.
    pub fn as_scalar(&self) -> Option<Scalar> {
        match self {
            Value::Int(i) => Some(Scalar::Int(*i)),
            Value::Float(f) => Some(Scalar::Float(*f)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => None,
        }
    }

    /// A snapshot of the items of a list or tuple.
    pub fn sequence_items(&self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l.items.lock().clone()),
            Value::Tuple(t) => Some(t.to_vec()),
            _ => None,
        }
    }

    /// A snapshot of a dict's entries in insertion order.
    pub fn dict_items(&self) -> Option<Vec<(Value, Value)>> {
        match self {
            Value::Dict(d) => Some(d.items.lock().clone()),
            _ => None,
        }
    }

    /// Identity (`is`) for reference types, equality for None.
    pub fn is_same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            (Value::List(a), Value::List(b)) => Arc::ptr_eq(a, b),
            (Value::Dict(a), Value::Dict(b)) => Arc::ptr_eq(a, b),
            (Value::Tensor(a), Value::Tensor(b)) => {
                a.same_storage(b)
                    && a.storage_offset() == b.storage_offset()
                    && a.shape() == b.shape()
                    && a.strides() == b.strides()
            }
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        }
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Value {
        Value::Tensor(t)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::fmt_value(self, f)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::fmt_value(self, f)
    }
}
