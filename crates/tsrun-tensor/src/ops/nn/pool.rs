//! 2-d pooling: `max_pool2d`, `avg_pool2d`, `adaptive_avg_pool2d`,
//! `adaptive_max_pool2d` (and 1-d max/avg pooling through a height of 1).
//! Output sizes follow aten's `pooling_output_shape` (ceil_mode included).

use rayon::prelude::*;

use super::pool_max::{max_plane, MaxGeom};
use super::{compute_dtype, dense, elems, expand_param, with_real, Real};
use crate::error::invalid;
use crate::ops::shape::{squeeze_dim, unsqueeze};
use crate::{Result, Tensor};

const PAR_ELEMS: usize = 1 << 15;

/// aten's `pooling_output_shape`.
pub(crate) fn pool_out(
    op: &'static str,
    inp: usize,
    k: usize,
    pad: usize,
    s: usize,
    d: usize,
    ceil: bool,
) -> Result<usize> {
    if pad * 2 > k {
        return Err(invalid(
            op,
            format!("pad should be at most half of effective kernel size, but got pad={pad}, kernel_size={k} and dilation={d}"),
        ));
    }
    let num = inp as i64 + 2 * pad as i64 - (d * (k - 1)) as i64 - 1
        + if ceil { s as i64 - 1 } else { 0 };
    let mut out = num.div_euclid(s as i64) + 1;
    if ceil && (out - 1) * s as i64 >= inp as i64 + pad as i64 {
        out -= 1;
    }
    if out <= 0 {
        return Err(invalid(
            op,
            format!("Given input size: ({inp}). Calculated output size: ({out}). Output size is too small"),
        ));
    }
    Ok(out as usize)
}

/// Views `x` as `[planes, h, w]` and returns (planes, h, w, output-shape prefix).
fn planes(
    op: &'static str,
    x: &Tensor,
    spatial: usize,
) -> Result<(usize, usize, usize, Vec<usize>)> {
    let nd = x.dim();
    if nd != spatial + 1 && nd != spatial + 2 {
        return Err(invalid(
            op,
            format!(
                "Expected {}D or {}D input tensor, but got {:?}",
                spatial + 1,
                spatial + 2,
                x.shape()
            ),
        ));
    }
    let sh = x.shape();
    let (h, w) = if spatial == 2 {
        (sh[nd - 2], sh[nd - 1])
    } else {
        (1, sh[nd - 1])
    };
    let prefix = sh[..nd - spatial].to_vec();
    Ok((prefix.iter().product(), h, w, prefix))
}

/// Pooling geometry.
#[derive(Clone, Copy)]
struct Win {
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    ph: usize,
    pw: usize,
    dh: usize,
    dw: usize,
}

fn window(op: &'static str, k: &[i64], s: &[i64], p: &[i64], d: &[i64], n: usize) -> Result<Win> {
    let k = expand_param(op, "kernel_size", k, n, 1)?;
    let s = if s.is_empty() {
        k.clone()
    } else {
        expand_param(op, "stride", s, n, 1)?
    };
    let p = expand_param(op, "padding", p, n, 0)?;
    let d = expand_param(op, "dilation", d, n, 1)?;
    Ok(if n == 2 {
        Win {
            kh: k[0],
            kw: k[1],
            sh: s[0],
            sw: s[1],
            ph: p[0],
            pw: p[1],
            dh: d[0],
            dw: d[1],
        }
    } else {
        Win {
            kh: 1,
            kw: k[0],
            sh: 1,
            sw: s[0],
            ph: 0,
            pw: p[0],
            dh: 1,
            dw: d[0],
        }
    })
}

/// Maps every output plane in parallel (when large) with `f(src_plane, dst_plane)`.
/// The output is a checked allocation of `[np, oh, ow]` (`op` names the kernel in the error):
/// adaptive pooling takes its output size from the model.
fn per_plane<T: Real>(
    op: &'static str,
    x: &[T],
    np: usize,
    in_len: usize,
    [oh, ow]: [usize; 2],
    f: impl Fn(&[T], &mut [T]) + Sync,
) -> Result<Vec<T>> {
    let mut out = crate::alloc::try_filled_for_shape(op, &[np, oh, ow], T::of(0.0))?;
    let out_len = oh * ow;
    if out_len == 0 {
        return Ok(out);
    }
    let body = |(i, dst): (usize, &mut [T])| f(&x[i * in_len..(i + 1) * in_len], dst);
    if out.len() > PAR_ELEMS {
        out.par_chunks_mut(out_len).enumerate().for_each(body);
    } else {
        out.chunks_mut(out_len).enumerate().for_each(body);
    }
    Ok(out)
}

/// `aten::max_pool2d` (`spatial == 2`) and `aten::max_pool1d` (`spatial == 1`).
/// NaN propagates, as in aten. The plane kernel is [`super::pool_max`].
#[allow(clippy::too_many_arguments)]
pub fn max_pool(
    x: &Tensor,
    spatial: usize,
    kernel: &[i64],
    stride: &[i64],
    padding: &[i64],
    dilation: &[i64],
    ceil_mode: bool,
) -> Result<Tensor> {
    let op = if spatial == 2 {
        "max_pool2d"
    } else {
        "max_pool1d"
    };
    let cd = compute_dtype(op, x.dtype())?;
    let (np, h, w, mut shape) = planes(op, x, spatial)?;
    let g = window(op, kernel, stride, padding, dilation, spatial)?;
    let oh = pool_out(op, h, g.kh, g.ph, g.sh, g.dh, ceil_mode)?;
    let ow = pool_out(op, w, g.kw, g.pw, g.sw, g.dw, ceil_mode)?;
    let xd = dense(op, x, cd)?;
    if spatial == 2 {
        shape.extend([oh, ow]);
    } else {
        shape.push(ow);
    }
    let y = with_real!(cd, T => {
        let geom = MaxGeom {
            h,
            w,
            oh,
            ow,
            k: [g.kh, g.kw],
            s: [g.sh, g.sw],
            p: [g.ph, g.pw],
            d: [g.dh, g.dw],
        };
        let out = per_plane(op, elems::<T>(&xd), np, h * w, [oh, ow], |src, dst| {
            max_plane(src, dst, &geom)
        })?;
        Tensor::from_vec(out, &shape)?
    });
    y.try_to_dtype("max_pool", x.dtype())
}

/// `aten::avg_pool2d` / `aten::avg_pool1d` (`divisor_override` only for 2-d).
#[allow(clippy::too_many_arguments)]
pub fn avg_pool(
    x: &Tensor,
    spatial: usize,
    kernel: &[i64],
    stride: &[i64],
    padding: &[i64],
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> Result<Tensor> {
    let op = if spatial == 2 {
        "avg_pool2d"
    } else {
        "avg_pool1d"
    };
    let cd = compute_dtype(op, x.dtype())?;
    if divisor_override == Some(0) {
        return Err(invalid(op, "divisor must be not zero"));
    }
    let (np, h, w, mut shape) = planes(op, x, spatial)?;
    let g = window(op, kernel, stride, padding, &[1], spatial)?;
    let oh = pool_out(op, h, g.kh, g.ph, g.sh, 1, ceil_mode)?;
    let ow = pool_out(op, w, g.kw, g.pw, g.sw, 1, ceil_mode)?;
    let xd = dense(op, x, cd)?;
    if spatial == 2 {
        shape.extend([oh, ow]);
    } else {
        shape.push(ow);
    }
    let y = with_real!(cd, T => {
        let out = per_plane(op, elems::<T>(&xd), np, h * w, [oh, ow], |src, dst| {
            for oy in 0..oh {
                for ox in 0..ow {
                    // aten's AvgPoolKernel: the window may extend past the padding
                    // when ceil_mode is set; count_include_pad counts up to the padding.
                    let hs = (oy * g.sh) as i64 - g.ph as i64;
                    let ws = (ox * g.sw) as i64 - g.pw as i64;
                    let he = (hs + g.kh as i64).min((h + g.ph) as i64);
                    let we = (ws + g.kw as i64).min((w + g.pw) as i64);
                    let pool = (he - hs) * (we - ws);
                    let (hs, ws) = (hs.max(0), ws.max(0));
                    let (he, we) = (he.min(h as i64), we.min(w as i64));
                    let mut s = T::of(0.0);
                    for iy in hs..he {
                        for ix in ws..we {
                            s += src[iy as usize * w + ix as usize];
                        }
                    }
                    let div = match divisor_override {
                        Some(d) => d,
                        None if count_include_pad => pool,
                        None => (he - hs) * (we - ws),
                    };
                    dst[oy * ow + ox] = if div == 0 { T::of(f64::NAN) } else { s / T::of(div as f64) };
                }
            }
        })?;
        Tensor::from_vec(out, &shape)?
    });
    y.try_to_dtype("avg_pool", x.dtype())
}

pub(crate) fn adaptive_range(o: usize, out: usize, inp: usize) -> (usize, usize) {
    let start = (o * inp) / out;
    let end = ((o + 1) * inp).div_ceil(out);
    (start, end)
}

/// `aten::adaptive_avg_pool2d` (`spatial == 2`) / `adaptive_avg_pool1d`.
pub fn adaptive_avg_pool(x: &Tensor, spatial: usize, output_size: &[i64]) -> Result<Tensor> {
    adaptive(x, spatial, output_size, false).map(|(y, _)| y)
}

/// `aten::adaptive_max_pool2d` / `adaptive_max_pool1d`: values and flat indices.
pub fn adaptive_max_pool(
    x: &Tensor,
    spatial: usize,
    output_size: &[i64],
) -> Result<(Tensor, Tensor)> {
    let (y, i) = adaptive(x, spatial, output_size, true)?;
    Ok((
        y,
        match i {
            Some(i) => i,
            None => Tensor::try_zeros("adaptive_max_pool", &[0], crate::DType::I64)?,
        },
    ))
}

fn adaptive(
    x: &Tensor,
    spatial: usize,
    output_size: &[i64],
    max: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let op = if max {
        "adaptive_max_pool2d"
    } else {
        "adaptive_avg_pool2d"
    };
    let cd = compute_dtype(op, x.dtype())?;
    let (np, h, w, mut shape) = planes(op, x, spatial)?;
    let os = expand_param(op, "output_size", output_size, spatial, 0)?;
    let (oh, ow) = if spatial == 2 {
        (os[0], os[1])
    } else {
        (1, os[0])
    };
    if (h == 0 || w == 0) && np > 0 {
        return Err(invalid(op, "adaptive pooling needs non-empty spatial dims"));
    }
    let xd = dense(op, x, cd)?;
    if spatial == 2 {
        shape.extend([oh, ow]);
    } else {
        shape.push(ow);
    }
    let res = with_real!(cd, T => {
        let src_all = elems::<T>(&xd);
        let mut idx = if max {
            crate::alloc::try_filled_for_shape(op, &[np, oh, ow], 0i64)?
        } else {
            Vec::new()
        };
        let out = per_plane(op, src_all, np, h * w, [oh, ow], |src, dst| {
            for oy in 0..oh {
                let (y0, y1) = adaptive_range(oy, oh, h);
                for ox in 0..ow {
                    let (x0, x1) = adaptive_range(ox, ow, w);
                    if max {
                        let mut m = T::of(f64::NEG_INFINITY);
                        for iy in y0..y1 {
                            for ix in x0..x1 {
                                let v = src[iy * w + ix];
                                if v > m || v.nan() {
                                    m = v;
                                }
                            }
                        }
                        dst[oy * ow + ox] = m;
                    } else {
                        let mut s = T::of(0.0);
                        for iy in y0..y1 {
                            for ix in x0..x1 {
                                s += src[iy * w + ix];
                            }
                        }
                        dst[oy * ow + ox] = s / T::of(((y1 - y0) * (x1 - x0)) as f64);
                    }
                }
            }
        })?;
        if max {
            // Indices in a second pass (keeps the plane closure free of extra outputs).
            for p in 0..np {
                let src = &src_all[p * h * w..(p + 1) * h * w];
                for oy in 0..oh {
                    let (y0, y1) = adaptive_range(oy, oh, h);
                    for ox in 0..ow {
                        let (x0, x1) = adaptive_range(ox, ow, w);
                        let mut m = T::of(f64::NEG_INFINITY);
                        let mut at = (y0 * w + x0) as i64;
                        for iy in y0..y1 {
                            for ix in x0..x1 {
                                let v = src[iy * w + ix];
                                if v > m || v.nan() {
                                    m = v;
                                    at = (iy * w + ix) as i64;
                                }
                            }
                        }
                        idx[(p * oh + oy) * ow + ox] = at;
                    }
                }
            }
        }
        let y = Tensor::from_vec(out, &shape)?;
        let i = if max { Some(Tensor::from_vec(idx, &shape)?) } else { None };
        (y, i)
    });
    Ok((res.0.try_to_dtype("adaptive", x.dtype())?, res.1))
}

/// Runs a 2-d pooling function on a 1-d input `[N, C, L]` by adding a height of 1.
pub fn via_2d(x: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let y = f(&unsqueeze(x, -2)?)?;
    squeeze_dim(&y, -2)
}
