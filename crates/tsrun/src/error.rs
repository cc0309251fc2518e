//! The one error type of the public API.

/// Anything that can go wrong loading or running a model, or converting its values.
///
/// Every variant's message is complete on its own (`{e}` is enough to report it); match on
/// the variant to tell a bad file ([`Error::Archive`], [`Error::Compile`]) from a bad call
/// ([`Error::Runtime`]).
///
/// ```
/// let err = tsrun::Module::from_bytes(b"not a zip".to_vec()).unwrap_err();
/// assert!(matches!(err, tsrun::Error::Archive(_)));
///
/// // Every fallible step of building inputs and reading results converts with `?`.
/// fn first(y: tsrun::Value) -> Result<f32, tsrun::Error> {
///     let t: tsrun::Tensor = y.try_into()?;                  // Error::Conversion
///     Ok(t.as_array_view::<f32>()?.iter().next().copied().unwrap_or(0.0)) // Error::Tensor
/// }
/// let x = tsrun::Tensor::from_vec(vec![1.5f32], &[1])?;     // Error::Tensor
/// assert_eq!(first(x.into())?, 1.5);
/// assert!(first(tsrun::Value::Int(1)).is_err());
/// # Ok::<(), tsrun::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The archive could not be read (missing file, corrupt zip, hostile or unsupported
    /// pickle, a storage of the wrong size).
    #[error("{0}")]
    Archive(#[from] tsrun_archive::ArchiveError),
    /// The printed code could not be parsed, or a name, type or operator call in it could not
    /// be resolved (`code/file.py:line:col: message`).
    #[error("{0}")]
    Compile(#[from] tsrun_runtime::CompileError),
    /// Running a method failed: unknown method, wrong number or types of inputs, a shape
    /// mismatch, a `raise` in the model. Carries the Python exception class and message.
    #[error("{0}")]
    Runtime(#[from] tsrun_runtime::RuntimeError),
    /// Reading the archive from a [`std::io::Read`] failed ([`crate::Module::from_reader`]).
    #[error("cannot read the archive: {0}")]
    Io(#[from] std::io::Error),
    /// Building or viewing a tensor failed outside a model run (e.g. [`crate::Tensor::from_vec`]
    /// with a length that does not match the shape, or
    /// [`crate::Tensor::as_array_view`] with the wrong element type).
    #[error("{0}")]
    Tensor(#[from] tsrun_tensor::TensorError),
    /// A [`crate::Value`] is not of the Rust type asked for (e.g. `i64::try_from` on a tensor).
    #[error("{0}")]
    Conversion(#[from] crate::ConversionError),
}
