//! Element types, numbered exactly like PyTorch's `c10::ScalarType`.

use std::fmt;

/// The element type of a tensor.
///
/// The set is the subset of `c10::ScalarType` that TorchScript models use on
/// CPU; complex and quantized types are deliberately absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// `torch.uint8`
    U8,
    /// `torch.int8`
    I8,
    /// `torch.int16`
    I16,
    /// `torch.int32`
    I32,
    /// `torch.int64`
    I64,
    /// `torch.float16`
    F16,
    /// `torch.bfloat16`
    BF16,
    /// `torch.float32`
    F32,
    /// `torch.float64`
    F64,
    /// `torch.bool`
    Bool,
}

/// Every dtype, in `ScalarType` code order (handy for table-driven tests).
pub const ALL_DTYPES: [DType; 10] = [
    DType::U8,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::F32,
    DType::F64,
    DType::Bool,
    DType::BF16,
];

impl DType {
    /// The `c10::ScalarType` code, as stored in archives and returned by `prim::dtype`.
    pub fn code(self) -> i64 {
        match self {
            DType::U8 => 0,
            DType::I8 => 1,
            DType::I16 => 2,
            DType::I32 => 3,
            DType::I64 => 4,
            DType::F16 => 5,
            DType::F32 => 6,
            DType::F64 => 7,
            DType::Bool => 11,
            DType::BF16 => 15,
        }
    }

    /// Inverse of [`DType::code`]; `None` for codes tsrun does not support.
    pub fn from_code(code: i64) -> Option<DType> {
        ALL_DTYPES.into_iter().find(|d| d.code() == code)
    }

    /// Bytes per element.
    pub fn itemsize(self) -> usize {
        match self {
            DType::U8 | DType::I8 | DType::Bool => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    /// The numpy-style name (`"float32"`), which is also what `str(torch.float32)` ends with.
    pub fn name(self) -> &'static str {
        match self {
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::Bool => "bool",
        }
    }

    /// Inverse of [`DType::name`].
    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.into_iter().find(|d| d.name() == name)
    }

    /// The C++ name PyTorch uses in error messages (`"Float"`, `"Long"`).
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
            DType::Bool => "Bool",
        }
    }

    /// True for f16, bf16, f32 and f64.
    pub fn is_floating(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// True for the integer types, and for bool when `include_bool`
    /// (mirrors `c10::isIntegralType(t, includeBool)`).
    pub fn is_integral(self, include_bool: bool) -> bool {
        match self {
            DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64 => true,
            DType::Bool => include_bool,
            _ => false,
        }
    }

    /// True for the signed types (all floats and the signed integers).
    pub fn is_signed(self) -> bool {
        !matches!(self, DType::U8 | DType::Bool)
    }
}

impl fmt::Display for DType {
    /// Displays the C++ name because that is what PyTorch's messages print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.torch_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for d in ALL_DTYPES {
            assert_eq!(DType::from_code(d.code()), Some(d));
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
        assert_eq!(DType::from_code(8), None);
    }
}
