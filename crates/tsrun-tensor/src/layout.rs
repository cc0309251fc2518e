//! Shape and stride arithmetic, broadcasting, and the strided walk that every
//! element-wise kernel is built on.

use smallvec::SmallVec;

use crate::error::shape_err;
use crate::{Result, TensorError};

/// A shape; inline up to 4 dims so small tensors never allocate for it.
pub type Shape = SmallVec<[usize; 4]>;
/// Element strides (never negative in PyTorch, but signed like aten's).
pub type Strides = SmallVec<[isize; 4]>;

/// Product of the sizes (1 for a 0-dim shape).
#[inline]
pub(crate) fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Row-major strides for `shape`, with PyTorch's convention that a size-0 or
/// size-1 dim contributes a factor of 1.
pub(crate) fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = SmallVec::from_elem(0, shape.len());
    let mut acc = 1isize;
    for (i, &s) in shape.iter().enumerate().rev() {
        strides[i] = acc;
        acc *= s.max(1) as isize;
    }
    strides
}

/// PyTorch's `is_contiguous`: size-1 dims may have any stride, and an empty
/// tensor is always contiguous.
pub(crate) fn is_contiguous(shape: &[usize], strides: &[isize]) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = 1isize;
    for (&s, &st) in shape.iter().zip(strides).rev() {
        if s != 1 {
            if st != expected {
                return false;
            }
            expected *= s as isize;
        }
    }
    true
}

/// Formats a shape the way PyTorch prints `sizes()`: `[2, 3]`.
pub(crate) fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// Wraps a possibly negative dimension into `0..ndim` (a 0-dim tensor accepts
/// dims -1 and 0, as in PyTorch).
pub(crate) fn wrap_dim(op: &'static str, dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(TensorError::DimOutOfRange {
            op,
            dim,
            min: -n,
            max: n - 1,
        });
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// The broadcast shape of `a` and `b` (numpy rules), with PyTorch's message.
pub(crate) fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::from_elem(0, n);
    for i in 0..n {
        let da = if i < n - a.len() {
            1
        } else {
            a[i - (n - a.len())]
        };
        let db = if i < n - b.len() {
            1
        } else {
            b[i - (n - b.len())]
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(shape_err(
                op,
                format!(
                    "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
                ),
            ));
        };
    }
    Ok(out)
}

/// Strides that read a tensor of `shape`/`strides` as if expanded to `out`
/// (stride 0 on broadcast dims). `out` must be a valid broadcast target.
pub(crate) fn broadcast_strides(shape: &[usize], strides: &[isize], out: &[usize]) -> Strides {
    let lead = out.len() - shape.len();
    let mut res: Strides = SmallVec::from_elem(0, out.len());
    for i in 0..shape.len() {
        if shape[i] == out[lead + i] && shape[i] != 1 {
            res[lead + i] = strides[i];
        }
    }
    res
}

/// Calls `f` with the element offsets of `N` operands, in row-major order over
/// `shape`. Operand `k` starts at `offsets[k]` and moves by `strides[k]`.
///
/// Adjacent dims that are contiguous with each other in every operand are merged
/// first, so contiguous inputs become a single flat loop.
#[inline]
pub(crate) fn for_each_offset<const N: usize>(
    shape: &[usize],
    strides: [&[isize]; N],
    offsets: [usize; N],
    mut f: impl FnMut([usize; N]),
) {
    if shape.contains(&0) {
        return;
    }
    // Coalesce from the innermost dim outwards.
    let mut dims: SmallVec<[(usize, [isize; N]); 6]> = SmallVec::new();
    for d in (0..shape.len()).rev() {
        let size = shape[d];
        if size == 1 {
            continue;
        }
        let st: [isize; N] = std::array::from_fn(|k| strides[k][d]);
        if let Some(last) = dims.last_mut() {
            let (isize_, ist) = *last;
            if (0..N).all(|k| st[k] == ist[k] * isize_ as isize) {
                last.0 *= size;
                continue;
            }
        }
        dims.push((size, st));
    }
    let pos: [isize; N] = std::array::from_fn(|k| offsets[k] as isize);
    let Some(&(inner, ist)) = dims.first() else {
        f(offsets);
        return;
    };
    let outer = &dims[1..];
    let mut counter: SmallVec<[usize; 6]> = SmallVec::from_elem(0, outer.len());
    let mut base = pos;
    loop {
        let mut p = base;
        for _ in 0..inner {
            f(std::array::from_fn(|k| p[k] as usize));
            for k in 0..N {
                p[k] += ist[k];
            }
        }
        // Odometer increment over the outer dims.
        let mut d = 0;
        loop {
            if d == outer.len() {
                return;
            }
            let (size, st) = outer[d];
            counter[d] += 1;
            for k in 0..N {
                base[k] += st[k];
            }
            if counter[d] < size {
                break;
            }
            counter[d] = 0;
            for k in 0..N {
                base[k] -= st[k] * size as isize;
            }
            d += 1;
        }
    }
}

/// The largest element offset reachable by a view, or `None` for an empty view
/// or on overflow. Used to bounds-check views against their storage.
pub(crate) fn max_offset(
    offset: usize,
    shape: &[usize],
    strides: &[isize],
) -> Option<Option<usize>> {
    if shape.contains(&0) {
        return Some(None);
    }
    let mut max = offset;
    for (&s, &st) in shape.iter().zip(strides) {
        if st < 0 {
            return None;
        }
        let span = (s - 1).checked_mul(st as usize)?;
        max = max.checked_add(span)?;
    }
    Some(Some(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_transposed() {
        let mut seen = Vec::new();
        for_each_offset(&[2, 3], [&[1, 2]], [0], |[o]| seen.push(o));
        assert_eq!(seen, [0, 2, 4, 1, 3, 5]);
    }

    #[test]
    fn walk_broadcast_pair() {
        let mut seen = Vec::new();
        for_each_offset(&[2, 2], [&[2, 1], &[0, 1]], [0, 10], |[a, b]| {
            seen.push((a, b))
        });
        assert_eq!(seen, [(0, 10), (1, 11), (2, 10), (3, 11)]);
    }

    #[test]
    fn broadcast_error_message() {
        let e = broadcast_shapes("add", &[2, 3], &[2, 4]).unwrap_err();
        assert!(e
            .to_string()
            .contains("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"));
    }
}
