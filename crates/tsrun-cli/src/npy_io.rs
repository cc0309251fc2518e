//! Reading `.npy` and `.npz` files and writing `.npz` files in `np.savez`'s layout.
//!
//! The `.npy` format itself (header parsing, dtype descriptors, byte order) is `npyz`'s job; an
//! `.npz` is just a zip of `.npy` members, handled with the workspace's `zip` crate (npyz's own
//! npz feature would pull in an older `zip` with all its default codecs).

use std::fmt;
use std::io::{self, Cursor, Read, Seek, Write};
use std::path::Path;

use half::f16;
use npyz::{TypeChar, WriterBuilder};

use crate::array::{element_count, ArrayData, NdArray};

/// Largest `.npz` member we will inflate, so that a hostile archive cannot exhaust memory.
const MAX_MEMBER_BYTES: u64 = 1 << 34;

/// Why an `.npy`/`.npz` file could not be read or written. Displays as one line.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyError(pub String);

impl fmt::Display for NpyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NpyError {}

fn err(msg: impl Into<String>) -> NpyError {
    NpyError(msg.into())
}

/// Reads an `.npy` file.
pub fn read_npy(path: &Path) -> Result<NdArray, NpyError> {
    let bytes =
        std::fs::read(path).map_err(|e| err(format!("cannot read `{}`: {e}", path.display())))?;
    parse_npy(&bytes).map_err(|e| err(format!("`{}`: {e}", path.display())))
}

/// Parses the bytes of an `.npy` file. Supported dtypes: bool, uint8, int8/16/32/64,
/// float16/32/64 (either byte order) and str (`<U`); C or Fortran order.
pub fn parse_npy(bytes: &[u8]) -> Result<NdArray, NpyError> {
    let file = npyz::NpyFile::new(bytes).map_err(|e| err(format!("not a valid .npy file: {e}")))?;
    let shape = file
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| err("a dimension does not fit in memory"))?;
    let fortran = matches!(file.order(), npyz::Order::Fortran);
    let npyz::DType::Plain(ts) = file.dtype() else {
        return Err(err(format!(
            "structured dtype {} is not supported",
            file.dtype().descr()
        )));
    };
    // npyz sizes its result vector from the header's shape: check the data is really there
    // before trusting it with an allocation.
    let count = element_count(&shape).map_err(|e| err(e.0))?;
    let item = ts.num_bytes().unwrap_or(1).max(1);
    if count.checked_mul(item).is_none_or(|n| n > bytes.len()) {
        return Err(err(format!(
            "shape {shape:?} of {ts} needs more data than the file holds ({} bytes)",
            bytes.len()
        )));
    }
    let bad = |e: io::Error| err(format!("bad {ts} data: {e}"));
    let data = match (ts.type_char(), ts.size_field()) {
        (TypeChar::Bool, 1) => ArrayData::Bool(file.into_vec().map_err(bad)?),
        (TypeChar::Uint, 1) => ArrayData::U8(file.into_vec().map_err(bad)?),
        (TypeChar::Int, 1) => ArrayData::I8(file.into_vec().map_err(bad)?),
        (TypeChar::Int, 2) => ArrayData::I16(file.into_vec().map_err(bad)?),
        (TypeChar::Int, 4) => ArrayData::I32(file.into_vec().map_err(bad)?),
        (TypeChar::Int, 8) => ArrayData::I64(file.into_vec().map_err(bad)?),
        (TypeChar::Float, 2) => ArrayData::F16(file.into_vec::<f16>().map_err(bad)?),
        (TypeChar::Float, 4) => ArrayData::F32(file.into_vec().map_err(bad)?),
        (TypeChar::Float, 8) => ArrayData::F64(file.into_vec().map_err(bad)?),
        (TypeChar::UnicodeStr, _) => ArrayData::Str(file.into_vec().map_err(bad)?),
        _ => {
            return Err(err(format!(
                "dtype {ts} is not supported (bool, uint8, int8/16/32/64, float16/32/64, str are)"
            )))
        }
    };
    if data.len() != count {
        return Err(err(format!(
            "shape {shape:?} needs {count} elements, the file holds {}",
            data.len()
        )));
    }
    // Checked above: the reordering indexes within `count` elements.
    let data = if fortran && shape.len() > 1 {
        fortran_to_c(data, &shape)
    } else {
        data
    };
    NdArray::new(shape, data).map_err(|e| err(e.0))
}

/// Reorders Fortran-ordered elements into C order.
fn fortran_to_c(data: ArrayData, shape: &[usize]) -> ArrayData {
    fn reorder<T: Clone>(v: Vec<T>, shape: &[usize]) -> Vec<T> {
        // Fortran strides: the first index varies fastest.
        let mut strides = vec![1usize; shape.len()];
        for k in 1..shape.len() {
            strides[k] = strides[k - 1] * shape[k - 1];
        }
        let mut out = Vec::with_capacity(v.len());
        let mut index = vec![0usize; shape.len()];
        for _ in 0..v.len() {
            let offset: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
            out.push(v[offset].clone());
            // Advance the C-order multi-index: the last index varies fastest.
            for k in (0..shape.len()).rev() {
                index[k] += 1;
                if index[k] < shape[k] {
                    break;
                }
                index[k] = 0;
            }
        }
        out
    }
    match data {
        ArrayData::Bool(v) => ArrayData::Bool(reorder(v, shape)),
        ArrayData::U8(v) => ArrayData::U8(reorder(v, shape)),
        ArrayData::I8(v) => ArrayData::I8(reorder(v, shape)),
        ArrayData::I16(v) => ArrayData::I16(reorder(v, shape)),
        ArrayData::I32(v) => ArrayData::I32(reorder(v, shape)),
        ArrayData::I64(v) => ArrayData::I64(reorder(v, shape)),
        ArrayData::F16(v) => ArrayData::F16(reorder(v, shape)),
        ArrayData::F32(v) => ArrayData::F32(reorder(v, shape)),
        ArrayData::F64(v) => ArrayData::F64(reorder(v, shape)),
        ArrayData::Str(v) => ArrayData::Str(reorder(v, shape)),
    }
}

/// The bytes of an `.npy` file holding `array` (little-endian, C order).
pub fn npy_bytes(array: &NdArray) -> Result<Vec<u8>, NpyError> {
    fn typed<T: npyz::Serialize + Clone>(
        descr: &str,
        shape: &[u64],
        items: &[T],
    ) -> io::Result<Vec<u8>> {
        let ts: npyz::TypeStr = descr
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{e}")))?;
        let mut out = Vec::new();
        let mut w = npyz::WriteOptions::new()
            .dtype(npyz::DType::Plain(ts))
            .shape(shape)
            .writer(&mut out)
            .begin_nd()?;
        w.extend(items.iter().cloned())?;
        w.finish()?;
        Ok(out)
    }
    let shape: Vec<u64> = array.shape.iter().map(|&d| d as u64).collect();
    let s = &shape;
    let written = match &array.data {
        ArrayData::Bool(v) => typed("|b1", s, v),
        ArrayData::U8(v) => typed("|u1", s, v),
        ArrayData::I8(v) => typed("|i1", s, v),
        ArrayData::I16(v) => typed("<i2", s, v),
        ArrayData::I32(v) => typed("<i4", s, v),
        ArrayData::I64(v) => typed("<i8", s, v),
        ArrayData::F16(v) => typed("<f2", s, v),
        ArrayData::F32(v) => typed("<f4", s, v),
        ArrayData::F64(v) => typed("<f8", s, v),
        ArrayData::Str(v) => {
            // numpy sizes a str array by its longest item, in code points, at least 1.
            let width = v
                .iter()
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
                .max(1);
            typed(&format!("<U{width}"), s, v)
        }
    };
    written.map_err(|e| {
        err(format!(
            "cannot encode a {} array: {e}",
            array.data.dtype_name()
        ))
    })
}

/// Writes `arrays` as an `.npz` in `np.savez(path, *arrays)`'s layout: members `arr_0.npy`,
/// `arr_1.npy`, ..., stored uncompressed.
pub fn write_npz(path: &Path, arrays: &[NdArray]) -> Result<(), NpyError> {
    let file = std::fs::File::create(path)
        .map_err(|e| err(format!("cannot create `{}`: {e}", path.display())))?;
    let mut out = io::BufWriter::new(file);
    write_npz_to(&mut out, arrays).map_err(|e| err(format!("`{}`: {e}", path.display())))?;
    out.flush()
        .map_err(|e| err(format!("cannot write `{}`: {e}", path.display())))
}

/// Writes an `.npz` (see [`write_npz`]) to any seekable writer.
pub fn write_npz_to<W: Write + Seek>(out: W, arrays: &[NdArray]) -> Result<(), NpyError> {
    let mut zip = zip::ZipWriter::new(out);
    for (i, array) in arrays.iter().enumerate() {
        let bytes = npy_bytes(array)?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
        zip.start_file(format!("arr_{i}.npy"), options)
            .map_err(|e| err(format!("cannot write npz member arr_{i}: {e}")))?;
        zip.write_all(&bytes)
            .map_err(|e| err(format!("cannot write npz member arr_{i}: {e}")))?;
    }
    zip.finish()
        .map_err(|e| err(format!("cannot finish npz: {e}")))?;
    Ok(())
}

/// Reads an `.npz` file: `(name, array)` for each `.npy` member in archive order, the name
/// without its `.npy` suffix (`arr_0`).
pub fn read_npz(path: &Path) -> Result<Vec<(String, NdArray)>, NpyError> {
    let bytes =
        std::fs::read(path).map_err(|e| err(format!("cannot read `{}`: {e}", path.display())))?;
    parse_npz(&bytes).map_err(|e| err(format!("`{}`: {e}", path.display())))
}

/// Parses the bytes of an `.npz` file (see [`read_npz`]).
pub fn parse_npz(bytes: &[u8]) -> Result<Vec<(String, NdArray)>, NpyError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| err(format!("not a valid .npz (zip) file: {e}")))?;
    let mut out = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let mut member = zip
            .by_index(i)
            .map_err(|e| err(format!("bad npz member #{i}: {e}")))?;
        let name = member.name().to_string();
        let mut data = Vec::new();
        (&mut member)
            .take(MAX_MEMBER_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| err(format!("cannot read npz member `{name}`: {e}")))?;
        if data.len() as u64 > MAX_MEMBER_BYTES {
            return Err(err(format!("npz member `{name}` is too large")));
        }
        let array = parse_npy(&data).map_err(|e| err(format!("member `{name}`: {e}")))?;
        let stem = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        out.push((stem, array));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(array: NdArray) {
        let bytes = npy_bytes(&array).expect("encode");
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        assert_eq!(parse_npy(&bytes).expect("decode"), array);
    }

    #[test]
    fn npy_round_trips_every_dtype() {
        let sh = vec![2, 3];
        round_trip(
            NdArray::new(
                sh.clone(),
                ArrayData::Bool(vec![true, false, true, true, false, false]),
            )
            .unwrap(),
        );
        round_trip(NdArray::new(sh.clone(), ArrayData::U8(vec![0, 1, 2, 253, 254, 255])).unwrap());
        round_trip(NdArray::new(sh.clone(), ArrayData::I8(vec![-128, -1, 0, 1, 2, 127])).unwrap());
        round_trip(
            NdArray::new(sh.clone(), ArrayData::I16(vec![-32768, -1, 0, 1, 2, 32767])).unwrap(),
        );
        round_trip(
            NdArray::new(
                sh.clone(),
                ArrayData::I32(vec![i32::MIN, -1, 0, 1, 2, i32::MAX]),
            )
            .unwrap(),
        );
        round_trip(
            NdArray::new(
                sh.clone(),
                ArrayData::I64(vec![i64::MIN, -1, 0, 1, 2, i64::MAX]),
            )
            .unwrap(),
        );
        let halves = [0.5f32, -1.0, 0.0, 65504.0, 1e-3, 3.25]
            .map(f16::from_f32)
            .to_vec();
        round_trip(NdArray::new(sh.clone(), ArrayData::F16(halves)).unwrap());
        round_trip(
            NdArray::new(
                sh.clone(),
                ArrayData::F32(vec![0.1, -2.5, f32::MAX, f32::MIN_POSITIVE, 0.0, -0.0]),
            )
            .unwrap(),
        );
        round_trip(
            NdArray::new(
                sh.clone(),
                ArrayData::F64(vec![0.1, -2.5, f64::MAX, 1e-300, f64::INFINITY, 7.0]),
            )
            .unwrap(),
        );
        round_trip(
            NdArray::new(
                vec![3],
                ArrayData::Str(vec!["abc!".into(), "".into(), "héllo".into()]),
            )
            .unwrap(),
        );
    }

    #[test]
    fn zero_d_and_empty_arrays_round_trip() {
        round_trip(NdArray::scalar(ArrayData::I64(vec![42])));
        round_trip(NdArray::scalar(ArrayData::F64(vec![0.25])));
        round_trip(NdArray::scalar(ArrayData::Bool(vec![true])));
        round_trip(NdArray::scalar(ArrayData::Str(vec!["abc".into()])));
        round_trip(NdArray::new(vec![0, 4], ArrayData::F32(vec![])).unwrap());
    }

    #[test]
    fn zero_d_header_says_empty_shape() {
        let bytes = npy_bytes(&NdArray::scalar(ArrayData::I64(vec![7]))).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("'shape': ()"), "{text}");
        assert!(text.contains("<i8"), "{text}");
    }

    /// A file as numpy 2.4 writes it: `np.save(f, np.arange(6, dtype='>i4').reshape(2, 3), )`
    /// would be big-endian; this one is Fortran-ordered little-endian float64, hand-built.
    #[test]
    fn reads_fortran_order_and_big_endian() {
        fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
            let mut header = format!(
                "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
                if fortran { "True" } else { "False" }
            );
            while (10 + header.len() + 1) % 64 != 0 {
                header.push(' ');
            }
            header.push('\n');
            let mut out = b"\x93NUMPY\x01\x00".to_vec();
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(data);
            out
        }
        // Fortran 2x3: memory holds column by column: [[1,2,3],[4,5,6]] -> 1,4,2,5,3,6.
        let data: Vec<u8> = [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let a = parse_npy(&npy("<f8", true, "(2, 3)", &data)).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, ArrayData::F64(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));

        let data: Vec<u8> = [1i32, -2].iter().flat_map(|x| x.to_be_bytes()).collect();
        let a = parse_npy(&npy(">i4", false, "(2,)", &data)).unwrap();
        assert_eq!(a.data, ArrayData::I32(vec![1, -2]));

        // Truncated data and an absurd shape are errors, not allocations.
        assert!(parse_npy(&npy("<f8", false, "(3,)", &data)).is_err());
        assert!(parse_npy(&npy("<f8", false, "(1000000000000,)", &data)).is_err());
        // Unsupported dtypes are named.
        let e = parse_npy(&npy("<u2", false, "(1,)", &[0, 0])).unwrap_err();
        assert!(e.0.contains("u2") || e.0.contains("not supported"), "{e}");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_npy(b"hello world").is_err());
        assert!(parse_npy(b"").is_err());
        assert!(parse_npz(b"not a zip").is_err());
    }

    #[test]
    fn npz_round_trip_keeps_order_names_and_dtypes() {
        let arrays = vec![
            NdArray::new(vec![2, 2], ArrayData::F32(vec![1.0, 2.0, 3.0, 4.0])).unwrap(),
            NdArray::scalar(ArrayData::I64(vec![-3])),
            NdArray::scalar(ArrayData::F64(vec![2.5])),
            NdArray::scalar(ArrayData::Bool(vec![false])),
            NdArray::scalar(ArrayData::Str(vec!["abc!".into()])),
        ];
        let mut buf = Cursor::new(Vec::new());
        write_npz_to(&mut buf, &arrays).unwrap();
        let back = parse_npz(buf.get_ref()).unwrap();
        let names: Vec<&str> = back.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["arr_0", "arr_1", "arr_2", "arr_3", "arr_4"]);
        let values: Vec<NdArray> = back.into_iter().map(|(_, a)| a).collect();
        assert_eq!(values, arrays);
    }

    #[test]
    fn npz_file_round_trip() {
        let dir = std::env::temp_dir().join(format!("tsrun-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.npz");
        let arrays = vec![NdArray::new(vec![3], ArrayData::U8(vec![1, 2, 3])).unwrap()];
        write_npz(&path, &arrays).unwrap();
        let back = read_npz(&path).unwrap();
        assert_eq!(back[0].1, arrays[0]);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(read_npy(&dir.join("missing.npy"))
            .unwrap_err()
            .0
            .contains("missing.npy"));
    }
}
