//! Cumulative and second-moment reductions: `aten::cumsum`, `aten::cumprod`, `aten::var`,
//! `aten::std` (and `var_mean`/`std_mean`).
//!
//! As aten's CPU kernels, float inputs accumulate in double (`acc_type<float>` is double on
//! CPU) and are rounded once per output element.

use crate::error::invalid;
use crate::layout::wrap_dim;
use crate::ops::shape::{permute, reshape};
use crate::{DType, Element, Result, Tensor};

/// `a` with the dims in `dims` moved last and flattened: `(rows [outer, n], kept shape with
/// the reduced dims removed, kept shape with them as 1)`. No dims means all of them.
fn rows(
    op: &'static str,
    a: &Tensor,
    dims: Option<&[i64]>,
) -> Result<(Tensor, Vec<usize>, Vec<usize>)> {
    let nd = a.dim();
    let mut red = vec![false; nd];
    match dims {
        Some(ds) if !ds.is_empty() => {
            for &d in ds {
                let d = wrap_dim(op, d, nd.max(1))?;
                if nd > 0 {
                    red[d] = true;
                }
            }
        }
        _ => red.iter_mut().for_each(|r| *r = true),
    }
    let keep: Vec<i64> = (0..nd).filter(|&d| !red[d]).map(|d| d as i64).collect();
    let gone: Vec<i64> = (0..nd).filter(|&d| red[d]).map(|d| d as i64).collect();
    let order: Vec<i64> = keep.iter().chain(&gone).copied().collect();
    let outer: usize = keep.iter().map(|&d| a.shape()[d as usize]).product();
    let n: usize = gone.iter().map(|&d| a.shape()[d as usize]).product();
    let p = if nd == 0 {
        a.clone()
    } else {
        permute(a, &order)?
    };
    let r = reshape(&p, &[outer as i64, n as i64])?.try_contiguous(op)?;
    let shape: Vec<usize> = keep.iter().map(|&d| a.shape()[d as usize]).collect();
    let keepdim: Vec<usize> = (0..nd)
        .map(|d| if red[d] { 1 } else { a.shape()[d] })
        .collect();
    Ok((r, shape, keepdim))
}

/// `aten::var.correction` (and `std` with `sqrt`): `sum((x - mean)^2) / max(N - correction, 0)`,
/// plus the mean; float tensors only.
pub fn var_mean(
    a: &Tensor,
    dims: Option<&[i64]>,
    correction: f64,
    keepdim: bool,
    take_sqrt: bool,
) -> Result<(Tensor, Tensor)> {
    let dt = a.dtype();
    if !dt.is_floating() {
        return Err(invalid(
            "std_var",
            "std and var only support floating point and complex dtypes",
        ));
    }
    let (r, shape, kshape) = rows("var", a, dims)?;
    let (outer, n) = (r.shape()[0], r.shape()[1]);
    let x = r
        .try_to_dtype("var_mean", DType::F64)?
        .try_to_vec::<f64>("var_mean")?;
    let mut var = Vec::with_capacity(outer);
    let mut mean = Vec::with_capacity(outer);
    for o in 0..outer {
        let row = &x[o * n..(o + 1) * n];
        let m = row.iter().sum::<f64>() / n as f64;
        let ss: f64 = row.iter().map(|v| (v - m) * (v - m)).sum();
        let v = ss / (n as f64 - correction).max(0.0);
        var.push(if take_sqrt { v.sqrt() } else { v });
        mean.push(m);
    }
    let out_shape = if keepdim { kshape } else { shape };
    let v = Tensor::from_vec(var, &out_shape)?.try_to_dtype("var_mean", dt)?;
    let m = Tensor::from_vec(mean, &out_shape)?.try_to_dtype("var_mean", dt)?;
    Ok((v, m))
}

/// `aten::cumsum` / `aten::cumprod` along `dim`. Integer and bool inputs give int64 unless
/// `dtype` is given (the input is converted to `dtype` first).
pub fn cumulative(a: &Tensor, dim: i64, dtype: Option<DType>, product: bool) -> Result<Tensor> {
    let op = if product { "cumprod" } else { "cumsum" };
    let out_dt = dtype.unwrap_or(if a.dtype().is_floating() {
        a.dtype()
    } else {
        DType::I64
    });
    let a = a
        .try_to_dtype("cumulative", out_dt)?
        .try_contiguous("cumulative")?;
    let d = wrap_dim(op, dim, a.dim().max(1))?;
    let shape = a.shape().to_vec();
    let (outer, n, inner) = if a.dim() == 0 {
        (1, 1, 1)
    } else {
        (
            shape[..d].iter().product(),
            shape[d],
            shape[d + 1..].iter().product(),
        )
    };
    crate::with_dtype!(out_dt, T => {
        let src = a.try_to_vec::<T>("cumulative")?;
        let mut out = src.clone();
        for o in 0..outer {
            for i in 0..inner {
                if out_dt.is_floating() {
                    let mut acc = if product { 1.0 } else { 0.0 };
                    for k in 0..n {
                        let at = (o * n + k) * inner + i;
                        let v = src[at].to_f64();
                        acc = if product { acc * v } else { acc + v };
                        out[at] = T::from_f64(acc);
                    }
                } else {
                    let mut acc: i64 = if product { 1 } else { 0 };
                    for k in 0..n {
                        let at = (o * n + k) * inner + i;
                        let v = src[at].to_i64();
                        acc = if product { acc.wrapping_mul(v) } else { acc.wrapping_add(v) };
                        out[at] = T::from_i64(acc);
                    }
                }
            }
        }
        Tensor::from_vec(out, &shape)
    })
}
