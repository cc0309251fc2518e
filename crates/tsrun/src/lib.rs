//! tsrun: run TorchScript archives (`.pt` files written by `torch.jit.save`) in pure Rust,
//! with no LibTorch, C++ or Python.
//!
//! ```
//! use tsrun::{Module, Tensor};
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
//! let module = Module::load(path)?;                   // e.g. "model.pt"
//! let x = Tensor::from_vec(vec![0.5f32, -1.0], &[1, 2])?;
//! let y = module.forward([x.into()])?;                // a Value (inputs: any iterator)
//! println!("{y}");                                    // printed as PyTorch would
//! let y: Tensor = y.try_into()?;                      // or take the tensor out
//! assert_eq!(y.shape(), &[1, 1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Values
//!
//! Inputs and results are [`Value`]s, TorchScript's dynamic values (like LibTorch's
//! `IValue`). Build them with `From` and take them apart with `TryFrom`:
//!
//! ```
//! use tsrun::{Tensor, Value};
//! let v = Value::from((3i64, 2.5f64, "s", vec![1i64, 2]));   // Tuple[int, float, str, List[int]]
//! let (a, b, c, d): (i64, f64, String, Vec<i64>) = v.try_into()?;
//! assert_eq!((a, b, c.as_str(), d), (3, 2.5, "s", vec![1, 2]));
//! assert!(i64::try_from(Value::from(true)).is_err());
//! # Ok::<(), tsrun::Error>(())
//! ```
//!
//! The conversions are listed in [`conversions`].
//!
//! # ndarray
//!
//! [`Tensor::as_array_view`] borrows a tensor as an [`ndarray::ArrayViewD`] without copying
//! (any strides); [`Tensor::from_array`] takes an [`ndarray::ArrayD`] (no copy when it is in
//! standard layout). The `ndarray` crate is re-exported so both sides use the same version:
//!
//! ```
//! use tsrun::ndarray::{array, ArrayD};
//! use tsrun::Tensor;
//! let a: ArrayD<f32> = array![[1.0f32, 2.0], [3.0, 4.0]].into_dyn();
//! let t = Tensor::from_array(a.clone());
//! assert_eq!(t.shape(), &[2, 2]);
//! let view = t.as_array_view::<f32>()?;   // zero-copy; fails if the dtype is not f32
//! assert_eq!(view, a.view());
//! let owned: ArrayD<f32> = view.to_owned();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Threads
//!
//! [`Module`] is `Send + Sync`; share one with `Arc` and call it from any number of threads.
//! Tensor kernels use rayon's global pool (size it with `RAYON_NUM_THREADS` or
//! `rayon::ThreadPoolBuilder::build_global`).

mod error;
pub mod inspect;
mod module;

pub use error::Error;
pub use inspect::inspect;
pub use module::{MethodSignature, Module};
pub use tsrun_runtime::introspect::conversions::{self, ConversionError};
pub use tsrun_runtime::{Type, Value};
pub use tsrun_tensor::{DType, Element, Scalar, Tensor};

/// The `ndarray` crate tsrun's tensors convert to and from (see the crate docs).
pub use ndarray;
