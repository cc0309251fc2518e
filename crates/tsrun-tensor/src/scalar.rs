//! PyTorch's `Scalar`: a Python number passed to an operator.

use crate::DType;

/// A Python number (`bool`, `int` or `float`) as seen by an aten operator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A Python `bool`.
    Bool(bool),
    /// A Python `int` (64-bit, as in TorchScript).
    Int(i64),
    /// A Python `float` (double precision).
    Float(f64),
}

impl Scalar {
    /// The value as a double (bools are 0/1).
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    /// The value as an integer; floats truncate toward zero like a C++ cast.
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }

    /// The value as a bool (`!= 0`).
    pub fn to_bool(self) -> bool {
        match self {
            Scalar::Bool(b) => b,
            Scalar::Int(i) => i != 0,
            Scalar::Float(f) => f != 0.0,
        }
    }

    /// The dtype PyTorch gives the scalar before promotion (`Scalar::type()`):
    /// bool, int64 or float64.
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F64,
        }
    }

    /// True for `Scalar::Float`.
    pub fn is_floating(self) -> bool {
        matches!(self, Scalar::Float(_))
    }

    /// True for `Scalar::Bool`.
    pub fn is_bool(self) -> bool {
        matches!(self, Scalar::Bool(_))
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Scalar {
        Scalar::Float(v)
    }
}

impl From<i64> for Scalar {
    fn from(v: i64) -> Scalar {
        Scalar::Int(v)
    }
}

impl From<bool> for Scalar {
    fn from(v: bool) -> Scalar {
        Scalar::Bool(v)
    }
}
