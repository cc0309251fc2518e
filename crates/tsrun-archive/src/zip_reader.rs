//! The zip container: an index of records relative to the root folder, with
//! size guards and bounded reads. Uses the `zip` crate for the format itself.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use zip::read::{ArchiveOffset, Config};
use zip::{CompressionMethod, ZipArchive};

use crate::error::{one_line, ArchiveError};

/// Extra allowance over `64 × file size` for a deflated record's declared size.
const DEFLATE_SLACK: u64 = 1 << 20;
/// Largest up-front allocation for a record; larger ones grow as bytes arrive.
const MAX_PREALLOC: u64 = 64 << 20;

/// Where the archive's bytes come from: memory (`Archive::from_bytes`) or a file read with
/// positional reads (`Archive::open`). Reading a file in place, instead of into one buffer
/// first, keeps a second copy of every weight out of memory while a model loads (for
/// resnet18 the buffer was 45 MB of page faults and copying, on top of the decoded weights).
#[derive(Clone)]
pub(crate) enum Source {
    /// The whole archive in memory.
    Bytes(Arc<Vec<u8>>),
    /// An open file, never seeked (every read says where it reads).
    File(Arc<File>),
}

/// A cursor over a [`Source`]; each clone is an independent cursor, so concurrent record
/// reads (which clone the zip reader) never move each other's position.
#[derive(Clone)]
struct SourceReader {
    src: Source,
    pos: u64,
    len: u64,
}

impl Read for SourceReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &self.src {
            Source::Bytes(bytes) => {
                let rest = bytes
                    .get(usize::try_from(self.pos).unwrap_or(usize::MAX)..)
                    .unwrap_or(&[]);
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                n
            }
            Source::File(file) => read_at(file, buf, self.pos)?,
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SourceReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, pos)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, pos)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    // Archive::open reads the file into memory on these platforms.
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "positional reads",
    ))
}

/// What the central directory says about one record.
#[derive(Debug, Clone, Copy)]
struct RecordInfo {
    index: usize,
    size: u64,
}

/// An opened zip with records indexed by their name relative to the root.
pub(crate) struct ZipIndex {
    zip: ZipArchive<SourceReader>,
    root: String,
    records: BTreeMap<String, RecordInfo>,
}

fn bad(record: &str, reason: impl Into<String>) -> ArchiveError {
    ArchiveError::BadRecord {
        record: one_line(record),
        reason: reason.into(),
    }
}

/// Splits `root/rest` and rejects absolute, `..`, empty-component and backslash names.
fn split_name(name: &str) -> Result<(&str, &str), ArchiveError> {
    if name.starts_with('/') || name.contains('\\') || name.contains('\0') {
        return Err(bad(name, "absolute or non-portable record name"));
    }
    let Some((root, rest)) = name.split_once('/') else {
        return Err(bad(name, "record is not inside a root folder"));
    };
    if root.is_empty() || root == ".." || root == "." {
        return Err(bad(name, "bad root folder name"));
    }
    if rest.split('/').any(|c| c == ".." || c == ".") {
        return Err(bad(name, "record name contains '..' or '.'"));
    }
    Ok((root, rest))
}

impl ZipIndex {
    /// Opens the zip of `file_len` bytes in `src` and indexes every record.
    pub(crate) fn new(src: Source, file_len: u64) -> Result<Self, ArchiveError> {
        let cursor = SourceReader {
            src,
            pos: 0,
            len: file_len,
        };
        let config = Config {
            archive_offset: ArchiveOffset::Known(0),
        };
        let mut zip = ZipArchive::with_config(config, cursor)
            .map_err(|e| ArchiveError::NotAZip(one_line(&e.to_string())))?;
        let mut root: Option<String> = None;
        let mut records = BTreeMap::new();
        for index in 0..zip.len() {
            let entry = zip
                .by_index_raw(index)
                .map_err(|e| ArchiveError::NotAZip(one_line(&format!("entry {index}: {e}"))))?;
            let name = entry.name().to_string();
            let (entry_root, rest) = split_name(&name)?;
            match &root {
                None => root = Some(entry_root.to_string()),
                Some(r) if r != entry_root => {
                    return Err(bad(
                        &name,
                        format!("outside the root folder '{}'", one_line(r)),
                    ))
                }
                Some(_) => {}
            }
            if entry.is_dir() || rest.is_empty() {
                continue;
            }
            if rest.split('/').any(str::is_empty) {
                return Err(bad(&name, "empty path component"));
            }
            let size = entry.size();
            match entry.compression() {
                CompressionMethod::Stored => {
                    if size > file_len || size != entry.compressed_size() {
                        return Err(bad(
                            rest,
                            format!("stored record claims {size} bytes in a {file_len}-byte file"),
                        ));
                    }
                }
                CompressionMethod::Deflated => {
                    let limit = file_len.saturating_mul(64).saturating_add(DEFLATE_SLACK);
                    if size > limit {
                        return Err(bad(
                            rest,
                            format!(
                                "deflated record claims {size} bytes, more than the limit {limit}"
                            ),
                        ));
                    }
                }
                other => {
                    return Err(bad(
                        rest,
                        format!("unsupported compression method {other:?}"),
                    ));
                }
            }
            if records
                .insert(rest.to_string(), RecordInfo { index, size })
                .is_some()
            {
                return Err(bad(rest, "duplicate record"));
            }
        }
        let Some(root) = root else {
            return Err(ArchiveError::NotTorchScript("the zip is empty".into()));
        };
        Ok(ZipIndex { zip, root, records })
    }

    /// The root folder name.
    pub(crate) fn root(&self) -> &str {
        &self.root
    }

    /// All record names (relative to the root), sorted.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.records.keys().map(String::as_str)
    }

    /// `true` if the record exists.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.records.contains_key(name)
    }

    /// Declared uncompressed size of a record.
    pub(crate) fn size(&self, name: &str) -> Option<u64> {
        self.records.get(name).map(|r| r.size)
    }

    /// Reads a whole record straight into `out`, which must have exactly the record's declared
    /// size (the caller allocated it from that size, already checked): no intermediate buffer,
    /// so a stored (uncompressed) weight goes from the file to its final place in one copy.
    /// Checks, as [`ZipIndex::read`] does, that the data is neither shorter nor longer than
    /// declared and that its CRC matches.
    pub(crate) fn read_into(&self, name: &str, out: &mut [u8]) -> Result<(), ArchiveError> {
        let info = self
            .records
            .get(name)
            .ok_or_else(|| ArchiveError::MissingRecord(one_line(name)))?;
        if info.size != out.len() as u64 {
            return Err(bad(
                name,
                format!("declared {} bytes, expected {}", info.size, out.len()),
            ));
        }
        let mut zip = self.zip.clone();
        let mut entry = zip
            .by_index(info.index)
            .map_err(|e| bad(name, one_line(&e.to_string())))?;
        let mut filled = 0;
        while filled < out.len() {
            match entry.read(&mut out[filled..]) {
                Ok(0) => {
                    return Err(bad(
                        name,
                        format!(
                            "declared {} bytes but the data has only {filled}",
                            info.size
                        ),
                    ))
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(bad(name, one_line(&e.to_string()))),
            }
        }
        // One more read must find the end: that is where the CRC is compared, and a deflated
        // record that inflates to more than it declared is refused here.
        let mut extra = [0u8; 1];
        match entry.read(&mut extra) {
            Ok(0) => Ok(()),
            Ok(_) => Err(bad(
                name,
                format!("declared {} bytes but the data is longer", info.size),
            )),
            Err(e) => Err(bad(name, one_line(&e.to_string()))),
        }
    }

    /// Reads a whole record, refusing it if it declares more than `cap` bytes;
    /// never reads more than the declared size and checks the CRC.
    pub(crate) fn read(&self, name: &str, cap: u64) -> Result<Vec<u8>, ArchiveError> {
        let info = self
            .records
            .get(name)
            .ok_or_else(|| ArchiveError::MissingRecord(one_line(name)))?;
        if info.size > cap {
            return Err(bad(
                name,
                format!(
                    "{} bytes exceed the limit of {cap} for this record",
                    info.size
                ),
            ));
        }
        let mut zip = self.zip.clone();
        let entry = zip
            .by_index(info.index)
            .map_err(|e| bad(name, one_line(&e.to_string())))?;
        let capacity = usize::try_from(info.size.min(MAX_PREALLOC)).unwrap_or(0);
        let mut out = Vec::with_capacity(capacity);
        entry
            .take(info.size.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| bad(name, one_line(&e.to_string())))?;
        if out.len() as u64 != info.size {
            return Err(bad(
                name,
                format!(
                    "declared {} bytes but the data {}",
                    info.size,
                    if out.len() as u64 > info.size {
                        "is longer".to_string()
                    } else {
                        format!("has only {}", out.len())
                    }
                ),
            ));
        }
        Ok(out)
    }
}
