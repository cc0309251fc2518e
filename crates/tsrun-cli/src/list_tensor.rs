//! A JSON list literal given for a `Tensor` parameter becomes a tensor, as `torch.tensor`
//! makes one from a nested Python list: so `--input '[[0.5, -1.0]]'` works where a `.npy`
//! file would be overkill.

use tsrun::{Tensor, Value};

/// The tensor `torch.tensor(list)` would make: float elements give float32 (PyTorch's default
/// dtype), int elements int64, bool elements bool; the nesting gives the shape. `None` if the
/// value is not a rectangular list of numbers or bools (it is then passed on unchanged, and the
/// interpreter's argument check names the mismatch).
///
/// ```
/// use tsrun::Value;
/// let v = Value::from(vec![Value::from(vec![0.5f64, -1.0])]);
/// let t = tsrun_cli::list_tensor::list_to_tensor(&v).unwrap();
/// assert_eq!((t.shape(), t.dtype()), (&[1usize, 2][..], tsrun::DType::F32));
/// ```
pub fn list_to_tensor(value: &Value) -> Option<Tensor> {
    let mut shape = Vec::new();
    let mut leaves = Vec::new();
    flatten(value, 0, &mut shape, &mut leaves)?;
    if leaves.iter().all(|v| matches!(v, Value::Bool(_))) && !leaves.is_empty() {
        let data: Vec<bool> = leaves.iter().filter_map(Value::as_bool).collect();
        return Tensor::from_vec(data, &shape).ok();
    }
    if leaves.iter().all(|v| matches!(v, Value::Int(_))) && !leaves.is_empty() {
        let data: Vec<i64> = leaves.iter().filter_map(Value::as_int).collect();
        return Tensor::from_vec(data, &shape).ok();
    }
    if !leaves
        .iter()
        .all(|v| matches!(v, Value::Int(_) | Value::Float(_)))
    {
        return None;
    }
    let data: Vec<f32> = leaves
        .iter()
        .filter_map(Value::as_float)
        .map(|f| f as f32)
        .collect();
    Tensor::from_vec(data, &shape).ok()
}

/// Collects the leaves depth first, fixing `shape[depth]` from the first list seen at each
/// depth and rejecting ragged nesting.
fn flatten(v: &Value, depth: usize, shape: &mut Vec<usize>, leaves: &mut Vec<Value>) -> Option<()> {
    match v {
        Value::List(_) => {
            let items = v.sequence_items()?;
            match shape.get(depth) {
                Some(&n) if n != items.len() => return None,
                Some(_) => {}
                None if depth == shape.len() && leaves.is_empty() => shape.push(items.len()),
                None => return None,
            }
            items
                .iter()
                .try_for_each(|item| flatten(item, depth + 1, shape, leaves))
        }
        Value::Int(_) | Value::Float(_) | Value::Bool(_) if depth == shape.len() => {
            leaves.push(v.clone());
            Some(())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: Vec<Value>) -> Value {
        Value::from(items)
    }

    #[test]
    fn dtypes_follow_torch_tensor() {
        let ints = list_to_tensor(&list(vec![1i64.into(), 2i64.into()])).unwrap();
        assert_eq!(ints.dtype(), tsrun::DType::I64);
        let bools = list_to_tensor(&list(vec![true.into()])).unwrap();
        assert_eq!(bools.dtype(), tsrun::DType::Bool);
        let mixed = list_to_tensor(&list(vec![1i64.into(), 2.5f64.into()])).unwrap();
        assert_eq!(mixed.to_vec::<f32>(), vec![1.0, 2.5]);
    }

    #[test]
    fn ragged_or_odd_lists_are_left_alone() {
        let ragged = list(vec![list(vec![1i64.into()]), list(vec![])]);
        assert!(list_to_tensor(&ragged).is_none());
        let mixed_depth = list(vec![1i64.into(), list(vec![2i64.into()])]);
        assert!(list_to_tensor(&mixed_depth).is_none());
        assert!(list_to_tensor(&list(vec!["s".into()])).is_none());
    }

    #[test]
    fn empty_list_is_an_empty_float_tensor() {
        let t = list_to_tensor(&list(vec![])).unwrap();
        assert_eq!((t.shape(), t.dtype()), (&[0usize][..], tsrun::DType::F32));
    }
}
