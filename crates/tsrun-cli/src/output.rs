//! Flattening a result into the leaves that `--output OUT.npz` writes as `arr_0`, `arr_1`, ...
//!
//! Depth-first, in order: tuple and list items, dict values (in insertion order; keys are
//! dropped). Leaves:
//!
//! | value | array |
//! |---|---|
//! | tensor | its dtype and shape (bfloat16, which numpy lacks, as float32) |
//! | `int` | 0-d int64 |
//! | `float` | 0-d float64 |
//! | `bool` | 0-d bool |
//! | `str` | 0-d `<U` string, as `np.savez` stores a Python `str` |
//! | device | 0-d `<U` string (`"cpu"`) |
//! | enum member | its value, flattened |
//! | `None` | nothing: skipped, it takes no `arr_N` (numpy can only store it pickled) |
//!
//! Modules, script-class objects and functions have no array form: flattening them is an error.

use std::fmt;

use tsrun::Value;

use crate::array::{ArrayData, NdArray};

/// Deeper nesting than this is taken for a cycle (a list that contains itself).
const MAX_DEPTH: usize = 256;

/// A result that cannot be written as arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputError(pub String);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OutputError {}

/// The leaves of `value`, in `arr_N` order (see the module docs).
pub fn leaves(value: &Value) -> Result<Vec<NdArray>, OutputError> {
    let mut out = Vec::new();
    collect(value, 0, &mut out)?;
    Ok(out)
}

fn collect(value: &Value, depth: usize, out: &mut Vec<NdArray>) -> Result<(), OutputError> {
    if depth > MAX_DEPTH {
        return Err(OutputError(format!(
            "result nested more than {MAX_DEPTH} levels deep (a container that contains itself?)"
        )));
    }
    match value {
        Value::None => {}
        Value::Bool(b) => out.push(NdArray::scalar(ArrayData::Bool(vec![*b]))),
        Value::Int(i) => out.push(NdArray::scalar(ArrayData::I64(vec![*i]))),
        Value::Float(f) => out.push(NdArray::scalar(ArrayData::F64(vec![*f]))),
        Value::Str(s) | Value::Device(s) => {
            out.push(NdArray::scalar(ArrayData::Str(vec![s.to_string()])))
        }
        Value::Tensor(t) => out
            .push(NdArray::from_tensor(t).map_err(|e| OutputError(format!("cannot write: {e}")))?),
        Value::Tuple(_) | Value::List(_) => {
            for item in value.sequence_items().unwrap_or_default() {
                collect(&item, depth + 1, out)?;
            }
        }
        Value::Dict(_) => {
            for (_, item) in value.dict_items().unwrap_or_default() {
                collect(&item, depth + 1, out)?;
            }
        }
        Value::Enum(e) => collect(&e.value, depth + 1, out)?,
        Value::Future(inner) => collect(inner, depth + 1, out)?,
        other => {
            return Err(OutputError(format!(
                "a result containing a {} cannot be written to an .npz",
                other.kind_name()
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsrun::{Tensor, Type};

    #[test]
    fn flattens_depth_first_and_skips_none() {
        let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).expect("tensor");
        let inner = Value::new_list(Type::Int, vec![Value::Int(5), Value::Int(6)]);
        let dict = Value::new_dict(
            Type::Str,
            Type::Float,
            vec![(Value::str("k"), Value::Float(0.5))],
        );
        let v = Value::tuple(vec![
            Value::Tensor(t),
            Value::None,
            Value::tuple(vec![inner, Value::Bool(true)]),
            dict,
            Value::str("abc"),
        ]);
        let got = leaves(&v).expect("leaves");
        let want = vec![
            NdArray::new(vec![2, 2], ArrayData::F32(vec![1.0, 2.0, 3.0, 4.0])).unwrap(),
            NdArray::scalar(ArrayData::I64(vec![5])),
            NdArray::scalar(ArrayData::I64(vec![6])),
            NdArray::scalar(ArrayData::Bool(vec![true])),
            NdArray::scalar(ArrayData::F64(vec![0.5])),
            NdArray::scalar(ArrayData::Str(vec!["abc".into()])),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_bare_value_is_one_leaf_and_none_is_none() {
        assert_eq!(
            leaves(&Value::Float(2.5)).unwrap(),
            vec![NdArray::scalar(ArrayData::F64(vec![2.5]))]
        );
        assert!(leaves(&Value::None).unwrap().is_empty());
    }

    #[test]
    fn tensor_dtypes_survive() {
        let t = Tensor::from_vec(vec![true, false], &[2]).unwrap();
        assert_eq!(
            leaves(&Value::Tensor(t)).unwrap()[0].data,
            ArrayData::Bool(vec![true, false])
        );
        let t = Tensor::from_vec(vec![7i64], &[]).unwrap();
        let leaf = &leaves(&Value::Tensor(t)).unwrap()[0];
        assert!(leaf.shape.is_empty());
        assert_eq!(leaf.data, ArrayData::I64(vec![7]));
        let t = Tensor::from_vec(vec![half::bf16::from_f32(1.5)], &[1]).unwrap();
        assert_eq!(
            leaves(&Value::Tensor(t)).unwrap()[0].data,
            ArrayData::F32(vec![1.5])
        );
    }
}
