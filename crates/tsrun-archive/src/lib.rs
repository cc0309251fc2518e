//! Reads TorchScript `.pt` archives (a zip of pickles, code and raw storages)
//! into plain data, without executing anything.
//!
//! * [`Archive`] opens the zip, checks it is TorchScript, and gives access to
//!   records, printed code, the `data.pkl` / `constants.pkl` pickles and
//!   storage bytes.
//! * [`parse_pickle`] is the allow-listed pickle reader on its own.
//!
//! The container and pickle dialect are described in the project's
//! `archive-format.md` and `pickle-format.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod archive;
mod error;
pub mod pickle;
mod zip_reader;

pub use archive::{Archive, CodeFile};
pub use error::ArchiveError;
pub use pickle::{
    parse_pickle, ListTag, PickleDict, PickleEnum, PickleList, PickleObject, PickleValue,
    StorageDType, StorageRef, TensorRef,
};
