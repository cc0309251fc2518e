//! tsrun-tensor: strided CPU tensors with PyTorch's semantics, and the aten
//! kernels the tsrun interpreter calls.
//!
//! - [`Tensor`] is a view (offset, shape, strides) onto a shared [`Storage`];
//!   clones and views alias the same buffer, so in-place ops behave as in PyTorch.
//! - [`DType`], [`Scalar`] and [`promote::result_type`] reproduce c10's type
//!   system and promotion rules.
//! - [`ops`] holds the kernels, one module per family (binary, unary, compare,
//!   reduce, linalg, shape, create).
//!
//! Small tensors never touch rayon or heap-allocated shape vectors; the
//! per-call cost of a kernel on a handful of elements is a couple of
//! allocations (the result) plus the arithmetic.

#![warn(missing_docs)]

pub mod alloc;
mod array;
mod dtype;
mod element;
mod error;
mod layout;
mod math;
mod matvec;
pub mod ops;
pub mod promote;
mod recycle;
mod scalar;
mod storage;
mod tensor;
mod vmath;

pub use dtype::{DType, ALL_DTYPES};
pub use element::Element;
pub use error::{Result, TensorError};
pub use layout::{Shape, Strides};
pub use ops::create::Rng;
pub use promote::{result_type, Operand};
pub use scalar::Scalar;
pub use storage::Storage;
pub use tensor::Tensor;
