//! Diagonals and triangle indices: `aten::diagonal` (a view), `diag`, `diag_embed`,
//! `tril_indices`, `triu_indices`.

use crate::error::invalid;
use crate::layout::wrap_dim;
use crate::{DType, Result, Tensor};

/// `aten::diagonal(self, offset, dim1, dim2)`: a view with `dim1` and `dim2` removed and
/// the diagonal appended as the last dim (empty when the offset is past the edge).
pub fn diagonal(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let nd = t.dim();
    let (d1, d2) = (
        wrap_dim("diagonal", dim1, nd)?,
        wrap_dim("diagonal", dim2, nd)?,
    );
    if d1 == d2 {
        return Err(invalid(
            "diagonal",
            format!("diagonal dimensions cannot be identical {dim1}, {dim2}"),
        ));
    }
    let (s1, s2) = (t.shape()[d1] as i64, t.shape()[d2] as i64);
    let (st1, st2) = (t.strides()[d1], t.strides()[d2]);
    let mut off = t.storage_offset() as isize;
    let len = if offset >= 0 {
        (s1.min(s2 - offset)).max(0)
    } else {
        ((s1 + offset).min(s2)).max(0)
    };
    if len > 0 {
        off += if offset >= 0 {
            offset as isize * st2
        } else {
            -offset as isize * st1
        };
    }
    let mut shape = t.shape_vec();
    let mut strides = t.strides_vec();
    for d in [d1.max(d2), d1.min(d2)] {
        shape.remove(d);
        strides.remove(d);
    }
    shape.push(len as usize);
    strides.push(st1 + st2);
    Ok(t.view_with(off as usize, shape, strides))
}

/// `aten::diag_embed(self, offset, dim1, dim2)`: the last dim of `t` placed on a diagonal
/// of new `dim1`/`dim2` dims, zeros elsewhere.
pub fn diag_embed(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let nd = t.dim() + 1;
    let (d1, d2) = (
        wrap_dim("diag_embed", dim1, nd)?,
        wrap_dim("diag_embed", dim2, nd)?,
    );
    if d1 == d2 {
        return Err(invalid(
            "diag_embed",
            format!("diagonal dimensions cannot be identical {dim1}, {dim2}"),
        ));
    }
    let n = *t.shape().last().unwrap_or(&1) + offset.unsigned_abs() as usize;
    let mut shape: Vec<usize> = t.shape()[..t.dim().saturating_sub(1)].to_vec();
    let (lo, hi) = (d1.min(d2), d1.max(d2));
    shape.insert(lo, n);
    shape.insert(hi, n);
    let out = Tensor::try_zeros("diag_embed", &shape, t.dtype())?;
    let diag = diagonal(&out, offset, d1 as i64, d2 as i64)?;
    crate::ops::create::copy_(&diag, t)?;
    Ok(out)
}

/// `aten::diag(self, diagonal)`: a vector becomes a square matrix with it on the
/// `diagonal`-th diagonal; a matrix gives a copy of that diagonal.
pub fn diag(t: &Tensor, k: i64) -> Result<Tensor> {
    match t.dim() {
        1 => diag_embed(t, k, 0, 1),
        2 => diagonal(t, k, 0, 1)?.try_contiguous("diag"),
        n => Err(invalid(
            "diag",
            format!("diag(): Supports 1D or 2D tensors. Got {n}D"),
        )),
    }
}

/// The coordinates of the lower (`upper == false`) or upper triangle of a `row x col`
/// matrix shifted by `offset`, as a `[2, N]` tensor of `dtype` in row-major order
/// (`aten::tril_indices` / `aten::triu_indices`).
pub fn tri_indices(row: i64, col: i64, offset: i64, upper: bool, dtype: DType) -> Result<Tensor> {
    let op = if upper {
        "triu_indices"
    } else {
        "tril_indices"
    };
    if row < 0 {
        return Err(invalid(op, format!("row must be non-negative, got{row}")));
    }
    if col < 0 {
        return Err(invalid(op, format!("col must be non-negative, got{col}")));
    }
    if !matches!(dtype, DType::I64 | DType::I32) {
        return Err(invalid(
            op,
            format!("\"{op}\" not implemented for '{}'", dtype.name()),
        ));
    }
    let (mut rs, mut cs) = (Vec::new(), Vec::new());
    for r in 0..row {
        for c in 0..col {
            let keep = if upper {
                c - r >= offset
            } else {
                c - r <= offset
            };
            if keep {
                rs.push(r);
                cs.push(c);
            }
        }
    }
    let n = rs.len();
    rs.extend(cs);
    Tensor::from_vec(rs, &[2, n])?.try_to_dtype("tri_indices", dtype)
}
