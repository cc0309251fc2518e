//! Ops that copy elements into a new order: `aten::flip` and `aten::roll`.

use crate::error::invalid;
use crate::layout::wrap_dim;
use crate::ops::shape::reshape;
use crate::{Element, Result, Tensor};

/// A contiguous copy of `a` whose element at multi-index `i` is `a[src(i)]`, where `src`
/// maps each output coordinate of dimension `d` through `coord[d](i_d)`.
fn remap(a: &Tensor, coord: &[Vec<usize>]) -> Result<Tensor> {
    let a = a.try_contiguous("remap")?;
    let shape = a.shape().to_vec();
    crate::with_dtype!(a.dtype(), T => {
        let src: Vec<T> = a.try_to_vec::<T>("remap")?;
        Tensor::from_vec(gather_copy(&src, &shape, coord)?, &shape)
    })
}

fn gather_copy<T: Element>(src: &[T], shape: &[usize], coord: &[Vec<usize>]) -> Result<Vec<T>> {
    let n: usize = shape.iter().product();
    let mut strides = vec![1usize; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    let mut out = crate::alloc::try_with_capacity("gather_copy", n)?;
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..n {
        let off: usize = (0..shape.len())
            .map(|d| coord[d][idx[d]] * strides[d])
            .sum();
        out.push(src[off]);
        // Odometer increment, last dimension fastest.
        for d in (0..shape.len()).rev() {
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(out)
}

/// `aten::flip(Tensor self, int[] dims)`: a copy with the order of each dim in `dims`
/// reversed (negative dims count from the end; a repeated dim is an error).
pub fn flip(a: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let mut coord: Vec<Vec<usize>> = a.shape().iter().map(|&s| (0..s).collect()).collect();
    let mut seen = vec![false; a.dim()];
    for &d in dims {
        let d = wrap_dim("flip", d, a.dim())?;
        if seen[d] {
            return Err(invalid(
                "flip",
                format!("dim {d} appears multiple times in the list of dims"),
            ));
        }
        seen[d] = true;
        coord[d].reverse();
    }
    remap(a, &coord)
}

/// `aten::roll(Tensor self, int[1] shifts, int[1] dims=[])`: elements shifted along each
/// dim by its shift, wrapping around; with no dims, over the flattened tensor (then reshaped).
pub fn roll(a: &Tensor, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
    if dims.is_empty() {
        if shifts.len() != 1 {
            return Err(invalid(
                "roll",
                format!(
                    "`shifts` required to be of size 1 when `dims` is empty, got {}",
                    shifts.len()
                ),
            ));
        }
        let flat = reshape(a, &[-1])?;
        let rolled = roll(&flat, shifts, &[0])?;
        let shape: Vec<i64> = a.shape().iter().map(|&s| s as i64).collect();
        return reshape(&rolled, &shape);
    }
    if shifts.len() != dims.len() {
        return Err(invalid(
            "roll",
            format!(
                "shifts and dimensions must align. shifts: {}, dims:{}",
                shifts.len(),
                dims.len()
            ),
        ));
    }
    let mut coord: Vec<Vec<usize>> = a.shape().iter().map(|&s| (0..s).collect()).collect();
    for (&s, &d) in shifts.iter().zip(dims) {
        let d = wrap_dim("roll", d, a.dim())?;
        let n = a.shape()[d] as i64;
        if n == 0 {
            continue;
        }
        let s = s.rem_euclid(n);
        // Output position i takes what position (i - shift) mod n took (a dim may repeat).
        let old = std::mem::take(&mut coord[d]);
        coord[d] = (0..n)
            .map(|i| old[(i - s).rem_euclid(n) as usize])
            .collect();
    }
    remap(a, &coord)
}

/// `aten::sort` / `aten::sort.stable`: (values, int64 indices) sorted along `dim`.
///
/// Always a stable sort (ties keep input order), with NaN greater than every number (last
/// ascending, first descending), as aten's comparators. aten's unstable CPU sort may order
/// equal elements differently (it uses a vectorised quicksort for some dtypes).
pub fn sort(a: &Tensor, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
    let nd = a.dim().max(1);
    let d = wrap_dim("sort", dim, nd)?;
    let a = a.try_contiguous("sort")?;
    let shape = a.shape().to_vec();
    let (outer, n, inner) = if a.dim() == 0 {
        (1, 1, 1)
    } else {
        (
            shape[..d].iter().product::<usize>(),
            shape[d],
            shape[d + 1..].iter().product::<usize>(),
        )
    };
    crate::with_dtype!(a.dtype(), T => {
        let src: Vec<T> = a.try_to_vec::<T>("sort")?;
        let mut vals = crate::alloc::try_with_capacity("sort", src.len())?;
        vals.extend_from_slice(&src);
        let mut idxs = crate::alloc::try_filled("sort", src.len(), 0i64)?;
        // NaN is the only value not equal to itself.
        #[allow(clippy::eq_op)]
        let key = |x: T| -> (bool, T) { (x != x, x) };
        let mut order: Vec<usize> = Vec::with_capacity(n);
        for o in 0..outer {
            for i in 0..inner {
                let at = |k: usize| (o * n + k) * inner + i;
                order.clear();
                order.extend(0..n);
                order.sort_by(|&p, &q| {
                    let ((pn, pv), (qn, qv)) = (key(src[at(p)]), key(src[at(q)]));
                    let asc = match (pn, qn) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ => pv.partial_cmp(&qv).unwrap_or(std::cmp::Ordering::Equal),
                    };
                    if descending { asc.reverse() } else { asc }
                });
                for (k, &p) in order.iter().enumerate() {
                    vals[at(k)] = src[at(p)];
                    idxs[at(k)] = p as i64;
                }
            }
        }
        Ok((Tensor::from_vec(vals, &shape)?, Tensor::from_vec(idxs, &shape)?))
    })
}
