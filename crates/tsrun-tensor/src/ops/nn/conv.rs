//! Convolution (`aten::_convolution`, `conv1d`, `conv2d`, `conv_transpose1d/2d`).
//!
//! 2-d convolution is im2col + GEMM (matrixmultiply), one GEMM per (batch,
//! group); depthwise convolutions (one input channel per group) use a direct
//! loop, which beats a GEMM with a single reduction row. 1-d convolutions run
//! as 2-d ones over a height of 1. Work is split over rayon when large:
//! across (batch, group) items for grouped convolutions, otherwise across
//! rows of the output channels and of the im2col buffer.

use rayon::prelude::*;

use super::depthwise::{depthwise_plane, scratch_dims, DwGeo};
use super::{compute_dtype, dense, elems, expand_param, same_dtype, with_real, Real};
use crate::error::{invalid, shape_err};
use crate::ops::shape::{squeeze_dim, unsqueeze};
use crate::{Result, Tensor};

/// Below this many multiply-adds a convolution stays on the calling thread.
const PAR_WORK: usize = 1 << 18;

/// Stride, padding, dilation and groups of a convolution, as given to aten.
#[derive(Clone, Debug)]
pub struct ConvParams {
    /// Step between output positions, per spatial dim (1 or N values).
    pub stride: Vec<i64>,
    /// Implicit zero padding on both sides, per spatial dim.
    pub padding: Vec<i64>,
    /// Spacing between kernel taps, per spatial dim.
    pub dilation: Vec<i64>,
    /// Transposed convolution (`conv_transpose*d`).
    pub transposed: bool,
    /// Extra size added to one side of a transposed convolution's output.
    pub output_padding: Vec<i64>,
    /// Number of channel groups.
    pub groups: i64,
}

/// Resolved 2-d geometry.
#[derive(Clone, Copy, Debug)]
struct Geo {
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    ph: usize,
    pw: usize,
    dh: usize,
    dw: usize,
}

/// `aten::_convolution` / `aten::convolution`: dispatches on the weight's
/// rank (3 → 1-d, 4 → 2-d) and on unbatched inputs.
pub fn convolution(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    p: &ConvParams,
) -> Result<Tensor> {
    convolution_impl(input, weight, bias, None, p)
}

/// A convolution followed by a per-output-channel affine map,
/// `y[:, c] = conv(x, W, b)[:, c] · scale[c] + shift[c]`, applied to each block of output
/// rows right after its GEMM (no second pass over memory, no extra buffer).
///
/// This is how an eval-mode batch norm after a convolution runs once folded at load time:
/// `scale = γ / sqrt(σ² + ε)`, `shift = β - μ · scale`. Folding into the weights instead
/// would need a second, scaled copy of every weight while the module's own parameters stay
/// referenced (as large as the model). `scale` and `shift` are 1-d with one element per
/// output channel, of the input's dtype. Not for transposed convolutions.
pub fn convolution_scale_shift(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    scale: &Tensor,
    shift: &Tensor,
    p: &ConvParams,
) -> Result<Tensor> {
    if p.transposed {
        return Err(invalid(
            "convolution",
            "a per-channel scale and shift is not supported for transposed convolutions",
        ));
    }
    convolution_impl(input, weight, bias, Some((scale, shift)), p)
}

fn convolution_impl(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    affine: Option<(&Tensor, &Tensor)>,
    p: &ConvParams,
) -> Result<Tensor> {
    let op = "convolution";
    let k = weight.dim().saturating_sub(2);
    if !(1..=2).contains(&k) {
        return Err(invalid(
            op,
            format!(
                "only 1-d and 2-d convolutions are supported (weight of {} dims)",
                weight.dim()
            ),
        ));
    }
    let batched = input.dim() == k + 2;
    if !batched && input.dim() != k + 1 {
        return Err(invalid(
            op,
            format!(
                "Expected {}D (unbatched) or {}D (batched) input to conv{k}d, but got input of size: {:?}",
                k + 1,
                k + 2,
                input.shape()
            ),
        ));
    }
    let x = if batched {
        input.clone()
    } else {
        unsqueeze(input, 0)?
    };
    let stride = expand_param(op, "stride", &p.stride, k, 1)?;
    let padding = expand_param(op, "padding", &p.padding, k, 0)?;
    let dilation = expand_param(op, "dilation", &p.dilation, k, 1)?;
    let out_pad = if p.transposed {
        expand_param(op, "output_padding", &p.output_padding, k, 0)?
    } else {
        vec![0; k]
    };
    if p.groups < 1 {
        return Err(invalid(op, "non-positive groups is not supported"));
    }
    let groups = p.groups as usize;
    // 1-d: add a height of 1 and run the 2-d kernel.
    let (x, w, geo, opad) = if k == 1 {
        let geo = Geo {
            kh: 1,
            kw: weight.shape()[2],
            sh: 1,
            sw: stride[0],
            ph: 0,
            pw: padding[0],
            dh: 1,
            dw: dilation[0],
        };
        (
            unsqueeze(&x, 2)?,
            unsqueeze(weight, 2)?,
            geo,
            [0, out_pad[0]],
        )
    } else {
        let geo = Geo {
            kh: weight.shape()[2],
            kw: weight.shape()[3],
            sh: stride[0],
            sw: stride[1],
            ph: padding[0],
            pw: padding[1],
            dh: dilation[0],
            dw: dilation[1],
        };
        (x, weight.clone(), geo, [out_pad[0], out_pad[1]])
    };
    let mut y = if p.transposed {
        conv_transpose2d(&x, &w, bias, geo, opad, groups)?
    } else {
        conv2d_impl(&x, &w, bias, affine, geo, groups)?
    };
    if k == 1 {
        y = squeeze_dim(&y, 2)?;
    }
    if !batched {
        y = squeeze_dim(&y, 0)?;
    }
    Ok(y)
}

fn check_bias(op: &'static str, bias: Option<&Tensor>, x: &Tensor, out_ch: usize) -> Result<()> {
    if let Some(b) = bias {
        same_dtype(op, "bias", x, b)?;
        if b.dim() != 1 || b.shape()[0] != out_ch {
            return Err(shape_err(
                op,
                format!(
                    "Given weight of {out_ch} output channels, expected bias to be 1-dimensional with {out_ch} elements, but got bias of size {:?} instead",
                    b.shape()
                ),
            ));
        }
    }
    Ok(())
}

fn out_len(
    op: &'static str,
    inp: usize,
    pad: usize,
    dil: usize,
    k: usize,
    s: usize,
) -> Result<usize> {
    // Saturating: absurd paddings or dilations give an absurd size, refused when the output
    // is allocated, instead of wrapping around to a small one.
    let span = dil.saturating_mul(k.max(1) - 1).saturating_add(1);
    let padded = inp.saturating_add(pad.saturating_mul(2));
    if padded < span {
        return Err(invalid(
            op,
            format!(
                "Calculated padded input size per channel: ({padded}). Kernel size: ({span}). Kernel size can't be greater than actual input size"
            ),
        ));
    }
    Ok((padded - span) / s + 1)
}

fn conv2d_impl(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    affine: Option<(&Tensor, &Tensor)>,
    g: Geo,
    groups: usize,
) -> Result<Tensor> {
    let op = "conv2d";
    same_dtype(op, "weight", x, w)?;
    let cd = compute_dtype(op, x.dtype())?;
    let (n, c, h, wd) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (o, cg) = (w.shape()[0], w.shape()[1]);
    if cg * groups != c || o % groups != 0 {
        return Err(shape_err(
            op,
            format!(
                "Given groups={groups}, weight of size {:?}, expected input{:?} to have {} channels, but got {c} channels instead",
                w.shape(),
                x.shape(),
                cg * groups
            ),
        ));
    }
    check_bias(op, bias, x, o)?;
    if let Some((scale, shift)) = affine {
        check_bias(op, Some(scale), x, o)?;
        check_bias(op, Some(shift), x, o)?;
    }
    let oh = out_len(op, h, g.ph, g.dh, g.kh, g.sh)?;
    let ow = out_len(op, wd, g.pw, g.dw, g.kw, g.sw)?;
    let (xd, wt) = (dense(op, x, cd)?, dense(op, w, cd)?);
    let bd = bias.map(|b| dense(op, b, cd)).transpose()?;
    let ad = affine
        .map(|(s, t)| Ok::<_, crate::TensorError>((dense(op, s, cd)?, dense(op, t, cd)?)))
        .transpose()?;
    let shape = [n, o, oh, ow];
    let y = with_real!(cd, T => {
        let mut out = crate::alloc::try_filled_for_shape(op, &shape, T::of(0.0))?;
        if cg == 1 {
            // One padded, phase-split copy of an input plane per thread (depthwise.rs).
            crate::alloc::check_size::<T>(op, &scratch_dims([oh, ow], dw_geo(g)))?;
        } else if !(g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0) {
            // One im2col buffer per (batch, group), allocated inside the parallel loop.
            crate::alloc::check_size::<T>(op, &[cg, g.kh, g.kw, oh, ow])?;
        }
        conv_forward::<T>(
            &mut out,
            elems::<T>(&xd),
            elems::<T>(&wt),
            bd.as_ref().map(elems::<T>),
            ad.as_ref().map(|(s, t)| (elems::<T>(s), elems::<T>(t))),
            [n, c, h, wd],
            [o, cg],
            [oh, ow],
            g,
            groups,
        );
        Tensor::from_vec(out, &shape)?
    });
    y.try_to_dtype("conv2d_impl", x.dtype())
}

#[allow(clippy::too_many_arguments)]
fn conv_forward<T: Real>(
    out: &mut [T],
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    affine: Option<(&[T], &[T])>,
    [n, c, h, wd]: [usize; 4],
    [o, cg]: [usize; 2],
    [oh, ow]: [usize; 2],
    g: Geo,
    groups: usize,
) {
    let l = oh * ow;
    let og = o / groups;
    let kdim = cg * g.kh * g.kw;
    if l == 0 || out.is_empty() {
        return;
    }
    // Start from the bias so every GEMM accumulates onto it (beta = 1).
    if let Some(b) = bias {
        for (i, plane) in out.chunks_mut(l).enumerate() {
            plane.fill(b[i % o]);
        }
    }
    let beta = T::of(if bias.is_some() { 1.0 } else { 0.0 });
    let work = n * o * l * kdim;
    if cg == 1 {
        let dg = dw_geo(g);
        let plane = |scratch: &mut Vec<T>, (i, dst): (usize, &mut [T])| {
            let (ni, oc) = (i / o, i % o);
            let ic = oc / og;
            let src = &x[(ni * c + ic) * h * wd..(ni * c + ic + 1) * h * wd];
            depthwise_plane(
                src,
                &w[oc * g.kh * g.kw..(oc + 1) * g.kh * g.kw],
                dst,
                [h, wd],
                [oh, ow],
                dg,
                scratch,
            );
            scale_shift_rows(dst, l, oc, affine);
        };
        if work > PAR_WORK {
            out.par_chunks_mut(l)
                .enumerate()
                .for_each_init(Vec::new, |s, p| plane(s, p));
        } else {
            let mut scratch = Vec::new();
            out.chunks_mut(l)
                .enumerate()
                .for_each(|p| plane(&mut scratch, p));
        }
        return;
    }
    let direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
    let item = |(i, dst): (usize, &mut [T]), inner_par: bool| {
        let (ni, gi) = (i / groups, i % groups);
        let src = &x[(ni * c + gi * cg) * h * wd..(ni * c + (gi + 1) * cg) * h * wd];
        let wg = &w[gi * og * kdim..(gi + 1) * og * kdim];
        let owned;
        let cols: &[T] = if direct {
            src
        } else {
            owned = im2col(src, cg, [h, wd], [oh, ow], g, inner_par);
            &owned
        };
        if inner_par && og > 1 {
            let threads = rayon::current_num_threads().max(1);
            let rows = og.div_ceil(threads);
            dst.par_chunks_mut(rows * l)
                .enumerate()
                .for_each(|(ci, dc)| {
                    let r0 = ci * rows;
                    let m = dc.len() / l;
                    T::gemm(
                        m,
                        kdim,
                        l,
                        (&wg[r0 * kdim..], kdim, 1),
                        (cols, l, 1),
                        beta,
                        dc,
                        l,
                    );
                    scale_shift_rows(dc, l, gi * og + r0, affine);
                });
        } else {
            T::gemm(og, kdim, l, (wg, kdim, 1), (cols, l, 1), beta, dst, l);
            scale_shift_rows(dst, l, gi * og, affine);
        }
    };
    let items = n * groups;
    let threads = rayon::current_num_threads().max(1);
    if work > PAR_WORK && (groups > 1 && items >= threads) {
        out.par_chunks_mut(og * l)
            .enumerate()
            .for_each(|p| item(p, false));
    } else {
        let par = work > PAR_WORK;
        out.chunks_mut(og * l)
            .enumerate()
            .for_each(|p| item(p, par));
    }
}

/// `rows[r] = rows[r] · scale[c0 + r] + shift[c0 + r]` for each output-channel row of length
/// `l` in a block that starts at channel `c0` (see [`convolution_scale_shift`]).
#[inline]
fn scale_shift_rows<T: Real>(rows: &mut [T], l: usize, c0: usize, affine: Option<(&[T], &[T])>) {
    let Some((scale, shift)) = affine else {
        return;
    };
    for (row, (&a, &b)) in rows
        .chunks_mut(l.max(1))
        .zip(scale[c0..].iter().zip(&shift[c0..]))
    {
        for v in row {
            *v = *v * a + b;
        }
    }
}

/// Lays out the receptive fields of one (batch, group) input as a
/// `[cg*kh*kw, oh*ow]` matrix (zeros where the kernel hangs over the padding).
fn im2col<T: Real>(
    src: &[T],
    cg: usize,
    [h, w]: [usize; 2],
    [oh, ow]: [usize; 2],
    g: Geo,
    par: bool,
) -> Vec<T> {
    let l = oh * ow;
    let mut cols = vec![T::of(0.0); cg * g.kh * g.kw * l];
    let row = |(r, dst): (usize, &mut [T])| {
        let ch = r / (g.kh * g.kw);
        let ki = (r / g.kw) % g.kh;
        let kj = r % g.kw;
        let plane = &src[ch * h * w..(ch + 1) * h * w];
        let (lo, hi) = valid_range(ow, w, kj * g.dw, g.pw, g.sw);
        for oy in 0..oh {
            let iy = (oy * g.sh + ki * g.dh) as isize - g.ph as isize;
            if iy < 0 || iy >= h as isize {
                continue;
            }
            let irow = &plane[iy as usize * w..(iy as usize + 1) * w];
            let orow = &mut dst[oy * ow..(oy + 1) * ow];
            let base = kj * g.dw;
            if g.sw == 1 {
                let s0 = lo + base - g.pw;
                orow[lo..hi].copy_from_slice(&irow[s0..s0 + (hi - lo)]);
            } else {
                for ox in lo..hi {
                    orow[ox] = irow[ox * g.sw + base - g.pw];
                }
            }
        }
    };
    if par {
        cols.par_chunks_mut(l.max(1)).enumerate().for_each(row);
    } else {
        cols.chunks_mut(l.max(1)).enumerate().for_each(row);
    }
    cols
}

/// Output columns `lo..hi` whose input column `ox*s + tap - pad` lies in `0..w`.
fn valid_range(ow: usize, w: usize, tap: usize, pad: usize, s: usize) -> (usize, usize) {
    // ox*s + tap >= pad  <=>  ox >= ceil((pad - tap) / s)
    let lo = if tap >= pad {
        0
    } else {
        (pad - tap).div_ceil(s)
    };
    // ox*s + tap - pad <= w - 1  <=>  ox <= (w - 1 + pad - tap) / s
    let hi = if w + pad > tap {
        ((w - 1 + pad - tap) / s + 1).min(ow)
    } else {
        0
    };
    (lo.min(hi), hi)
}

fn dw_geo(g: Geo) -> DwGeo {
    DwGeo {
        kh: g.kh,
        kw: g.kw,
        sh: g.sh,
        sw: g.sw,
        ph: g.ph,
        pw: g.pw,
        dh: g.dh,
        dw: g.dw,
    }
}

/// Transposed 2-d convolution: GEMM into columns, then col2im (scatter-add).
fn conv_transpose2d(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    g: Geo,
    opad: [usize; 2],
    groups: usize,
) -> Result<Tensor> {
    let op = "conv_transpose2d";
    same_dtype(op, "weight", x, w)?;
    let cd = compute_dtype(op, x.dtype())?;
    let (n, c, h, wd) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (wc, og) = (w.shape()[0], w.shape()[1]);
    if wc != c || c % groups != 0 {
        return Err(shape_err(
            op,
            format!(
                "Given transposed=1, weight of size {:?}, expected input{:?} to have {wc} channels, but got {c} channels instead",
                w.shape(),
                x.shape()
            ),
        ));
    }
    let o = og * groups;
    check_bias(op, bias, x, o)?;
    let size = |i: usize, s: usize, p: usize, d: usize, k: usize, op_: usize| -> Result<usize> {
        // Saturating, as in `out_len`: an absurd size is refused at the allocation.
        let full = ((i.max(1) - 1).saturating_mul(s))
            .saturating_add(d.saturating_mul(k.max(1) - 1))
            .saturating_add(op_)
            .saturating_add(1);
        if i == 0 || full <= p.saturating_mul(2) {
            return Err(invalid(op, "Output size is too small"));
        }
        Ok(full - 2 * p)
    };
    let oh = size(h, g.sh, g.ph, g.dh, g.kh, opad[0])?;
    let ow = size(wd, g.sw, g.pw, g.dw, g.kw, opad[1])?;
    let (xd, wt) = (dense(op, x, cd)?, dense(op, w, cd)?);
    let bd = bias.map(|b| dense(op, b, cd)).transpose()?;
    let cg = c / groups;
    let y = with_real!(cd, T => {
        let (xs, ws) = (elems::<T>(&xd), elems::<T>(&wt));
        let kk = g.kh * g.kw;
        let l = h * wd;
        let mut out = crate::alloc::try_filled_for_shape(op, &[n, o, oh, ow], T::of(0.0))?;
        // One column buffer per (batch, group), allocated in the loop below.
        crate::alloc::check_size::<T>(op, &[og, kk, l])?;
        for ni in 0..n {
            for gi in 0..groups {
                // cols[og*kh*kw, h*w] = W_g^T @ x_g, W_g viewed as [cg, og*kk].
                let mut cols = vec![T::of(0.0); og * kk * l];
                let xg = &xs[(ni * c + gi * cg) * l..(ni * c + (gi + 1) * cg) * l];
                let wg = &ws[gi * cg * og * kk..(gi + 1) * cg * og * kk];
                T::gemm(og * kk, cg, l, (wg, 1, og * kk), (xg, l, 1), T::of(0.0), &mut cols, l);
                for oc in 0..og {
                    let plane_at = ((ni * o) + gi * og + oc) * oh * ow;
                    let plane = &mut out[plane_at..plane_at + oh * ow];
                    for ki in 0..g.kh {
                        for kj in 0..g.kw {
                            let crow = &cols[((oc * g.kh + ki) * g.kw + kj) * l..][..l];
                            for iy in 0..h {
                                let y = (iy * g.sh + ki * g.dh) as isize - g.ph as isize;
                                if y < 0 || y >= oh as isize {
                                    continue;
                                }
                                for ix in 0..wd {
                                    let xx = (ix * g.sw + kj * g.dw) as isize - g.pw as isize;
                                    if xx >= 0 && xx < ow as isize {
                                        plane[y as usize * ow + xx as usize] += crow[iy * wd + ix];
                                    }
                                }
                            }
                        }
                    }
                    if let Some(b) = bd.as_ref().map(elems::<T>) {
                        let bv = b[gi * og + oc];
                        plane.iter_mut().for_each(|v| *v += bv);
                    }
                }
            }
        }
        Tensor::from_vec(out, &[n, o, oh, ow])?
    });
    y.try_to_dtype("conv_transpose2d", x.dtype())
}
