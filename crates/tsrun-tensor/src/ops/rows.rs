//! A helper for reductions written as a function of one line of values: the reduced dims
//! are moved last and the input is read as f64 rows.

use crate::layout::wrap_dim;
use crate::ops::shape::permute;
use crate::{Result, Tensor};

/// `x`'s values as rows over the reduced `dims` (`None` or empty: all dims).
pub(crate) struct Rows {
    /// Row-major values, `count * len` of them.
    pub data: Vec<f64>,
    /// Elements per row (the product of the reduced sizes).
    pub len: usize,
    /// Number of rows (the product of the kept sizes).
    pub count: usize,
    /// The result shape (reduced dims removed, or 1 with `keepdim`).
    pub shape: Vec<usize>,
}

/// Splits `x` into rows over `dims`, checking each dim once.
pub(crate) fn rows(
    op: &'static str,
    x: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
) -> Result<Rows> {
    let nd = x.dim();
    let mut mask = vec![false; nd];
    match dims {
        None | Some([]) => mask.iter_mut().for_each(|m| *m = true),
        Some(ds) => {
            for &d in ds {
                let w = wrap_dim(op, d, nd)?;
                if nd > 0 {
                    if mask[w] {
                        return Err(crate::error::invalid(
                            op,
                            format!("dim {w} appears multiple times in the list of dims"),
                        ));
                    }
                    mask[w] = true;
                }
            }
        }
    }
    let order: Vec<i64> = (0..nd)
        .filter(|&d| !mask[d])
        .chain((0..nd).filter(|&d| mask[d]))
        .map(|d| d as i64)
        .collect();
    let len: usize = (0..nd).filter(|&d| mask[d]).map(|d| x.shape()[d]).product();
    let count: usize = (0..nd)
        .filter(|&d| !mask[d])
        .map(|d| x.shape()[d])
        .product();
    let shape = (0..nd)
        .filter_map(|d| match (mask[d], keepdim) {
            (false, _) => Some(x.shape()[d]),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect();
    let data = permute(x, &order)?.try_to_vec::<f64>(op)?;
    Ok(Rows {
        data,
        len,
        count,
        shape,
    })
}

impl Rows {
    /// One value per row.
    pub fn map(&self, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        if self.len == 0 {
            return (0..self.count).map(|_| f(&[])).collect();
        }
        self.data.chunks(self.len).map(f).collect()
    }
}
