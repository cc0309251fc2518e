//! Vector operations between tensors: `aten::linalg_cross`, `cosine_similarity`,
//! `pairwise_distance`, `cdist`.

use crate::error::{dtype_err, invalid, shape_err};
use crate::layout::{broadcast_shapes, wrap_dim};
use crate::ops::binary::{add_scalar, div, mul, sub};
use crate::ops::norms::{pnorm, vector_norm};
use crate::ops::reduce::sum;
use crate::ops::shape::{cat, expand, narrow};
use crate::ops::unary::clamp;
use crate::promote::promote_types;
use crate::{Result, Scalar, Tensor};

fn dims_i64(s: &[usize]) -> Vec<i64> {
    s.iter().map(|&d| d as i64).collect()
}

/// `aten::linalg_cross(self, other, dim)`: the cross product of 3-vectors along `dim`
/// of the broadcast inputs.
pub fn cross(a: &Tensor, b: &Tensor, dim: i64) -> Result<Tensor> {
    let op = "linalg.cross";
    if a.dim() != b.dim() {
        return Err(invalid(
            op,
            format!(
                "linalg.cross: inputs must have the same number of dimensions. Got {} and {}",
                a.dim(),
                b.dim()
            ),
        ));
    }
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    let d = wrap_dim(op, dim, shape.len())?;
    if a.shape()[d] != 3 || b.shape()[d] != 3 {
        return Err(invalid(
            op,
            format!(
                "linalg.cross: inputs dimension {dim} must have length 3. Got {} and {}",
                a.shape()[d],
                b.shape()[d]
            ),
        ));
    }
    let one = Scalar::Int(1);
    let ai = |i| narrow(a, d as i64, i, 1);
    let bi = |i| narrow(b, d as i64, i, 1);
    let comp = |i: i64, j: i64| -> Result<Tensor> {
        sub(&mul(&ai(i)?, &bi(j)?)?, &mul(&ai(j)?, &bi(i)?)?, one)
    };
    let parts = [comp(1, 2)?, comp(2, 0)?, comp(0, 1)?];
    let r = cat(&parts, d as i64)?;
    expand(&r, &dims_i64(&shape))
}

/// `aten::cosine_similarity(x1, x2, dim, eps)`: as aten, each input is divided by its
/// 2-norm along `dim` clamped below at `eps`, and the products are summed.
pub fn cosine_similarity(x1: &Tensor, x2: &Tensor, dim: i64, eps: f64) -> Result<Tensor> {
    let op = "cosine_similarity";
    let common = promote_types(x1.dtype(), x2.dtype());
    if !common.is_floating() {
        return Err(dtype_err(
            op,
            format!(
                "expected common dtype to be floating point, yet common dtype is {}",
                common.torch_name()
            ),
        ));
    }
    let shape = broadcast_shapes(op, x1.shape(), x2.shape())?;
    let s = dims_i64(&shape);
    let a = expand(&x1.try_to_dtype("cosine_similarity", common)?, &s)?;
    let b = expand(&x2.try_to_dtype("cosine_similarity", common)?, &s)?;
    let d = [dim];
    let na = clamp(
        &vector_norm(&a, 2.0, Some(&d), true, None)?,
        Some(Scalar::Float(eps)),
        None,
    )?;
    let nb = clamp(
        &vector_norm(&b, 2.0, Some(&d), true, None)?,
        Some(Scalar::Float(eps)),
        None,
    )?;
    sum(&mul(&div(&a, &na)?, &div(&b, &nb)?)?, Some(&d), false, None)
}

/// `aten::pairwise_distance(x1, x2, p, eps, keepdim)`: `norm(x1 - x2 + eps, p)` over the
/// last dim of the broadcast inputs.
pub fn pairwise_distance(
    x1: &Tensor,
    x2: &Tensor,
    p: f64,
    eps: f64,
    keepdim: bool,
) -> Result<Tensor> {
    let last = x1.dim().max(x2.dim()) as i64 - 1;
    let diff = add_scalar(
        &sub(x1, x2, Scalar::Int(1))?,
        Scalar::Float(eps),
        Scalar::Int(1),
    )?;
    vector_norm(&diff, p, Some(&[last]), keepdim, None)
}

/// `aten::cdist(x1, x2, p)`: p-norm distances between the rows of `[.., P, M]` and
/// `[.., R, M]`, batch dims broadcast; computed directly in f64.
pub fn cdist(x1: &Tensor, x2: &Tensor, p: f64) -> Result<Tensor> {
    let op = "cdist";
    for (name, x) in [("X1", x1), ("X2", x2)] {
        if !x.dtype().is_floating() {
            return Err(dtype_err(
                op,
                format!(
                    "cdist only supports floating-point dtypes, {name} got: {}",
                    x.dtype().torch_name()
                ),
            ));
        }
        if x.dim() < 2 {
            return Err(invalid(
                op,
                format!(
                    "cdist only supports at least 2D tensors, {name} got: {}D",
                    x.dim()
                ),
            ));
        }
    }
    if x1.dtype() != x2.dtype() {
        return Err(dtype_err(
            op,
            format!(
                "X1 and X2 must have the same dtype, but got: {} and {}",
                x1.dtype().torch_name(),
                x2.dtype().torch_name()
            ),
        ));
    }
    let (n1, n2) = (x1.dim(), x2.dim());
    let m = x1.shape()[n1 - 1];
    if x2.shape()[n2 - 1] != m {
        return Err(shape_err(
            op,
            format!(
                "X1 and X2 must have the same number of columns. X1: {m} X2: {}",
                x2.shape()[n2 - 1]
            ),
        ));
    }
    if p < 0.0 {
        return Err(invalid(
            op,
            format!("cdist only supports non-negative p values, got: {p}"),
        ));
    }
    let batch = broadcast_shapes(op, &x1.shape()[..n1 - 2], &x2.shape()[..n2 - 2])?;
    let (pr, rr) = (x1.shape()[n1 - 2], x2.shape()[n2 - 2]);
    let mut s1 = dims_i64(&batch);
    s1.extend([pr as i64, m as i64]);
    let mut s2 = dims_i64(&batch);
    s2.extend([rr as i64, m as i64]);
    let a = expand(x1, &s1)?.try_to_vec::<f64>(op)?;
    let b = expand(x2, &s2)?.try_to_vec::<f64>(op)?;
    let nb: usize = batch.iter().product();
    let mut out = crate::alloc::try_for_shape(op, &[nb, pr, rr])?;
    let mut diff = vec![0.0; m];
    for k in 0..nb {
        for i in 0..pr {
            let ra = &a[(k * pr + i) * m..(k * pr + i + 1) * m];
            for j in 0..rr {
                let rb = &b[(k * rr + j) * m..(k * rr + j + 1) * m];
                for ((d, x), y) in diff.iter_mut().zip(ra).zip(rb) {
                    *d = x - y;
                }
                out.push(pnorm(&diff, p));
            }
        }
    }
    let mut shape = batch.to_vec();
    shape.extend([pr, rr]);
    Tensor::from_vec(out, &shape)?.try_to_dtype("cdist", x1.dtype())
}
