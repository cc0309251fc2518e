//! The one error type of the public API.

/// Anything that can go wrong loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The archive could not be read (I/O, corrupt zip, hostile or unsupported pickle).
    #[error("{0}")]
    Archive(#[from] tsrun_archive::ArchiveError),
    /// The printed code could not be parsed, or a name or call could not be resolved.
    #[error("{0}")]
    Compile(#[from] tsrun_runtime::CompileError),
    /// Running a method failed (bad inputs, a shape mismatch, a `raise` in the model...).
    #[error("{0}")]
    Runtime(#[from] tsrun_runtime::RuntimeError),
    /// The caller asked for something the module does not have, or gave the wrong inputs.
    #[error("{0}")]
    Usage(String),
}
