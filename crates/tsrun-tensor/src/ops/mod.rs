//! aten kernels, one module per family. Each kernel is a plain function over
//! [`crate::Tensor`]s and [`crate::Scalar`]s with PyTorch's semantics; the
//! interpreter binds them to operator schemas.

pub mod binary;
pub mod compare;
pub mod create;
mod elementwise;
pub mod fixed_linear;
pub mod gather;
pub mod linalg;
pub mod moments;
pub mod nn;
pub(crate) mod num;
pub mod pointwise;
pub mod reduce;
pub mod reorder;
pub mod shape;
pub mod unary;
