//! The crate's error type; messages follow PyTorch's wording where practical.

use crate::DType;

/// Why a tensor operation failed. Every message is one line naming the op.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TensorError {
    /// Shapes that cannot be combined (broadcasting, matmul, cat, view...).
    #[error("{op}: {msg}")]
    ShapeMismatch {
        /// The operator that failed.
        op: &'static str,
        /// PyTorch-style description, including the shapes involved.
        msg: String,
    },
    /// Dtypes that cannot be combined or cast.
    #[error("{op}: {msg}")]
    DTypeMismatch {
        /// The operator that failed.
        op: &'static str,
        /// PyTorch-style description, including the dtypes involved.
        msg: String,
    },
    /// An index outside its dimension.
    #[error("{op}: index {index} is out of bounds for dimension {dim} with size {size}")]
    IndexOutOfRange {
        /// The operator that failed.
        op: &'static str,
        /// The offending index as given by the caller.
        index: i64,
        /// The dimension indexed.
        dim: usize,
        /// The size of that dimension.
        size: usize,
    },
    /// A dimension argument outside `[-ndim, ndim)`.
    #[error(
        "{op}: Dimension out of range (expected to be in range of [{min}, {max}], but got {dim})"
    )]
    DimOutOfRange {
        /// The operator that failed.
        op: &'static str,
        /// The dimension as given by the caller.
        dim: i64,
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// Any other bad argument.
    #[error("{op}: {msg}")]
    InvalidArgument {
        /// The operator that failed.
        op: &'static str,
        /// PyTorch-style description.
        msg: String,
    },
    /// The op has no kernel for this dtype (PyTorch: `"add_cpu" not implemented for 'Bool'`).
    #[error("\"{op}\" not implemented for '{dtype}'")]
    Unsupported {
        /// The operator that failed.
        op: &'static str,
        /// The dtype it was asked to run on.
        dtype: DType,
    },
    /// An output too large to allocate: more elements than [`crate::alloc::MAX_ELEMENTS`],
    /// a size product that overflows, or memory the allocator refused.
    #[error("{op}: {msg}")]
    TooLarge {
        /// The operator that failed.
        op: &'static str,
        /// What was asked for.
        msg: String,
    },
    /// Integer division (or remainder) by zero, which PyTorch reports as `ZeroDivisionError`.
    #[error("{op}: ZeroDivisionError")]
    ZeroDivision {
        /// The operator that failed.
        op: &'static str,
    },
}

/// Result alias used by every fallible function in this crate.
pub type Result<T> = std::result::Result<T, TensorError>;

/// Shorthand for [`TensorError::InvalidArgument`].
pub(crate) fn invalid(op: &'static str, msg: impl Into<String>) -> TensorError {
    TensorError::InvalidArgument {
        op,
        msg: msg.into(),
    }
}

/// Shorthand for [`TensorError::ShapeMismatch`].
pub(crate) fn shape_err(op: &'static str, msg: impl Into<String>) -> TensorError {
    TensorError::ShapeMismatch {
        op,
        msg: msg.into(),
    }
}

/// Shorthand for [`TensorError::DTypeMismatch`].
pub(crate) fn dtype_err(op: &'static str, msg: impl Into<String>) -> TensorError {
    TensorError::DTypeMismatch {
        op,
        msg: msg.into(),
    }
}
