//! Errors of loading (compile) and running (runtime), each naming what and where.

use std::fmt;

/// Where in the printed code something is: `code/__torch__.py:12:5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Archive record path, e.g. `code/__torch__.py`.
    pub file: std::sync::Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// A load-time failure: parse errors, unknown names, unknown ops, no matching overload.
#[derive(Debug, Clone, thiserror::Error)]
pub struct CompileError {
    /// Where, if known.
    pub location: Option<Location>,
    /// What.
    pub message: String,
}

impl CompileError {
    /// An error without a location (yet).
    pub fn new(message: impl Into<String>) -> CompileError {
        CompileError {
            location: None,
            message: message.into(),
        }
    }

    /// An error at a location.
    pub fn at(location: Location, message: impl Into<String>) -> CompileError {
        CompileError {
            location: Some(location),
            message: message.into(),
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl From<tsrun_script::ParseError> for CompileError {
    fn from(e: tsrun_script::ParseError) -> CompileError {
        CompileError {
            location: Some(Location {
                file: e.path.as_str().into(),
                line: e.line,
                col: e.col,
            }),
            message: format!("syntax error: {}", e.message),
        }
    }
}

impl From<tsrun_archive::ArchiveError> for CompileError {
    fn from(e: tsrun_archive::ArchiveError) -> CompileError {
        CompileError::new(e.to_string())
    }
}

/// A run-time failure: an exception raised by the model, a kernel error, bad inputs.
#[derive(Debug, Clone, thiserror::Error)]
pub struct RuntimeError {
    /// Python exception class, e.g. `RuntimeError`, `AssertionError`, `builtins.ValueError`.
    pub class: String,
    /// The message (PyTorch's wording where it has one).
    pub message: String,
    /// The printed-code statement that failed, if known.
    pub location: Option<Location>,
    /// The user's original Python `file:line` of that statement, from the archive's
    /// `.debug_pkl` records, if present.
    pub origin: Option<String>,
}

impl RuntimeError {
    /// A `RuntimeError` with a message.
    pub fn new(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            class: "RuntimeError".into(),
            message: message.into(),
            location: None,
            origin: None,
        }
    }

    /// An exception of a given Python class.
    pub fn exception(class: impl Into<String>, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            class: class.into(),
            message: message.into(),
            location: None,
            origin: None,
        }
    }

    /// Attaches a location unless one is already set (the innermost statement wins).
    pub fn with_location(mut self, loc: impl FnOnce() -> Location) -> RuntimeError {
        if self.location.is_none() {
            self.location = Some(loc());
        }
        self
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class, self.message)?;
        match (&self.location, &self.origin) {
            (Some(loc), Some(origin)) => write!(f, " (at {loc}, from {origin})")?,
            (Some(loc), None) => write!(f, " (at {loc})")?,
            _ => {}
        }
        Ok(())
    }
}

impl From<tsrun_tensor::TensorError> for RuntimeError {
    fn from(e: tsrun_tensor::TensorError) -> RuntimeError {
        RuntimeError::new(e.to_string())
    }
}

/// Result of running code.
pub type RtResult<T> = Result<T, RuntimeError>;
