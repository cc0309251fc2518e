//! Reads tests/data/small.pt, written by tests/data/make_small.py with torch 2.15.0.

use std::path::PathBuf;
use std::sync::Arc;

use tsrun_archive::{Archive, ArchiveError, ListTag, PickleValue, StorageDType, StorageRef};

fn small_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/small.pt")
}

fn open() -> Archive {
    Archive::open(small_path()).expect("small.pt opens")
}

#[test]
fn metadata() {
    let a = open();
    assert_eq!(a.root(), "small");
    assert_eq!(a.version(), 3);
    assert!(a.has_record("data.pkl"));
    assert!(a.has_record("byteorder"));
    assert!(
        !a.has_record("small/data.pkl"),
        "names are relative to the root"
    );
    assert_eq!(
        a.record_names(),
        [
            ".data/serialization_id",
            "byteorder",
            "code/__torch__.py",
            "code/__torch__.py.debug_pkl",
            "code/__torch__/torch/nn/modules/linear.py",
            "code/__torch__/torch/nn/modules/linear.py.debug_pkl",
            "constants.pkl",
            "data.pkl",
            "data/0",
            "data/1",
            "data/2",
            "version",
        ]
    );
    assert!(a.extra_files().is_empty());
    assert_eq!(a.read_record("version").unwrap(), b"3\n");
    assert!(matches!(
        a.read_record("nope"),
        Err(ArchiveError::MissingRecord(n)) if n == "nope"
    ));
}

#[test]
fn code_files() {
    let files = open().code_files().unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|f| (f.path.as_str(), f.qualified_prefix.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("code/__torch__.py", "__torch__"),
            (
                "code/__torch__/torch/nn/modules/linear.py",
                "__torch__.torch.nn.modules.linear"
            ),
        ]
    );
    assert!(
        files[0].text.contains("class Small(Module):"),
        "{}",
        files[0].text
    );
    assert!(files[1].text.contains("class Linear(Module):"));
}

#[test]
fn data_pickle_shape_and_sharing() {
    let a = open();
    let root = a.data_pickle().unwrap();
    let obj = root.as_object().unwrap();
    assert_eq!(&*obj.class, "__torch__.Small");
    let state = obj.state.as_dict().unwrap();
    let keys: Vec<_> = state
        .items
        .iter()
        .map(|(k, _)| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "base",
            "view",
            "training",
            "_is_full_backward_hook",
            "alias",
            "sizes",
            "lin"
        ]
    );
    assert_eq!(state.get("training"), Some(&PickleValue::Bool(true)));
    assert_eq!(
        state.get("_is_full_backward_hook"),
        Some(&PickleValue::None)
    );

    let base = state.get("base").unwrap().as_tensor().unwrap();
    let view = state.get("view").unwrap().as_tensor().unwrap();
    let alias = state.get("alias").unwrap().as_tensor().unwrap();
    assert_eq!(
        (base.offset, &base.sizes[..], &base.strides[..]),
        (0, &[8][..], &[1][..])
    );
    assert_eq!(
        (view.offset, &view.sizes[..], &view.strides[..]),
        (2, &[2, 2][..], &[1, 2][..])
    );
    assert!(
        Arc::ptr_eq(&base.storage, &view.storage),
        "view shares the storage"
    );
    assert!(Arc::ptr_eq(base, alias), "alias is the same tensor object");
    assert!(!base.requires_grad);

    let sizes = state.get("sizes").unwrap().as_list().unwrap();
    assert_eq!(sizes.elem, ListTag::Int);
    assert_eq!(
        sizes.items,
        [
            PickleValue::Int(1),
            PickleValue::Int(2),
            PickleValue::Int(3)
        ]
    );

    let lin = state.get("lin").unwrap().as_object().unwrap();
    assert_eq!(&*lin.class, "__torch__.torch.nn.modules.linear.Linear");
    let lin_state = lin.state.as_dict().unwrap();
    let w = lin_state.get("weight").unwrap().as_tensor().unwrap();
    let b = lin_state.get("bias").unwrap().as_tensor().unwrap();
    assert_eq!((&w.sizes[..], &w.strides[..]), (&[3, 2][..], &[2, 1][..]));
    assert_eq!(b.sizes, [3]);
    assert!(w.requires_grad && b.requires_grad);
    assert_eq!(w.storage.key, "1");
    assert_eq!(w.storage.dtype, StorageDType::F32);
    assert_eq!(w.storage.folder, "data");

    assert_eq!(
        a.constants_pickle().unwrap(),
        PickleValue::Tuple(Arc::from([]))
    );
}

#[test]
fn storage_bytes() {
    let a = open();
    let root = a.data_pickle().unwrap();
    let state = root.as_object().unwrap().state.as_dict().unwrap().clone();
    let base = state.get("base").unwrap().as_tensor().unwrap();
    let bytes = a.read_storage(&base.storage).unwrap();
    assert_eq!(bytes.len(), 32);
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(values, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    let lin = state.get("lin").unwrap().as_object().unwrap();
    let w = lin
        .state
        .as_dict()
        .unwrap()
        .get("weight")
        .unwrap()
        .as_tensor()
        .unwrap();
    assert_eq!(a.read_storage(&w.storage).unwrap().len(), 24);
}

#[test]
fn storage_read_into_matches_read_storage() {
    let a = open();
    let root = a.data_pickle().unwrap();
    let state = root.as_object().unwrap().state.as_dict().unwrap().clone();
    let base = state.get("base").unwrap().as_tensor().unwrap();
    let want = a.read_storage(&base.storage).unwrap();
    assert_eq!(a.storage_len(&base.storage).unwrap(), want.len());
    let mut got = vec![0xAAu8; want.len()];
    a.read_storage_into(&base.storage, &mut got).unwrap();
    assert_eq!(got, want);
    // A buffer of the wrong size is refused before anything is read into it.
    for len in [want.len() - 1, want.len() + 1] {
        let mut buf = vec![0u8; len];
        let e = a.read_storage_into(&base.storage, &mut buf).unwrap_err();
        assert!(matches!(e, ArchiveError::Storage { .. }), "{e}");
    }
}

#[test]
fn storage_checks_before_allocating() {
    let a = open();
    let good = StorageRef {
        key: "0".into(),
        dtype: StorageDType::F32,
        numel: 8,
        location: "cpu".into(),
        folder: "data".into(),
    };
    assert_eq!(a.read_storage(&good).unwrap().len(), 32);
    let huge = StorageRef {
        numel: 1 << 62,
        dtype: StorageDType::U8,
        ..good.clone()
    };
    let e = a.read_storage(&huge).unwrap_err();
    assert!(matches!(e, ArchiveError::Storage { .. }), "{e}");
    assert!(e.to_string().contains("record has 32 bytes"), "{e}");
    let overflow = StorageRef {
        numel: usize::MAX,
        ..good.clone()
    };
    assert!(a
        .read_storage(&overflow)
        .unwrap_err()
        .to_string()
        .contains("overflow"));
    let wrong_dtype = StorageRef {
        dtype: StorageDType::F64,
        ..good.clone()
    };
    assert!(a.read_storage(&wrong_dtype).is_err());
    let missing = StorageRef {
        key: "9".into(),
        ..good.clone()
    };
    assert!(a
        .read_storage(&missing)
        .unwrap_err()
        .to_string()
        .contains("data/9"));
    let constants = StorageRef {
        folder: "constants".into(),
        ..good
    };
    assert!(a.read_storage(&constants).is_err());
}

#[test]
fn from_bytes_equals_open_and_threads_share() {
    let bytes = std::fs::read(small_path()).unwrap();
    let a = Arc::new(Archive::from_bytes(bytes).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let a = a.clone();
            std::thread::spawn(move || a.data_pickle().map(|_| ()).is_ok())
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap());
    }
}

#[test]
fn io_error_names_the_path() {
    let e = Archive::open("/nonexistent/x.pt").unwrap_err();
    assert!(matches!(e, ArchiveError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/x.pt"));
}
