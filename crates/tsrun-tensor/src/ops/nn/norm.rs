//! Normalization: `batch_norm` (inference, or batch statistics without
//! running stats), `layer_norm`, `group_norm`. Statistics accumulate in f64;
//! the affine transform follows aten's `x * alpha + beta` form.

use rayon::prelude::*;

use super::{compute_dtype, dense, elems, with_real, Real};
use crate::error::{invalid, shape_err};
use crate::{Result, Tensor};

const PAR_ELEMS: usize = 1 << 15;

/// Optional per-channel parameter of length `c` as f64 values.
fn channel_param(
    op: &'static str,
    what: &str,
    t: Option<&Tensor>,
    c: usize,
    default: f64,
) -> Result<Vec<f64>> {
    match t {
        None => Ok(vec![default; c]),
        Some(t) => {
            if t.numel() != c {
                return Err(shape_err(
                    op,
                    format!("{what} should contain {c} elements not {}", t.numel()),
                ));
            }
            t.try_to_vec::<f64>(op)
        }
    }
}

/// Mean and biased variance of a slice, accumulated in f64.
fn moments<T: Real>(s: &[T]) -> (f64, f64) {
    if s.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = s.len() as f64;
    let mean = s.iter().map(|v| v.f()).sum::<f64>() / n;
    let var = s
        .iter()
        .map(|v| (v.f() - mean) * (v.f() - mean))
        .sum::<f64>()
        / n;
    (mean, var)
}

/// `aten::batch_norm`. With `training == false` (or no running stats), this is
/// the inference transform; training with running stats would update them in
/// place, which tsrun (inference only) refuses.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    training: bool,
    eps: f64,
) -> Result<Tensor> {
    let op = "batch_norm";
    let cd = compute_dtype(op, x.dtype())?;
    if x.dim() < 2 {
        return Err(invalid(
            op,
            format!("expected 2D or more input (got {}D input)", x.dim()),
        ));
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let inner: usize = x.shape()[2..].iter().product();
    if training && (running_mean.is_some() || running_var.is_some()) {
        return Err(invalid(
            op,
            "training-mode batch_norm with running statistics is not supported (tsrun runs inference; call .eval() before saving)",
        ));
    }
    let w = channel_param(op, "weight", weight, c, 1.0)?;
    let b = channel_param(op, "bias", bias, c, 0.0)?;
    let xd = dense(op, x, cd)?;
    let y = with_real!(cd, T => {
        let xs = elems::<T>(&xd);
        let (mean, var) = match (running_mean, running_var) {
            (Some(m), Some(v)) if !training => (
                channel_param(op, "running_mean", Some(m), c, 0.0)?,
                channel_param(op, "running_var", Some(v), c, 1.0)?,
            ),
            (None, None) => {
                let mut mean = vec![0.0; c];
                let mut var = vec![0.0; c];
                let cnt = (n * inner) as f64;
                for ch in 0..c {
                    let vals = (0..n).flat_map(|ni| xs[(ni * c + ch) * inner..(ni * c + ch + 1) * inner].iter());
                    let m = vals.clone().map(|v| v.f()).sum::<f64>() / cnt;
                    mean[ch] = m;
                    var[ch] = vals.map(|v| (v.f() - m) * (v.f() - m)).sum::<f64>() / cnt;
                }
                (mean, var)
            }
            _ => return Err(invalid(op, "running_mean and running_var must be given together")),
        };
        let ab: Vec<(T, T)> = (0..c)
            .map(|ch| {
                let inv = T::of(1.0) / T::of(var[ch] + eps).sqrt();
                let alpha = inv * T::of(w[ch]);
                (alpha, T::of(b[ch]) - T::of(mean[ch]) * alpha)
            })
            .collect();
        let mut out = crate::alloc::try_filled(op, xs.len(), T::of(0.0))?;
        if inner > 0 {
            let body = |(i, dst): (usize, &mut [T])| {
                let (a, bb) = ab[i % c];
                for (d, &s) in dst.iter_mut().zip(&xs[i * inner..(i + 1) * inner]) {
                    *d = s * a + bb;
                }
            };
            if out.len() > PAR_ELEMS {
                out.par_chunks_mut(inner).enumerate().for_each(body);
            } else {
                out.chunks_mut(inner).enumerate().for_each(body);
            }
        }
        Tensor::from_vec(out, x.shape())?
    });
    y.try_to_dtype("batch_norm", x.dtype())
}

/// `aten::layer_norm`: normalizes over the trailing `normalized_shape` dims.
pub fn layer_norm(
    x: &Tensor,
    normalized_shape: &[i64],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    let op = "layer_norm";
    let cd = compute_dtype(op, x.dtype())?;
    let k = normalized_shape.len();
    let nd = x.dim();
    let tail_ok = k >= 1
        && k <= nd
        && x.shape()[nd - k..]
            .iter()
            .zip(normalized_shape)
            .all(|(&a, &b)| a as i64 == b);
    if !tail_ok {
        return Err(shape_err(
            op,
            format!(
                "Given normalized_shape={normalized_shape:?}, expected input with shape [*, {}], but got input of size{:?}",
                normalized_shape.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "),
                x.shape()
            ),
        ));
    }
    let inner: usize = x.shape()[nd - k..].iter().product();
    let w = channel_param(op, "weight", weight, inner, 1.0)?;
    let b = channel_param(op, "bias", bias, inner, 0.0)?;
    let xd = dense(op, x, cd)?;
    let y = with_real!(cd, T => {
        let xs = elems::<T>(&xd);
        let (w, b): (Vec<T>, Vec<T>) = (w.iter().map(|&v| T::of(v)).collect(), b.iter().map(|&v| T::of(v)).collect());
        let mut out = crate::alloc::try_filled(op, xs.len(), T::of(0.0))?;
        if inner > 0 {
            let body = |(i, dst): (usize, &mut [T])| {
                let src = &xs[i * inner..(i + 1) * inner];
                let (mean, var) = moments(src);
                let rstd = 1.0 / (var.max(0.0) + eps).sqrt();
                let (scale, shift) = (T::of(rstd), T::of(-rstd * mean));
                for j in 0..inner {
                    dst[j] = (src[j] * scale + shift) * w[j] + b[j];
                }
            };
            if out.len() > PAR_ELEMS {
                out.par_chunks_mut(inner).enumerate().for_each(body);
            } else {
                out.chunks_mut(inner).enumerate().for_each(body);
            }
        }
        Tensor::from_vec(out, x.shape())?
    });
    y.try_to_dtype("layer_norm", x.dtype())
}

/// `aten::group_norm`: `[N, C, *]` normalized per (sample, group of channels).
pub fn group_norm(
    x: &Tensor,
    groups: i64,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    let op = "group_norm";
    let cd = compute_dtype(op, x.dtype())?;
    if x.dim() < 2 {
        return Err(invalid(
            op,
            "Expected at least 2 dimensions for input tensor",
        ));
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    if groups <= 0 || !c.is_multiple_of(groups as usize) {
        return Err(invalid(
            op,
            format!("Expected number of channels in input to be divisible by num_groups, but got input of shape {:?} and num_groups={groups}", x.shape()),
        ));
    }
    let g = groups as usize;
    let inner: usize = x.shape()[2..].iter().product();
    let w = channel_param(op, "weight", weight, c, 1.0)?;
    let b = channel_param(op, "bias", bias, c, 0.0)?;
    let xd = dense(op, x, cd)?;
    let y = with_real!(cd, T => {
        let xs = elems::<T>(&xd);
        let mut out = crate::alloc::try_filled(op, xs.len(), T::of(0.0))?;
        let per = c / g * inner;
        if per > 0 {
            for (i, dst) in out.chunks_mut(per).enumerate() {
                let src = &xs[i * per..(i + 1) * per];
                let (mean, var) = moments(src);
                let rstd = 1.0 / (var.max(0.0) + eps).sqrt();
                let c0 = (i % g) * (c / g);
                for (j, d) in dst.iter_mut().enumerate() {
                    let ch = c0 + j / inner.max(1);
                    let a = rstd * w[ch];
                    *d = src[j] * T::of(a) + T::of(b[ch] - mean * a);
                }
            }
        }
        let _ = n;
        Tensor::from_vec(out, x.shape())?
    });
    y.try_to_dtype("group_norm", x.dtype())
}
