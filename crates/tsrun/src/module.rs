//! [`Module`]: a loaded archive, ready to run.

use std::io::Read;
use std::path::Path;

use crate::Error;
use tsrun_runtime::Value;

/// A method's signature: parameter names and types (without `self`) and the return type, as
/// TorchScript prints them (`Tensor`, `List[int]`, `Optional[float]`...).
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
/// let module = tsrun::Module::load(path)?;
/// let sig = module.method_signature("forward").unwrap();
/// assert_eq!(sig.to_string(), "forward(x: Tensor) -> Tensor");
/// # Ok::<(), tsrun::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSignature {
    /// Method name.
    pub name: String,
    /// `(name, type)` for each parameter after `self`.
    pub params: Vec<(String, String)>,
    /// Return type.
    pub ret: String,
}

impl std::fmt::Display for MethodSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        write!(f, "{}({}) -> {}", self.name, params.join(", "), self.ret)
    }
}

/// A loaded TorchScript module.
///
/// Loading does all the work (parsing, name and overload resolution), so a call only walks
/// the compiled code. `Module` is `Send + Sync`: share one across threads with
/// [`std::sync::Arc`] (see `examples/threads.rs`).
///
/// ```
/// use tsrun::{Module, Tensor};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
/// let module = Module::load(path)?;
/// let x = Tensor::from_vec(vec![0.5f32, -1.0], &[1, 2])?;
/// let y: Tensor = module.forward(vec![x.into()])?.try_into()?;
/// assert_eq!(y.shape(), &[1, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Module {
    inner: tsrun_runtime::LoadedModule,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("type", &self.inner.root().class.name)
            .field("methods", &self.method_names())
            .finish()
    }
}

impl Module {
    /// Loads an archive from a file written by `torch.jit.save`.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// let module = tsrun::Module::load(path)?;
    /// assert_eq!(module.method_names(), ["forward"]);
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Module, Error> {
        let archive = tsrun_archive::Archive::open(path)?;
        Self::from_archive(archive)
    }

    /// Loads an archive from its bytes (e.g. embedded with `include_bytes!`).
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// let bytes = std::fs::read(path).unwrap();
    /// let module = tsrun::Module::from_bytes(bytes)?;
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Module, Error> {
        let archive = tsrun_archive::Archive::from_bytes(bytes)?;
        Self::from_archive(archive)
    }

    /// Loads an archive from a reader (a socket, a decompressor...). The whole archive is
    /// read into memory first: a zip's index is at its end.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// let file = std::fs::File::open(path).unwrap();
    /// let module = tsrun::Module::from_reader(std::io::BufReader::new(file))?;
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn from_reader(mut reader: impl Read) -> Result<Module, Error> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        Self::from_bytes(bytes)
    }

    fn from_archive(archive: tsrun_archive::Archive) -> Result<Module, Error> {
        Ok(Module {
            inner: tsrun_runtime::LoadedModule::load(&archive)?,
        })
    }

    /// Runs `forward` with positional inputs: any collection or iterator of [`Value`]s (build
    /// them with `Into<Value>` from tensors, numbers...). An array costs no allocation; a
    /// `Vec` works too.
    ///
    /// ```
    /// # use tsrun::{Module, Tensor};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// # let module = Module::load(path)?;
    /// let x = Tensor::from_vec(vec![0.5f32, -1.0, 0.0, 2.0], &[2, 2])?;
    /// let y = module.forward([x.clone().into()])?;
    /// assert_eq!(y.as_tensor().unwrap().shape(), &[2, 1]);
    /// let y2 = module.forward(vec![x.into()])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A steady-state call of a small model allocates nothing once the caller has dropped the
    /// previous result: its buffer is reused for the next one. Results never share a buffer:
    /// while the caller holds the previous one, a new buffer is allocated.
    pub fn forward(&self, inputs: impl IntoIterator<Item = Value>) -> Result<Value, Error> {
        self.run_method("forward", inputs)
    }

    /// Runs the named method (`forward` or an `@torch.jit.export` method) with positional
    /// inputs (as for [`Module::forward`]). Too many or too few inputs, or one of the wrong type, is an
    /// [`Error::Runtime`] (`TypeError`) whose message shows the method's signature.
    ///
    /// ```
    /// # use tsrun::{Module, Tensor};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// # let module = Module::load(path)?;
    /// let err = module.run_method("forward", vec![]).unwrap_err();
    /// assert!(err.to_string().contains("forward(x: Tensor) -> Tensor"), "{err}");
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn run_method(
        &self,
        name: &str,
        inputs: impl IntoIterator<Item = Value>,
    ) -> Result<Value, Error> {
        Ok(self.inner.run_method(name, inputs)?)
    }

    /// The signature of a method, to check inputs before running; `None` if there is no such
    /// method.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// # let module = tsrun::Module::load(path)?;
    /// let sig = module.method_signature("forward").unwrap();
    /// assert_eq!(sig.params, [("x".to_string(), "Tensor".to_string())]);
    /// assert!(module.method_signature("nope").is_none());
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn method_signature(&self, name: &str) -> Option<MethodSignature> {
        self.inner.signature(name).map(|s| MethodSignature {
            name: name.to_string(),
            params: s.params,
            ret: s.ret,
        })
    }

    /// Names of the methods that can be run, in the order the archive prints them.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// # let module = tsrun::Module::load(path)?;
    /// assert_eq!(module.method_names(), ["forward"]);
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn method_names(&self) -> Vec<String> {
        self.inner.method_names()
    }

    /// The runtime's view of the module (the object tree and compiled program), for tools
    /// such as [`crate::inspect()`]; not needed to run a model.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
    /// # let module = tsrun::Module::load(path)?;
    /// assert!(module.runtime().root().class.name.ends_with(".MyNN"));
    /// # Ok::<(), tsrun::Error>(())
    /// ```
    pub fn runtime(&self) -> &tsrun_runtime::LoadedModule {
        &self.inner
    }
}
