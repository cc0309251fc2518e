//! Fuzzes the archive reader: `Archive::from_bytes` on raw bytes, then every accessor
//! (records, code files, both pickles, every storage the pickles reference).
//! Any panic, hang or huge allocation is a bug; errors are the expected outcome.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsrun_archive::{Archive, PickleValue};

fuzz_target!(|data: &[u8]| {
    let Ok(archive) = Archive::from_bytes(data.to_vec()) else {
        return;
    };
    let _ = archive.version();
    for name in archive.record_names() {
        let _ = archive.read_record(&name);
    }
    let _ = archive.code_files();
    let _ = archive.extra_files();
    for pickle in [archive.data_pickle(), archive.constants_pickle()] {
        if let Ok(value) = pickle {
            read_storages(&archive, &value, 0);
        }
    }
});

/// Reads the storage of every tensor in `value` (depth is bounded by the pickle reader).
fn read_storages(archive: &Archive, value: &PickleValue, depth: usize) {
    if depth > 2000 {
        return;
    }
    match value {
        PickleValue::Tensor(t) => {
            let _ = archive.read_storage(&t.storage);
            // The loader's path: the size is checked, then the bytes go straight into a
            // buffer of that size (bounded here as the loader bounds it by the memory limit).
            if let Ok(len) = archive.storage_len(&t.storage) {
                if len <= 1 << 26 {
                    let mut buf = vec![0u8; len];
                    let _ = archive.read_storage_into(&t.storage, &mut buf);
                }
            }
        }
        PickleValue::Tuple(items) => items
            .iter()
            .for_each(|v| read_storages(archive, v, depth + 1)),
        PickleValue::List(l) => l
            .items
            .iter()
            .for_each(|v| read_storages(archive, v, depth + 1)),
        PickleValue::Dict(d) => d.items.iter().for_each(|(k, v)| {
            read_storages(archive, k, depth + 1);
            read_storages(archive, v, depth + 1);
        }),
        PickleValue::Object(o) => read_storages(archive, &o.state, depth + 1),
        PickleValue::Enum(e) => read_storages(archive, &e.value, depth + 1),
        _ => {}
    }
}
