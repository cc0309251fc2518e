//! Reductions (`aten::sum`, `mean`, `prod`, `max`, `min`, `argmax`, `argmin`)
//! and the normalisations built on a per-line reduction (`softmax`, `log_softmax`).
//!
//! Floating sums accumulate in f64 and round once, which stays within an ulp of
//! aten's cascade summation; integer sums wrap in int64.

use smallvec::SmallVec;

use crate::error::invalid;
use crate::layout::{self, wrap_dim, Shape};
use crate::ops::num::{dispatch, dispatch_float};
use crate::{DType, Element, Result, Tensor, TensorError};

/// Which dims a reduction removes; `None` or an empty list means all of them.
fn reduce_mask(op: &'static str, ndim: usize, dims: Option<&[i64]>) -> Result<SmallVec<[bool; 6]>> {
    let mut mask: SmallVec<[bool; 6]> = SmallVec::from_elem(false, ndim);
    match dims {
        None | Some([]) => mask.iter_mut().for_each(|m| *m = true),
        Some(ds) => {
            for &d in ds {
                let w = wrap_dim(op, d, ndim)?;
                if ndim == 0 {
                    continue;
                }
                if mask[w] {
                    return Err(invalid(
                        op,
                        format!("dim {w} appears multiple times in the list of dims"),
                    ));
                }
                mask[w] = true;
            }
        }
    }
    Ok(mask)
}

/// Output shape: reduced dims become 1 (`keepdim`) or disappear.
fn reduced_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Shape {
    shape
        .iter()
        .zip(mask)
        .filter_map(|(&s, &m)| match (m, keepdim) {
            (false, _) => Some(s),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// Folds every element of `a` (dtype `T`) into the accumulator of its output
/// slot. Returns the accumulators in row-major output order.
fn fold<T: Element, A: Copy>(
    a: &Tensor,
    mask: &[bool],
    init: A,
    f: impl Fn(A, T) -> A,
) -> Result<Vec<A>> {
    let keep = reduced_shape(a.shape(), mask, true);
    let mut ostr = layout::contiguous_strides(&keep);
    for (s, &m) in ostr.iter_mut().zip(mask) {
        if m {
            *s = 0;
        }
    }
    let mut acc = crate::alloc::try_filled("reduce", layout::numel(&keep), init)?;
    let d = a.data::<T>();
    layout::for_each_offset(
        a.shape(),
        [a.strides(), &ostr],
        [a.storage_offset(), 0],
        |[i, o]| acc[o] = f(acc[o], d[i]),
    );
    Ok(acc)
}

/// Shared body of `sum` and `prod`.
fn sum_prod(
    op: &'static str,
    a: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
    product: bool,
) -> Result<Tensor> {
    let out_dt = dtype.unwrap_or(if a.dtype().is_integral(true) {
        DType::I64
    } else {
        a.dtype()
    });
    let a = a.try_to_dtype(op, out_dt)?;
    let mask = reduce_mask(op, a.dim(), dims)?;
    let shape = reduced_shape(a.shape(), &mask, keepdim);
    Ok(dispatch!(out_dt,
    int T => {
        let v: Vec<T> = if product {
            fold::<T, i64>(&a, &mask, 1, |s, x| s.wrapping_mul(x.to_i64()))?
        } else {
            fold::<T, i64>(&a, &mask, 0, |s, x| s.wrapping_add(x.to_i64()))?
        }
        .into_iter()
        .map(T::from_i64)
        .collect();
        Tensor::from_vec_shape(v, shape)
    },
    float F => {
        // aten multiplies in float for f32/f16/bf16, so overflow to inf (and
        // inf * 0 = NaN) happens where it would in PyTorch; round each step.
        let narrow = out_dt != DType::F64;
        let v: Vec<F> = if product {
            fold::<F, f64>(&a, &mask, 1.0, |s, x| {
                let p = s * x.to_f64();
                if narrow { p as f32 as f64 } else { p }
            })?
        } else {
            fold::<F, f64>(&a, &mask, 0.0, |s, x| s + x.to_f64())?
        }
        .into_iter()
        .map(F::from_f64)
        .collect();
        Tensor::from_vec_shape(v, shape)
    },
    bool => {
        let v = if product {
            fold::<bool, bool>(&a, &mask, true, |s, x| s & x)?
        } else {
            fold::<bool, bool>(&a, &mask, false, |s, x| s | x)?
        };
        Tensor::from_vec_shape(v, shape)
    }))
}

/// `aten::sum.dim_IntList` (and `aten::sum` with `dims = None`).
///
/// Bool and integer inputs sum to int64 unless `dtype` says otherwise; the
/// input is converted to `dtype` before summing, as in PyTorch.
pub fn sum(
    a: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Tensor> {
    sum_prod("sum", a, dims, keepdim, dtype, false)
}

/// `aten::prod` / `aten::prod.dim_int` (same dtype rules as `sum`).
pub fn prod(
    a: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Tensor> {
    sum_prod("prod", a, dims, keepdim, dtype, true)
}

/// `aten::mean.dim`: requires a floating input or `dtype`.
pub fn mean(
    a: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Tensor> {
    let out_dt = dtype.unwrap_or(a.dtype());
    if !out_dt.is_floating() {
        return Err(invalid(
            "mean",
            format!(
                "mean(): could not infer output dtype. {} dtype must be either a floating point or complex dtype. Got: {}",
                if dtype.is_some() { "Optional" } else { "Input" },
                out_dt
            ),
        ));
    }
    let a = a.try_to_dtype("mean", out_dt)?;
    let mask = reduce_mask("mean", a.dim(), dims)?;
    let count: usize = a
        .shape()
        .iter()
        .zip(&mask)
        .filter(|(_, &m)| m)
        .map(|(&s, _)| s)
        .product();
    let shape = reduced_shape(a.shape(), &mask, keepdim);
    dispatch_float!(out_dt, F => {
        let v: Vec<F> = fold::<F, f64>(&a, &mask, 0.0, |s, x| s + x.to_f64())?
            .into_iter()
            .map(|s| F::from_f64(s / count as f64))
            .collect();
        Ok(Tensor::from_vec_shape(v, shape))
    }, other => unreachable!("checked floating above"))
}

/// Calls `f(k, base, stride, len)` for each 1-D line of `a` along `dim`,
/// `k` counting lines in row-major order of the remaining dims.
fn for_each_line(a: &Tensor, dim: usize, mut f: impl FnMut(usize, usize, isize, usize)) {
    if a.dim() == 0 {
        f(0, a.storage_offset(), 1, 1);
        return;
    }
    let mut shape = a.shape_vec();
    let mut strides = a.strides_vec();
    let (len, stride) = (shape.remove(dim), strides.remove(dim));
    let mut k = 0;
    layout::for_each_offset(&shape, [&strides], [a.storage_offset()], |[o]| {
        f(k, o, stride, len);
        k += 1;
    });
}

/// Index of the extreme element of a line: the first NaN if any, else the
/// first occurrence of the max (`better = gt`) or min (`better = lt`).
#[inline]
fn extreme_index<T: Element>(d: &[T], base: usize, stride: isize, len: usize, max: bool) -> usize {
    let at = |i: usize| d[(base as isize + i as isize * stride) as usize];
    let mut best = at(0);
    let mut idx = 0;
    #[allow(clippy::eq_op)] // x != x is the generic NaN test
    for i in 1..len {
        if best != best {
            break;
        }
        let x = at(i);
        if x != x || (max && x > best) || (!max && x < best) {
            best = x;
            idx = i;
        }
    }
    idx
}

/// `max`/`min`/`argmax`/`argmin` along one dim: (values, int64 indices).
fn extreme_dim(
    op: &'static str,
    a: &Tensor,
    dim: i64,
    keepdim: bool,
    max: bool,
) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(op, dim, a.dim())?;
    let len = if a.dim() == 0 { 1 } else { a.shape()[d] };
    if len == 0 {
        return Err(invalid(
            op,
            format!("{op}(): Expected reduction dim {d} to have non-zero size."),
        ));
    }
    let mut mask: SmallVec<[bool; 6]> = SmallVec::from_elem(false, a.dim());
    if a.dim() > 0 {
        mask[d] = true;
    }
    let shape = reduced_shape(a.shape(), &mask, keepdim);
    crate::with_dtype!(a.dtype(), T => {
        let data = a.data::<T>();
        let n = layout::numel(&shape);
        let (mut vals, mut idxs) = (Vec::<T>::with_capacity(n), Vec::<i64>::with_capacity(n));
        for_each_line(a, d, |_, base, stride, len| {
            let i = extreme_index(data, base, stride, len, max);
            vals.push(data[(base as isize + i as isize * stride) as usize]);
            idxs.push(i as i64);
        });
        Ok((Tensor::from_vec_shape(vals, shape.clone()), Tensor::from_vec_shape(idxs, shape)))
    })
}

/// `aten::max.dim`: (values, indices) along `dim`; NaN wins, ties pick the first.
pub fn max_dim(a: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    extreme_dim("max", a, dim, keepdim, true)
}

/// `aten::min.dim`.
pub fn min_dim(a: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    extreme_dim("min", a, dim, keepdim, false)
}

fn extreme_all(op: &'static str, a: &Tensor, max: bool) -> Result<Tensor> {
    if a.numel() == 0 {
        return Err(invalid(
            op,
            format!("{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
        ));
    }
    let flat = crate::ops::shape::reshape(a, &[-1])?;
    let (v, _) = extreme_dim(op, &flat, 0, false, max)?;
    Ok(v)
}

/// `aten::max`: the largest element as a 0-dim tensor (NaN if any element is NaN).
pub fn max(a: &Tensor) -> Result<Tensor> {
    extreme_all("max", a, true)
}

/// `aten::min`: the smallest element as a 0-dim tensor.
pub fn min(a: &Tensor) -> Result<Tensor> {
    extreme_all("min", a, false)
}

fn arg_extreme(
    op: &'static str,
    a: &Tensor,
    dim: Option<i64>,
    keepdim: bool,
    max: bool,
) -> Result<Tensor> {
    if a.dtype() == DType::Bool {
        return Err(invalid(op, format!("{op}(): does not support bool input")));
    }
    match dim {
        Some(d) => Ok(extreme_dim(op, a, d, keepdim, max)?.1),
        None => {
            if a.numel() == 0 {
                return Err(invalid(
                    op,
                    format!(
                        "{op}(): Expected reduction dim to be specified for input.numel() == 0."
                    ),
                ));
            }
            let flat = crate::ops::shape::reshape(a, &[-1])?;
            let idx = extreme_dim(op, &flat, 0, false, max)?.1;
            if keepdim {
                let ones: SmallVec<[i64; 6]> = SmallVec::from_elem(1, a.dim());
                crate::ops::shape::reshape(&idx, &ones)
            } else {
                Ok(idx)
            }
        }
    }
}

/// `aten::argmax`: int64 index of the max (over the flattened tensor when `dim` is `None`).
pub fn argmax(a: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
    arg_extreme("argmax", a, dim, keepdim, true)
}

/// `aten::argmin`.
pub fn argmin(a: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
    arg_extreme("argmin", a, dim, keepdim, false)
}

/// Shared body of `softmax` and `log_softmax`; lines are computed in f64.
fn softmax_impl(
    op: &'static str,
    kernel: &'static str,
    a: &Tensor,
    dim: i64,
    dtype: Option<DType>,
    log: bool,
) -> Result<Tensor> {
    let a = match dtype {
        Some(d) => a.try_to_dtype(op, d)?,
        None => a.clone(),
    };
    let d = wrap_dim(op, dim, a.dim())?;
    if a.dtype() == DType::F32 && d + 1 == a.dim() && a.numel() > 0 {
        if let Some(src) = a.contiguous_data::<f32>() {
            let out = softmax_rows_f32(src, a.shape()[d], log);
            return Ok(Tensor::from_vec_shape(out, a.shape_vec()));
        }
    }
    let out_strides = layout::contiguous_strides(a.shape());
    let ostride = if a.dim() == 0 { 1 } else { out_strides[d] };
    let mut line_bases: Vec<usize> = Vec::new();
    if a.dim() == 0 {
        line_bases.push(0);
    } else {
        let mut shape = a.shape_vec();
        let mut st = out_strides.clone();
        shape.remove(d);
        st.remove(d);
        layout::for_each_offset(&shape, [&st], [0], |[o]| line_bases.push(o));
    }
    dispatch_float!(a.dtype(), F => {
        let data = a.data::<F>();
        let mut out = crate::alloc::try_filled("softmax", a.numel(), F::default())?;
        let mut buf: Vec<f64> = Vec::new();
        for_each_line(&a, d, |k, base, stride, len| {
            buf.clear();
            buf.extend((0..len).map(|i| data[(base as isize + i as isize * stride) as usize].to_f64()));
            let m = buf.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            // A line of all -inf has max -inf; aten then yields NaN like x - m does here.
            let sum: f64 = buf.iter().map(|&x| (x - m).exp()).sum();
            let ob = line_bases[k];
            for (i, &x) in buf.iter().enumerate() {
                let v = if log { x - m - sum.ln() } else { (x - m).exp() / sum };
                out[(ob as isize + i as isize * ostride) as usize] = F::from_f64(v);
            }
        });
        Ok(Tensor::from_vec_shape(out, a.shape_vec()))
    }, other => Err(TensorError::Unsupported { op: kernel, dtype: a.dtype() }))
}

/// Softmax (or log-softmax) of every `len`-element row of a contiguous float32 tensor, as
/// aten's vectorised last-dim kernels compute it: `e = exp(x - max)` in float32 (the
/// vectorised `exp` of `vmath`), the row sum accumulated in eight float32 lanes, then
/// `e * (1 / sum)`, or `x - max - ln(sum)` for log-softmax.
fn softmax_rows_f32(src: &[f32], len: usize, log: bool) -> Vec<f32> {
    use rayon::prelude::*;
    let mut out = src.to_vec();
    let row = |r: &mut [f32]| {
        let m = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if log {
            let mut e: SmallVec<[f32; 256]> = r.iter().map(|&x| x - m).collect();
            crate::vmath::exp_in_place(&mut e);
            let ln_sum = lane_sum(&e).ln();
            r.iter_mut().for_each(|x| *x = *x - m - ln_sum);
        } else {
            r.iter_mut().for_each(|x| *x -= m);
            crate::vmath::exp_in_place(r);
            let inv = 1.0 / lane_sum(r);
            r.iter_mut().for_each(|x| *x *= inv);
        }
    };
    if src.len() > 64 * 1024 && src.len() / len > 1 {
        out.par_chunks_mut(len).for_each(row);
    } else {
        out.chunks_mut(len).for_each(row);
    }
    out
}

/// Sum of a float32 slice in eight interleaved partial sums (vectorisable).
fn lane_sum(v: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..8 {
            acc[l] += c[l];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for &x in rest {
        s += x;
    }
    s
}

/// `aten::softmax.int(self, dim, dtype)`: `dtype`, if given, converts the input first.
pub fn softmax(a: &Tensor, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
    softmax_impl(
        "softmax",
        "softmax_lastdim_kernel_impl",
        a,
        dim,
        dtype,
        false,
    )
}

/// `aten::log_softmax.int`.
pub fn log_softmax(a: &Tensor, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
    softmax_impl(
        "log_softmax",
        "log_softmax_lastdim_kernel_impl",
        a,
        dim,
        dtype,
        true,
    )
}
