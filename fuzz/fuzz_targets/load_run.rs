//! Fuzzes the whole pipeline: load an archive and run `forward` on small fixed inputs.
//!
//! Raw bytes would almost never get past the zip CRC checks, so the input is a list of records
//! that this target zips (stored, with correct CRCs) before loading:
//! `SEP name "\n" data`, repeated, where `SEP` is `"\n#@tsrun-record:"`. `fuzz/make_corpus.py`
//! turns the fixture archives into this form, so the fuzzer mutates code, pickles and storages
//! directly.
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use tsrun::{Module, Tensor, Value};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const SEP: &[u8] = b"\n#@tsrun-record:";

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = zip_records(data) else {
        return;
    };
    let Ok(module) = Module::from_bytes(bytes) else {
        return;
    };
    let Some(sig) = module.method_signature("forward") else {
        return;
    };
    let Some(inputs) = sig.params.iter().map(|(_, ty)| input_for(ty)).collect() else {
        return;
    };
    let _ = module.forward(inputs);
});

/// One small, fixed value per parameter type, or `None` for types this target does not build.
fn input_for(ty: &str) -> Option<Value> {
    Some(match ty {
        "Tensor" => {
            let data: Vec<f32> = (0..12).map(|i| i as f32 * 0.25 - 1.5).collect();
            Value::Tensor(Tensor::from_vec(data, &[3, 4]).ok()?)
        }
        "int" => Value::Int(2),
        "float" => Value::Float(0.5),
        "bool" => Value::Bool(true),
        "str" => Value::Str("ab".into()),
        t if t.starts_with("Optional[") => Value::None,
        _ => return None,
    })
}

/// Builds a stored zip from `SEP name "\n" data` records (bytes before the first `SEP` are ignored).
fn zip_records(data: &[u8]) -> Option<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut rest = split_once(data, SEP)?.1;
    loop {
        let (record, next) = match split_once(rest, SEP) {
            Some((record, next)) => (record, Some(next)),
            None => (rest, None),
        };
        let (name, body) = split_once(record, b"\n")?;
        let name = std::str::from_utf8(name).ok()?;
        zip.start_file(name, options).ok()?;
        zip.write_all(body).ok()?;
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    Some(zip.finish().ok()?.into_inner())
}

fn split_once<'a>(hay: &'a [u8], needle: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = hay.windows(needle.len()).position(|w| w == needle)?;
    Some((&hay[..at], &hay[at + needle.len()..]))
}
