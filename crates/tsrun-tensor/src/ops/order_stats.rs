//! Order statistics: `aten::median` (all elements, or values and indices along a dim) and
//! `aten::aminmax`.

use crate::error::invalid;
use crate::layout::wrap_dim;
use crate::ops::gather::gather;
use crate::ops::reduce::{max, max_dim, min, min_dim};
use crate::ops::shape::{permute, reshape, squeeze_dim};
use crate::{DType, Result, Tensor};

/// Index of the lower median of a line: the first NaN if there is one, else the
/// `(n-1)/2`-th element in (value, index) order (aten's `nth_element` with an index
/// tie-break).
fn median_index(v: &[f64]) -> usize {
    if let Some(i) = v.iter().position(|x| x.is_nan()) {
        return i;
    }
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]).then(i.cmp(&j)));
    idx[(v.len() - 1) / 2]
}

/// `aten::median(self)`: the lower median of all elements (NaN if any is NaN) as a 0-d
/// tensor; an empty input gives NaN.
pub fn median(t: &Tensor) -> Result<Tensor> {
    let flat = reshape(t, &[-1])?;
    if flat.numel() == 0 {
        if !t.dtype().is_floating() {
            return Err(invalid("median", "median() input tensor cannot be empty"));
        }
        return Tensor::try_full("median", &[], crate::Scalar::Float(f64::NAN), t.dtype());
    }
    let i = median_index(&flat.try_to_vec::<f64>("median")?);
    let idx = Tensor::from_vec(vec![i as i64], &[1])?;
    reshape(&gather(&flat, 0, &idx)?, &[])
}

/// `aten::median.dim(self, dim, keepdim)`: (values, int64 indices) of the lower median of
/// each line along `dim`.
pub fn median_dim(t: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let op = "median";
    let nd = t.dim();
    let d = wrap_dim(op, dim, nd)?;
    if nd == 0 {
        return Ok((t.clone(), Tensor::try_zeros("median_dim", &[], DType::I64)?));
    }
    let len = t.shape()[d];
    if len == 0 {
        return Err(invalid(
            op,
            format!("median(): Expected reduction dim {d} to have non-zero size."),
        ));
    }
    let order: Vec<i64> = (0..nd)
        .filter(|&k| k != d)
        .chain([d])
        .map(|k| k as i64)
        .collect();
    let v = permute(t, &order)?.try_to_vec::<f64>("median_dim")?;
    let idx: Vec<i64> = v
        .chunks(len)
        .map(|line| median_index(line) as i64)
        .collect();
    let mut kshape = t.shape().to_vec();
    kshape[d] = 1;
    let idx = Tensor::from_vec(idx, &{
        let mut s: Vec<usize> = (0..nd).filter(|&k| k != d).map(|k| t.shape()[k]).collect();
        s.push(1);
        s
    })?;
    // Back from "dim last" to the input's dim order.
    let mut inv = vec![0i64; nd];
    for (p, &k) in order.iter().enumerate() {
        inv[k as usize] = p as i64;
    }
    let idx = permute(&idx, &inv)?.try_contiguous("median_dim")?;
    let vals = gather(t, d as i64, &idx)?;
    if keepdim {
        Ok((vals, idx))
    } else {
        Ok((squeeze_dim(&vals, d as i64)?, squeeze_dim(&idx, d as i64)?))
    }
}

/// `aten::aminmax(self, dim, keepdim)`: (min, max) over all elements or along `dim`.
pub fn aminmax(t: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let op = "aminmax";
    match dim {
        None => {
            if t.numel() == 0 {
                return Err(invalid(
                    op,
                    "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
                ));
            }
            let (lo, hi) = (min(t)?, max(t)?);
            if keepdim {
                let ones = vec![1i64; t.dim()];
                Ok((reshape(&lo, &ones)?, reshape(&hi, &ones)?))
            } else {
                Ok((lo, hi))
            }
        }
        Some(d) => {
            let w = wrap_dim(op, d, t.dim())?;
            if t.dim() > 0 && t.shape()[w] == 0 {
                return Err(invalid(
                    op,
                    "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
                ));
            }
            Ok((min_dim(t, d, keepdim)?.0, max_dim(t, d, keepdim)?.0))
        }
    }
}
