//! [`NdArray`]: a dense, C-ordered n-d array of one numpy dtype, the currency between `.npy`
//! files, tensors and the CLI's result leaves.
//!
//! Kept separate from [`tsrun::Tensor`] so that the npy/npz code can be tested without the
//! tensor library, and so that the conformance tests compare plain numbers.

use std::fmt;

use half::f16;
use tsrun::{DType, Element, Tensor};

/// The elements of an [`NdArray`], in C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayData {
    /// numpy `bool` (`|b1`).
    Bool(Vec<bool>),
    /// numpy `uint8`.
    U8(Vec<u8>),
    /// numpy `int8`.
    I8(Vec<i8>),
    /// numpy `int16`.
    I16(Vec<i16>),
    /// numpy `int32`.
    I32(Vec<i32>),
    /// numpy `int64`.
    I64(Vec<i64>),
    /// numpy `float16`.
    F16(Vec<f16>),
    /// numpy `float32`.
    F32(Vec<f32>),
    /// numpy `float64`.
    F64(Vec<f64>),
    /// numpy `str` (`<U`n): TorchScript `str` leaves of a result.
    Str(Vec<String>),
}

/// A dense n-d array: a shape and its elements in C order.
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray {
    /// Dimensions; empty for a 0-d array (a scalar).
    pub shape: Vec<usize>,
    /// The elements; their count is the product of `shape`.
    pub data: ArrayData,
}

/// Why an array could not be converted.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertError(pub String);

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConvertError {}

impl ArrayData {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayData::Bool(v) => v.len(),
            ArrayData::U8(v) => v.len(),
            ArrayData::I8(v) => v.len(),
            ArrayData::I16(v) => v.len(),
            ArrayData::I32(v) => v.len(),
            ArrayData::I64(v) => v.len(),
            ArrayData::F16(v) => v.len(),
            ArrayData::F32(v) => v.len(),
            ArrayData::F64(v) => v.len(),
            ArrayData::Str(v) => v.len(),
        }
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// numpy's name for the dtype (`"float32"`, `"bool"`, `"str"`...), for messages.
    pub fn dtype_name(&self) -> &'static str {
        match self {
            ArrayData::Bool(_) => "bool",
            ArrayData::U8(_) => "uint8",
            ArrayData::I8(_) => "int8",
            ArrayData::I16(_) => "int16",
            ArrayData::I32(_) => "int32",
            ArrayData::I64(_) => "int64",
            ArrayData::F16(_) => "float16",
            ArrayData::F32(_) => "float32",
            ArrayData::F64(_) => "float64",
            ArrayData::Str(_) => "str",
        }
    }

    /// True for the floating-point dtypes (compared with a tolerance; the rest exactly).
    pub fn is_float(&self) -> bool {
        matches!(
            self,
            ArrayData::F16(_) | ArrayData::F32(_) | ArrayData::F64(_)
        )
    }

    /// The elements as `f64` (bools as 0/1); `None` for strings. Exact for every integer dtype
    /// but int64 beyond 2^53, which comparisons handle through [`ArrayData::as_i64`].
    pub fn to_f64(&self) -> Option<Vec<f64>> {
        Some(match self {
            ArrayData::Bool(v) => v.iter().map(|&b| f64::from(u8::from(b))).collect(),
            ArrayData::U8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            ArrayData::I8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            ArrayData::I16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            ArrayData::I32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            ArrayData::I64(v) => v.iter().map(|&x| x as f64).collect(),
            ArrayData::F16(v) => v.iter().map(|x| x.to_f64()).collect(),
            ArrayData::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            ArrayData::F64(v) => v.clone(),
            ArrayData::Str(_) => return None,
        })
    }

    /// The int64 elements, if this is int64.
    pub fn as_i64(&self) -> Option<&[i64]> {
        match self {
            ArrayData::I64(v) => Some(v),
            _ => None,
        }
    }
}

impl NdArray {
    /// An array; fails when the element count does not match the shape.
    pub fn new(shape: Vec<usize>, data: ArrayData) -> Result<NdArray, ConvertError> {
        let want = element_count(&shape)?;
        if want != data.len() {
            return Err(ConvertError(format!(
                "shape {shape:?} needs {want} elements, got {}",
                data.len()
            )));
        }
        Ok(NdArray { shape, data })
    }

    /// A 0-d array.
    pub fn scalar(data: ArrayData) -> NdArray {
        NdArray {
            shape: Vec::new(),
            data,
        }
    }

    /// The tensor with this dtype, shape and elements. Strings have no tensor dtype.
    pub fn to_tensor(&self) -> Result<Tensor, ConvertError> {
        let shape = &self.shape;
        let made = match &self.data {
            ArrayData::Bool(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::U8(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::I8(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::I16(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::I32(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::I64(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::F16(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::F32(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::F64(v) => Tensor::from_vec(v.clone(), shape),
            ArrayData::Str(_) => {
                return Err(ConvertError(
                    "a numpy str array cannot be a tensor input".to_string(),
                ))
            }
        };
        made.map_err(|e| ConvertError(format!("cannot make a tensor: {e}")))
    }

    /// The array holding a tensor's dtype, shape and elements (logical order, whatever the
    /// tensor's strides). bfloat16 has no numpy dtype: it is widened to float32, exactly.
    /// The copy is a checked allocation (`tsrun_tensor::alloc`): a result may be a view that
    /// claims far more elements than it stores.
    pub fn from_tensor(t: &Tensor) -> Result<NdArray, String> {
        fn elems<T: Element>(t: &Tensor) -> Result<Vec<T>, String> {
            t.try_to_vec::<T>("npz output").map_err(|e| e.to_string())
        }
        let data = match t.dtype() {
            DType::Bool => ArrayData::Bool(elems(t)?),
            DType::U8 => ArrayData::U8(elems(t)?),
            DType::I8 => ArrayData::I8(elems(t)?),
            DType::I16 => ArrayData::I16(elems(t)?),
            DType::I32 => ArrayData::I32(elems(t)?),
            DType::I64 => ArrayData::I64(elems(t)?),
            DType::F16 => ArrayData::F16(elems(t)?),
            // Widened exactly: float32 holds every bfloat16.
            DType::BF16 => ArrayData::F32(elems(t)?),
            DType::F32 => ArrayData::F32(elems(t)?),
            DType::F64 => ArrayData::F64(elems(t)?),
        };
        Ok(NdArray {
            shape: t.shape().to_vec(),
            data,
        })
    }
}

/// The product of `shape`, or an error when it overflows `usize`.
pub fn element_count(shape: &[usize]) -> Result<usize, ConvertError> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| ConvertError(format!("shape {shape:?} has too many elements")))
}
