//! Evenly spaced values: `aten::linspace`, `aten::logspace`.
//!
//! As aten's `RangeFactoriesKernel.cpp`: the first half counts up from `start`, the second
//! half down from `end` (so both ends are exact), each step computed in float (float16,
//! bfloat16, float32 results) or double; integer results use a double step and truncate.

use crate::error::invalid;
use crate::{DType, Result, Scalar, Tensor, TensorError};

/// Rounds an f64 to the precision of a float dtype.
fn rounder(dt: DType) -> fn(f64) -> f64 {
    match dt {
        DType::F16 => |x| half::f16::from_f64(x).to_f64(),
        DType::BF16 => |x| half::bf16::from_f64(x).to_f64(),
        DType::F32 => |x| x as f32 as f64,
        _ => |x| x,
    }
}

fn check(op: &'static str, steps: i64, dtype: DType) -> Result<()> {
    if steps < 0 {
        return Err(invalid(op, "number of steps must be non-negative"));
    }
    if dtype == DType::Bool {
        return Err(TensorError::Unsupported { op, dtype });
    }
    Ok(())
}

/// The exponents (or values) of `linspace`/`logspace`, with `f` applied to each.
fn spaced(
    start: Scalar,
    end: Scalar,
    steps: i64,
    dtype: DType,
    f: impl Fn(f64) -> f64,
) -> Vec<f64> {
    let n = steps as usize;
    let half = steps / 2;
    if dtype.is_floating() {
        // start/end are converted to the dtype; the arithmetic of float16/bfloat16 is in
        // float (aten's opmath), rounded once at the end.
        let to_dt = rounder(dtype);
        let rd = rounder(if dtype == DType::F64 {
            dtype
        } else {
            DType::F32
        });
        let (s, e) = (to_dt(start.to_f64()), to_dt(end.to_f64()));
        let step = rd(rd(e - s) / rd((steps - 1) as f64));
        (0..steps)
            .map(|i| {
                if n == 1 {
                    f(s)
                } else if i < half {
                    f(rd(s + rd(step * i as f64)))
                } else {
                    f(rd(e - rd(step * (steps - i - 1) as f64)))
                }
            })
            .collect()
    } else {
        // Integer results: start/end converted to the dtype, a double step.
        let conv = |x: Scalar| Tensor::scalar_tensor(x, dtype).to_f64_vec()[0];
        let (s, e) = (conv(start), conv(end));
        let step = (e - s) / (steps - 1) as f64;
        (0..steps)
            .map(|i| {
                if n == 1 {
                    f(s)
                } else if i < half {
                    f(s + step * i as f64)
                } else {
                    f(e - step * (steps - i - 1) as f64)
                }
            })
            .collect()
    }
}

/// Float values to the result dtype (integers truncate toward zero).
fn finish(v: Vec<f64>, dtype: DType) -> Result<Tensor> {
    let n = v.len();
    if dtype.is_floating() {
        Tensor::from_vec(v, &[n])?.try_to_dtype("finish", dtype)
    } else {
        let ints: Vec<i64> = v.into_iter().map(|x| x as i64).collect();
        Tensor::from_vec(ints, &[n])?.try_to_dtype("finish", dtype)
    }
}

/// `aten::linspace(start, end, steps, dtype)`.
pub fn linspace(start: Scalar, end: Scalar, steps: i64, dtype: DType) -> Result<Tensor> {
    check("linspace", steps, dtype)?;
    finish(spaced(start, end, steps, dtype, |x| x), dtype)
}

/// `aten::logspace(start, end, steps, base, dtype)`: `base` to the powers of `linspace`.
pub fn logspace(start: Scalar, end: Scalar, steps: i64, base: f64, dtype: DType) -> Result<Tensor> {
    check("logspace", steps, dtype)?;
    finish(spaced(start, end, steps, dtype, |x| base.powf(x)), dtype)
}
