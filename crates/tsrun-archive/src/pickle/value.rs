//! The plain-data values a pickle decodes to.

use std::sync::Arc;

/// A decoded pickle value. Only these variants ever leave [`crate::parse_pickle`].
///
/// Shared sub-values are shared `Arc`s: a memo reference (`BINGET`) to an
/// already built list, dict, tensor or object yields a clone of the same
/// `Arc`, so `Arc::ptr_eq` tells aliasing (tied weights) apart from equality.
/// Nesting depth is capped at [`crate::pickle::MAX_DEPTH`].
#[derive(Debug, Clone, PartialEq)]
pub enum PickleValue {
    /// Python `None`.
    None,
    /// A bool.
    Bool(bool),
    /// An int that fits in 64 bits (wider ints are rejected).
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Arc<str>),
    /// A tuple.
    Tuple(Arc<[PickleValue]>),
    /// A list with its TorchScript element tag.
    List(Arc<PickleList>),
    /// A dict in insertion order, with its TorchScript type tag if any.
    Dict(Arc<PickleDict>),
    /// A tensor: a view of a storage record.
    Tensor(Arc<TensorRef>),
    /// A TorchScript object (`__torch__.*` class) and its `BUILD` state.
    Object(Arc<PickleObject>),
    /// A TorchScript enum member given by class and value.
    Enum(Arc<PickleEnum>),
    /// A `torch.device`, e.g. `cpu`.
    Device(Arc<str>),
}

/// Element tag of a [`PickleList`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListTag {
    /// `build_intlist`: every item is [`PickleValue::Int`].
    Int,
    /// `build_doublelist`: every item is [`PickleValue::Float`].
    Float,
    /// `build_boollist`: every item is [`PickleValue::Bool`].
    Bool,
    /// `build_tensorlist`: every item is [`PickleValue::Tensor`].
    Tensor,
    /// `restore_type_tag(list, "List[...]")`: the full type string.
    Tagged(Arc<str>),
    /// A bare list with no tag.
    Untagged,
}

/// A list and its element tag.
#[derive(Debug, Clone, PartialEq)]
pub struct PickleList {
    /// The items.
    pub items: Vec<PickleValue>,
    /// How the list was typed in the pickle.
    pub elem: ListTag,
}

/// A dict: key/value pairs in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub struct PickleDict {
    /// Pairs in insertion order (duplicate keys are kept as written).
    pub items: Vec<(PickleValue, PickleValue)>,
    /// The `restore_type_tag` type string, e.g. `Dict[str, int]`.
    pub type_tag: Option<Arc<str>>,
}

impl PickleDict {
    /// The value of the last pair whose key is the string `key`.
    pub fn get(&self, key: &str) -> Option<&PickleValue> {
        self.items
            .iter()
            .rev()
            .find(|(k, _)| matches!(k, PickleValue::Str(s) if &**s == key))
            .map(|(_, v)| v)
    }
}

/// An object of a `__torch__.*` class.
#[derive(Debug, Clone, PartialEq)]
pub struct PickleObject {
    /// Qualified class name, e.g. `__torch__.torch.nn.modules.linear.Linear`.
    pub class: Arc<str>,
    /// The `BUILD` argument: a [`PickleValue::Dict`] of attributes for normal
    /// objects, anything else for classes with `__setstate__`.
    pub state: PickleValue,
}

/// A TorchScript enum member, `REDUCE(class, value)` in the pickle.
#[derive(Debug, Clone, PartialEq)]
pub struct PickleEnum {
    /// Qualified class name, e.g. `__torch__.Color`.
    pub class: Arc<str>,
    /// The member's value (int, float or str).
    pub value: PickleValue,
}

/// A tensor: `_rebuild_tensor_v2(storage, offset, sizes, strides, requires_grad, hooks)`.
///
/// The view is checked at parse time: `len(sizes) == len(strides)` and every
/// addressed element lies inside the storage.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorRef {
    /// The storage; tensors on the same storage key share one `Arc`.
    pub storage: Arc<StorageRef>,
    /// Storage offset, in elements.
    pub offset: usize,
    /// Sizes (empty for a 0-dim tensor).
    pub sizes: Vec<usize>,
    /// Strides, in elements.
    pub strides: Vec<usize>,
    /// `True` for parameters.
    pub requires_grad: bool,
}

/// A storage named by a persistent id `('storage', <Class>, key, location, numel)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRef {
    /// Decimal key: the record is `<folder>/<key>`.
    pub key: String,
    /// Element type, from the storage class.
    pub dtype: StorageDType,
    /// Number of elements of the whole storage.
    pub numel: usize,
    /// Location string, e.g. `cpu`.
    pub location: String,
    /// `data` for `data.pkl`, `constants` for `constants.pkl`.
    pub folder: String,
}

impl StorageRef {
    /// Record name relative to the root, e.g. `data/0`.
    pub fn record_name(&self) -> String {
        format!("{}/{}", self.folder, self.key)
    }

    /// Byte length of the storage (`numel * itemsize`), `None` on overflow.
    pub fn byte_len(&self) -> Option<usize> {
        self.numel.checked_mul(self.dtype.itemsize())
    }
}

/// Element type of a storage (little-endian in the record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageDType {
    /// uint8 (`ByteStorage`).
    U8,
    /// int8 (`CharStorage`).
    I8,
    /// int16 (`ShortStorage`).
    I16,
    /// int32 (`IntStorage`).
    I32,
    /// int64 (`LongStorage`).
    I64,
    /// float16 (`HalfStorage`).
    F16,
    /// float32 (`FloatStorage`).
    F32,
    /// float64 (`DoubleStorage`).
    F64,
    /// bool, one byte each (`BoolStorage`).
    Bool,
    /// bfloat16 (`BFloat16Storage`).
    BF16,
    /// complex64: real then imaginary float32 (`ComplexFloatStorage`).
    ComplexF32,
}

impl StorageDType {
    /// Size of one element in bytes.
    pub fn itemsize(&self) -> usize {
        match self {
            Self::U8 | Self::I8 | Self::Bool => 1,
            Self::I16 | Self::F16 | Self::BF16 => 2,
            Self::I32 | Self::F32 => 4,
            Self::I64 | Self::F64 | Self::ComplexF32 => 8,
        }
    }

    /// PyTorch dtype name, e.g. `float32`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::U8 => "uint8",
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::I32 => "int32",
            Self::I64 => "int64",
            Self::F16 => "float16",
            Self::F32 => "float32",
            Self::F64 => "float64",
            Self::Bool => "bool",
            Self::BF16 => "bfloat16",
            Self::ComplexF32 => "complex64",
        }
    }

    /// The dtype of a `torch.<name>` storage class, e.g. `FloatStorage`.
    pub fn from_storage_class(name: &str) -> Option<Self> {
        Some(match name {
            "ByteStorage" => Self::U8,
            "CharStorage" => Self::I8,
            "ShortStorage" => Self::I16,
            "IntStorage" => Self::I32,
            "LongStorage" => Self::I64,
            "HalfStorage" => Self::F16,
            "FloatStorage" => Self::F32,
            "DoubleStorage" => Self::F64,
            "BoolStorage" => Self::Bool,
            "BFloat16Storage" => Self::BF16,
            "ComplexFloatStorage" => Self::ComplexF32,
            _ => return None,
        })
    }
}

impl PickleValue {
    /// A short name of the variant, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Bool(_) => "bool",
            Self::Int(_) => "int",
            Self::Float(_) => "float",
            Self::Str(_) => "str",
            Self::Tuple(_) => "tuple",
            Self::List(_) => "list",
            Self::Dict(_) => "dict",
            Self::Tensor(_) => "tensor",
            Self::Object(_) => "object",
            Self::Enum(_) => "enum",
            Self::Device(_) => "device",
        }
    }

    /// The int, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The tuple items, if this is a tuple.
    pub fn as_tuple(&self) -> Option<&[PickleValue]> {
        match self {
            Self::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// The dict, if this is one.
    pub fn as_dict(&self) -> Option<&Arc<PickleDict>> {
        match self {
            Self::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&Arc<PickleList>> {
        match self {
            Self::List(l) => Some(l),
            _ => None,
        }
    }

    /// The tensor, if this is one.
    pub fn as_tensor(&self) -> Option<&Arc<TensorRef>> {
        match self {
            Self::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Arc<PickleObject>> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }
}
