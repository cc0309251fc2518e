//! List methods and list-level builtins beyond `containers.rs`: `pop`, `insert`, `extend`,
//! `remove`, `index`, `count`, `clear`, `copy`, `reverse`, `sort`/`sorted`, `del l[i]`,
//! `l * n`, `l += m`, list equality, `sum`/`any`/`all`/`min`/`max` of lists. Semantics and
//! messages follow PyTorch's `register_prim_ops.cpp` / `register_ops_utils.h`.

use std::cmp::Ordering;
use std::sync::Arc;

use super::args::{bool, int};
use super::containers::{norm_index, out_of_range, values_equal};
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

/// Element types with value comparisons in PyTorch's list ops (`index`, `count`, `remove`,
/// `sort`, `==`): the schema suffix and its element type.
const ELEMS: [(&str, &str); 5] = [
    ("int", "int"),
    ("float", "float"),
    ("bool", "bool"),
    ("str", "str"),
    ("Tensor", "Tensor"),
];

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::pop.t(t[](a!) self, int idx=-1) -> t(*)", pop);
    b.op(
        "aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> ()",
        insert,
    );
    b.op("aten::Delete.t(t[](a!) self, int idx) -> ()", delete);
    b.op("aten::extend.t(t[](a!) self, t[] other) -> ()", |a| {
        let other = list(a, 1)?.items.lock().clone();
        list(a, 0)?.items.lock().extend(other);
        Ok(Value::None)
    });
    b.op("aten::add_.t(t[](a!) self, t[] b) -> t[]", |a| {
        let other = list(a, 1)?.items.lock().clone();
        list(a, 0)?.items.lock().extend(other);
        Ok(a[0].clone())
    });
    b.op("aten::copy.t(t[](a) self) -> t[]", |a| {
        let x = list(a, 0)?;
        Ok(Value::new_list(x.elem.clone(), x.items.lock().clone()))
    });
    b.op("aten::clear.t(t[](a!) self) -> ()", |a| {
        list(a, 0)?.items.lock().clear();
        Ok(Value::None)
    });
    b.op("aten::reverse.t(t[](a!) self) -> ()", |a| {
        list(a, 0)?.items.lock().reverse();
        Ok(Value::None)
    });
    b.op("aten::mul.left_t(t[] l, int n) -> t[]", |a| {
        repeat(list(a, 0)?, int(a, 1)?)
    });
    b.op("aten::mul.right_(int n, t[] l) -> t[]", |a| {
        repeat(list(a, 1)?, int(a, 0)?)
    });
    b.op("aten::mul_.t(t[](a!) l, int n) -> t[](a!)", |a| {
        let x = list(a, 0)?;
        let n = int(a, 1)?;
        let items = x.items.lock().clone();
        *x.items.lock() = repeated(&items, n)?;
        Ok(a[0].clone())
    });
    for (suffix, ty) in ELEMS {
        b.op(
            &format!("aten::index.list_{suffix}({ty}[] self, {ty} el) -> int"),
            index,
        );
        b.op(
            &format!("aten::count.{suffix}({ty}[] self, {ty} el) -> int"),
            count,
        );
        b.op(
            &format!("aten::remove.{suffix}({ty}[](a!) self, {ty} el) -> ()"),
            remove,
        );
        b.op(
            &format!("aten::eq.{suffix}_list({ty}[] a, {ty}[] b) -> bool"),
            |a| list_eq(a).map(Value::Bool),
        );
        b.op(
            &format!("aten::ne.{suffix}_list({ty}[] a, {ty}[] b) -> bool"),
            |a| list_eq(a).map(|e| Value::Bool(!e)),
        );
        if ty != "Tensor" {
            b.op(
                &format!("aten::sort.{suffix}({ty}[](a!) self, bool reverse=False) -> ()"),
                sort,
            );
            b.op(
                &format!("aten::sorted.{suffix}({ty}[](a) input) -> {ty}[]"),
                sorted,
            );
        }
    }
    b.op("aten::sum.int(int[] self) -> int", |a| {
        let mut total = 0i64;
        for v in list(a, 0)?.items.lock().iter() {
            total = total.wrapping_add(v.as_int().unwrap_or(0));
        }
        Ok(Value::Int(total))
    });
    b.op("aten::sum.float(float[] self) -> float", |a| {
        Ok(Value::Float(
            list(a, 0)?
                .items
                .lock()
                .iter()
                .filter_map(Value::as_float)
                .sum(),
        ))
    });
    b.op("aten::sum.bool(bool[] self) -> int", |a| {
        Ok(Value::Int(
            list(a, 0)?
                .items
                .lock()
                .iter()
                .filter(|v| v.as_bool() == Some(true))
                .count() as i64,
        ))
    });
    for ty in ["bool", "int", "float", "str"] {
        b.op(&format!("aten::any.{ty}({ty}[] self) -> bool"), |a| {
            Ok(Value::Bool(list(a, 0)?.items.lock().iter().any(truthy)))
        });
        if ty != "str" {
            b.op(&format!("aten::all.{ty}({ty}[] self) -> bool"), |a| {
                Ok(Value::Bool(list(a, 0)?.items.lock().iter().all(truthy)))
            });
        }
    }
    for ty in ["float", "bool"] {
        b.op(&format!("prim::min.self_{ty}({ty}[] self) -> {ty}"), |a| {
            extreme(a, "min", Ordering::Less)
        });
        b.op(&format!("prim::max.self_{ty}({ty}[] self) -> {ty}"), |a| {
            extreme(a, "max", Ordering::Greater)
        });
    }
    for ty in ["int", "float", "bool"] {
        b.op(
            &format!("prim::min.{ty}_list({ty}[] l, {ty}[] r) -> {ty}[]"),
            |a| pick_list(a, Ordering::Less),
        );
        b.op(
            &format!("prim::max.{ty}_list({ty}[] l, {ty}[] r) -> {ty}[]"),
            |a| pick_list(a, Ordering::Greater),
        );
    }
}

/// Python truthiness of a list element (`any`/`all`).
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        _ => true,
    }
}

fn pop(a: &mut [Value]) -> RtResult<Value> {
    let mut l = list(a, 0)?.items.lock();
    if l.is_empty() {
        return Err(RuntimeError::new("pop from empty list"));
    }
    let i = norm_index(int(a, 1)?, l.len()).ok_or_else(out_of_range)?;
    Ok(l.remove(i))
}

/// `l.insert(i, x)`: an index before the start inserts first, past the end appends.
fn insert(a: &mut [Value]) -> RtResult<Value> {
    let el = std::mem::take(&mut a[2]);
    let idx = int(a, 1)?;
    let mut l = list(a, 0)?.items.lock();
    let n = l.len() as i64;
    let i = if idx < 0 { idx.saturating_add(n) } else { idx };
    let at = i.clamp(0, n) as usize;
    l.insert(at, el);
    Ok(Value::None)
}

fn delete(a: &mut [Value]) -> RtResult<Value> {
    let mut l = list(a, 0)?.items.lock();
    let i = norm_index(int(a, 1)?, l.len()).ok_or_else(out_of_range)?;
    l.remove(i);
    Ok(Value::None)
}

/// Most elements `l * n` may produce: a guard against a model asking for more memory than
/// any machine has (PyTorch would fail to allocate), not a limit real code reaches.
const MAX_REPEAT: usize = 1 << 28;

/// `items * n` (n <= 0 gives an empty list).
fn repeated(items: &[Value], n: i64) -> RtResult<Vec<Value>> {
    let n = n.max(0) as usize;
    if items.is_empty() || n == 0 {
        return Ok(Vec::new());
    }
    let total = items
        .len()
        .checked_mul(n)
        .filter(|t| *t <= MAX_REPEAT)
        .ok_or_else(|| {
            RuntimeError::new(format!(
                "list of {} repeated {n} times is too large",
                items.len()
            ))
        })?;
    let mut out = Vec::with_capacity(total);
    for _ in 0..n {
        out.extend(items.iter().cloned());
    }
    Ok(out)
}

fn repeat(x: &List, n: i64) -> RtResult<Value> {
    let out = repeated(&x.items.lock(), n)?;
    Ok(Value::new_list(x.elem.clone(), out))
}

// `index`/`count`/`remove` compare on a snapshot: comparing may lock other lists, and an
// element may be the list itself.
fn index(a: &mut [Value]) -> RtResult<Value> {
    let l = list(a, 0)?.items.lock().clone();
    l.iter()
        .position(|v| values_equal(v, &a[1]))
        .map(|i| Value::Int(i as i64))
        .ok_or_else(|| {
            RuntimeError::new(format!(
                "'{}' is not in list",
                crate::display::python_str(&a[1])
            ))
        })
}

fn count(a: &mut [Value]) -> RtResult<Value> {
    let l = list(a, 0)?.items.lock().clone();
    Ok(Value::Int(
        l.iter().filter(|v| values_equal(v, &a[1])).count() as i64,
    ))
}

fn remove(a: &mut [Value]) -> RtResult<Value> {
    let snapshot = list(a, 0)?.items.lock().clone();
    match snapshot.iter().position(|v| values_equal(v, &a[1])) {
        Some(i) => {
            let mut l = list(a, 0)?.items.lock();
            if i < l.len() {
                l.remove(i);
            }
            Ok(Value::None)
        }
        None => Err(RuntimeError::new("list.remove(x): x not in list")),
    }
}

fn list_eq(a: &[Value]) -> RtResult<bool> {
    let x = list(a, 0)?.items.lock().clone();
    let y = list(a, 1)?.items.lock().clone();
    Ok(x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q)))
}

/// Total order on sortable scalars: ints, floats (NaN compares as PyTorch's `<`, i.e.
/// unordered, which a stable sort leaves in place), bools, strings (bytewise).
fn compare(x: &Value, y: &Value) -> Ordering {
    match (x, y) {
        (Value::Int(p), Value::Int(q)) => p.cmp(q),
        (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
        (Value::Str(p), Value::Str(q)) => p.as_bytes().cmp(q.as_bytes()),
        _ => match (x.as_float(), y.as_float()) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => Ordering::Equal,
        },
    }
}

fn sort(a: &mut [Value]) -> RtResult<Value> {
    let reverse = bool(a, 1)?;
    let mut l = list(a, 0)?.items.lock();
    if reverse {
        l.sort_by(|x, y| compare(y, x));
    } else {
        l.sort_by(compare);
    }
    Ok(Value::None)
}

fn sorted(a: &mut [Value]) -> RtResult<Value> {
    let x = list(a, 0)?;
    let mut items = x.items.lock().clone();
    items.sort_by(compare);
    Ok(Value::new_list(x.elem.clone(), items))
}

fn extreme(a: &[Value], name: &str, want: Ordering) -> RtResult<Value> {
    let l = list(a, 0)?.items.lock();
    let mut best: Option<&Value> = None;
    for v in l.iter() {
        best = match best {
            Some(b) if compare(v, b) != want => Some(b),
            _ => Some(v),
        };
    }
    best.cloned()
        .ok_or_else(|| RuntimeError::new(format!("{name}() arg is an empty sequence")))
}

/// `min(l, r)` / `max(l, r)` of two lists: lexicographic, the shorter wins a tie of its prefix.
fn pick_list(a: &[Value], want: Ordering) -> RtResult<Value> {
    let x = list(a, 0)?.items.lock().clone();
    let y = list(a, 1)?.items.lock().clone();
    let mut ord = Ordering::Equal;
    for (p, q) in x.iter().zip(y.iter()) {
        ord = compare(p, q);
        if ord != Ordering::Equal {
            break;
        }
    }
    if ord == Ordering::Equal {
        ord = x.len().cmp(&y.len());
    }
    Ok(if ord == want || ord == Ordering::Equal {
        a[0].clone()
    } else {
        a[1].clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetition_is_bounded() {
        // `[] * 2**62` is instant and empty; a huge non-empty repeat is an error, not an abort.
        assert!(repeated(&[], 1 << 62).unwrap().is_empty());
        assert!(repeated(&[Value::Int(1)], 1 << 62).is_err());
        assert_eq!(
            repeated(&[Value::Int(1), Value::Int(2)], 2).unwrap().len(),
            4
        );
        assert!(repeated(&[Value::Int(1)], -3).unwrap().is_empty());
    }
}
