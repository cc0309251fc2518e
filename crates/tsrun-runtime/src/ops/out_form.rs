//! The `out=` overloads (`aten::norm.out`, `aten::div.out`...). Printed code reaches them
//! only on branches where a caller passed `out=`, but every overload a method names must
//! resolve for the archive to load. tsrun computes the result and copies it into `out`;
//! aten would resize an `out` of another shape, which a tsrun tensor handle cannot do for
//! the other handles sharing it, so that is an error here.

use tsrun_tensor::ops::create::copy_;
use tsrun_tensor::Tensor;

use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

/// Writes `result` into `out` and returns `out`.
pub(crate) fn write_out(out: &Tensor, result: &Tensor) -> RtResult<Value> {
    if out.shape() != result.shape() {
        return Err(RuntimeError::new(format!(
            "tsrun cannot resize an out= tensor of shape {:?} to the result shape {:?}",
            out.shape(),
            result.shape()
        )));
    }
    Ok(Value::Tensor(copy_(out, result)?))
}
