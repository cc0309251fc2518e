//! Activation functions of `torch.nn.functional` (`hardtanh`, `relu6`,
//! `hardswish`, `hardsigmoid`, `silu`, `mish`, `leaky_relu`, `elu`, `selu`,
//! `celu`, `softplus`, `threshold`, `log_sigmoid`), with their in-place forms.
//!
//! Each is computed in f64 and rounded once to the input's float dtype, which
//! stays within an ulp of aten's float32 kernels.

use crate::ops::binary::write_back;
use crate::ops::elementwise::map;
use crate::ops::num::dispatch_float;
use crate::{DType, Element, Result, Scalar, Tensor, TensorError};

/// Applies `f` element-wise to a float tensor, keeping its dtype.
fn fmap(op: &'static str, a: &Tensor, f: impl Fn(f64) -> f64 + Sync) -> Result<Tensor> {
    dispatch_float!(a.dtype(), F => map::<F, F>(op, a, move |x| F::from_f64(f(x.to_f64()))),
        other => Err(TensorError::Unsupported { op, dtype: a.dtype() }))
}

/// `aten::hardtanh(self, min_val=-1, max_val=1)`: clamp, NaN kept.
pub fn hardtanh(a: &Tensor, min: Scalar, max: Scalar) -> Result<Tensor> {
    let (lo, hi) = (min.to_f64(), max.to_f64());
    if !a.dtype().is_floating() {
        return crate::ops::unary::clamp(a, Some(min), Some(max));
    }
    if a.dtype() == DType::F32 {
        // A clamp is exact in float32 (aten converts the bounds to the input's type too), and
        // without the f64 round trip it vectorises: ReLU6 is on every MobileNet activation.
        let (lo, hi) = (lo as f32, hi as f32);
        return map::<f32, f32>("hardtanh", a, move |x| clamp32(x, lo, hi));
    }
    fmap("hardtanh", a, move |x| {
        if x < lo {
            lo
        } else if x > hi {
            hi
        } else {
            x
        }
    })
}

/// NaN-keeping clamp (`x` when it is NaN).
#[inline(always)]
fn clamp32(x: f32, lo: f32, hi: f32) -> f32 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `aten::hardtanh_`: in place on a contiguous float32 tensor, no temporary.
pub fn hardtanh_(a: &Tensor, min: Scalar, max: Scalar) -> Result<Tensor> {
    let (lo, hi) = (min.to_f64() as f32, max.to_f64() as f32);
    if a.dtype() == DType::F32
        && crate::ops::elementwise::map_inplace_contiguous::<f32>(a, |x| clamp32(x, lo, hi))
    {
        return Ok(a.clone());
    }
    write_back("hardtanh_", a, &hardtanh(a, min, max)?)
}

/// `aten::relu6` (`hardtanh(x, 0, 6)`).
pub fn relu6(a: &Tensor) -> Result<Tensor> {
    hardtanh(a, Scalar::Int(0), Scalar::Int(6))
}

/// `aten::hardswish`: `x * relu6(x + 3) / 6`.
pub fn hardswish(a: &Tensor) -> Result<Tensor> {
    fmap("hardswish", a, |x| x * (x + 3.0).clamp(0.0, 6.0) / 6.0)
}

/// `aten::hardsigmoid`: `relu6(x + 3) / 6`.
pub fn hardsigmoid(a: &Tensor) -> Result<Tensor> {
    fmap("hardsigmoid", a, |x| (x + 3.0).clamp(0.0, 6.0) / 6.0)
}

/// `aten::silu`: `x * sigmoid(x)`.
pub fn silu(a: &Tensor) -> Result<Tensor> {
    fmap("silu", a, |x| x / (1.0 + (-x).exp()))
}

/// `aten::mish`: `x * tanh(softplus(x))`.
pub fn mish(a: &Tensor) -> Result<Tensor> {
    fmap("mish", a, |x| x * x.exp().ln_1p().tanh())
}

/// `aten::leaky_relu(self, negative_slope=0.01)`.
pub fn leaky_relu(a: &Tensor, slope: Scalar) -> Result<Tensor> {
    let s = slope.to_f64();
    fmap("leaky_relu", a, move |x| if x > 0.0 { x } else { x * s })
}

/// `aten::elu(self, alpha=1, scale=1, input_scale=1)`.
pub fn elu(a: &Tensor, alpha: Scalar, scale: Scalar, input_scale: Scalar) -> Result<Tensor> {
    let (al, sc, is) = (alpha.to_f64(), scale.to_f64(), input_scale.to_f64());
    fmap("elu", a, move |x| {
        if x > 0.0 {
            x * sc
        } else {
            al * sc * ((x * is).exp() - 1.0)
        }
    })
}

/// `aten::selu`.
pub fn selu(a: &Tensor) -> Result<Tensor> {
    const ALPHA: f64 = 1.673_263_242_354_377_3;
    const SCALE: f64 = 1.050_700_987_355_480_5;
    elu(
        a,
        Scalar::Float(ALPHA),
        Scalar::Float(SCALE),
        Scalar::Int(1),
    )
}

/// `aten::celu(self, alpha=1)`.
pub fn celu(a: &Tensor, alpha: Scalar) -> Result<Tensor> {
    let al = alpha.to_f64();
    elu(a, alpha, Scalar::Int(1), Scalar::Float(1.0 / al))
}

/// `aten::softplus(self, beta=1, threshold=20)`: linear above `threshold / beta`.
pub fn softplus(a: &Tensor, beta: Scalar, threshold: Scalar) -> Result<Tensor> {
    let (b, t) = (beta.to_f64(), threshold.to_f64());
    fmap("softplus", a, move |x| {
        if x * b > t {
            x
        } else {
            (x * b).exp().ln_1p() / b
        }
    })
}

/// `aten::threshold(self, threshold, value)`: `x > threshold ? x : value`.
pub fn threshold(a: &Tensor, threshold: Scalar, value: Scalar) -> Result<Tensor> {
    let (t, v) = (threshold.to_f64(), value.to_f64());
    fmap("threshold", a, move |x| if x > t { x } else { v })
}

/// `aten::log_sigmoid`: `-softplus(-x)`, computed stably.
pub fn log_sigmoid(a: &Tensor) -> Result<Tensor> {
    fmap("log_sigmoid", a, |x| x.min(0.0) - (-x.abs()).exp().ln_1p())
}

/// `aten::softsign`-like helper used by `F.softsign` scripts: `x / (1 + |x|)`.
pub fn softsign(a: &Tensor) -> Result<Tensor> {
    fmap("softsign", a, |x| x / (1.0 + x.abs()))
}

/// In-place form of any activation above: computes out of place, writes back.
pub fn inplace(
    op: &'static str,
    a: &Tensor,
    f: impl Fn(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    write_back(op, a, &f(a)?)
}
