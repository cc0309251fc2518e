//! `Storage::from_le_fill`: archive weights read straight into their buffer.

use tsrun_tensor::{DType, Storage, Tensor};

#[test]
fn fill_matches_decoding_bytes() {
    let values = [1.5f32, -2.0, 0.0, 3.25];
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let s = Storage::from_le_fill(DType::F32, 4, |buf: &mut [u8]| {
        assert_eq!(buf.len(), 16);
        assert!(buf.iter().all(|&b| b == 0), "the buffer starts zeroed");
        buf.copy_from_slice(&bytes);
        Ok::<(), String>(())
    })
    .unwrap()
    .unwrap();
    let t = Tensor::from_storage(std::sync::Arc::new(s), 0, &[4], &[1]).unwrap();
    assert_eq!(t.to_vec::<f32>(), values);
}

#[test]
fn fill_errors_and_bad_bools_are_reported() {
    let e = Storage::from_le_fill(DType::I64, 3, |_: &mut [u8]| Err("short read"))
        .unwrap()
        .unwrap_err();
    assert_eq!(e, "short read");
    let bad = Storage::from_le_fill(DType::Bool, 3, |buf: &mut [u8]| {
        buf.copy_from_slice(&[0, 1, 2]);
        Ok::<(), ()>(())
    });
    assert!(bad.unwrap_err().to_string().contains("bool"));
    let good = Storage::from_le_fill(DType::Bool, 2, |buf: &mut [u8]| {
        buf.copy_from_slice(&[1, 0]);
        Ok::<(), ()>(())
    })
    .unwrap()
    .unwrap();
    assert_eq!(good.len(), 2);
    let empty = Storage::from_le_fill(DType::F32, 0, |buf: &mut [u8]| {
        assert!(buf.is_empty());
        Ok::<(), ()>(())
    });
    assert!(empty.unwrap().unwrap().is_empty());
}

#[test]
fn impossible_sizes_are_refused_before_filling() {
    let r = Storage::from_le_fill(DType::F64, 1 << 40, |_: &mut [u8]| -> Result<(), ()> {
        panic!("must not be called")
    });
    assert!(r.is_err());
}
