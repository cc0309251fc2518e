//! The single error type of this crate.

/// Everything that can go wrong while reading an archive or one of its pickles.
///
/// Every variant says what went wrong and where; `Display` is one line.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The file could not be read from disk.
    #[error("cannot read '{path}': {source}")]
    Io {
        /// The path given to [`crate::Archive::open`].
        path: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a readable zip container.
    #[error("not a zip archive: {0}")]
    NotAZip(String),
    /// A valid zip that is not a TorchScript archive (e.g. a `torch.save` checkpoint).
    #[error("not a TorchScript archive: {0}")]
    NotTorchScript(String),
    /// A record (name relative to the root folder) does not exist.
    #[error("missing record '{0}'")]
    MissingRecord(String),
    /// A record exists but is malformed, too large, or unreadable.
    #[error("bad record '{record}': {reason}")]
    BadRecord {
        /// Record name relative to the root folder.
        record: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A pickle is malformed or uses a construct outside the allow-list.
    #[error("{message} at byte {offset} of {record}")]
    Pickle {
        /// The pickle record, e.g. `data.pkl`.
        record: String,
        /// Byte offset of the offending opcode.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A pickle `GLOBAL` that is not on the allow-list.
    #[error("unsupported pickle global '{global}' at byte {offset} of {record}")]
    UnsupportedGlobal {
        /// The pickle record, e.g. `data.pkl`.
        record: String,
        /// Byte offset of the `GLOBAL` opcode.
        offset: usize,
        /// `module.name` of the global (control characters escaped).
        global: String,
    },
    /// A storage record does not match what the pickle says about it.
    #[error("bad storage '{key}': {reason}")]
    Storage {
        /// Record name of the storage, e.g. `data/0`.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

/// Escapes control characters so that input-derived text cannot break a one-line message.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
