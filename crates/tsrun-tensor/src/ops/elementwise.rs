//! Generic element-wise drivers: map one tensor, or zip two with broadcasting,
//! into a fresh contiguous result. Every unary, binary and comparison kernel
//! is one of these plus a per-element closure.

use rayon::prelude::*;

use crate::layout::{self, Shape};
use crate::{Element, Result, Scalar, Tensor};

/// Below this many elements, kernels stay on the calling thread: spawning
/// rayon work costs microseconds, far more than the arithmetic.
pub(crate) const PAR_THRESHOLD: usize = 32 * 1024;

/// `f` applied to a contiguous slice, in parallel when large, into `out` (empty, with room
/// for `s.len()` elements: `collect_into_vec` and `extend` then allocate nothing).
#[inline]
fn map_slice<T: Element, R: Element>(s: &[T], f: &(impl Fn(T) -> R + Sync), out: &mut Vec<R>) {
    if s.len() > PAR_THRESHOLD {
        s.par_iter().map(|&x| f(x)).collect_into_vec(out);
    } else {
        out.extend(s.iter().map(|&x| f(x)));
    }
}

/// `f(x)` for every element of `a` (whose dtype must be `T`), same shape. The output is a
/// checked allocation (`a` may be a view claiming far more elements than it stores); `op`
/// names the kernel in the error.
#[inline]
pub(crate) fn map<T: Element, R: Element>(
    op: &'static str,
    a: &Tensor,
    f: impl Fn(T) -> R + Sync,
) -> Result<Tensor> {
    let mut out = crate::alloc::try_for_shape(op, a.shape())?;
    match a.contiguous_data::<T>() {
        Some(s) => map_slice(s, &f, &mut out),
        None => a.for_each::<T>(|x| out.push(f(x))),
    }
    Ok(Tensor::from_vec_shape(out, a.shape_vec()))
}

/// Applies `f` in place when `a` is contiguous (the common case for a temporary), writing
/// each element once with no temporary buffer; returns false when `a` is strided, in which
/// case the caller falls back to compute-then-write-back.
pub(crate) fn map_inplace_contiguous<T: Element>(a: &Tensor, f: impl Fn(T) -> T) -> bool {
    if !a.is_contiguous() || T::DTYPE != a.dtype() {
        return false;
    }
    let (start, n) = (a.storage_offset(), a.numel());
    if n == 0 {
        return true;
    }
    // SAFETY: only this call touches the storage while `f` runs: `f` maps values and has no
    // access to any tensor, and concurrent use of one storage from two threads is excluded by
    // the crate's documented contract (storage.rs, point 4), as for PyTorch tensors.
    unsafe {
        a.storage().write_slice::<T, ()>(|s| {
            if let Some(view) = s.get_mut(start..start + n) {
                for x in view {
                    *x = f(*x);
                }
            }
        })
    };
    true
}

/// The right-hand side of a binary op: a tensor or a Python number.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rhs<'a> {
    /// A tensor operand (broadcast against the left one).
    Tensor(&'a Tensor),
    /// A scalar operand, converted to the computation type per call.
    Scalar(Scalar),
}

/// `f(x, y)` over the broadcast of `a` and `b` (both of dtype `T`).
#[inline]
pub(crate) fn zip<T: Element, R: Element>(
    op: &'static str,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(T, T) -> R + Sync,
) -> Result<Tensor> {
    // Fast path: identical shapes, both contiguous (the common MLP case).
    if a.shape() == b.shape() {
        if let (Some(x), Some(y)) = (a.contiguous_data::<T>(), b.contiguous_data::<T>()) {
            let mut out: Vec<R> = crate::alloc::try_for_shape(op, a.shape())?;
            if x.len() > PAR_THRESHOLD {
                x.par_iter()
                    .zip(y.par_iter())
                    .map(|(&p, &q)| f(p, q))
                    .collect_into_vec(&mut out);
            } else {
                out.extend(x.iter().zip(y).map(|(&p, &q)| f(p, q)));
            }
            return Ok(Tensor::from_vec_shape(out, a.shape_vec()));
        }
    }
    // One-element right operand that does not add dims: a scalar in disguise.
    if b.numel() == 1 && b.dim() <= a.dim() {
        let y = b.data::<T>()[b.storage_offset()];
        return map(op, a, move |x| f(x, y));
    }
    if a.numel() == 1 && a.dim() <= b.dim() {
        let x = a.data::<T>()[a.storage_offset()];
        return map(op, b, move |y| f(x, y));
    }
    let shape: Shape = layout::broadcast_shapes(op, a.shape(), b.shape())?;
    let sa = layout::broadcast_strides(a.shape(), a.strides(), &shape);
    let sb = layout::broadcast_strides(b.shape(), b.strides(), &shape);
    let (da, db) = (a.data::<T>(), b.data::<T>());
    // Broadcasting `[n, 1]` against `[1, n]` makes an output far larger than either input.
    let mut out = crate::alloc::try_for_shape(op, &shape)?;
    layout::for_each_offset(
        &shape,
        [&sa, &sb],
        [a.storage_offset(), b.storage_offset()],
        |[i, j]| out.push(f(da[i], db[j])),
    );
    Ok(Tensor::from_vec_shape(out, shape))
}

/// [`zip`] when `b` is a tensor, [`map`] with a converted constant when it is a scalar.
#[inline]
pub(crate) fn zip_rhs<T: Element, R: Element>(
    op: &'static str,
    a: &Tensor,
    b: Rhs<'_>,
    f: impl Fn(T, T) -> R + Sync,
) -> Result<Tensor> {
    match b {
        Rhs::Tensor(b) => zip(op, a, b, f),
        Rhs::Scalar(s) => {
            let y = T::from_scalar(s);
            map(op, a, move |x| f(x, y))
        }
    }
}

/// Like [`zip_rhs`] but `f` may fail (integer division by zero); the first
/// error wins and the partial result is discarded.
pub(crate) fn try_zip_rhs<T: Element, R: Element>(
    op: &'static str,
    a: &Tensor,
    b: Rhs<'_>,
    f: impl Fn(T, T) -> Option<R> + Sync,
    err: impl Fn() -> crate::TensorError,
) -> Result<Tensor> {
    let failed = std::sync::atomic::AtomicBool::new(false);
    let out = zip_rhs(op, a, b, |x: T, y: T| match f(x, y) {
        Some(r) => r,
        None => {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
            R::default()
        }
    })?;
    if failed.into_inner() {
        Err(err())
    } else {
        Ok(out)
    }
}
