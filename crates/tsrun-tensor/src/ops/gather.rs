//! `aten::gather`, `aten::scatter` (`.src`, `.value`) and `aten::scatter_add`: element moves
//! along one dim addressed by an int64 index tensor.

use crate::error::invalid;
use crate::layout::wrap_dim;
use crate::{DType, Element, Result, Scalar, Tensor};

/// Row-major strides of a contiguous `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// For each element of `index` (row-major): its own flat offset in `index` and the flat
/// offset in a contiguous tensor of `target` shape with the `dim` coordinate replaced by
/// the index value (checked against `target[dim]`).
fn walk(
    op: &'static str,
    index: &Tensor,
    target: &[usize],
    dim: usize,
    mut f: impl FnMut(usize, usize),
) -> Result<()> {
    if index.dtype() != DType::I64 {
        return Err(invalid(
            op,
            format!("{op}(): Expected dtype int64 for index"),
        ));
    }
    let ishape = index.shape().to_vec();
    if ishape.len() != target.len() && index.numel() > 0 {
        return Err(invalid(
            op,
            "Index tensor must have the same number of dimensions as input tensor",
        ));
    }
    for (d, (&i, &t)) in ishape.iter().zip(target).enumerate() {
        if d != dim && i > t {
            return Err(invalid(
                op,
                format!("Size does not match at dimension {d} expected index {ishape:?} to be no larger than self {target:?} apart from dimension {dim}"),
            ));
        }
    }
    let idx = index.try_contiguous(op)?.try_to_vec::<i64>(op)?;
    let ts = strides(target);
    let mut pos = vec![0usize; ishape.len()];
    for (k, &v) in idx.iter().enumerate() {
        let size = target[dim] as i64;
        if v < -size || v >= size {
            return Err(invalid(
                op,
                format!("index {v} is out of bounds for dimension {dim} with size {size}"),
            ));
        }
        let v = if v < 0 { v + size } else { v } as usize;
        let off: usize = (0..pos.len())
            .map(|d| if d == dim { v } else { pos[d] } * ts[d])
            .sum();
        f(k, off);
        for d in (0..pos.len()).rev() {
            pos[d] += 1;
            if pos[d] < ishape[d] {
                break;
            }
            pos[d] = 0;
        }
    }
    Ok(())
}

/// `aten::gather(self, dim, index)`: `out[p] = self[p with p[dim] = index[p]]`, shaped like
/// `index`.
pub fn gather(a: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let d = wrap_dim("gather", dim, a.dim().max(1))?;
    let a = a.try_contiguous("gather")?;
    let shape = a.shape().to_vec();
    crate::with_dtype!(a.dtype(), T => {
        let src = a.try_to_vec::<T>("gather")?;
        let mut out = crate::alloc::try_for_shape("gather", index.shape())?;
        walk("gather", index, &shape, d, |_, off| out.push(src[off]))?;
        Tensor::from_vec(out, index.shape())
    })
}

/// How [`scatter`] combines a source element with the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterMode {
    /// Overwrite (later index elements win, as aten's serial CPU loop).
    Assign,
    /// Add (`scatter_add`).
    Add,
}

/// `aten::scatter.src` / `scatter_add`: a copy of `self` where, for each element `p` of
/// `index`, `out[p with p[dim] = index[p]]` takes (or adds) `src[p]`.
pub fn scatter(
    a: &Tensor,
    dim: i64,
    index: &Tensor,
    src: &Tensor,
    mode: ScatterMode,
) -> Result<Tensor> {
    let d = wrap_dim("scatter", dim, a.dim().max(1))?;
    let a = a.try_contiguous("scatter")?;
    let shape = a.shape().to_vec();
    let src = src
        .try_to_dtype("scatter", a.dtype())?
        .try_contiguous("scatter")?;
    let sshape = src.shape().to_vec();
    let sstr = strides(&sshape);
    let istr = strides(index.shape());
    let ishape = index.shape().to_vec();
    for (dd, &i) in ishape.iter().enumerate() {
        if sshape.get(dd).is_some_and(|&s| i > s) {
            return Err(invalid(
                "scatter",
                "Expected index to be no larger than src in every dimension",
            ));
        }
    }
    crate::with_dtype!(a.dtype(), T => {
        let s = src.try_to_vec::<T>("scatter")?;
        let mut out = a.try_to_vec::<T>("scatter")?;
        walk("scatter", index, &shape, d, |k, off| {
            // The index element's position, re-addressed in `src`.
            let mut rest = k;
            let mut soff = 0;
            for (dd, &st) in istr.iter().enumerate() {
                soff += (rest / st) * sstr[dd];
                rest %= st;
            }
            out[off] = match mode {
                ScatterMode::Assign => s[soff],
                ScatterMode::Add => add_elem(out[off], s[soff]),
            };
        })?;
        Tensor::from_vec(out, &shape)
    })
}

fn add_elem<T: Element>(x: T, y: T) -> T {
    if T::DTYPE == DType::Bool {
        T::from_bool(x.to_bool() || y.to_bool())
    } else if T::DTYPE.is_floating() {
        T::from_f64(x.to_f64() + y.to_f64())
    } else {
        T::from_i64(x.to_i64().wrapping_add(y.to_i64()))
    }
}

/// `aten::scatter.value`: like [`scatter`] with every source element `value`.
pub fn scatter_value(a: &Tensor, dim: i64, index: &Tensor, value: Scalar) -> Result<Tensor> {
    let src = Tensor::try_full("scatter_value", index.shape(), value, a.dtype())?;
    scatter(a, dim, index, &src, ScatterMode::Assign)
}
