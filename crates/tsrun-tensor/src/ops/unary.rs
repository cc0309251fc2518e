//! Element-wise unary ops (`aten::neg`, `relu`, `tanh`, `exp`, `clamp`, `gelu`...).
//!
//! Float-valued functions of integer or bool inputs return the default float
//! dtype (float32), as aten's `unary_float_op` structured kernels do.
//! float32 math runs in f32 (Rust's libm, or for `exp`/`sigmoid`/`tanh` the vectorised
//! polynomials of `vmath`), matching PyTorch to within a few ulp.

use crate::error::invalid;
use crate::ops::binary::write_back;
use crate::ops::elementwise::map;
use crate::ops::num::{dispatch, dispatch_float, dispatch_num, Float, Num};
use crate::promote::{result_type, Operand, DEFAULT_FLOAT};
use crate::{DType, Element, Result, Scalar, Tensor, TensorError};

/// Applies a float function, promoting integral/bool inputs to float32 first.
pub(crate) fn float_unary(
    op: &'static str,
    a: &Tensor,
    f32f: fn(f32) -> f32,
    f64f: fn(f64) -> f64,
) -> Result<Tensor> {
    let dt = if a.dtype().is_floating() {
        a.dtype()
    } else {
        DEFAULT_FLOAT
    };
    let a = a.try_to_dtype(op, dt)?;
    dispatch_float!(dt, F => map::<F, F>(op, &a, move |x| x.fmap(f32f, f64f)),
        other => unreachable!("float_unary always runs in a float dtype"))
}

/// Like [`float_unary`], but float32 results (float32 inputs and promoted integers) go
/// through `vector`, a slice kernel from [`crate::vmath`] that runs eight lanes at a time.
fn vector_unary(
    op: &'static str,
    a: &Tensor,
    vector: fn(&mut [f32]),
    f32f: fn(f32) -> f32,
    f64f: fn(f64) -> f64,
) -> Result<Tensor> {
    if a.dtype().is_floating() && a.dtype() != DType::F32 {
        return float_unary(op, a, f32f, f64f);
    }
    let a = a.try_to_dtype(op, DType::F32)?;
    let mut v = match a.contiguous_data::<f32>() {
        Some(s) => {
            let mut v = crate::alloc::try_for_shape(op, a.shape())?;
            v.extend_from_slice(s);
            v
        }
        None => a.try_to_vec::<f32>(op)?,
    };
    crate::vmath::apply_parallel(&mut v, vector);
    Ok(Tensor::from_vec_shape(v, a.shape_vec()))
}

/// `aten::tanh`.
pub fn tanh(a: &Tensor) -> Result<Tensor> {
    vector_unary("tanh", a, crate::vmath::tanh_in_place, f32::tanh, f64::tanh)
}

/// `aten::sigmoid`: `1 / (1 + exp(-x))`.
pub fn sigmoid(a: &Tensor) -> Result<Tensor> {
    vector_unary(
        "sigmoid",
        a,
        crate::vmath::sigmoid_in_place,
        |x| 1.0 / (1.0 + (-x).exp()),
        |x| 1.0 / (1.0 + (-x).exp()),
    )
}

/// `aten::exp`.
pub fn exp(a: &Tensor) -> Result<Tensor> {
    vector_unary("exp", a, crate::vmath::exp_in_place, f32::exp, f64::exp)
}

/// `aten::log` (natural log; negative inputs give NaN).
pub fn log(a: &Tensor) -> Result<Tensor> {
    float_unary("log", a, f32::ln, f64::ln)
}

/// `aten::sqrt`.
pub fn sqrt(a: &Tensor) -> Result<Tensor> {
    float_unary("sqrt", a, f32::sqrt, f64::sqrt)
}

/// `aten::rsqrt`: `1 / sqrt(x)`.
pub fn rsqrt(a: &Tensor) -> Result<Tensor> {
    float_unary("rsqrt", a, |x| 1.0 / x.sqrt(), |x| 1.0 / x.sqrt())
}

/// `aten::sin`.
pub fn sin(a: &Tensor) -> Result<Tensor> {
    float_unary("sin", a, f32::sin, f64::sin)
}

/// `aten::cos`.
pub fn cos(a: &Tensor) -> Result<Tensor> {
    float_unary("cos", a, f32::cos, f64::cos)
}

/// `aten::reciprocal`: `1 / x`.
pub fn reciprocal(a: &Tensor) -> Result<Tensor> {
    float_unary("reciprocal", a, |x| 1.0 / x, |x| 1.0 / x)
}

/// `aten::neg`; bool tensors are rejected with PyTorch's message.
pub fn neg(a: &Tensor) -> Result<Tensor> {
    dispatch_num!(a.dtype(), T => map::<T, T>("neg", a, |x| x.wneg()), bool => Err(invalid(
        "neg",
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    )))
}

/// `aten::abs`.
pub fn abs(a: &Tensor) -> Result<Tensor> {
    dispatch_num!(a.dtype(), T => map::<T, T>("abs", a, |x| x.wabs()),
        bool => Err(TensorError::Unsupported { op: "abs_cpu", dtype: DType::Bool }))
}

/// `aten::relu` (`clamp_min(x, 0)`, so NaN stays NaN).
// For u8 the `< 0` test is trivially false; the generic code is still right.
#[allow(clippy::absurd_extreme_comparisons)]
pub fn relu(a: &Tensor) -> Result<Tensor> {
    dispatch_num!(a.dtype(), T => map::<T, T>("relu", a, |x| if x < T::ZERO { T::ZERO } else { x }),
        bool => Err(invalid("relu", "Boolean inputs not supported for relu")))
}

/// `aten::relu` into `out`, reusing its buffer when it solely owns one of the right size
/// (see [`Tensor::overwrite_as`]); any previous value of `out` is replaced.
pub fn relu_into(a: &Tensor, out: &mut Tensor) -> Result<()> {
    if a.dtype() == DType::F32 {
        if let Some(src) = a.contiguous_data::<f32>() {
            if let Some(dst) = out.overwrite_as::<f32>(a.shape()) {
                for (d, &x) in dst.iter_mut().zip(src) {
                    // `x < 0` keeps NaN as NaN, like aten.
                    *d = if x < 0.0 { 0.0 } else { x };
                }
                return Ok(());
            }
        }
    }
    *out = relu(a)?;
    Ok(())
}

/// `aten::relu_`: in place; returns `a`.
pub fn relu_(a: &Tensor) -> Result<Tensor> {
    if a.dtype() == DType::F32
        && crate::ops::elementwise::map_inplace_contiguous::<f32>(
            a,
            |x| if x < 0.0 { 0.0 } else { x },
        )
    {
        return Ok(a.clone());
    }
    write_back("relu_", a, &relu(a)?)
}

pub(crate) fn rounding(
    a: &Tensor,
    op: &'static str,
    f32f: fn(f32) -> f32,
    f64f: fn(f64) -> f64,
) -> Result<Tensor> {
    dispatch!(a.dtype(),
        int T => {
            // Integers are already integral: aten returns a copy.
            let _ = std::marker::PhantomData::<T>;
            a.try_materialize(op)
        },
        float F => map::<F, F>(op, a, move |x| x.fmap(f32f, f64f)),
        bool => Err(TensorError::Unsupported { op, dtype: DType::Bool }))
}

/// `aten::floor`.
pub fn floor(a: &Tensor) -> Result<Tensor> {
    rounding(a, "floor", f32::floor, f64::floor)
}

/// `aten::ceil`.
pub fn ceil(a: &Tensor) -> Result<Tensor> {
    rounding(a, "ceil", f32::ceil, f64::ceil)
}

/// `aten::round`: halves round to even (`std::nearbyint`).
pub fn round(a: &Tensor) -> Result<Tensor> {
    rounding(a, "round", f32::round_ties_even, f64::round_ties_even)
}

/// `aten::sign`: -1, 0 or 1 (NaN gives 0, as `(0 < x) - (x < 0)` does).
#[allow(clippy::absurd_extreme_comparisons)]
pub fn sign(a: &Tensor) -> Result<Tensor> {
    dispatch_num!(a.dtype(), T => map::<T, T>("sign", a, |x| {
        if T::ZERO < x { T::ONE } else if x < T::ZERO { T::ONE.wneg() } else { T::ZERO }
    }), bool => a.try_materialize("sign"))
}

/// `aten::logical_not`: `x == 0`, always bool.
pub fn logical_not(a: &Tensor) -> Result<Tensor> {
    Ok(crate::with_dtype!(a.dtype(), T => map::<T, bool>("logical_not", a, |x| !x.to_bool())?))
}

/// `aten::bitwise_not` (`~`): bool and integer tensors.
pub fn bitwise_not(a: &Tensor) -> Result<Tensor> {
    dispatch!(a.dtype(),
        int T => map::<T, T>("bitwise_not", a, |x| T::from_i64(!x.to_i64())),
        float F => {
            let _ = std::marker::PhantomData::<F>;
            Err(TensorError::Unsupported { op: "bitwise_not_cpu", dtype: a.dtype() })
        },
        bool => map::<bool, bool>("bitwise_not", a, |x| !x))
}

/// `aten::clamp(self, min, max)`: `min(max(x, min), max)`; NaN inputs stay NaN;
/// the result dtype promotes with the bounds (an int tensor with a float bound
/// gives float32).
pub fn clamp(a: &Tensor, min: Option<Scalar>, max: Option<Scalar>) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        return Err(invalid(
            "clamp",
            "torch.clamp: At least one of 'min' or 'max' must not be None",
        ));
    }
    let mut ops = vec![Operand::Tensor(a)];
    ops.extend(min.map(Operand::Scalar));
    ops.extend(max.map(Operand::Scalar));
    let dt = result_type(&ops);
    let a = a.try_to_dtype("clamp", dt)?;
    dispatch_num!(dt, T => {
        let lo = min.map(T::from_scalar);
        let hi = max.map(T::from_scalar);
        map::<T, T>("clamp", &a, move |x| {
            if x.isnan() {
                return x;
            }
            let mut v = x;
            if let Some(lo) = lo {
                v = if v < lo { lo } else { v };
            }
            if let Some(hi) = hi {
                v = if hi < v { hi } else { v };
            }
            v
        })
    }, bool => Err(TensorError::Unsupported { op: "clamp_scalar_cpu", dtype: dt }))
}

/// `aten::clamp_`: in place; returns `a`.
pub fn clamp_(a: &Tensor, min: Option<Scalar>, max: Option<Scalar>) -> Result<Tensor> {
    write_back("clamp_", a, &clamp(a, min, max)?)
}

/// `aten::gelu(self, approximate)`; `approximate` is `"none"` (erf form) or `"tanh"`.
pub fn gelu(a: &Tensor, approximate: &str) -> Result<Tensor> {
    let tanh_form = match approximate {
        "none" => false,
        "tanh" => true,
        _ => {
            return Err(invalid(
                "gelu",
                "approximate argument must be either none or tanh.",
            ))
        }
    };
    // Computed in f64 and rounded once: within an ulp of aten's f32 kernels.
    let f: fn(f64) -> f64 = if tanh_form {
        |x| {
            let k = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * x * (1.0 + (k * (x + 0.044715 * x * x * x)).tanh())
        }
    } else {
        |x| 0.5 * x * (1.0 + crate::math::erf(x * std::f64::consts::FRAC_1_SQRT_2))
    };
    dispatch_float!(a.dtype(), F => map::<F, F>("gelu", a, move |x| F::from_f64(f(x.to_f64()))),
        other => Err(TensorError::Unsupported { op: "GeluKernelImpl", dtype: a.dtype() }))
}
