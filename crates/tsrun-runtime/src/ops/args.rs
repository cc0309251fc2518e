//! Typed access to kernel arguments. The compiler has already checked types against the
//! schema, so these fail only on a tsrun bug or on `Any`-typed values; they never panic.

use smallvec::SmallVec;
use tsrun_tensor::{DType, Scalar, Tensor};

use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn bad(args: &[Value], i: usize, want: &str) -> RuntimeError {
    let got = args.get(i).map(Value::kind_name).unwrap_or("nothing");
    RuntimeError::new(format!("argument {i}: expected {want}, got {got}"))
}

/// Argument `i` as a tensor.
pub fn tensor(args: &[Value], i: usize) -> RtResult<&Tensor> {
    match args.get(i) {
        Some(Value::Tensor(t)) => Ok(t),
        _ => Err(bad(args, i, "Tensor")),
    }
}

/// Argument `i` as an optional tensor.
pub fn opt_tensor(args: &[Value], i: usize) -> RtResult<Option<&Tensor>> {
    match args.get(i) {
        Some(Value::Tensor(t)) => Ok(Some(t)),
        Some(Value::None) | None => Ok(None),
        _ => Err(bad(args, i, "Optional[Tensor]")),
    }
}

/// Argument `i` as an int (bools convert, as in PyTorch's int arguments).
pub fn int(args: &[Value], i: usize) -> RtResult<i64> {
    match args.get(i) {
        Some(Value::Int(v)) => Ok(*v),
        Some(Value::Bool(b)) => Ok(*b as i64),
        _ => Err(bad(args, i, "int")),
    }
}

/// Argument `i` as an optional int.
pub fn opt_int(args: &[Value], i: usize) -> RtResult<Option<i64>> {
    match args.get(i) {
        Some(Value::None) | None => Ok(None),
        _ => int(args, i).map(Some),
    }
}

/// Argument `i` as a float (ints convert).
pub fn float(args: &[Value], i: usize) -> RtResult<f64> {
    match args.get(i) {
        Some(Value::Float(v)) => Ok(*v),
        Some(Value::Int(v)) => Ok(*v as f64),
        Some(Value::Bool(b)) => Ok(*b as i64 as f64),
        _ => Err(bad(args, i, "float")),
    }
}

/// Argument `i` as a bool.
pub fn bool(args: &[Value], i: usize) -> RtResult<bool> {
    match args.get(i) {
        Some(Value::Bool(b)) => Ok(*b),
        _ => Err(bad(args, i, "bool")),
    }
}

/// Argument `i` as an optional bool.
pub fn opt_bool(args: &[Value], i: usize) -> RtResult<Option<bool>> {
    match args.get(i) {
        Some(Value::None) | None => Ok(None),
        _ => bool(args, i).map(Some),
    }
}

/// Argument `i` as a string.
pub fn str(args: &[Value], i: usize) -> RtResult<&str> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s),
        _ => Err(bad(args, i, "str")),
    }
}

/// Argument `i` as an optional string.
pub fn opt_str(args: &[Value], i: usize) -> RtResult<Option<&str>> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(Value::None) | None => Ok(None),
        _ => Err(bad(args, i, "Optional[str]")),
    }
}

/// Argument `i` as a Scalar (int, float or bool).
pub fn scalar(args: &[Value], i: usize) -> RtResult<Scalar> {
    args.get(i)
        .and_then(Value::as_scalar)
        .ok_or_else(|| bad(args, i, "Scalar"))
}

/// Argument `i` as an optional Scalar.
pub fn opt_scalar(args: &[Value], i: usize) -> RtResult<Option<Scalar>> {
    match args.get(i) {
        Some(Value::None) | None => Ok(None),
        _ => scalar(args, i).map(Some),
    }
}

/// Argument `i` as an optional dtype code.
pub fn opt_dtype(args: &[Value], i: usize) -> RtResult<Option<DType>> {
    match opt_int(args, i)? {
        None => Ok(None),
        Some(code) => DType::from_code(code)
            .map(Some)
            .ok_or_else(|| RuntimeError::new(format!("unsupported dtype code {code}"))),
    }
}

/// Argument `i` as a list of ints (a single int is accepted for `int[N]` parameters).
pub fn int_list(args: &[Value], i: usize) -> RtResult<SmallVec<[i64; 6]>> {
    match args.get(i) {
        Some(Value::List(l)) => l
            .items
            .lock()
            .iter()
            .map(|v| match v {
                Value::Int(x) => Ok(*x),
                _ => Err(bad(args, i, "List[int]")),
            })
            .collect(),
        Some(Value::Tuple(t)) => t
            .iter()
            .map(|v| match v {
                Value::Int(x) => Ok(*x),
                _ => Err(bad(args, i, "List[int]")),
            })
            .collect(),
        Some(Value::Int(x)) => Ok(smallvec::smallvec![*x]),
        _ => Err(bad(args, i, "List[int]")),
    }
}

/// Argument `i` as an optional list of ints.
pub fn opt_int_list(args: &[Value], i: usize) -> RtResult<Option<SmallVec<[i64; 6]>>> {
    match args.get(i) {
        Some(Value::None) | None => Ok(None),
        _ => int_list(args, i).map(Some),
    }
}

/// Argument `i` as an optional list of floats (ints convert, as for `float` arguments).
pub fn opt_float_list(args: &[Value], i: usize) -> RtResult<Option<Vec<f64>>> {
    match args.get(i) {
        Some(Value::None) | None => Ok(None),
        Some(v) => v
            .sequence_items()
            .ok_or_else(|| bad(args, i, "List[float]"))?
            .into_iter()
            .map(|x| match x {
                Value::Float(f) => Ok(f),
                Value::Int(n) => Ok(n as f64),
                _ => Err(bad(args, i, "List[float]")),
            })
            .collect::<RtResult<Vec<f64>>>()
            .map(Some),
    }
}

/// Argument `i` as an optional float.
pub fn opt_float(args: &[Value], i: usize) -> RtResult<Option<f64>> {
    match args.get(i) {
        Some(Value::None) | None => Ok(None),
        _ => float(args, i).map(Some),
    }
}

/// Argument `i` as a list of tensors.
pub fn tensor_list(args: &[Value], i: usize) -> RtResult<Vec<Tensor>> {
    let items = args
        .get(i)
        .and_then(Value::sequence_items)
        .ok_or_else(|| bad(args, i, "List[Tensor]"))?;
    items
        .into_iter()
        .map(|v| match v {
            Value::Tensor(t) => Ok(t),
            _ => Err(bad(args, i, "List[Tensor]")),
        })
        .collect()
}

/// Converts a tensor result into a value.
pub fn ok(t: Tensor) -> RtResult<Value> {
    Ok(Value::Tensor(t))
}
