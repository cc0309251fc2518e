//! Typed access to the borrowed arguments of [`super::OutKernel`]s and
//! [`super::PreparedOp`]s, and the recycled result buffer they may write into.

use tsrun_tensor::Tensor;

use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn bad(args: &[&Value], i: usize, want: &str) -> RuntimeError {
    let got = args.get(i).map(|v| v.kind_name()).unwrap_or("nothing");
    RuntimeError::new(format!("argument {i}: expected {want}, got {got}"))
}

/// Argument `i` as a tensor.
#[inline]
pub(crate) fn tensor<'a>(args: &[&'a Value], i: usize) -> RtResult<&'a Tensor> {
    match args.get(i) {
        Some(Value::Tensor(t)) => Ok(t),
        _ => Err(bad(args, i, "Tensor")),
    }
}

/// The tensor in an output slot, made one (a placeholder the kernel then replaces or
/// overwrites) when the slot holds anything else, e.g. `None` on the first call.
#[inline]
pub(crate) fn tensor_out(out: &mut Value) -> &mut Tensor {
    if !matches!(out, Value::Tensor(_)) {
        *out = Value::Tensor(Tensor::placeholder());
    }
    match out {
        Value::Tensor(t) => t,
        _ => unreachable!("the slot was made a tensor just above"),
    }
}
