//! Neural-network kernels: convolution, pooling, normalization, activations,
//! embedding/indexing helpers, recurrent cells and attention.
//!
//! They run on float32 and float64 only, as aten's CPU kernels do; float16 and
//! bfloat16 inputs are computed in float32 and rounded once at the end (aten
//! uses float accumulation for reduced-precision types too).

pub mod activation;
pub mod attention;
pub mod conv;
mod depthwise;
pub mod detection;
pub mod embedding_bag;
pub mod index;
pub mod loss;
pub mod norm;
pub mod pool;
pub mod pool3d;
mod pool_max;
pub mod rnn;
pub mod upsample;

use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

use crate::error::invalid;
use crate::{DType, Element, Result, Tensor, TensorError};

/// A float type the NN kernels compute in (f32 or f64).
pub(crate) trait Real:
    Element
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
{
    /// Converts from f64 (rounding to nearest).
    fn of(x: f64) -> Self;
    /// Widens to f64.
    fn f(self) -> f64;
    /// Is NaN.
    fn nan(self) -> bool;
    /// `1 / (1 + e^-x)` of every element, in place (vectorised for f32).
    fn sigmoid_slice(v: &mut [Self]);
    /// `tanh(x)` of every element, in place (vectorised for f32).
    fn tanh_slice(v: &mut [Self]);
    /// `out[r] += dot(w[r*cols..][..cols], x)` for every row of `out` (SIMD for f32).
    fn matvec_add(w: &[Self], cols: usize, x: &[Self], out: &mut [Self]);
    /// `c = a·b + beta·c` for an `m×k` by `k×n` product with arbitrary
    /// non-negative strides; `c` is row-major with row stride `ldc`.
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: (&[Self], usize, usize),
        b: (&[Self], usize, usize),
        beta: Self,
        c: &mut [Self],
        ldc: usize,
    );
}

/// Largest index a strided `rows×cols` operand touches, plus one.
fn extent(rows: usize, cols: usize, rs: usize, cs: usize) -> usize {
    if rows == 0 || cols == 0 {
        0
    } else {
        (rows - 1) * rs + (cols - 1) * cs + 1
    }
}

/// f64 [`Real::sigmoid_slice`]: libm per element.
fn sigmoid_f64(v: &mut [f64]) {
    v.iter_mut().for_each(|x| *x = 1.0 / (1.0 + (-*x).exp()));
}

/// f64 [`Real::tanh_slice`]: libm per element.
fn tanh_f64(v: &mut [f64]) {
    v.iter_mut().for_each(|x| *x = x.tanh());
}

/// f64 [`Real::matvec_add`]: one [`dot`] per row.
fn matvec_add_f64(w: &[f64], cols: usize, x: &[f64], out: &mut [f64]) {
    for (r, o) in out.iter_mut().enumerate() {
        *o += dot(x, &w[r * cols..][..cols]);
    }
}

macro_rules! real {
    ($t:ty, $gemm:path, $sigmoid:path, $tanh:path, $matvec:path) => {
        impl Real for $t {
            #[inline(always)]
            fn of(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn f(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn nan(self) -> bool {
                self.is_nan()
            }
            #[inline]
            fn sigmoid_slice(v: &mut [Self]) {
                $sigmoid(v)
            }
            #[inline]
            fn tanh_slice(v: &mut [Self]) {
                $tanh(v)
            }
            #[inline]
            fn matvec_add(w: &[Self], cols: usize, x: &[Self], out: &mut [Self]) {
                $matvec(w, cols, x, out)
            }
            fn gemm(
                m: usize,
                k: usize,
                n: usize,
                a: (&[Self], usize, usize),
                b: (&[Self], usize, usize),
                beta: Self,
                c: &mut [Self],
                ldc: usize,
            ) {
                if m == 0 || n == 0 {
                    return;
                }
                // Bounds are checked here once so the unsafe call below can
                // never read or write outside the slices (a failure is a bug in
                // a kernel of this module, not bad input).
                assert!(extent(m, k, a.1, a.2) <= a.0.len(), "gemm: A out of bounds");
                assert!(extent(k, n, b.1, b.2) <= b.0.len(), "gemm: B out of bounds");
                assert!(extent(m, n, ldc, 1) <= c.len(), "gemm: C out of bounds");
                if k == 0 {
                    for i in 0..m {
                        for x in &mut c[i * ldc..i * ldc + n] {
                            *x = if beta == 0.0 { 0.0 } else { beta * *x };
                        }
                    }
                    return;
                }
                // SAFETY: every element the kernel touches lies inside the
                // three slices (asserted above); `c` is exclusively borrowed.
                unsafe {
                    $gemm(
                        m,
                        k,
                        n,
                        1.0,
                        a.0.as_ptr(),
                        a.1 as isize,
                        a.2 as isize,
                        b.0.as_ptr(),
                        b.1 as isize,
                        b.2 as isize,
                        beta,
                        c.as_mut_ptr(),
                        ldc as isize,
                        1,
                    )
                }
            }
        }
    };
}
real!(
    f32,
    matrixmultiply::sgemm,
    crate::vmath::sigmoid_in_place,
    crate::vmath::tanh_in_place,
    crate::matvec::matvec_add_f32
);
real!(
    f64,
    matrixmultiply::dgemm,
    sigmoid_f64,
    tanh_f64,
    matvec_add_f64
);

/// Inner product of two equal-length slices with eight partial sums, so the
/// compiler can keep them in one SIMD register (a single running sum cannot be
/// vectorised without reordering float additions).
#[inline]
pub(crate) fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::of(0.0); 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (&x, &y) in ar.iter().zip(br) {
        s += x * y;
    }
    s
}

/// The dtype a float kernel computes in for an input of dtype `dt`.
pub(crate) fn compute_dtype(op: &'static str, dt: DType) -> Result<DType> {
    match dt {
        DType::F32 | DType::F16 | DType::BF16 => Ok(DType::F32),
        DType::F64 => Ok(DType::F64),
        _ => Err(TensorError::Unsupported { op, dtype: dt }),
    }
}

/// `t` converted to `dt` and made contiguous (shared when already so).
/// A contiguous copy in `dt` (shared when `t` already is one), with checked allocations:
/// `t` may be a view claiming far more elements than it stores.
pub(crate) fn dense(op: &'static str, t: &Tensor, dt: DType) -> crate::Result<Tensor> {
    t.try_to_dtype(op, dt)?.try_contiguous(op)
}

/// The elements of a contiguous tensor (see [`dense`]).
pub(crate) fn elems<T: Element>(t: &Tensor) -> &[T] {
    t.contiguous_data::<T>().unwrap_or(&[])
}

/// Runs `$body` with `$T` bound to the compute type of `$cd` (f32 or f64).
macro_rules! with_real {
    ($cd:expr, $T:ident => $body:expr) => {
        match $cd {
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            _ => {
                type $T = f32;
                $body
            }
        }
    };
}
pub(crate) use with_real;

/// Checks that two float tensors have the same dtype, as aten's NN kernels require.
pub(crate) fn same_dtype(op: &'static str, what: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(crate::error::dtype_err(
            op,
            format!(
                "expected {what} to have the same dtype as input, but got {} and {}",
                b.dtype().name(),
                a.dtype().name()
            ),
        ));
    }
    Ok(())
}

/// A `int[N]` argument of length 1 (repeated) or `n`, each value >= `min`.
pub(crate) fn expand_param(
    op: &'static str,
    what: &str,
    v: &[i64],
    n: usize,
    min: i64,
) -> Result<Vec<usize>> {
    let vals: Vec<i64> = match v.len() {
        1 => vec![v[0]; n],
        l if l == n => v.to_vec(),
        l => {
            return Err(invalid(
                op,
                format!("expected {what} to be a single integer value or a list of {n} values, but got {l} values"),
            ))
        }
    };
    vals.iter()
        .map(|&x| {
            if x < min {
                Err(invalid(
                    op,
                    format!("{what} should be at least {min}, but got {x}"),
                ))
            } else {
                Ok(x as usize)
            }
        })
        .collect()
}
