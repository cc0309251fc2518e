//! List and dict operators (`aten::append.t`, `aten::__getitem__.t`, `aten::len.t`, dict
//! access...). Lists and dicts are shared and mutable, so these lock their container briefly.

use std::sync::Arc;

use super::args::int;
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::{List, Value};

fn list(args: &[Value], i: usize) -> RtResult<&Arc<List>> {
    match args.get(i) {
        Some(Value::List(l)) => Ok(l),
        other => Err(RuntimeError::new(format!(
            "argument {i}: expected a list, got {}",
            other.map(Value::kind_name).unwrap_or("nothing")
        ))),
    }
}

fn dict(args: &[Value], i: usize) -> RtResult<&Arc<crate::value::Dict>> {
    match args.get(i) {
        Some(Value::Dict(d)) => Ok(d),
        other => Err(RuntimeError::new(format!(
            "argument {i}: expected a dict, got {}",
            other.map(Value::kind_name).unwrap_or("nothing")
        ))),
    }
}

/// Normalises a Python index against a length; `None` when out of range.
pub(crate) fn norm_index(idx: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if idx < 0 { idx + len } else { idx };
    (0..len).contains(&i).then_some(i as usize)
}

/// The indices selected by Python's `seq[start:end:step]` on a sequence of `len`
/// (CPython's `PySlice_AdjustIndices`, which PyTorch copies): negative bounds count from the
/// end, out-of-range bounds are clamped, a negative step walks backwards.
pub(crate) fn slice_indices(
    len: usize,
    start: Option<i64>,
    end: Option<i64>,
    step: i64,
) -> RtResult<Vec<usize>> {
    if step == 0 {
        return Err(RuntimeError::new("slice step cannot be zero"));
    }
    let n = len as i64;
    let adjust = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(v) if v < 0 => {
                let v = v.saturating_add(n);
                if v < 0 {
                    if step < 0 {
                        -1
                    } else {
                        0
                    }
                } else {
                    v
                }
            }
            Some(v) if v >= n => {
                if step < 0 {
                    n - 1
                } else {
                    n
                }
            }
            Some(v) => v,
        }
    };
    let (s, e) = if step > 0 {
        (adjust(start, 0), adjust(end, n))
    } else {
        (adjust(start, n - 1), adjust(end, -1))
    };
    let mut out = Vec::new();
    let mut i = s;
    while (step > 0 && i < e) || (step < 0 && i > e) {
        out.push(i as usize);
        i = match i.checked_add(step) {
            Some(i) => i,
            None => break,
        };
    }
    Ok(out)
}

/// Equality used by `in`, `index`, dict keys: Python semantics for scalars and strings,
/// identity for tensors and objects.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    equal_at(a, b, 0)
}

/// Containers nested deeper than this compare by identity: a list that contains itself
/// (possible through `List[Any]`) must not recurse forever.
const MAX_EQ_DEPTH: usize = 64;

fn equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_EQ_DEPTH {
        return a.is_same(b);
    }
    let eq = |p: &Value, q: &Value| equal_at(p, q, depth + 1);
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Device(x), Value::Device(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq(p, q))
        }
        (Value::List(x), Value::List(y)) => {
            // One lock at a time: `x` and `y` may be the same list.
            let x = x.items.lock().clone();
            let y = y.items.lock().clone();
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq(p, q))
        }
        (Value::Enum(x), Value::Enum(y)) => {
            Arc::ptr_eq(&x.class, &y.class) && eq(&x.value, &y.value)
        }
        _ => a.is_same(b),
    }
}

/// PyTorch's message for a bad list index (a RuntimeError, not an IndexError).
pub(crate) fn out_of_range() -> RuntimeError {
    RuntimeError::new("list index out of range")
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::len.t(t[] a) -> int", |a| {
        Ok(Value::Int(list(a, 0)?.items.lock().len() as i64))
    });
    b.op(
        "aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)",
        |a| {
            let el = std::mem::take(&mut a[1]);
            list(a, 0)?.items.lock().push(el);
            Ok(a[0].clone())
        },
    );
    b.op("aten::__getitem__.t(t[](a) list, int idx) -> t(*)", |a| {
        let l = list(a, 0)?.items.lock();
        let i = norm_index(int(a, 1)?, l.len()).ok_or_else(out_of_range)?;
        Ok(l[i].clone())
    });
    b.op(
        "aten::_set_item.t(t[](a!) l, int idx, t(b -> *) el) -> t[](a!)",
        |a| {
            let el = std::mem::take(&mut a[2]);
            {
                let mut l = list(a, 0)?.items.lock();
                let i = norm_index(int(a, 1)?, l.len()).ok_or_else(out_of_range)?;
                l[i] = el;
            }
            Ok(a[0].clone())
        },
    );
    b.op("aten::add.t(t[] a, t[] b) -> t[]", |a| {
        let x = list(a, 0)?;
        let mut items = x.items.lock().clone();
        items.extend(list(a, 1)?.items.lock().iter().cloned());
        Ok(Value::new_list(x.elem.clone(), items))
    });
    b.op(
        "aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[]",
        |a| {
            let x = list(a, 0)?;
            let items = x.items.lock();
            let idx = slice_indices(
                items.len(),
                super::args::opt_int(a, 1)?,
                super::args::opt_int(a, 2)?,
                int(a, 3)?,
            )?;
            let out = idx.into_iter().map(|i| items[i].clone()).collect();
            Ok(Value::new_list(x.elem.clone(), out))
        },
    );
    b.op("prim::TupleIndex(Any tup, int i) -> Any", |a| {
        let items = match &a[0] {
            Value::Tuple(t) => t.clone(),
            other => {
                return Err(RuntimeError::new(format!(
                    "expected a tuple, got {}",
                    other.kind_name()
                )))
            }
        };
        let i = norm_index(int(a, 1)?, items.len())
            .ok_or_else(|| RuntimeError::new("Tuple list index out of range"))?;
        Ok(items[i].clone())
    });
    b.op("aten::list.t(t[] l) -> t[]", |a| {
        let x = list(a, 0)?;
        Ok(Value::new_list(x.elem.clone(), x.items.lock().clone()))
    });
    b.op(
        "aten::__contains__.int_list(int[] l, int item) -> bool",
        contains,
    );
    b.op(
        "aten::__contains__.float_list(float[] l, float item) -> bool",
        contains,
    );
    b.op(
        "aten::__contains__.str_list(str[] l, str item) -> bool",
        contains,
    );
    b.op("prim::min.self_int(int[] self) -> int", |a| {
        list(a, 0)?
            .items
            .lock()
            .iter()
            .filter_map(Value::as_int)
            .min()
            .map(Value::Int)
            .ok_or_else(|| RuntimeError::new("min() arg is an empty sequence"))
    });
    b.op("prim::max.self_int(int[] self) -> int", |a| {
        list(a, 0)?
            .items
            .lock()
            .iter()
            .filter_map(Value::as_int)
            .max()
            .map(Value::Int)
            .ok_or_else(|| RuntimeError::new("max() arg is an empty sequence"))
    });

    // Dicts. One generic overload per operation: keys compare with Python equality.
    b.op(
        "aten::__getitem__.Dict_str(Dict(str, t) self, str key) -> t(*)",
        dict_get,
    );
    b.op(
        "aten::__getitem__.Dict_int(Dict(int, t) self, int key) -> t(*)",
        dict_get,
    );
    b.op(
        "aten::_set_item.str(Dict(str, t)(a!) l, str(b -> *) idx, t(c -> *) v) -> ()",
        dict_set,
    );
    b.op(
        "aten::_set_item.int(Dict(int, t)(a!) l, int(b -> *) idx, t(c -> *) v) -> ()",
        dict_set,
    );
    b.op("aten::len.Dict_str(Dict(str, t) self) -> int", dict_len);
    b.op("aten::len.Dict_int(Dict(int, t) self) -> int", dict_len);
    b.op(
        "aten::__contains__.str(Dict(str, t) dict, str key) -> bool",
        dict_contains,
    );
    b.op(
        "aten::__contains__.int(Dict(int, t) dict, int key) -> bool",
        dict_contains,
    );
}

fn contains(a: &mut [Value]) -> RtResult<Value> {
    // On a snapshot: comparing may lock other lists (or this one).
    let items = list(a, 0)?.items.lock().clone();
    let found = items.iter().any(|v| values_equal(v, &a[1]));
    Ok(Value::Bool(found))
}

fn dict_get(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?.items.lock();
    d.iter()
        .find(|(k, _)| values_equal(k, &a[1]))
        .map(|(_, v)| v.clone())
        .ok_or_else(|| super::dicts::key_error(&a[1]))
}

fn dict_set(a: &mut [Value]) -> RtResult<Value> {
    let v = std::mem::take(&mut a[2]);
    let mut d = dict(a, 0)?.items.lock();
    match d.iter_mut().find(|(k, _)| values_equal(k, &a[1])) {
        Some(entry) => entry.1 = v,
        None => d.push((a[1].clone(), v)),
    }
    Ok(Value::None)
}

fn dict_len(a: &mut [Value]) -> RtResult<Value> {
    Ok(Value::Int(dict(a, 0)?.items.lock().len() as i64))
}

fn dict_contains(a: &mut [Value]) -> RtResult<Value> {
    let found = dict(a, 0)?
        .items
        .lock()
        .iter()
        .any(|(k, _)| values_equal(k, &a[1]));
    Ok(Value::Bool(found))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Type;

    #[test]
    fn equality_of_shared_and_cyclic_lists_terminates() {
        let inner = Value::new_list(Type::Int, vec![Value::Int(1)]);
        // The same list on both sides (must not deadlock on its lock).
        let a = Value::new_list(Type::Any, vec![inner.clone()]);
        let b = Value::new_list(Type::Any, vec![inner]);
        assert!(values_equal(&a, &b));
        // A list that contains itself (must not recurse forever).
        let cyclic = Value::new_list(Type::Any, Vec::new());
        if let Value::List(l) = &cyclic {
            l.items.lock().push(cyclic.clone());
        }
        assert!(values_equal(&cyclic, &cyclic));
        if let Value::List(l) = &cyclic {
            l.items.lock().clear(); // break the cycle so the test does not leak
        }
    }
}
