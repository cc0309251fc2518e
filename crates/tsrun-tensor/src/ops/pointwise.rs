//! The rest of aten's element-wise functions: float unary functions (`tan`, `asin`, `erf`,
//! `log2`...), `trunc`/`frac`/`square`, the `isnan` family, float binary functions (`fmod`,
//! `atan2`, `hypot`, `copysign`, `fmax`, `fmin`), logical and shift operators, `round` with
//! decimals, `lerp`, `addcmul`/`addcdiv`.
//!
//! float16/bfloat16 inputs compute in float32 and round once, as aten's CPU kernels do for
//! these functions; integer inputs of float functions give float32 (`unary_float_op`).

use crate::math::erf as erf64;
use crate::ops::binary::{add, mul, mul_scalar, pow_scalar, sub};
use crate::ops::elementwise::{map, try_zip_rhs, zip_rhs, Rhs};
use crate::ops::num::{dispatch, dispatch_float, Float};
use crate::ops::unary::{float_unary, rounding};
use crate::promote::{result_type, Operand, DEFAULT_FLOAT};
use crate::{DType, Element, Result, Scalar, Tensor, TensorError};

macro_rules! float_fns {
    ($($name:ident, $op:literal, $f32:expr, $f64:expr;)*) => {$(
        #[doc = concat!("`aten::", $op, "`; integer and bool inputs give float32.")]
        pub fn $name(a: &Tensor) -> Result<Tensor> {
            float_unary($op, a, $f32, $f64)
        }
    )*};
}

float_fns! {
    tan, "tan", f32::tan, f64::tan;
    sinh, "sinh", f32::sinh, f64::sinh;
    cosh, "cosh", f32::cosh, f64::cosh;
    asin, "asin", f32::asin, f64::asin;
    acos, "acos", f32::acos, f64::acos;
    atan, "atan", f32::atan, f64::atan;
    asinh, "asinh", f32::asinh, f64::asinh;
    acosh, "acosh", f32::acosh, f64::acosh;
    atanh, "atanh", f32::atanh, f64::atanh;
    expm1, "expm1", f32::exp_m1, f64::exp_m1;
    log1p, "log1p", f32::ln_1p, f64::ln_1p;
    log2, "log2", f32::log2, f64::log2;
    log10, "log10", f32::log10, f64::log10;
    exp2, "exp2", f32::exp2, f64::exp2;
    erf, "erf", |x| erf64(x as f64) as f32, erf64;
    erfc, "erfc", |x| (1.0 - erf64(x as f64)) as f32, |x| 1.0 - erf64(x);
}

/// `aten::trunc`: rounds toward zero; integers are returned as a copy.
pub fn trunc(a: &Tensor) -> Result<Tensor> {
    rounding(a, "trunc", f32::trunc, f64::trunc)
}

/// `aten::frac`: `x - trunc(x)`; float tensors only.
pub fn frac(a: &Tensor) -> Result<Tensor> {
    dispatch_float!(a.dtype(), F => map::<F, F>("frac", a, |x| x.fmap(|v| v - v.trunc(), |v| v - v.trunc())),
        other => Err(TensorError::Unsupported { op: "frac_cpu", dtype: a.dtype() }))
}

/// `aten::square`: `pow(x, 2)` (so bool gives int64).
pub fn square(a: &Tensor) -> Result<Tensor> {
    pow_scalar(a, Scalar::Int(2))
}

fn float_test(
    op: &'static str,
    a: &Tensor,
    f: fn(f64) -> bool,
    int_answer: bool,
) -> Result<Tensor> {
    if a.dtype().is_floating() {
        crate::with_dtype!(a.dtype(), T => map::<T, bool>(op, a, move |x| f(x.to_f64())))
    } else {
        Tensor::try_full(op, a.shape(), Scalar::Bool(int_answer), DType::Bool)
    }
}

/// `aten::isnan`: bool; integers are never NaN.
pub fn isnan(a: &Tensor) -> Result<Tensor> {
    float_test("isnan", a, f64::is_nan, false)
}

/// `aten::isinf`.
pub fn isinf(a: &Tensor) -> Result<Tensor> {
    float_test("isinf", a, f64::is_infinite, false)
}

/// `aten::isfinite`.
pub fn isfinite(a: &Tensor) -> Result<Tensor> {
    float_test("isfinite", a, f64::is_finite, true)
}

/// `aten::round.decimals`: `nearbyint(x * 10^d) / 10^d` (for `d < 0`, `nearbyint(x / 10^-d) * 10^-d`),
/// in the tensor's float type.
pub fn round_decimals(a: &Tensor, decimals: i64) -> Result<Tensor> {
    if decimals == 0 || !a.dtype().is_floating() {
        return crate::ops::unary::round(a);
    }
    let neg = decimals < 0;
    let p = 10f64.powi(decimals.unsigned_abs() as i32);
    let (p32, p64) = (p as f32, p);
    dispatch_float!(a.dtype(), F => map::<F, F>("round_decimals", a, move |x| x.fmap(
        move |v| if neg { (v / p32).round_ties_even() * p32 } else { (v * p32).round_ties_even() / p32 },
        move |v| if neg { (v / p64).round_ties_even() * p64 } else { (v * p64).round_ties_even() / p64 },
    )), other => unreachable!("checked floating above"))
}

fn promoted(a: &Tensor, b: Rhs<'_>) -> DType {
    match b {
        Rhs::Tensor(b) => result_type(&[Operand::Tensor(a), Operand::Tensor(b)]),
        Rhs::Scalar(s) => result_type(&[Operand::Tensor(a), Operand::Scalar(s)]),
    }
}

/// Applies a float function of two arguments in the promoted dtype (integers promote to
/// float32 when `to_float`, and are rejected otherwise); half types compute in float32.
fn float_binary(
    op: &'static str,
    kernel: &'static str,
    a: &Tensor,
    b: Rhs<'_>,
    to_float: bool,
    f32f: fn(f32, f32) -> f32,
    f64f: fn(f64, f64) -> f64,
) -> Result<Tensor> {
    let mut dt = promoted(a, b);
    if !dt.is_floating() {
        if !to_float {
            return Err(TensorError::Unsupported {
                op: kernel,
                dtype: dt,
            });
        }
        dt = DEFAULT_FLOAT;
    }
    let cd = if dt == DType::F64 {
        DType::F64
    } else {
        DType::F32
    };
    let a = a.try_to_dtype(op, cd)?;
    let bt;
    let b = match b {
        Rhs::Tensor(t) => {
            bt = t.try_to_dtype(op, cd)?;
            Rhs::Tensor(&bt)
        }
        s => s,
    };
    let r = if cd == DType::F64 {
        zip_rhs::<f64, f64>(op, &a, b, f64f)?
    } else {
        zip_rhs::<f32, f32>(op, &a, b, f32f)?
    };
    r.try_to_dtype(op, dt)
}

/// `aten::atan2`.
pub fn atan2(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    float_binary(
        "atan2",
        "atan2_cpu",
        a,
        Rhs::Tensor(b),
        true,
        f32::atan2,
        f64::atan2,
    )
}

/// `aten::hypot` (float tensors only).
pub fn hypot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    float_binary(
        "hypot",
        "hypot_cpu",
        a,
        Rhs::Tensor(b),
        false,
        f32::hypot,
        f64::hypot,
    )
}

/// `aten::copysign.Tensor`; integers promote to float32.
pub fn copysign(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    float_binary(
        "copysign",
        "copysign_cpu",
        a,
        Rhs::Tensor(b),
        true,
        f32::copysign,
        f64::copysign,
    )
}

/// `aten::copysign.Scalar`.
pub fn copysign_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    float_binary(
        "copysign",
        "copysign_cpu",
        a,
        Rhs::Scalar(s),
        true,
        f32::copysign,
        f64::copysign,
    )
}

fn fmod_impl(a: &Tensor, b: Rhs<'_>) -> Result<Tensor> {
    let dt = promoted(a, b);
    if dt.is_floating() {
        // C's fmod: the result has the dividend's sign.
        return float_binary("fmod", "fmod_cpu", a, b, false, |x, y| x % y, |x, y| x % y);
    }
    let a = a.try_to_dtype("fmod_impl", dt)?;
    let bt;
    let b = match b {
        Rhs::Tensor(t) => {
            bt = t.try_to_dtype("fmod_impl", dt)?;
            Rhs::Tensor(&bt)
        }
        s => s,
    };
    let zero = || TensorError::ZeroDivision { op: "fmod" };
    dispatch!(dt,
        int T => try_zip_rhs::<T, T>("fmod", &a, b, |x, y| {
            let (x, y) = (x.to_i64(), y.to_i64());
            (y != 0).then(|| T::from_i64(x.wrapping_rem(y)))
        }, zero),
        float F => { let _ = std::marker::PhantomData::<F>; unreachable!("floats handled above") },
        bool => Err(TensorError::Unsupported { op: "fmod_cpu", dtype: dt }))
}

/// `aten::fmod.Tensor`: C `fmod` (truncated remainder); integer division by zero raises.
pub fn fmod(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    fmod_impl(a, Rhs::Tensor(b))
}

/// `aten::fmod.Scalar`.
pub fn fmod_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    fmod_impl(a, Rhs::Scalar(s))
}

fn fminmax(op: &'static str, a: &Tensor, b: &Tensor, want_max: bool) -> Result<Tensor> {
    let dt = promoted(a, Rhs::Tensor(b));
    let (a, b) = (a.try_to_dtype(op, dt)?, b.try_to_dtype(op, dt)?);
    dispatch!(dt,
        int T => zip_rhs::<T, T>(op, &a, Rhs::Tensor(&b), move |x, y| if (x < y) == want_max { y } else { x }),
        float F => zip_rhs::<F, F>(op, &a, Rhs::Tensor(&b), move |x, y| {
            // NaN only when both are NaN.
            if x.to_f64().is_nan() { y } else if y.to_f64().is_nan() { x }
            else if (x < y) == want_max { y } else { x }
        }),
        bool => zip_rhs::<bool, bool>(op, &a, Rhs::Tensor(&b), move |x, y| if want_max { x | y } else { x & y }))
}

/// `aten::fmax`: element-wise max ignoring NaN.
pub fn fmax(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    fminmax("fmax", a, b, true)
}

/// `aten::fmin`: element-wise min ignoring NaN.
pub fn fmin(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    fminmax("fmin", a, b, false)
}

fn logical(op: &'static str, a: &Tensor, b: &Tensor, f: fn(bool, bool) -> bool) -> Result<Tensor> {
    let (a, b) = (
        a.try_to_dtype(op, DType::Bool)?,
        b.try_to_dtype(op, DType::Bool)?,
    );
    zip_rhs::<bool, bool>(op, &a, Rhs::Tensor(&b), f)
}

/// `aten::logical_and`: bool result.
pub fn logical_and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical("logical_and", a, b, |x, y| x && y)
}

/// `aten::logical_or`.
pub fn logical_or(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical("logical_or", a, b, |x, y| x || y)
}

/// `aten::logical_xor`.
pub fn logical_xor(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical("logical_xor", a, b, |x, y| x != y)
}

fn shift_impl(op: &'static str, a: &Tensor, b: Rhs<'_>, left: bool) -> Result<Tensor> {
    let dt = promoted(a, b);
    let a = a.try_to_dtype(op, dt)?;
    let bt;
    let b = match b {
        Rhs::Tensor(t) => {
            bt = t.try_to_dtype(op, dt)?;
            Rhs::Tensor(&bt)
        }
        s => s,
    };
    let bits = (dt.itemsize() * 8) as i64;
    dispatch!(dt,
        int T => zip_rhs::<T, T>(op, &a, b, move |x, y| {
            let (x, y) = (x.to_i64(), y.to_i64());
            // aten: an out-of-range shift gives 0 (left) or the sign fill (right).
            T::from_i64(if left {
                if (0..bits).contains(&y) { x << y } else { 0 }
            } else if (0..bits).contains(&y) { x >> y } else { x >> 63 })
        }),
        float F => { let _ = std::marker::PhantomData::<F>; Err(TensorError::Unsupported { op, dtype: dt }) },
        bool => Err(TensorError::Unsupported { op, dtype: dt }))
}

/// `aten::__lshift__.Tensor` (integers).
pub fn lshift(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    shift_impl("lshift_cpu", a, Rhs::Tensor(b), true)
}

/// `aten::__lshift__.Scalar`.
pub fn lshift_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    shift_impl("lshift_cpu", a, Rhs::Scalar(s), true)
}

/// `aten::__rshift__.Tensor` (arithmetic shift for signed integers).
pub fn rshift(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    shift_impl("rshift_cpu", a, Rhs::Tensor(b), false)
}

/// `aten::__rshift__.Scalar`.
pub fn rshift_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    shift_impl("rshift_cpu", a, Rhs::Scalar(s), false)
}

/// `aten::addcmul`: `self + value * t1 * t2`, evaluated as `self + (value * t1) * t2`.
pub fn addcmul(a: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    add(a, &mul(&mul_scalar(t1, value)?, t2)?, Scalar::Int(1))
}

/// `aten::addcdiv`: `self + value * t1 / t2` (integer division is rejected, as in aten).
pub fn addcdiv(a: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    if !t1.dtype().is_floating() && !t2.dtype().is_floating() {
        return Err(crate::error::invalid(
            "addcdiv",
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.",
        ));
    }
    add(
        a,
        &crate::ops::binary::div(&mul_scalar(t1, value)?, t2)?,
        Scalar::Int(1),
    )
}

/// `aten::lerp.Scalar`: `weight < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)`.
pub fn lerp_scalar(a: &Tensor, b: &Tensor, w: Scalar) -> Result<Tensor> {
    let wv = w.to_f64();
    let dt = promoted(a, Rhs::Tensor(b));
    let (a, b) = (
        a.try_to_dtype("lerp_scalar", dt)?,
        b.try_to_dtype("lerp_scalar", dt)?,
    );
    dispatch_float!(dt, F => {
        let wf = F::from_f64(wv);
        let one = F::from_f64(1.0);
        zip_rhs::<F, F>("lerp", &a, Rhs::Tensor(&b), move |x, y| {
            let diff = F::from_f64(y.to_f64() - x.to_f64());
            lerp_one(x, y, diff, wf, one)
        })
    }, other => Err(TensorError::Unsupported { op: "lerp_kernel_scalar", dtype: dt }))
}

/// One element of aten's `lerp`, in `F` (each operation rounded to `F`).
fn lerp_one<F: Float>(x: F, y: F, diff: F, w: F, one: F) -> F {
    let r = |v: f64| F::from_f64(v);
    if w.to_f64().abs() < 0.5 {
        r(x.to_f64() + r(w.to_f64() * diff.to_f64()).to_f64())
    } else {
        r(y.to_f64() - r(diff.to_f64() * r(one.to_f64() - w.to_f64()).to_f64()).to_f64())
    }
}

/// `aten::lerp.Tensor`: as [`lerp_scalar`] with a broadcast weight tensor.
pub fn lerp_tensor(a: &Tensor, b: &Tensor, w: &Tensor) -> Result<Tensor> {
    // Broadcast the three by adding zeros, then compute element by element.
    let dt = promoted(a, Rhs::Tensor(b));
    let z = Tensor::try_zeros("lerp_tensor", &[], dt)?;
    let shape = sub(
        &add(&add(a, b, Scalar::Int(1))?, w, Scalar::Int(1))?,
        &z,
        Scalar::Int(1),
    )?;
    let bc = |t: &Tensor| -> Result<Tensor> {
        let dims: Vec<i64> = shape.shape().iter().map(|&s| s as i64).collect();
        crate::ops::shape::expand(&t.try_to_dtype("lerp_tensor", dt)?, &dims)?
            .try_contiguous("lerp_tensor")
    };
    let (a, b, w) = (bc(a)?, bc(b)?, bc(w)?);
    dispatch_float!(dt, F => {
        let (av, bv, wv) = (a.try_to_vec::<F>("lerp_tensor")?, b.try_to_vec::<F>("lerp_tensor")?, w.try_to_vec::<F>("lerp_tensor")?);
        let one = F::from_f64(1.0);
        let out: Vec<F> = av.iter().zip(&bv).zip(&wv).map(|((&x, &y), &wt)| {
            let diff = F::from_f64(y.to_f64() - x.to_f64());
            lerp_one(x, y, diff, wt, one)
        }).collect();
        Tensor::from_vec(out, a.shape())
    }, other => Err(TensorError::Unsupported { op: "lerp_kernel_tensor", dtype: dt }))
}
