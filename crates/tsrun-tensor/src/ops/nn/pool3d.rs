//! 3-d pooling: `aten::avg_pool3d` and `aten::adaptive_avg_pool3d` over `[C, D, H, W]` or
//! `[N, C, D, H, W]` inputs, computed in f64 and rounded once to the input dtype.

use super::pool::{adaptive_range, pool_out};
use super::{compute_dtype, expand_param};
use crate::error::invalid;
use crate::{Result, Tensor};

/// The planes (`N*C`), the spatial sizes and the leading output dims of a 4-d/5-d input.
fn planes(op: &'static str, x: &Tensor) -> Result<(usize, [usize; 3], Vec<usize>)> {
    let nd = x.dim();
    if nd != 4 && nd != 5 {
        return Err(invalid(
            op,
            format!(
                "non-empty 4D or 5D (batch mode) tensor expected for input, but got {:?}",
                x.shape()
            ),
        ));
    }
    let s = x.shape();
    let sp = [s[nd - 3], s[nd - 2], s[nd - 1]];
    Ok((s[..nd - 3].iter().product(), sp, s[..nd - 3].to_vec()))
}

/// `aten::avg_pool3d`; an empty `stride` means the kernel size.
#[allow(clippy::too_many_arguments)]
pub fn avg_pool3d(
    x: &Tensor,
    kernel: &[i64],
    stride: &[i64],
    padding: &[i64],
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> Result<Tensor> {
    let op = "avg_pool3d";
    compute_dtype(op, x.dtype())?;
    if divisor_override == Some(0) {
        return Err(invalid(op, "divisor must be not zero"));
    }
    let k = expand_param(op, "kernel_size", kernel, 3, 1)?;
    let s = if stride.is_empty() {
        k.clone()
    } else {
        expand_param(op, "stride", stride, 3, 1)?
    };
    let p = expand_param(op, "padding", padding, 3, 0)?;
    let (np, sp, mut shape) = planes(op, x)?;
    let mut o = [0usize; 3];
    for d in 0..3 {
        o[d] = pool_out(op, sp[d], k[d], p[d], s[d], 1, ceil_mode)?;
    }
    shape.extend(o);
    let src = x.try_to_vec::<f64>(op)?;
    let plane = sp[0] * sp[1] * sp[2];
    let mut out = crate::alloc::try_for_shape(op, &[np, o[0], o[1], o[2]])?;
    for n in 0..np {
        let src = &src[n * plane..(n + 1) * plane];
        for od in 0..o[0] {
            for oh in 0..o[1] {
                for ow in 0..o[2] {
                    // As aten's AvgPoolKernel: the window may pass the padding under
                    // ceil_mode; count_include_pad counts up to the padding.
                    let mut lo = [0i64; 3];
                    let mut hi = [0i64; 3];
                    let mut pool = 1;
                    for (d, oi) in [od, oh, ow].into_iter().enumerate() {
                        lo[d] = (oi * s[d]) as i64 - p[d] as i64;
                        hi[d] = (lo[d] + k[d] as i64).min((sp[d] + p[d]) as i64);
                        pool *= hi[d] - lo[d];
                        lo[d] = lo[d].max(0);
                        hi[d] = hi[d].min(sp[d] as i64);
                    }
                    let mut sum = 0.0;
                    for i in lo[0]..hi[0] {
                        for j in lo[1]..hi[1] {
                            for l in lo[2]..hi[2] {
                                sum += src[(i as usize * sp[1] + j as usize) * sp[2] + l as usize];
                            }
                        }
                    }
                    let div = match divisor_override {
                        Some(d) => d,
                        None if count_include_pad => pool,
                        None => (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]),
                    };
                    out.push(if div == 0 { f64::NAN } else { sum / div as f64 });
                }
            }
        }
    }
    Tensor::from_vec(out, &shape)?.try_to_dtype("avg_pool3d", x.dtype())
}

/// `aten::adaptive_avg_pool3d`.
pub fn adaptive_avg_pool3d(x: &Tensor, output_size: &[i64]) -> Result<Tensor> {
    let op = "adaptive_avg_pool3d";
    compute_dtype(op, x.dtype())?;
    if output_size.len() != 3 {
        return Err(invalid(op, "adaptive_avg_pool3d: output_size must be 3"));
    }
    let o = expand_param(op, "output_size", output_size, 3, 0)?;
    let (np, sp, mut shape) = planes(op, x)?;
    shape.extend(o.iter().copied());
    let src = x.try_to_vec::<f64>(op)?;
    let plane = sp[0] * sp[1] * sp[2];
    let mut out = crate::alloc::try_for_shape(op, &[np, o[0], o[1], o[2]])?;
    for n in 0..np {
        let src = &src[n * plane..(n + 1) * plane];
        for od in 0..o[0] {
            let (d0, d1) = adaptive_range(od, o[0], sp[0]);
            for oh in 0..o[1] {
                let (h0, h1) = adaptive_range(oh, o[1], sp[1]);
                for ow in 0..o[2] {
                    let (w0, w1) = adaptive_range(ow, o[2], sp[2]);
                    let mut sum = 0.0;
                    for i in d0..d1 {
                        for j in h0..h1 {
                            for l in w0..w1 {
                                sum += src[(i * sp[1] + j) * sp[2] + l];
                            }
                        }
                    }
                    out.push(sum / ((d1 - d0) * (h1 - h0) * (w1 - w0)) as f64);
                }
            }
        }
    }
    Tensor::from_vec(out, &shape)?.try_to_dtype("adaptive_avg_pool3d", x.dtype())
}
