//! Operator upgraders: an archive whose `version` record is older than the version at which
//! an operator's meaning changed runs the old meaning, as `torch.jit.load` does
//! (`torch/csrc/jit/operator_upgraders/`; the table is in ops-seen.md §5):
//!
//! | operator | archives | old meaning |
//! |---|---|---|
//! | `aten::div.Tensor`, `aten::div.Scalar`, `aten::div_.Tensor`, `aten::div_.Scalar` | version <= 3 | all-integer operands divide with truncation (`div_Tensor_0_3`, `div_Scalar_0_3`, `div__Tensor_0_3`, `div__Scalar_0_3`) |
//! | `aten::full` | version <= 4 | no `dtype` and an integer fill give a float tensor (`full_0_4`) |
//!
//! The `_mode` variants of `div` and `gelu` (versions <= 9) did not change behaviour, so they
//! need nothing. Resolution picks the current overload; [`upgrade`] then swaps in a kernel
//! with the old semantics, so nothing is decided per call except what depends on dtypes.

use std::sync::{Arc, OnceLock};

use crate::error::{RtResult, RuntimeError};
use crate::ops::{registry, Kernel, OpDef};
use crate::value::Value;

/// The overload to run for `op` in an archive of `version`: `op` itself, or an upgrader.
pub(super) fn upgrade(version: u64, op: &Arc<OpDef>) -> Option<Arc<OpDef>> {
    let kernel: Kernel = match op.schema.full_name().as_str() {
        "aten::div.Tensor" if version <= 3 => div_tensor_0_3,
        "aten::div.Scalar" if version <= 3 => div_scalar_0_3,
        "aten::div_.Tensor" if version <= 3 => inplace_div_tensor_0_3,
        "aten::div_.Scalar" if version <= 3 => inplace_div_scalar_0_3,
        "aten::full" if version <= 4 => full_0_4,
        _ => return None,
    };
    Some(Arc::new(OpDef {
        schema: op.schema.clone(),
        kernel,
        // Upgraders are rare old-archive paths: plain kernels only.
        out: None,
        prepare: None,
    }))
}

/// The kernel of a registered overload, by full name (looked up once per upgrader).
fn kernel(cell: &'static OnceLock<Option<Kernel>>, full_name: &str) -> RtResult<Kernel> {
    cell.get_or_init(|| {
        registry()
            .all()
            .iter()
            .find(|d| d.schema.full_name() == full_name)
            .map(|d| d.kernel)
    })
    .ok_or_else(|| RuntimeError::new(format!("internal error: {full_name} is not registered")))
}

fn is_float_tensor(v: &Value) -> bool {
    matches!(v, Value::Tensor(t) if t.dtype().is_floating())
}

/// `div_Tensor_0_3`: true division if either operand is floating point, else truncation.
fn div_tensor_0_3(a: &mut [Value]) -> RtResult<Value> {
    static TRUE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    static MODE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    if is_float_tensor(&a[0]) || is_float_tensor(&a[1]) {
        return kernel(&TRUE_DIV, "aten::div.Tensor")?(a);
    }
    let mut args = [a[0].clone(), a[1].clone(), Value::str("trunc")];
    kernel(&MODE_DIV, "aten::div.Tensor_mode")?(&mut args)
}

/// `div_Scalar_0_3`: true division if the tensor is floating point or the scalar a float.
fn div_scalar_0_3(a: &mut [Value]) -> RtResult<Value> {
    static TRUE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    static MODE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    if is_float_tensor(&a[0]) || matches!(a[1], Value::Float(_)) {
        return kernel(&TRUE_DIV, "aten::div.Scalar")?(a);
    }
    let mut args = [a[0].clone(), a[1].clone(), Value::str("trunc")];
    kernel(&MODE_DIV, "aten::div.Scalar_mode")?(&mut args)
}

/// `div__Tensor_0_3`: in place; integer operands truncate (today's `div_` would refuse to
/// write a float result into an integer tensor).
fn inplace_div_tensor_0_3(a: &mut [Value]) -> RtResult<Value> {
    static TRUE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    static MODE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    if is_float_tensor(&a[0]) || is_float_tensor(&a[1]) {
        return kernel(&TRUE_DIV, "aten::div_.Tensor")?(a);
    }
    let mut args = [a[0].clone(), a[1].clone(), Value::str("trunc")];
    let q = kernel(&MODE_DIV, "aten::div.Tensor_mode")?(&mut args)?;
    copy_into(&a[0], q)
}

/// `div__Scalar_0_3`: in place; an integer tensor and an integer scalar truncate.
fn inplace_div_scalar_0_3(a: &mut [Value]) -> RtResult<Value> {
    static TRUE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    static MODE_DIV: OnceLock<Option<Kernel>> = OnceLock::new();
    if is_float_tensor(&a[0]) || matches!(a[1], Value::Float(_)) {
        return kernel(&TRUE_DIV, "aten::div_.Scalar")?(a);
    }
    let mut args = [a[0].clone(), a[1].clone(), Value::str("trunc")];
    let q = kernel(&MODE_DIV, "aten::div.Scalar_mode")?(&mut args)?;
    copy_into(&a[0], q)
}

/// `self.copy_(src)`, returning `self`.
fn copy_into(dst: &Value, src: Value) -> RtResult<Value> {
    static COPY: OnceLock<Option<Kernel>> = OnceLock::new();
    let mut args = [dst.clone(), src, Value::Bool(false)];
    kernel(&COPY, "aten::copy_")?(&mut args)
}

/// `full_0_4`: without a dtype the fill value is made a float first.
fn full_0_4(a: &mut [Value]) -> RtResult<Value> {
    static FULL: OnceLock<Option<Kernel>> = OnceLock::new();
    // Schema order: size, fill_value, dtype, layout, device, pin_memory.
    if matches!(a.get(2), Some(Value::None)) {
        if let Some(fill) = a.get_mut(1) {
            if let Some(f) = fill.as_float() {
                *fill = Value::Float(f);
            }
        }
    }
    kernel(&FULL, "aten::full")?(a)
}
