//! Mapping a printed-code location back to the user's Python source, through the
//! `code/<f>.py.debug_pkl` records (printed-code.md §9):
//!
//! ```text
//! ('FORMAT_WITH_STRING_TABLE', (s0, s1, ...),
//!  ((byte_offset, ((text_ids, file_id, line), start, end), range_id), ...))
//! ```
//!
//! Each entry says that the printed code from `byte_offset` on came from the source text
//! `strings[text_ids...]` (which starts at `line` of file `strings[file_id]`), characters
//! `start..end`. A run-time error's printed statement is mapped to the last entry at or
//! before its offset, as PyTorch does for its "original code" traceback.
//!
//! The records are kept as bytes and decoded only when an error needs them: loading and
//! running pay nothing.

use std::collections::HashMap;
use std::sync::Arc;

use tsrun_archive::{Archive, ListTag, PickleValue};

use crate::error::{Location, RuntimeError};

/// Largest `.debug_pkl` record read (they are a few KB in practice).
const MAX_DEBUG_BYTES: usize = 16 << 20;

/// The printed code and raw debug tables of an archive's `code/` files.
#[derive(Default)]
pub struct SourceMap {
    files: HashMap<Arc<str>, (Arc<str>, Vec<u8>)>,
}

impl SourceMap {
    /// Collects the debug records of `code` (printed path and text of each file). Files
    /// without a record, or with an unreadable one, simply map to nothing.
    pub fn read(archive: &Archive, code: &[(Arc<str>, Arc<str>)]) -> SourceMap {
        let mut files = HashMap::new();
        for (path, text) in code {
            let record = format!("{path}.debug_pkl");
            if !archive.has_record(&record) {
                continue;
            }
            if let Ok(bytes) = archive.read_record(&record) {
                if bytes.len() <= MAX_DEBUG_BYTES {
                    files.insert(path.clone(), (text.clone(), bytes));
                }
            }
        }
        SourceMap { files }
    }

    /// The original `file:line` of a printed-code location, if the debug table knows it.
    pub fn origin(&self, loc: &Location) -> Option<String> {
        let (text, bytes) = self.files.get(&loc.file)?;
        let offset = byte_offset(text, loc.line, loc.col)?;
        let line_end = text[offset.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| offset + i);
        let table = tsrun_archive::parse_pickle(bytes, "debug").ok()?;
        lookup(&table, offset, line_end)
    }

    /// Adds the original source location to an error that has a printed-code location.
    pub fn annotate(&self, mut e: RuntimeError) -> RuntimeError {
        if e.origin.is_none() {
            if let Some(loc) = &e.location {
                e.origin = self.origin(loc);
            }
        }
        e
    }
}

/// Byte offset of 1-based `line`/`col` in `text`.
fn byte_offset(text: &str, line: u32, col: u32) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    Some(line_start + col.saturating_sub(1) as usize)
}

fn items(v: &PickleValue) -> Option<&[PickleValue]> {
    match v {
        PickleValue::Tuple(t) => Some(t),
        PickleValue::List(l) => Some(&l.items),
        _ => None,
    }
}

fn int(v: &PickleValue) -> Option<i64> {
    match v {
        PickleValue::Int(i) => Some(*i),
        _ => None,
    }
}

/// The source `file:line` of the statement at `offset..line_end`: the first range with a
/// source that starts within the statement's line, else the last one before it.
fn lookup(table: &PickleValue, offset: usize, line_end: usize) -> Option<String> {
    let [format, strings, ranges] = items(table)? else {
        return None;
    };
    if !matches!(format, PickleValue::Str(s) if &**s == "FORMAT_WITH_STRING_TABLE") {
        return None;
    }
    let strings: Vec<&str> = items(strings)?
        .iter()
        .map(|s| match s {
            PickleValue::Str(s) => &**s,
            _ => "",
        })
        .collect();
    let mut best: Option<String> = None;
    for entry in items(ranges)? {
        let [start_byte, range, _] = items(entry)? else {
            continue;
        };
        let at = int(start_byte)? as usize;
        if at >= line_end {
            break;
        }
        if let Some(found) = describe(range, &strings) {
            if at >= offset {
                return Some(found);
            }
            best = Some(found);
        }
    }
    best
}

/// `((text_ids, file_id, line), start, end)` -> `file:line` of `start`, if it has a source.
fn describe(range: &PickleValue, strings: &[&str]) -> Option<String> {
    let [source, start, _end] = items(range)? else {
        return None;
    };
    let [text_ids, file_id, line] = items(source)? else {
        return None;
    };
    let file = strings.get(usize::try_from(int(file_id)?).ok()?)?;
    if file.is_empty() {
        return None;
    }
    let ids = match text_ids {
        PickleValue::List(l) if matches!(l.elem, ListTag::Int) || !l.items.is_empty() => &l.items,
        _ => return None,
    };
    let mut text = String::new();
    for id in ids {
        text.push_str(strings.get(usize::try_from(int(id)?).ok()?)?);
    }
    let start = usize::try_from(int(start)?).ok()?.min(text.len());
    let newlines = text.as_bytes()[..start]
        .iter()
        .filter(|&&c| c == b'\n')
        .count() as i64;
    Some(format!("{file}:{}", int(line)? + newlines))
}
