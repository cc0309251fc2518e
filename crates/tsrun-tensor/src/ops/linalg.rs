//! Matrix products: `aten::matmul`, `mm`, `bmm`, `addmm`, `linear`, `dot`.
//!
//! float32/float64 go through `matrixmultiply`'s strided GEMM, so transposed
//! operands (e.g. `linear`'s weight) are read in place with swapped strides
//! and never copied. Integer products use a plain wrapping loop; f16/bf16 are
//! computed in f32 and rounded once.

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::error::{dtype_err, invalid, shape_err};
use crate::layout::{self, Shape};
use crate::ops::num::{dispatch, Num};
use crate::ops::shape::{expand, reshape, reshape_to, squeeze_dim, unsqueeze};
use crate::{DType, Element, Result, Scalar, Tensor, TensorError};

pub use crate::ops::shape::{t, transpose};

/// Below this many multiply-adds a (batched) product stays on the calling thread, so small
/// models never pay for waking rayon's workers.
const PAR_WORK: usize = 1 << 18;

/// Reads a strided matrix operand out of a tensor's storage.
#[derive(Clone, Copy)]
struct Mat<'a, T> {
    data: &'a [T],
    off: usize,
    rs: isize,
    cs: isize,
}

/// `C = alpha * A·B + beta * C` for one `m×k · k×n` product; `C` is
/// contiguous row-major at `c[c_off..]`. `beta == 0` ignores C's old contents.
#[allow(clippy::too_many_arguments)]
fn gemm<T: Element + Num>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: Mat<'_, T>,
    b: Mat<'_, T>,
    beta: T,
    c: &mut [T],
    c_off: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    let c = &mut c[c_off..c_off + m * n];
    if k == 0 {
        for x in c.iter_mut() {
            *x = if beta == T::ZERO {
                T::ZERO
            } else {
                beta.wmul(*x)
            };
        }
        return;
    }
    let (rsc, csc) = (n as isize, 1isize);
    macro_rules! blas {
        ($t:ty, $f:path) => {{
            // SAFETY: `T` is `$t` (dtype checked by the caller's match; `Element`
            // is sealed so DTYPE identifies the type). Every index the kernel
            // touches, off + i*rs + p*cs for i < m, p < k (and likewise for B),
            // lies inside the tensor views, which are bounds-checked at
            // construction. C is an exclusively borrowed, fresh buffer of m*n.
            unsafe {
                $f(
                    m,
                    k,
                    n,
                    *(&alpha as *const T as *const $t),
                    (a.data.as_ptr() as *const $t).add(a.off),
                    a.rs,
                    a.cs,
                    (b.data.as_ptr() as *const $t).add(b.off),
                    b.rs,
                    b.cs,
                    *(&beta as *const T as *const $t),
                    c.as_mut_ptr() as *mut $t,
                    rsc,
                    csc,
                )
            }
        }};
    }
    match T::DTYPE {
        DType::F32 => blas!(f32, matrixmultiply::sgemm),
        DType::F64 => blas!(f64, matrixmultiply::dgemm),
        _ => {
            let at = |i: usize, p: usize| {
                a.data[(a.off as isize + i as isize * a.rs + p as isize * a.cs) as usize]
            };
            let bt = |p: usize, j: usize| {
                b.data[(b.off as isize + p as isize * b.rs + j as isize * b.cs) as usize]
            };
            for i in 0..m {
                for j in 0..n {
                    let mut s = T::ZERO;
                    for p in 0..k {
                        s = s.wadd(at(i, p).wmul(bt(p, j)));
                    }
                    let old = c[i * n + j];
                    c[i * n + j] = if beta == T::ZERO {
                        alpha.wmul(s)
                    } else {
                        alpha.wmul(s).wadd(beta.wmul(old))
                    };
                }
            }
        }
    }
}

/// Batched product of `a: [*B, m, k]` and `b: [*B, k, n]` with identical batch
/// dims (possibly stride-0 expanded): `alpha * a@b + beta * c`, where `c`
/// (broadcastable to the output) is ignored when `beta == 0`.
fn batched(
    a: &Tensor,
    b: &Tensor,
    alpha: Scalar,
    beta: Scalar,
    c: Option<&Tensor>,
) -> Result<Tensor> {
    let dt = a.dtype();
    let nd = a.dim();
    let (m, k, n) = (a.shape()[nd - 2], a.shape()[nd - 1], b.shape()[nd - 1]);
    let batch = &a.shape()[..nd - 2];
    let mut out_shape: Shape = SmallVec::from_slice(batch);
    out_shape.extend_from_slice(&[m, n]);
    if matches!(dt, DType::F16 | DType::BF16) {
        let r = batched(
            &a.try_to_dtype("batched", DType::F32)?,
            &b.try_to_dtype("batched", DType::F32)?,
            alpha,
            beta,
            c.map(|c| c.try_to_dtype("batched", DType::F32))
                .transpose()?
                .as_ref(),
        )?;
        return r.try_to_dtype("batched", dt);
    }
    let use_c = c.is_some() && beta.to_f64() != 0.0;
    dispatch!(dt,
        int T => run::<T>(a, b, alpha, beta, c, use_c, batch, (m, k, n), out_shape),
        float F => run::<F>(a, b, alpha, beta, c, use_c, batch, (m, k, n), out_shape),
        bool => Err(TensorError::Unsupported { op: "addmm_impl_cpu_", dtype: dt }))
}

#[allow(clippy::too_many_arguments)]
fn run<T: Element + Num>(
    a: &Tensor,
    b: &Tensor,
    alpha: Scalar,
    beta: Scalar,
    c: Option<&Tensor>,
    use_c: bool,
    batch: &[usize],
    (m, k, n): (usize, usize, usize),
    out_shape: Shape,
) -> Result<Tensor> {
    let nd = a.dim();
    // The batch dims may be expanded views of any size: the output is a checked allocation.
    let numel = crate::alloc::checked_numel("matmul", &out_shape)?;
    if numel == 0 {
        return Ok(Tensor::from_vec_shape(Vec::<T>::new(), out_shape));
    }
    let mut out: Vec<T> = match c {
        // A `[n]` bias (`linear`, `addmm`): row copies, not a strided walk of the broadcast.
        Some(c) if use_c && c.dim() == 1 && c.dtype() == T::DTYPE && c.shape()[0] == n => {
            match c.contiguous_data::<T>() {
                Some(row) => {
                    let mut out = crate::alloc::try_with_capacity("matmul", numel)?;
                    (0..numel / n).for_each(|_| out.extend_from_slice(row));
                    out
                }
                _ => {
                    let sizes: SmallVec<[i64; 6]> = out_shape.iter().map(|&s| s as i64).collect();
                    expand(c, &sizes)?.try_to_vec::<T>("run")?
                }
            }
        }
        Some(c) if use_c => {
            let sizes: SmallVec<[i64; 6]> = out_shape.iter().map(|&s| s as i64).collect();
            expand(&c.try_to_dtype("run", T::DTYPE)?, &sizes)?.try_to_vec::<T>("run")?
        }
        _ => crate::alloc::try_filled("matmul", numel, T::ZERO)?,
    };
    let beta = if use_c { T::from_scalar(beta) } else { T::ZERO };
    let alpha = T::from_scalar(alpha);
    let (da, db) = (a.data::<T>(), b.data::<T>());
    let (sa, sb) = (a.strides(), b.strides());
    let mut items: SmallVec<[[usize; 2]; 8]> = SmallVec::new();
    layout::for_each_offset(
        batch,
        [&sa[..nd - 2], &sb[..nd - 2]],
        [a.storage_offset(), b.storage_offset()],
        |o| items.push(o),
    );
    let mat = |data, off, s: &[isize]| Mat {
        data,
        off,
        rs: s[nd - 2],
        cs: s[nd - 1],
    };
    // One product of rows `r0..` of item `[oa, ob]` into `c` (`c.len() / n` rows).
    let product = |[oa, ob]: [usize; 2], r0: usize, c: &mut [T]| {
        let rows = c.len() / n;
        let oa = (oa as isize + r0 as isize * sa[nd - 2]) as usize;
        gemm(
            rows,
            k,
            n,
            alpha,
            mat(da, oa, sa),
            mat(db, ob, sb),
            beta,
            c,
            0,
        );
    };
    let threads = rayon::current_num_threads();
    let par = threads > 1
        && m * n > 0
        && items.len() * m * k * n >= PAR_WORK
        && matches!(T::DTYPE, DType::F32 | DType::F64);
    if !par {
        for (i, &o) in items.iter().enumerate() {
            if m * n > 0 {
                product(o, 0, &mut out[i * m * n..(i + 1) * m * n]);
            }
        }
    } else if items.len().is_multiple_of(threads) || items.len() >= 4 * threads {
        // Enough whole products (attention heads, batches) to keep every thread busy.
        out.par_chunks_mut(m * n)
            .zip(items.par_iter())
            .for_each(|(c, &o)| product(o, 0, c));
    } else {
        // Few large products (`linear` over a sequence): split each one's rows.
        let rows = m.div_ceil(threads);
        for (i, &o) in items.iter().enumerate() {
            out[i * m * n..(i + 1) * m * n]
                .par_chunks_mut(rows * n)
                .enumerate()
                .for_each(|(ci, c)| product(o, ci * rows, c));
        }
    }
    Ok(Tensor::from_vec_shape(out, out_shape))
}

fn same_dtype(op: &'static str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(dtype_err(
            op,
            format!(
                "expected m1 and m2 to have the same dtype, but got: {} != {}",
                a.dtype().name(),
                b.dtype().name()
            ),
        ));
    }
    Ok(())
}

fn mm_shapes_err(a: &[usize], b: &[usize]) -> TensorError {
    shape_err(
        "mm",
        format!(
            "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            a[0], a[1], b[0], b[1]
        ),
    )
}

/// `aten::mm`: `[m, k] @ [k, n]`; both operands must share a dtype.
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.dim() != 2 {
        return Err(invalid("mm", "self must be a matrix"));
    }
    if b.dim() != 2 {
        return Err(invalid("mm", "mat2 must be a matrix"));
    }
    same_dtype("mm", a, b)?;
    if a.shape()[1] != b.shape()[0] {
        return Err(mm_shapes_err(a.shape(), b.shape()));
    }
    batched(a, b, Scalar::Int(1), Scalar::Int(0), None)
}

/// `aten::bmm`: `[B, m, k] @ [B, k, n]` with equal batch sizes.
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.dim() != 3 {
        return Err(invalid("bmm", "batch1 must be a 3D tensor"));
    }
    if b.dim() != 3 {
        return Err(invalid("bmm", "batch2 must be a 3D tensor"));
    }
    same_dtype("bmm", a, b)?;
    if b.shape()[0] != a.shape()[0] || b.shape()[1] != a.shape()[2] {
        return Err(shape_err(
            "bmm",
            format!(
                "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                a.shape()[0],
                a.shape()[2],
                b.shape()[0],
                b.shape()[1]
            ),
        ));
    }
    batched(a, b, Scalar::Int(1), Scalar::Int(0), None)
}

/// `aten::addmm(bias, a, b, beta, alpha)`: `beta * bias + alpha * (a @ b)`;
/// `bias` broadcasts to `[m, n]` and is not read at all when `beta == 0`.
pub fn addmm(bias: &Tensor, a: &Tensor, b: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
    if a.dim() != 2 || b.dim() != 2 {
        return Err(invalid(
            "addmm",
            format!(
                "mat1 must be a matrix, got {}-D tensor / mat2 must be a matrix, got {}-D tensor",
                a.dim(),
                b.dim()
            ),
        ));
    }
    if a.dtype() != b.dtype() || bias.dtype() != a.dtype() {
        return Err(dtype_err(
            "addmm",
            format!(
                "self and mat2 must have the same dtype, but got {} and {}",
                if bias.dtype() != a.dtype() {
                    bias.dtype()
                } else {
                    a.dtype()
                },
                if bias.dtype() != a.dtype() {
                    a.dtype()
                } else {
                    b.dtype()
                }
            ),
        ));
    }
    if a.shape()[1] != b.shape()[0] {
        return Err(mm_shapes_err(a.shape(), b.shape()));
    }
    layout::broadcast_shapes("addmm", &[a.shape()[0], b.shape()[1]], bias.shape())?;
    if bias.dim() > 2 {
        return Err(shape_err(
            "addmm",
            format!("expand: bias of shape {:?} has too many dims", bias.shape()),
        ));
    }
    batched(a, b, alpha, beta, Some(bias))
}

/// `aten::dot`: inner product of two 1-D tensors of the same dtype, as a 0-dim tensor.
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.dim() != 1 || b.dim() != 1 {
        return Err(invalid(
            "dot",
            format!(
                "1D tensors expected, but got {}D and {}D tensors",
                a.dim(),
                b.dim()
            ),
        ));
    }
    if a.dtype() != b.dtype() {
        return Err(dtype_err(
            "dot",
            format!(
                "dot : expected both vectors to have same dtype, but found {} and {}",
                a.dtype(),
                b.dtype()
            ),
        ));
    }
    if a.numel() != b.numel() {
        return Err(shape_err(
            "dot",
            format!(
                "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                a.numel(),
                b.numel(),
                a.numel(),
                b.numel()
            ),
        ));
    }
    let r = batched(
        &unsqueeze(a, 0)?,
        &unsqueeze(b, 1)?,
        Scalar::Int(1),
        Scalar::Int(0),
        None,
    )?;
    reshape(&r, &[])
}

/// `aten::matmul` with all of PyTorch's rank rules: 1-D·1-D is `dot`; a 1-D
/// operand is promoted to a matrix and the added dim removed afterwards;
/// batch dims broadcast.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (d1, d2) = (a.dim(), b.dim());
    if d1 == 0 || d2 == 0 {
        return Err(invalid(
            "matmul",
            format!(
                "both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D"
            ),
        ));
    }
    same_dtype("matmul", a, b)?;
    match (d1, d2) {
        (1, 1) => dot(a, b),
        (2, 1) => {
            if a.shape()[1] != b.shape()[0] {
                return Err(shape_err(
                    "mv",
                    format!(
                        "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                        a.shape()[0],
                        a.shape()[0],
                        a.shape()[1],
                        b.shape()[0]
                    ),
                ));
            }
            squeeze_dim(&mm(a, &unsqueeze(b, 1)?)?, 1)
        }
        (1, 2) => squeeze_dim(&mm(&unsqueeze(a, 0)?, b)?, 0),
        (2, 2) => mm(a, b),
        (_, 1) | (_, 2) if d1 >= 3 => {
            // Fold a's batch dims into rows, as aten does.
            let k = a.shape()[d1 - 1];
            let rows = reshape(a, &[-1, k as i64])?;
            let b2 = if d2 == 1 { unsqueeze(b, 1)? } else { b.clone() };
            let r = mm(&rows, &b2)?;
            let mut shape: Shape = SmallVec::from_slice(&a.shape()[..d1 - 1]);
            if d2 == 2 {
                shape.push(b.shape()[1]);
            }
            reshape_to(&r, &shape)
        }
        _ => {
            let a2 = if d1 == 1 { unsqueeze(a, 0)? } else { a.clone() };
            let b2 = if d2 == 1 { unsqueeze(b, 1)? } else { b.clone() };
            let (na, nb) = (a2.dim(), b2.dim());
            let (m, k1) = (a2.shape()[na - 2], a2.shape()[na - 1]);
            let (k2, n) = (b2.shape()[nb - 2], b2.shape()[nb - 1]);
            let batch =
                layout::broadcast_shapes("matmul", &a2.shape()[..na - 2], &b2.shape()[..nb - 2])?;
            if k1 != k2 {
                return Err(shape_err(
                    "matmul",
                    format!(
                        "Expected size for first two dimensions of batch2 tensor to be: [{}, {k1}] but got: [{}, {k2}].",
                        layout::numel(&batch),
                        layout::numel(&batch)
                    ),
                ));
            }
            let sizes = |last: [usize; 2]| -> SmallVec<[i64; 6]> {
                batch.iter().chain(last.iter()).map(|&s| s as i64).collect()
            };
            let ae = expand(&a2, &sizes([m, k1]))?;
            let be = expand(&b2, &sizes([k2, n]))?;
            let r = batched(&ae, &be, Scalar::Int(1), Scalar::Int(0), None)?;
            let mut shape: Shape = batch.clone();
            if d1 > 1 {
                shape.push(m);
            }
            if d2 > 1 {
                shape.push(n);
            }
            reshape_to(&r, &shape)
        }
    }
}

/// The MLP fast path: a single f32 row `x[k]` against contiguous `w[n, k]`.
/// One pass, no temporaries besides the output.
fn linear_row_f32(x: &[f32], w: &[f32], b: Option<&[f32]>, n: usize) -> Vec<f32> {
    let k = x.len();
    (0..n)
        .map(|j| {
            let row = &w[j * k..(j + 1) * k];
            let dot = x.iter().zip(row).fold(0.0f32, |s, (&p, &q)| s + p * q);
            match b {
                Some(b) => dot + b[j],
                None => dot,
            }
        })
        .collect()
}

/// `aten::linear(x, w, b)`: `x @ w.T + b` for `x: [..., in]`, `w: [out, in]`.
///
/// The transpose is a stride swap handed to GEMM, never a copy; a single
/// contiguous float32 row takes a dedicated loop.
pub fn linear(x: &Tensor, w: &Tensor, b: Option<&Tensor>) -> Result<Tensor> {
    if x.dtype() != w.dtype() || b.is_some_and(|b| b.dtype() != x.dtype()) {
        let other = if x.dtype() != w.dtype() {
            w.dtype()
        } else {
            b.map(|b| b.dtype()).unwrap_or(w.dtype())
        };
        return Err(dtype_err(
            "linear",
            format!(
                "mat1 and mat2 must have the same dtype, but got {} and {}",
                x.dtype(),
                other
            ),
        ));
    }
    if x.dim() == 0 {
        return Err(invalid(
            "linear",
            "both arguments to linear need to be at least 1D, but they are 0D and 2D",
        ));
    }
    if w.dim() != 2 {
        let r = matmul(x, &t(w)?)?;
        return match b {
            Some(b) => crate::ops::binary::add(&r, b, Scalar::Int(1)),
            None => Ok(r),
        };
    }
    let (n, k) = (w.shape()[0], w.shape()[1]);
    let xk = x.shape()[x.dim() - 1];
    // From the leading dims, not `numel / k`: with zero input features that division is 0/0.
    let rows: usize = x.shape()[..x.dim() - 1].iter().product();
    if xk != k {
        return Err(shape_err(
            "linear",
            format!("mat1 and mat2 shapes cannot be multiplied ({rows}x{xk} and {k}x{n})"),
        ));
    }
    let mut out_shape: Shape = SmallVec::from_slice(&x.shape()[..x.dim() - 1]);
    out_shape.push(n);
    if x.dtype() == DType::F32 && rows == 1 {
        let bias_ok = b.is_none_or(|b| b.dim() == 1 && b.shape()[0] == n);
        if let (Some(xs), Some(ws), true) = (
            x.contiguous_data::<f32>(),
            w.contiguous_data::<f32>(),
            bias_ok,
        ) {
            let bs: Option<Option<&[f32]>> = match b {
                None => Some(None),
                Some(b) => b.contiguous_data::<f32>().map(Some),
            };
            if let Some(bs) = bs {
                let out = linear_row_f32(xs, ws, bs, n);
                return Ok(Tensor::from_vec_shape(out, out_shape));
            }
        }
    }
    let x2 = reshape(x, &[rows as i64, k as i64])?;
    let wt = transpose(w, 0, 1)?;
    let r = match b {
        Some(b) => {
            layout::broadcast_shapes("linear", &[rows, n], b.shape())?;
            batched(&x2, &wt, Scalar::Int(1), Scalar::Int(1), Some(b))?
        }
        None => batched(&x2, &wt, Scalar::Int(1), Scalar::Int(0), None)?,
    };
    reshape_to(&r, &out_shape)
}
