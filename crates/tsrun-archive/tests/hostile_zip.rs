//! Container-level checks on zips assembled in the test with the `zip` writer.

use std::io::{Cursor, Write};

use tsrun_archive::{Archive, ArchiveError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const EMPTY_TUPLE_PKL: &[u8] = b"\x80\x02).";
const OBJ_PKL: &[u8] = b"\x80\x02c__torch__\nM\n)\x81}b.";

fn make(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, method) in entries {
        let opts = SimpleFileOptions::default()
            .compression_method(*method)
            .large_file(data.len() > u32::MAX as usize);
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn minimal(root: &str) -> Vec<(String, Vec<u8>, CompressionMethod)> {
    let s = CompressionMethod::Stored;
    vec![
        (format!("{root}/data.pkl"), OBJ_PKL.to_vec(), s),
        (
            format!("{root}/code/__torch__.py"),
            b"class M(Module):\n  pass\n".to_vec(),
            CompressionMethod::Deflated,
        ),
        (format!("{root}/constants.pkl"), EMPTY_TUPLE_PKL.to_vec(), s),
        (format!("{root}/version"), b"3\n".to_vec(), s),
    ]
}

fn build(entries: &[(String, Vec<u8>, CompressionMethod)]) -> Vec<u8> {
    let refs: Vec<_> = entries
        .iter()
        .map(|(n, d, m)| (n.as_str(), d.as_slice(), *m))
        .collect();
    make(&refs)
}

fn open_err(bytes: Vec<u8>) -> ArchiveError {
    match Archive::from_bytes(bytes) {
        Ok(a) => panic!("expected an error, opened {a:?}"),
        Err(e) => {
            assert!(!e.to_string().contains('\n'));
            e
        }
    }
}

#[test]
fn minimal_archive_with_any_root_name() {
    for root in ["archive", "space name", "café", ".hidden", "a.b"] {
        let a = Archive::from_bytes(build(&minimal(root))).unwrap();
        assert_eq!(a.root(), root);
        assert_eq!(a.version(), 3);
        let v = a.data_pickle().unwrap();
        assert_eq!(&*v.as_object().unwrap().class, "__torch__.M");
        assert_eq!(a.code_files().unwrap()[0].qualified_prefix, "__torch__");
    }
}

#[test]
fn data_version_record_and_extra_files() {
    let mut e = minimal("m");
    e.retain(|(n, _, _)| n != "m/version");
    e.push((
        "m/.data/version".into(),
        b"10\n".to_vec(),
        CompressionMethod::Deflated,
    ));
    e.push((
        "m/extra/notes/readme.txt".into(),
        b"hi".to_vec(),
        CompressionMethod::Stored,
    ));
    let a = Archive::from_bytes(build(&e)).unwrap();
    assert_eq!(a.version(), 10);
    assert_eq!(a.extra_files(), ["notes/readme.txt"]);
    assert_eq!(a.read_record("extra/notes/readme.txt").unwrap(), b"hi");
}

#[test]
fn not_torchscript() {
    // A torch.save checkpoint: data.pkl but no constants.pkl and no code/.
    let e = open_err(make(&[
        ("ckpt/data.pkl", EMPTY_TUPLE_PKL, CompressionMethod::Stored),
        ("ckpt/version", b"3\n", CompressionMethod::Stored),
    ]));
    assert!(matches!(e, ArchiveError::NotTorchScript(_)));
    let m = e.to_string();
    assert!(m.starts_with("not a TorchScript archive"), "{m}");
    assert!(m.contains("constants.pkl") && m.contains("code/"), "{m}");
    let e = open_err(make(&[]));
    assert!(e.to_string().contains("not a TorchScript archive"), "{e}");
    let mut no_version = minimal("m");
    no_version.retain(|(n, _, _)| n != "m/version");
    assert!(matches!(
        open_err(build(&no_version)),
        ArchiveError::NotTorchScript(_)
    ));
}

#[test]
fn not_a_zip() {
    assert!(matches!(
        open_err(b"hello".to_vec()),
        ArchiveError::NotAZip(_)
    ));
    assert!(matches!(open_err(Vec::new()), ArchiveError::NotAZip(_)));
    let mut bytes = build(&minimal("m"));
    bytes.truncate(bytes.len() - 10);
    assert!(matches!(open_err(bytes), ArchiveError::NotAZip(_)));
}

#[test]
fn names_outside_the_root() {
    for bad in ["other/x", "m/../x", "m/a/../../x", "/m/x", "top_level"] {
        let mut e = minimal("m");
        e.push((bad.into(), b"x".to_vec(), CompressionMethod::Stored));
        let err = open_err(build(&e));
        assert!(
            matches!(err, ArchiveError::BadRecord { .. }),
            "{bad}: {err}"
        );
    }
}

#[test]
fn bad_version_and_byteorder() {
    let mut e = minimal("m");
    e.retain(|(n, _, _)| n != "m/version");
    e.push((
        "m/version".into(),
        b"three\n".to_vec(),
        CompressionMethod::Stored,
    ));
    assert!(open_err(build(&e)).to_string().contains("version"));
    let mut e = minimal("m");
    e.push((
        "m/byteorder".into(),
        b"big".to_vec(),
        CompressionMethod::Stored,
    ));
    assert!(open_err(build(&e)).to_string().contains("byte order 'big'"));
}

#[test]
fn deflate_bomb_is_refused_at_open() {
    let zeros = vec![0u8; 32 << 20];
    let mut e = minimal("m");
    e.push(("m/data/0".into(), zeros, CompressionMethod::Deflated));
    let bytes = build(&e);
    assert!(
        bytes.len() < (1 << 20),
        "the bomb is small: {}",
        bytes.len()
    );
    let err = open_err(bytes);
    assert!(err.to_string().contains("more than the limit"), "{err}");
}

/// Patches the central-directory uncompressed size of the entry named `name`.
fn patch_cd_size(bytes: &mut [u8], name: &str, size: u32) {
    let sig = b"PK\x01\x02";
    let mut i = 0;
    while i + 46 <= bytes.len() {
        if &bytes[i..i + 4] == sig {
            let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            if &bytes[i + 46..i + 46 + n] == name.as_bytes() {
                bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                return;
            }
        }
        i += 1;
    }
    panic!("entry {name} not found");
}

#[test]
fn lying_sizes_fail_cleanly() {
    let text = "x = 1\n".repeat(1000);
    let mut e = minimal("m");
    e.push((
        "m/code/__torch__/big.py".into(),
        text.into_bytes(),
        CompressionMethod::Deflated,
    ));
    let good = build(&e);
    // Declared smaller than the real data: the bounded read notices.
    let mut small = good.clone();
    patch_cd_size(&mut small, "m/code/__torch__/big.py", 10);
    let a = Archive::from_bytes(small).unwrap();
    let err = a.code_files().unwrap_err().to_string();
    assert!(err.contains("big.py"), "{err}");
    // Declared larger than the real data.
    let mut large = good;
    patch_cd_size(&mut large, "m/code/__torch__/big.py", 7000);
    let a = Archive::from_bytes(large).unwrap();
    assert!(a.code_files().is_err());
    // A stored record that claims more bytes than the file has.
    let mut stored = build(&minimal("m"));
    let len = stored.len() as u32;
    patch_cd_size(&mut stored, "m/data.pkl", len + 1);
    assert!(Archive::from_bytes(stored).is_err());
}

#[test]
fn corrupted_payload_fails_crc() {
    let mut bytes = build(&minimal("m"));
    let pos = bytes
        .windows(OBJ_PKL.len())
        .position(|w| w == OBJ_PKL)
        .unwrap();
    bytes[pos + 5] ^= 0x20;
    let a = Archive::from_bytes(bytes).unwrap();
    let e = a.data_pickle().unwrap_err();
    assert!(matches!(e, ArchiveError::BadRecord { .. }), "{e}");
}

#[test]
fn byte_mutations_never_panic() {
    let seed = build(&minimal("m"));
    let mut state: u64 = 0x1234_5678_9abc_def1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut b = seed.clone();
        for _ in 0..(next() % 3 + 1) {
            let i = (next() as usize) % b.len();
            b[i] = next() as u8;
        }
        if let Ok(a) = Archive::from_bytes(b) {
            let _ = a.data_pickle();
            let _ = a.constants_pickle();
            let _ = a.code_files();
        }
    }
}
