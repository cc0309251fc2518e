//! aten kernels, one module per family. Each kernel is a plain function over
//! [`crate::Tensor`]s and [`crate::Scalar`]s with PyTorch's semantics; the
//! interpreter binds them to operator schemas.

pub mod binary;
pub mod compare;
pub mod create;
pub mod diag;
pub mod einsum;
mod elementwise;
pub mod fixed_linear;
pub mod gather;
pub mod linalg;
pub mod moments;
pub mod nn;
pub mod norms;
pub(crate) mod num;
pub mod order_stats;
pub mod pointwise;
pub mod ranges;
pub mod rearrange;
pub mod reduce;
pub mod reorder;
mod rows;
pub mod shape;
pub mod unary;
pub mod vector;
