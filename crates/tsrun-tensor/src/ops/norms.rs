//! Norms: `aten::linalg_vector_norm` (and `norm`, `frobenius_norm` on top of it),
//! `linalg_matrix_norm` with `"fro"`/`"nuc"`, `nuclear_norm`.
//!
//! Values are read as f64 and the result is rounded once to the result dtype (aten
//! accumulates float16/bfloat16 in float, float32 in float with a cascade sum).

use crate::error::{dtype_err, invalid};
use crate::ops::rows::rows;
use crate::ops::shape::permute;
use crate::{DType, Result, Tensor};

/// One p-norm of a line of values.
pub(crate) fn pnorm(v: &[f64], ord: f64) -> f64 {
    if ord == 2.0 {
        v.iter().map(|x| x * x).sum::<f64>().sqrt()
    } else if ord == 1.0 {
        v.iter().map(|x| x.abs()).sum()
    } else if ord == 0.0 {
        v.iter().filter(|&&x| x != 0.0).count() as f64
    } else if ord == f64::INFINITY {
        v.iter()
            .map(|x| x.abs())
            .fold(0.0, |m, x| if x.is_nan() || x > m { x } else { m })
    } else if ord == f64::NEG_INFINITY {
        v.iter().map(|x| x.abs()).fold(
            f64::INFINITY,
            |m, x| if x.is_nan() || x < m { x } else { m },
        )
    } else {
        v.iter()
            .map(|x| x.abs().powf(ord))
            .sum::<f64>()
            .powf(1.0 / ord)
    }
}

/// `aten::linalg_vector_norm(self, ord, dim, keepdim, dtype)`: floating inputs only; the
/// result has `dtype` (the input is converted to it first) or the input's dtype.
pub fn vector_norm(
    x: &Tensor,
    ord: f64,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Tensor> {
    let op = "linalg.vector_norm";
    if !x.dtype().is_floating() {
        return Err(dtype_err(
            op,
            format!(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
                x.dtype().torch_name()
            ),
        ));
    }
    let out_dt = dtype.unwrap_or(x.dtype());
    let x = x.try_to_dtype("vector_norm", out_dt)?;
    if ord.is_infinite() {
        let empty_reduced = match dims {
            None | Some([]) => x.numel() == 0,
            Some(ds) => ds.iter().any(|&d| {
                crate::layout::wrap_dim(op, d, x.dim())
                    .map(|w| x.dim() > 0 && x.shape()[w] == 0)
                    .unwrap_or(false)
            }),
        };
        if empty_reduced {
            return Err(invalid(
                op,
                format!("linalg.vector_norm cannot compute the {} norm on an empty tensor because the operation does not have an identity", if ord > 0.0 { "inf" } else { "-inf" }),
            ));
        }
    }
    let r = rows(op, &x, dims, keepdim)?;
    let v = r.map(|row| pnorm(row, ord));
    Tensor::from_vec(v, &r.shape)?.try_to_dtype("vector_norm", out_dt)
}

/// Singular values of a row-major `m x n` matrix (one-sided Jacobi, f64).
fn singular_values(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    // Work on columns of the taller orientation so there are min(m, n) of them.
    let (rows_, cols) = if m >= n { (m, n) } else { (n, m) };
    let mut u: Vec<Vec<f64>> = (0..cols)
        .map(|j| {
            (0..rows_)
                .map(|i| if m >= n { a[i * n + j] } else { a[j * n + i] })
                .collect()
        })
        .collect();
    for _sweep in 0..60 {
        let mut off = 0.0f64;
        for p in 0..cols {
            for q in p + 1..cols {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for (x, y) in u[p].iter().zip(&u[q]) {
                    alpha += x * x;
                    beta += y * y;
                    gamma += x * y;
                }
                if gamma == 0.0 {
                    continue;
                }
                off = off.max(gamma.abs() / (alpha * beta).sqrt());
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                let (left, right) = u.split_at_mut(q);
                for (x, y) in left[p].iter_mut().zip(right[0].iter_mut()) {
                    let (xv, yv) = (*x, *y);
                    *x = c * xv - s * yv;
                    *y = s * xv + c * yv;
                }
            }
        }
        if off < 1e-15 {
            break;
        }
    }
    u.iter()
        .map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect()
}

/// `aten::linalg_matrix_norm(self, ord, dim, keepdim, dtype)` for `"fro"` and `"nuc"`.
pub fn matrix_norm_str(
    x: &Tensor,
    ord: &str,
    dims: &[i64],
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Tensor> {
    let op = "linalg.matrix_norm";
    if x.dim() < 2 {
        return Err(invalid(
            op,
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
        ));
    }
    if dims.len() != 2 {
        return Err(invalid(
            op,
            format!("linalg.matrix_norm: dim must be a 2-tuple. Got {dims:?}"),
        ));
    }
    match ord {
        "fro" => vector_norm(x, 2.0, Some(dims), keepdim, dtype),
        "nuc" => {
            if !x.dtype().is_floating() {
                return Err(dtype_err(
                    op,
                    format!("linalg.matrix_norm: Expected a floating point or complex tensor as input. Got {}", x.dtype().torch_name()),
                ));
            }
            let out_dt = dtype.unwrap_or(x.dtype());
            let nd = x.dim();
            let d0 = crate::layout::wrap_dim(op, dims[0], nd)?;
            let d1 = crate::layout::wrap_dim(op, dims[1], nd)?;
            let order: Vec<i64> = (0..nd)
                .filter(|&d| d != d0 && d != d1)
                .chain([d0, d1])
                .map(|d| d as i64)
                .collect();
            let p = permute(&x.try_to_dtype("matrix_norm_str", out_dt)?, &order)?;
            let (m, n) = (x.shape()[d0], x.shape()[d1]);
            let data = p.try_to_vec::<f64>("matrix_norm_str")?;
            let count: usize = p.shape()[..nd - 2].iter().product();
            let v: Vec<f64> = (0..count)
                .map(|k| {
                    singular_values(&data[k * m * n..(k + 1) * m * n], m, n)
                        .iter()
                        .sum()
                })
                .collect();
            let mut shape: Vec<usize> = p.shape()[..nd - 2].to_vec();
            if keepdim {
                for d in [d0.min(d1), d0.max(d1)] {
                    shape.insert(d, 1);
                }
            }
            Tensor::from_vec(v, &shape)?.try_to_dtype("matrix_norm_str", out_dt)
        }
        _ => Err(invalid(
            op,
            format!("linalg.matrix_norm: Order {ord} not supported."),
        )),
    }
}
