//! A small, allow-listed pickle reader for TorchScript's pickles.
//!
//! It implements the opcodes and globals of `../shared/docs/pickle-format.md` §8 as pure
//! data operations: nothing is imported or called. See `docs/pickle-reader.md` for
//! why `serde_pickle` is not used.

mod calls;
mod convert;
mod globals;
mod machine;
mod value;

#[cfg(test)]
mod tests;

pub use value::{
    ListTag, PickleDict, PickleEnum, PickleList, PickleObject, PickleValue, StorageDType,
    StorageRef, TensorRef,
};

use crate::error::ArchiveError;

/// Maximum nesting depth of values (tuples, lists, dicts, objects).
pub const MAX_DEPTH: usize = 1000;
/// Maximum number of simultaneously open `MARK`s.
pub const MAX_MARKS: usize = 1000;

/// Parses one pickle into plain data.
///
/// `storage_folder` names the folder its storages live in (`data` for
/// `data.pkl`, `constants` for `constants.pkl`); errors name the record
/// `<storage_folder>.pkl`.
pub fn parse_pickle(bytes: &[u8], storage_folder: &str) -> Result<PickleValue, ArchiveError> {
    let record = format!("{storage_folder}.pkl");
    parse_named(bytes, storage_folder, &record)
}

/// [`parse_pickle`] with an explicit record name for error messages.
pub(crate) fn parse_named(
    bytes: &[u8],
    storage_folder: &str,
    record: &str,
) -> Result<PickleValue, ArchiveError> {
    let out = machine::Machine::new(bytes, record, storage_folder).run()?;
    convert::convert(&out, record)
}
