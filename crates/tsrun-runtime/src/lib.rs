//! The tsrun runtime: values, operator registry, compiler (printed code -> resolved IR) and
//! interpreter, plus the loader that turns an archive into a runnable module.
//!
//! Dependency direction: `tsrun-tensor` (kernels), `tsrun-archive` (zip + pickle) and
//! `tsrun-script` (parser) know nothing of each other; this crate joins them; the `tsrun`
//! facade and the CLI sit on top.

pub mod class;
pub mod compile;
pub mod debug_info;
pub mod display;
mod error;
pub mod function;
mod function_dump;
pub mod interp;
pub mod introspect;
mod loader;
pub mod ops;
pub mod optimize;
pub mod plan;
mod typecheck;
pub mod types;
pub mod value;

pub use error::{CompileError, Location, RtResult, RuntimeError};
pub use loader::{LoadedModule, SignatureText};
pub use typecheck::value_has_type;
pub use types::Type;
pub use value::Value;
