//! tsrun: run TorchScript archives (`.pt` files written by `torch.jit.save`) in pure Rust.
//!
//! ```no_run
//! use tsrun::{Module, Value, Tensor};
//! let module = Module::load("model.pt")?;
//! let x = Tensor::from_vec(vec![0.5f32, -1.0], &[1, 2])?;
//! let y = module.forward(vec![Value::Tensor(x)])?;
//! println!("{y}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod module;

pub use error::Error;
pub use module::{MethodSignature, Module};
pub use tsrun_runtime::{Type, Value};
pub use tsrun_tensor::{DType, Scalar, Tensor};
