//! Dict operators for every key type PyTorch registers (`str`, `int`, `bool`, `float`,
//! `Tensor`): `keys`, `values`, `items`, `get`, `pop`, `setdefault`, `update`, `copy`, `clear`,
//! `Delete` (`del d[k]`), `popitem`, plus `len`/`in`/`[]` for the key types `containers.rs`
//! does not cover. Semantics and messages follow `register_prim_ops.cpp` (`dictPop`:
//! `KeyError: <key>`); entries keep insertion order, and overwriting a key keeps its position.

use std::sync::Arc;

use super::containers::values_equal;
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::types::Type;
use crate::value::{Dict, Value};

fn dict(args: &[Value], i: usize) -> RtResult<&Arc<Dict>> {
    match args.get(i) {
        Some(Value::Dict(d)) => Ok(d),
        other => Err(RuntimeError::new(format!(
            "argument {i}: expected a dict, got {}",
            other.map(Value::kind_name).unwrap_or("nothing")
        ))),
    }
}

/// PyTorch's `KeyError: <key>` (a RuntimeError; the key printed like `str()`).
pub(crate) fn key_error(key: &Value) -> RuntimeError {
    RuntimeError::new(format!("KeyError: {}", crate::display::python_str(key)))
}

fn position(entries: &[(Value, Value)], key: &Value) -> Option<usize> {
    entries.iter().position(|(k, _)| values_equal(k, key))
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    for k in ["str", "int", "bool", "float", "Tensor"] {
        let d = format!("Dict({k}, t)");
        b.op(&format!("aten::keys.{k}({d} self) -> {k}[](*)"), keys);
        b.op(&format!("aten::values.{k}({d} self) -> t[](*)"), values);
        b.op(&format!("aten::items.{k}({d} self) -> (({k}, t)[])"), items);
        b.op(&format!("aten::get.{k}({d} self, {k} key) -> t(*)?"), get);
        b.op(
            &format!("aten::get.default_{k}({d} self, {k} key, t default_value) -> t(*)"),
            get,
        );
        b.op(&format!("aten::setdefault.{k}({d}(a!) self, {k}(b -> *) key, t(c -> *) default_value) -> t(*)"), setdefault);
        b.op(
            &format!("aten::Delete.Dict_{k}({d}(a!) self, {k} key) -> ()"),
            delete,
        );
        b.op(
            &format!("aten::pop.Dict_{k}({d}(a!) self, {k} key) -> t(*)"),
            pop,
        );
        b.op(
            &format!("aten::pop.Dict_default_{k}({d}(a!) self, {k} key, t default_value) -> t(*)"),
            pop,
        );
        b.op(
            &format!("aten::popitem.{k}({d}(a!) self) -> (({k}, t))"),
            popitem,
        );
        b.op(&format!("aten::clear.{k}({d}(a!) self) -> ()"), clear);
        b.op(
            &format!("aten::update.{k}({d}(a!) self, {d}(a!) to_add) -> ()"),
            update,
        );
        b.op(&format!("aten::copy.Dict_{k}({d}(a) self) -> {d}"), copy);
        b.op(&format!("aten::dict.Dict_{k}({d}(a) self) -> {d}"), copy);
        b.op(
            &format!("aten::dict.{k}(({k}, tVal)[] inputs) -> Dict({k}, tVal)"),
            from_pairs,
        );
        if k != "str" && k != "int" {
            // str and int keys are registered with the core dict ops in containers.rs.
            b.op(&format!("aten::len.Dict_{k}({d} self) -> int"), len);
            b.op(
                &format!("aten::__getitem__.Dict_{k}({d} self, {k} key) -> t(*)"),
                getitem,
            );
            b.op(
                &format!("aten::__contains__.{k}({d} dict, {k} key) -> bool"),
                contains,
            );
            b.op(
                &format!("aten::_set_item.{k}({d}(a!) l, {k}(b -> *) idx, t(c -> *) v) -> ()"),
                set_item,
            );
        }
    }
}

/// `dict(pairs)`: later pairs overwrite earlier ones, keeping the first position.
fn from_pairs(a: &mut [Value]) -> RtResult<Value> {
    let (key_ty, value_ty) = match &a[0] {
        Value::List(l) => match &l.elem {
            Type::Tuple(ts) if ts.len() == 2 => (ts[0].clone(), ts[1].clone()),
            _ => (Type::Any, Type::Any),
        },
        _ => (Type::Any, Type::Any),
    };
    let mut entries: Vec<(Value, Value)> = Vec::new();
    for pair in a[0].sequence_items().unwrap_or_default() {
        let [k, v] = pair
            .sequence_items()
            .unwrap_or_default()
            .try_into()
            .map_err(|_| RuntimeError::new("dict(): every item must be a (key, value) pair"))?;
        match position(&entries, &k) {
            Some(i) => entries[i].1 = v,
            None => entries.push((k, v)),
        }
    }
    Ok(Value::new_dict(key_ty, value_ty, entries))
}

fn keys(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?;
    let ks = d.items.lock().iter().map(|(k, _)| k.clone()).collect();
    Ok(Value::new_list(d.key.clone(), ks))
}

fn values(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?;
    let vs = d.items.lock().iter().map(|(_, v)| v.clone()).collect();
    Ok(Value::new_list(d.value.clone(), vs))
}

fn items(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?;
    let elem = Type::Tuple(vec![d.key.clone(), d.value.clone()].into());
    let its = d
        .items
        .lock()
        .iter()
        .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
        .collect();
    Ok(Value::new_list(elem, its))
}

/// `d.get(k)` (None when missing) and `d.get(k, default)`.
fn get(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?.items.lock();
    Ok(match position(&d, &a[1]) {
        Some(i) => d[i].1.clone(),
        None => a.get(2).cloned().unwrap_or(Value::None),
    })
}

fn getitem(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?.items.lock();
    position(&d, &a[1])
        .map(|i| d[i].1.clone())
        .ok_or_else(|| key_error(&a[1]))
}

fn setdefault(a: &mut [Value]) -> RtResult<Value> {
    let mut d = dict(a, 0)?.items.lock();
    Ok(match position(&d, &a[1]) {
        Some(i) => d[i].1.clone(),
        None => {
            d.push((a[1].clone(), a[2].clone()));
            a[2].clone()
        }
    })
}

/// `d.pop(k)` (KeyError when missing) and `d.pop(k, default)`.
fn pop(a: &mut [Value]) -> RtResult<Value> {
    let mut d = dict(a, 0)?.items.lock();
    match position(&d, &a[1]) {
        Some(i) => Ok(d.remove(i).1),
        None => a.get(2).cloned().ok_or_else(|| key_error(&a[1])),
    }
}

fn delete(a: &mut [Value]) -> RtResult<Value> {
    pop(&mut a[..2])?;
    Ok(Value::None)
}

fn popitem(a: &mut [Value]) -> RtResult<Value> {
    let mut d = dict(a, 0)?.items.lock();
    if d.is_empty() {
        return Err(RuntimeError::new("popitem(): dictionary is empty"));
    }
    let (k, v) = d.remove(0);
    Ok(Value::tuple(vec![k, v]))
}

fn clear(a: &mut [Value]) -> RtResult<Value> {
    dict(a, 0)?.items.lock().clear();
    Ok(Value::None)
}

fn update(a: &mut [Value]) -> RtResult<Value> {
    let add = dict(a, 1)?.items.lock().clone();
    let mut d = dict(a, 0)?.items.lock();
    for (k, v) in add {
        match position(&d, &k) {
            Some(i) => d[i].1 = v,
            None => d.push((k, v)),
        }
    }
    Ok(Value::None)
}

fn copy(a: &mut [Value]) -> RtResult<Value> {
    let d = dict(a, 0)?;
    Ok(Value::new_dict(
        d.key.clone(),
        d.value.clone(),
        d.items.lock().clone(),
    ))
}

fn len(a: &mut [Value]) -> RtResult<Value> {
    Ok(Value::Int(dict(a, 0)?.items.lock().len() as i64))
}

fn contains(a: &mut [Value]) -> RtResult<Value> {
    Ok(Value::Bool(
        position(&dict(a, 0)?.items.lock(), &a[1]).is_some(),
    ))
}

fn set_item(a: &mut [Value]) -> RtResult<Value> {
    let v = std::mem::take(&mut a[2]);
    let mut d = dict(a, 0)?.items.lock();
    match position(&d, &a[1]) {
        Some(i) => d[i].1 = v,
        None => d.push((a[1].clone(), v)),
    }
    Ok(Value::None)
}
