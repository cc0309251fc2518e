//! `Module`: a loaded archive, ready to run.

use std::path::Path;

use crate::Error;
use tsrun_runtime::Value;

/// A method's signature: parameter names and types (without `self`) and the return type.
#[derive(Debug, Clone)]
pub struct MethodSignature {
    /// Method name.
    pub name: String,
    /// `(name, type)` for each parameter after `self`.
    pub params: Vec<(String, String)>,
    /// Return type.
    pub ret: String,
}

/// A loaded TorchScript module. `Send + Sync`: share it across threads with `Arc`.
pub struct Module {
    inner: tsrun_runtime::LoadedModule,
}

impl Module {
    /// Loads an archive from a file.
    pub fn load(path: impl AsRef<Path>) -> Result<Module, Error> {
        let archive = tsrun_archive::Archive::open(path)?;
        Self::from_archive(archive)
    }

    /// Loads an archive from its bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Module, Error> {
        let archive = tsrun_archive::Archive::from_bytes(bytes)?;
        Self::from_archive(archive)
    }

    fn from_archive(archive: tsrun_archive::Archive) -> Result<Module, Error> {
        Ok(Module {
            inner: tsrun_runtime::LoadedModule::load(&archive)?,
        })
    }

    /// Runs `forward`.
    pub fn forward(&self, inputs: Vec<Value>) -> Result<Value, Error> {
        self.run_method("forward", inputs)
    }

    /// Runs the named method (`forward` or an `@torch.jit.export` method).
    pub fn run_method(&self, name: &str, inputs: Vec<Value>) -> Result<Value, Error> {
        Ok(self.inner.run_method(name, inputs)?)
    }

    /// The signature of a method, to check inputs before running.
    pub fn method_signature(&self, name: &str) -> Option<MethodSignature> {
        self.inner.signature(name).map(|s| MethodSignature {
            name: name.to_string(),
            params: s.params,
            ret: s.ret,
        })
    }

    /// Names of the methods that can be run.
    pub fn method_names(&self) -> Vec<String> {
        self.inner.method_names()
    }
}
