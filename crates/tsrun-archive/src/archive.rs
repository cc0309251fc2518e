//! [`Archive`]: a TorchScript `.pt` file opened for reading.

use std::path::Path;
use std::sync::Arc;

use crate::error::{one_line, ArchiveError};
use crate::pickle::{self, PickleValue, StorageRef};
use crate::zip_reader::{Source, ZipIndex};

/// Largest accepted pickle record (`data.pkl` is at most tens of KB in practice).
const MAX_PICKLE_BYTES: u64 = 256 << 20;
/// Largest accepted printed-code file.
const MAX_CODE_BYTES: u64 = 64 << 20;
/// Largest accepted `version` record.
const MAX_VERSION_BYTES: u64 = 64;

/// A TorchScript archive, in memory or as an open file. Cheap to share across threads.
pub struct Archive {
    zip: ZipIndex,
    version: u64,
}

/// One printed-code file under `code/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFile {
    /// Record name relative to the root, e.g. `code/__torch__/torch/nn/modules/linear.py`.
    pub path: String,
    /// The qualified-name prefix of what it defines, e.g. `__torch__.torch.nn.modules.linear`.
    pub qualified_prefix: String,
    /// The UTF-8 source text.
    pub text: String,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("root", &self.zip.root())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

fn parse_version(bytes: &[u8]) -> Option<u64> {
    let digits = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

impl Archive {
    /// Reads and opens the archive at `path`.
    ///
    /// Records are read from the file when asked for (the file stays open, the archive is
    /// not copied into memory), so the file must not change while the archive is in use.
    pub fn open(path: impl AsRef<Path>) -> Result<Archive, ArchiveError> {
        let path = path.as_ref();
        let io_err = |source| ArchiveError::Io {
            path: one_line(&path.display().to_string()),
            source,
        };
        if cfg!(not(any(unix, windows))) {
            return Self::from_bytes(std::fs::read(path).map_err(io_err)?);
        }
        let file = std::fs::File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        Self::from_zip(ZipIndex::new(Source::File(Arc::new(file)), len)?)
    }

    /// Opens an archive held in memory.
    ///
    /// Fails with [`ArchiveError::NotTorchScript`] unless `data.pkl`,
    /// `constants.pkl`, `version` (or `.data/version`) and at least one
    /// `code/` record are present.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Archive, ArchiveError> {
        let len = bytes.len() as u64;
        Self::from_zip(ZipIndex::new(Source::Bytes(Arc::new(bytes)), len)?)
    }

    /// Checks that an opened zip is a TorchScript archive and reads its version.
    fn from_zip(zip: ZipIndex) -> Result<Archive, ArchiveError> {
        let mut missing = Vec::new();
        for required in ["data.pkl", "constants.pkl"] {
            if !zip.has(required) {
                missing.push(required);
            }
        }
        if !zip.has(".data/version") && !zip.has("version") {
            missing.push("version");
        }
        if !zip.names().any(|n| n.starts_with("code/")) {
            missing.push("code/");
        }
        if !missing.is_empty() {
            let hint = if zip.has("data.pkl") {
                " (a torch.save checkpoint rather than a torch.jit.save archive?)"
            } else {
                ""
            };
            return Err(ArchiveError::NotTorchScript(format!(
                "missing {}{hint}",
                missing.join(", ")
            )));
        }
        let version_record = if zip.has(".data/version") {
            ".data/version"
        } else {
            "version"
        };
        let raw = zip.read(version_record, MAX_VERSION_BYTES)?;
        let version = parse_version(&raw).ok_or_else(|| ArchiveError::BadRecord {
            record: version_record.into(),
            reason: "not an ASCII decimal number".into(),
        })?;
        if zip.has("byteorder") {
            let order = zip.read("byteorder", MAX_VERSION_BYTES)?;
            if order.trim_ascii() != b"little" {
                return Err(ArchiveError::BadRecord {
                    record: "byteorder".into(),
                    reason: format!(
                        "byte order '{}' is not supported (only little)",
                        one_line(&String::from_utf8_lossy(&order))
                    ),
                });
            }
        }
        Ok(Archive { zip, version })
    }

    /// The root folder name (any name; taken from the first record).
    pub fn root(&self) -> &str {
        self.zip.root()
    }

    /// The file format version from `.data/version` or `version`.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Every record name relative to the root, sorted.
    pub fn record_names(&self) -> Vec<String> {
        self.zip.names().map(str::to_string).collect()
    }

    /// `true` if the record (relative to the root) exists.
    pub fn has_record(&self, name: &str) -> bool {
        self.zip.has(name)
    }

    /// The bytes of a record, e.g. `data.pkl` (name relative to the root).
    pub fn read_record(&self, name: &str) -> Result<Vec<u8>, ArchiveError> {
        self.zip.read(name, u64::MAX)
    }

    /// Every `code/**.py` file (not `.debug_pkl`), sorted by path.
    pub fn code_files(&self) -> Result<Vec<CodeFile>, ArchiveError> {
        let mut out = Vec::new();
        for path in self.zip.names() {
            let Some(module) = path
                .strip_prefix("code/")
                .and_then(|p| p.strip_suffix(".py"))
            else {
                continue;
            };
            let bytes = self.zip.read(path, MAX_CODE_BYTES)?;
            let text = String::from_utf8(bytes).map_err(|_| ArchiveError::BadRecord {
                record: one_line(path),
                reason: "code is not valid UTF-8".into(),
            })?;
            out.push(CodeFile {
                path: path.to_string(),
                qualified_prefix: module.replace('/', "."),
                text,
            });
        }
        Ok(out)
    }

    /// The module tree from `data.pkl`; its storages are in `data/`.
    pub fn data_pickle(&self) -> Result<PickleValue, ArchiveError> {
        let bytes = self.zip.read("data.pkl", MAX_PICKLE_BYTES)?;
        pickle::parse_named(&bytes, "data", "data.pkl")
    }

    /// The constants tuple from `constants.pkl`; its storages are in `constants/`.
    pub fn constants_pickle(&self) -> Result<PickleValue, ArchiveError> {
        let bytes = self.zip.read("constants.pkl", MAX_PICKLE_BYTES)?;
        pickle::parse_named(&bytes, "constants", "constants.pkl")
    }

    /// The bytes of a storage (`<folder>/<key>`), checked to be exactly
    /// `numel × itemsize` long before anything is allocated.
    pub fn read_storage(&self, s: &StorageRef) -> Result<Vec<u8>, ArchiveError> {
        let len = self.storage_len(s)?;
        self.zip.read(&s.record_name(), len as u64)
    }

    /// The size in bytes of a storage's record (`<folder>/<key>`), checked to be exactly
    /// `numel × itemsize`: the size to allocate for [`Archive::read_storage_into`].
    pub fn storage_len(&self, s: &StorageRef) -> Result<usize, ArchiveError> {
        let record = s.record_name();
        let storage_err = |reason: String| ArchiveError::Storage {
            key: one_line(&record),
            reason,
        };
        let expected = s.byte_len().ok_or_else(|| {
            storage_err(format!(
                "{} elements of {} overflow the address space",
                s.numel,
                s.dtype.name()
            ))
        })?;
        let Some(actual) = self.zip.size(&record) else {
            return Err(storage_err("no such record in the archive".into()));
        };
        if actual != expected as u64 {
            return Err(storage_err(format!(
                "record has {actual} bytes but the pickle says {} x {} = {expected}",
                s.numel,
                s.dtype.name()
            )));
        }
        Ok(expected)
    }

    /// Reads a storage's bytes straight into `out` (the final tensor buffer, so weights are
    /// copied once, from the file to their place). `out` must be exactly
    /// [`Archive::storage_len`] bytes long; the record's length and CRC are checked.
    pub fn read_storage_into(&self, s: &StorageRef, out: &mut [u8]) -> Result<(), ArchiveError> {
        let len = self.storage_len(s)?;
        let record = s.record_name();
        if out.len() != len {
            return Err(ArchiveError::Storage {
                key: one_line(&record),
                reason: format!("buffer of {} bytes for a {len}-byte storage", out.len()),
            });
        }
        self.zip.read_into(&record, out)
    }

    /// Names of the user's extra files (records `extra/<name>`), without the
    /// `extra/` prefix, sorted; read one with `read_record("extra/<name>")`.
    pub fn extra_files(&self) -> Vec<String> {
        self.zip
            .names()
            .filter_map(|n| n.strip_prefix("extra/"))
            .map(str::to_string)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Archive>();
        check::<PickleValue>();
    }

    #[test]
    fn version_parsing() {
        assert_eq!(parse_version(b"3\n"), Some(3));
        assert_eq!(parse_version(b"10"), Some(10));
        assert_eq!(parse_version(b""), None);
        assert_eq!(parse_version(b"\n"), None);
        assert_eq!(parse_version(b"-1\n"), None);
        assert_eq!(parse_version(b"3\n\n"), None);
        assert_eq!(parse_version(b"99999999999999999999"), None);
    }
}
