//! Where language values meet tensors: `torch.tensor(...)` from Python numbers and (nested)
//! lists, `t.item()`, `t.is_floating_point()`, and the whole-tensor `max()`/`min()`/`any()`/
//! `all()` that `float(x.max())`-style code prints. Registered after the tensor kernel files, so an
//! overload a kernel file also declares is resolved to that file's version.

use tsrun_tensor::{ops as k, DType, Scalar, Tensor};

use super::args::{opt_dtype, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

pub(crate) fn register(b: &mut RegistryBuilder) {
    // Exact types first: with `float` first, `torch.tensor(2)` would take the int -> float
    // conversion and make a float32 tensor instead of int64.
    for ty in ["bool", "int", "float"] {
        b.op(
            &format!("aten::tensor.{ty}({ty} t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor"),
            scalar_tensor,
        );
    }
    b.op(
        "aten::tensor(t[] data, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
        list_tensor,
    );
    b.op("aten::item(Tensor self) -> Scalar", |a| {
        Ok(match tensor(a, 0)?.item()? {
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Bool(b) => Value::Bool(b),
        })
    });
    // In-place true division by a number (the Tensor form is with the other binary kernels).
    b.op(
        "aten::div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            k::binary::div_scalar_(t, super::args::scalar(a, 1)?)?;
            Ok(Value::Tensor(t.clone()))
        },
    );
    b.op("aten::is_floating_point(Tensor self) -> bool", |a| {
        Ok(Value::Bool(tensor(a, 0)?.dtype().is_floating()))
    });
    b.op("aten::max(Tensor self) -> Tensor", |a| {
        Ok(Value::Tensor(k::reduce::max(tensor(a, 0)?)?))
    });
    b.op("aten::min(Tensor self) -> Tensor", |a| {
        Ok(Value::Tensor(k::reduce::min(tensor(a, 0)?)?))
    });
    b.op(
        "prim::tolist(Tensor self, int dim, int elem) -> Any",
        tolist,
    );
    b.op("aten::IntImplicit(Tensor a) -> int", |a| {
        let t = implicit_scalar(a, true)?;
        Ok(Value::Int(
            t.try_to_dtype("IntImplicit", DType::I64)?
                .try_to_vec::<i64>("IntImplicit")?[0],
        ))
    });
    b.op("aten::FloatImplicit(Tensor a) -> float", |a| {
        Ok(Value::Float(
            implicit_scalar(a, false)?.try_to_vec::<f64>("FloatImplicit")?[0],
        ))
    });
    // `bool(x.any())`: whole-tensor truth tests (NaN counts as true, as a nonzero).
    b.op("aten::any(Tensor self) -> Tensor", |a| {
        let any = tensor(a, 0)?
            .try_to_vec::<f64>("any")?
            .iter()
            .any(|v| *v != 0.0);
        Ok(Value::Tensor(Tensor::scalar_tensor(
            Scalar::Bool(any),
            DType::Bool,
        )))
    });
    b.op("aten::all(Tensor self) -> Tensor", |a| {
        let all = tensor(a, 0)?
            .try_to_vec::<f64>("all")?
            .iter()
            .all(|v| *v != 0.0);
        Ok(Value::Tensor(Tensor::scalar_tensor(
            Scalar::Bool(all),
            DType::Bool,
        )))
    });
}

/// PyTorch's `checkImplicitTensorToNum`: a tensor used as a number must be 0-dim (and
/// integral, for an int).
fn implicit_scalar(a: &[Value], to_int: bool) -> RtResult<&Tensor> {
    let t = tensor(a, 0)?;
    if t.dim() != 0 {
        return Err(RuntimeError::new(
            "Cannot input a tensor of dimension other than 0 as a scalar argument",
        ));
    }
    if to_int && !t.dtype().is_integral(false) {
        return Err(RuntimeError::new(format!(
            "Cannot input a tensor of type {} as an integral argument",
            torch_dtype_name(t.dtype())
        )));
    }
    Ok(t)
}

/// c10's ScalarType names (`Float`, `Long`...), as PyTorch prints them in messages.
fn torch_dtype_name(d: DType) -> &'static str {
    match d {
        DType::U8 => "Byte",
        DType::I8 => "Char",
        DType::I16 => "Short",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::Bool => "Bool",
    }
}

/// `t.tolist()` into a `dim`-deep list of `elem` (0 int, 1 float, 2 bool; the compiler takes
/// both from the annotation), with PyTorch's checks.
fn tolist(a: &mut [Value]) -> RtResult<Value> {
    let t = tensor(a, 0)?;
    let dim = super::args::int(a, 1)?;
    let elem = super::args::int(a, 2)?;
    if dim != t.dim() as i64 {
        return Err(RuntimeError::new(format!(
            "Output annotation list dimension and runtime tensor dimension must match for tolist() (annotation dim {dim}, tensor dim {})",
            t.dim()
        )));
    }
    let dtype = t.dtype();
    let ok = match elem {
        0 => dtype.is_integral(false),
        1 => dtype.is_floating(),
        _ => dtype == DType::Bool,
    };
    if !ok {
        return Err(RuntimeError::new(
            "Output annotation element type and runtime tensor element type must match for tolist()",
        ));
    }
    let values = t.try_to_vec::<f64>("tolist")?;
    let ints: Vec<i64> = if elem == 0 {
        t.try_to_dtype("tolist", DType::I64)?
            .try_to_vec::<i64>("tolist")?
    } else {
        Vec::new()
    };
    let leaf = |i: usize| match elem {
        0 => Value::Int(ints[i]),
        1 => Value::Float(values[i]),
        _ => Value::Bool(values[i] != 0.0),
    };
    let leaf_ty = match elem {
        0 => crate::types::Type::Int,
        1 => crate::types::Type::Float,
        _ => crate::types::Type::Bool,
    };
    Ok(nest(t.shape(), 0, &leaf, &leaf_ty, &mut 0))
}

fn nest(
    shape: &[usize],
    d: usize,
    leaf: &dyn Fn(usize) -> Value,
    leaf_ty: &crate::types::Type,
    next: &mut usize,
) -> Value {
    if d == shape.len() {
        let v = leaf(*next);
        *next += 1;
        return v;
    }
    let mut elem_ty = leaf_ty.clone();
    for _ in d + 1..shape.len() {
        elem_ty = crate::types::Type::list(elem_ty);
    }
    let items = (0..shape[d])
        .map(|_| nest(shape, d + 1, leaf, leaf_ty, next))
        .collect();
    Value::new_list(elem_ty, items)
}

/// The dtype `torch.tensor` infers for a Python scalar (floats take the default, float32).
fn inferred(s: Scalar) -> DType {
    match s {
        Scalar::Int(_) => DType::I64,
        Scalar::Float(_) => DType::F32,
        Scalar::Bool(_) => DType::Bool,
    }
}

fn scalar_tensor(a: &mut [Value]) -> RtResult<Value> {
    let s = a
        .first()
        .and_then(Value::as_scalar)
        .ok_or_else(|| RuntimeError::new("torch.tensor() expects a number"))?;
    let dtype = opt_dtype(a, 1)?.unwrap_or_else(|| inferred(s));
    Ok(Value::Tensor(Tensor::scalar_tensor(s, dtype)))
}

/// `torch.tensor(nested_list)`: the shape from the nesting (every sublist the same length),
/// the dtype from the elements (any float makes it float32) unless given.
fn list_tensor(a: &mut [Value]) -> RtResult<Value> {
    let mut shape = Vec::new();
    let mut flat = Vec::new();
    flatten(&a[0], 0, &mut shape, &mut flat)?;
    let dtype = match opt_dtype(a, 1)? {
        Some(d) => d,
        None if flat.iter().any(|s| matches!(s, Scalar::Float(_))) => DType::F32,
        None if !flat.is_empty() && flat.iter().all(|s| matches!(s, Scalar::Bool(_))) => {
            DType::Bool
        }
        None if flat.is_empty() => DType::F32,
        None => DType::I64,
    };
    let values: Vec<f64> = flat
        .iter()
        .map(|s| match s {
            Scalar::Int(i) => *i as f64,
            Scalar::Float(f) => *f,
            Scalar::Bool(b) => *b as i64 as f64,
        })
        .collect();
    let t = if dtype == DType::I64 && flat.iter().all(|s| !matches!(s, Scalar::Float(_))) {
        // Exact for ints beyond 2^53.
        let ints: Vec<i64> = flat
            .iter()
            .map(|s| match s {
                Scalar::Int(i) => *i,
                Scalar::Bool(b) => *b as i64,
                Scalar::Float(f) => *f as i64,
            })
            .collect();
        Tensor::from_vec(ints, &shape)?
    } else {
        Tensor::from_vec(values, &shape)?.try_to_dtype("list_tensor", dtype)?
    };
    Ok(Value::Tensor(t))
}

fn flatten(v: &Value, depth: usize, shape: &mut Vec<usize>, out: &mut Vec<Scalar>) -> RtResult<()> {
    match v {
        Value::List(_) | Value::Tuple(_) => {
            let items = v.sequence_items().unwrap_or_default();
            match shape.get(depth) {
                None => shape.push(items.len()),
                Some(&n) if n != items.len() => {
                    return Err(RuntimeError::new(format!(
                        "Expected sequence of length {n} at dim {depth} (got {})",
                        items.len()
                    )))
                }
                Some(_) => {}
            }
            for item in &items {
                flatten(item, depth + 1, shape, out)?;
            }
            Ok(())
        }
        other => {
            if depth != shape.len() {
                return Err(RuntimeError::new(format!(
                    "Expected sequence of length {} at dim {depth} (got a number)",
                    shape.get(depth).copied().unwrap_or(0)
                )));
            }
            let s = other.as_scalar().ok_or_else(|| {
                RuntimeError::new(format!(
                    "torch.tensor(): cannot make a tensor of {}",
                    other.kind_name()
                ))
            })?;
            out.push(s);
            Ok(())
        }
    }
}
