//! Gathers and selections: `embedding`, `index_select`, `masked_fill`,
//! `where`, and advanced indexing (`aten::index.Tensor`, `index_put_`).

use smallvec::SmallVec;

use crate::error::{dtype_err, invalid, shape_err};
use crate::layout::{self, Shape};
use crate::ops::shape::{expand, permute, reshape};
use crate::promote::{result_type, Operand};
use crate::{DType, Element, Result, Scalar, Tensor, TensorError};

fn sizes(s: &[usize]) -> SmallVec<[i64; 6]> {
    s.iter().map(|&v| v as i64).collect()
}

/// Index values of an integer tensor as i64, checked against `size` and wrapped.
fn checked_indices(op: &'static str, idx: &Tensor, dim: usize, size: usize) -> Result<Vec<usize>> {
    if !matches!(
        idx.dtype(),
        DType::I64 | DType::I32 | DType::I16 | DType::I8 | DType::U8
    ) {
        return Err(dtype_err(
            op,
            format!(
                "tensors used as indices must be long, int, byte or bool tensors, got {}",
                idx.dtype().name()
            ),
        ));
    }
    idx.try_to_vec::<i64>(op)?
        .into_iter()
        .map(|i| {
            let w = if i < 0 { i + size as i64 } else { i };
            if w < 0 || w >= size as i64 {
                Err(TensorError::IndexOutOfRange {
                    op,
                    index: i,
                    dim,
                    size,
                })
            } else {
                Ok(w as usize)
            }
        })
        .collect()
}

/// `aten::embedding(weight, indices)`: rows of `weight` (any dtype) picked by
/// integer `indices`; the result has shape `indices.shape + [dim]`.
pub fn embedding(weight: &Tensor, indices: &Tensor) -> Result<Tensor> {
    if weight.dim() != 2 {
        return Err(invalid("embedding", "'weight' must be 2-D"));
    }
    if !matches!(indices.dtype(), DType::I64 | DType::I32) {
        return Err(dtype_err(
            "embedding",
            format!(
                "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got {} instead",
                indices.dtype().name()
            ),
        ));
    }
    let (rows, d) = (weight.shape()[0], weight.shape()[1]);
    let idx: Vec<usize> = indices
        .try_to_vec::<i64>("embedding")?
        .into_iter()
        .map(|i| {
            if i < 0 || i >= rows as i64 {
                Err(invalid("embedding", "index out of range in self"))
            } else {
                Ok(i as usize)
            }
        })
        .collect::<Result<_>>()?;
    let w = weight.try_contiguous("embedding")?;
    let mut shape: Vec<usize> = indices.shape().to_vec();
    shape.push(d);
    crate::with_dtype!(w.dtype(), T => {
        let src = w.contiguous_data::<T>().unwrap_or(&[]);
        let n = crate::alloc::checked_numel("embedding", &shape)?;
        let mut out: Vec<T> = crate::alloc::try_with_capacity("embedding", n)?;
        for &r in &idx {
            out.extend_from_slice(&src[r * d..(r + 1) * d]);
        }
        Tensor::from_vec(out, &shape)
    })
}

/// `aten::index_select(self, dim, index)`: `index` is 0-d or 1-d.
pub fn index_select(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    if index.dim() > 1 {
        return Err(invalid(
            "index_select",
            "index_select(): Index is supposed to be a vector",
        ));
    }
    let d = layout::wrap_dim("index_select", dim, t.dim().max(1))?;
    if t.dim() == 0 {
        let idx = checked_indices("index_select", index, 0, 1)?;
        let _ = idx;
        return t.try_materialize("index_select");
    }
    let idx = checked_indices("index_select", index, d, t.shape()[d])?;
    let mut parts = Vec::with_capacity(idx.len());
    for &i in &idx {
        parts.push(crate::ops::shape::narrow(t, d as i64, i as i64, 1)?);
    }
    if parts.is_empty() {
        let mut shape = t.shape().to_vec();
        shape[d] = 0;
        return Tensor::try_zeros("index_select", &shape, t.dtype());
    }
    // `cat` allocates its output with a checked allocation.
    crate::ops::shape::cat(&parts, d as i64)
}

/// `aten::where.self(condition, self, other)` with the result dtype given
/// (callers compute it with [`result_type`], which depends on Python-number operands).
pub fn where_as(cond: &Tensor, a: &Tensor, b: &Tensor, dtype: DType) -> Result<Tensor> {
    if !matches!(cond.dtype(), DType::Bool | DType::U8) {
        return Err(dtype_err(
            "where",
            format!(
                "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
                cond.dtype().name()
            ),
        ));
    }
    let s1 = layout::broadcast_shapes("where", cond.shape(), a.shape())?;
    let shape = layout::broadcast_shapes("where", &s1, b.shape())?;
    let sz = sizes(&shape);
    let c = expand(cond, &sz)?.try_to_vec::<bool>("where")?;
    let (a, b) = (expand(a, &sz)?, expand(b, &sz)?);
    crate::with_dtype!(dtype, T => {
        let (av, bv) = (a.try_to_vec::<T>("where")?, b.try_to_vec::<T>("where")?);
        let out: Vec<T> = crate::alloc::try_collect("where", c.iter().zip(av.into_iter().zip(bv)).map(|(&c, (x, y))| if c { x } else { y }))?;
        Tensor::from_vec(out, &shape)
    })
}

/// `aten::where.self`: dtype from the two tensors' promotion.
pub fn where_self(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = result_type(&[Operand::Tensor(a), Operand::Tensor(b)]);
    where_as(cond, a, b, dt)
}

/// `aten::masked_fill.Scalar`: `value` where `mask` (broadcast to `self`) is true.
pub fn masked_fill(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        return Err(dtype_err(
            "masked_fill_",
            format!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype().name()
            ),
        ));
    }
    let out = layout::broadcast_shapes("masked_fill", t.shape(), mask.shape())?;
    if out.as_slice() != t.shape() {
        return Err(shape_err(
            "masked_fill",
            format!(
                "The size of the mask {:?} must match the size of the tensor {:?}",
                mask.shape(),
                t.shape()
            ),
        ));
    }
    let fill = Tensor::scalar_tensor(value, t.dtype());
    where_as(mask, &fill, t, t.dtype())
}

/// `aten::masked_fill.Tensor`: `value` must be 0-dim.
pub fn masked_fill_tensor(t: &Tensor, mask: &Tensor, value: &Tensor) -> Result<Tensor> {
    if value.dim() != 0 {
        return Err(invalid(
            "masked_fill_",
            format!("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).", value.dim()),
        ));
    }
    masked_fill(t, mask, value.item()?)
}

/// Advanced-index plan: which dims are indexed, the broadcast index shape,
/// the flat base offsets per index position, and the result layout.
struct Plan {
    /// Base storage offset for each broadcast index position.
    bases: Vec<usize>,
    /// Broadcast shape of the index tensors.
    bshape: Shape,
    /// Sizes and strides of the dims not indexed, in order.
    ushape: Shape,
    ustrides: SmallVec<[isize; 6]>,
    /// Number of unindexed dims before the indexed block when the indexed dims
    /// are adjacent (the result keeps them in front); 0 otherwise.
    before: usize,
}

fn plan(op: &'static str, t: &Tensor, indices: &[Option<Tensor>]) -> Result<Plan> {
    // Expand bool masks into one long index per masked dim.
    let mut idx: Vec<Option<Tensor>> = Vec::new();
    for ix in indices {
        match ix {
            Some(m) if matches!(m.dtype(), DType::Bool) => {
                let d0 = idx.len();
                if d0 + m.dim() > t.dim() {
                    return Err(invalid(op, "too many indices for tensor"));
                }
                for (k, &s) in m.shape().iter().enumerate() {
                    if s != t.shape()[d0 + k] {
                        return Err(shape_err(
                            op,
                            format!(
                                "The shape of the mask {:?} at index {k} does not match the shape of the indexed tensor {:?} at index {}",
                                m.shape(),
                                t.shape(),
                                d0 + k
                            ),
                        ));
                    }
                }
                let nz = nonzero(m)?;
                for k in 0..m.dim() {
                    idx.push(Some(crate::ops::shape::select(&nz, 1, k as i64)?));
                }
                if m.dim() == 0 {
                    // A 0-d mask adds a dim of size 1 (true) or 0 (false).
                    return Err(invalid(op, "0-dimensional boolean index is not supported"));
                }
            }
            other => idx.push(other.clone()),
        }
    }
    if idx.len() > t.dim() {
        return Err(invalid(
            op,
            format!(
                "too many indices for tensor of dimension {} (got {})",
                t.dim(),
                idx.len()
            ),
        ));
    }
    idx.resize(t.dim(), None);
    let dims: Vec<usize> = (0..idx.len()).filter(|&d| idx[d].is_some()).collect();
    if dims.is_empty() {
        return Err(invalid(
            op,
            "advanced indexing needs at least one index tensor",
        ));
    }
    let mut bshape: Shape = SmallVec::new();
    for &d in &dims {
        bshape = layout::broadcast_shapes(
            op,
            &bshape,
            idx[d].as_ref().map(Tensor::shape).unwrap_or(&[]),
        )
        .map_err(|_| {
            invalid(
                op,
                "shape mismatch: indexing tensors could not be broadcast together",
            )
        })?;
    }
    let nb = crate::alloc::checked_numel(op, &bshape)?;
    let mut bases = crate::alloc::try_filled(op, nb, t.storage_offset() as isize)?;
    for &d in &dims {
        let Some(ix) = &idx[d] else { continue };
        let e = expand(ix, &sizes(&bshape))?;
        let vals = checked_indices(op, &e, d, t.shape()[d])?;
        for (b, v) in bases.iter_mut().zip(vals) {
            *b += v as isize * t.strides()[d];
        }
    }
    let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
    let unidx: Vec<usize> = (0..t.dim()).filter(|d| idx[*d].is_none()).collect();
    Ok(Plan {
        bases: bases.into_iter().map(|b| b.max(0) as usize).collect(),
        bshape,
        ushape: unidx.iter().map(|&d| t.shape()[d]).collect(),
        ustrides: unidx.iter().map(|&d| t.strides()[d]).collect(),
        before: if adjacent { dims[0] } else { 0 },
    })
}

/// Order of dims to turn `[B..., U...]` into `[U_before..., B..., U_after...]`.
fn to_result_order(nb: usize, nu: usize, before: usize) -> Vec<i64> {
    let mut p: Vec<i64> = (nb..nb + before).map(|v| v as i64).collect();
    p.extend((0..nb).map(|v| v as i64));
    p.extend((nb + before..nb + nu).map(|v| v as i64));
    p
}

/// `aten::index.Tensor(self, indices)`: NumPy-style advanced indexing with
/// long/int and bool index tensors (`None` entries keep a dim).
pub fn index(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    let p = plan("index", t, indices)?;
    let mut shape: Shape = p.bshape.clone();
    shape.extend_from_slice(&p.ushape);
    let flat = crate::with_dtype!(t.dtype(), T => {
        let d = t.data::<T>();
        // Index tensors broadcast against each other: the result's size is the model's.
        let n = crate::alloc::checked_numel("index", &shape)?;
        let mut out: Vec<T> = crate::alloc::try_with_capacity("index", n)?;
        for &b in &p.bases {
            layout::for_each_offset(&p.ushape, [&p.ustrides], [b], |[o]| out.push(d[o]));
        }
        Tensor::from_vec(out, &shape)?
    });
    if p.before == 0 {
        return Ok(flat);
    }
    let order = to_result_order(p.bshape.len(), p.ushape.len(), p.before);
    permute(&flat, &order)?.try_contiguous("index")
}

/// `aten::index_put_(self, indices, values, accumulate)`: writes (or adds)
/// `values`, broadcast to the indexed result's shape, through `self`'s view.
pub fn index_put_(
    t: &Tensor,
    indices: &[Option<Tensor>],
    values: &Tensor,
    accumulate: bool,
) -> Result<Tensor> {
    let p = plan("index_put_", t, indices)?;
    let nb = p.bshape.len();
    let order = to_result_order(nb, p.ushape.len(), p.before);
    let mut rshape: Vec<usize> = vec![0; order.len()];
    let mut bu: Shape = p.bshape.clone();
    bu.extend_from_slice(&p.ushape);
    for (i, &o) in order.iter().enumerate() {
        rshape[i] = bu[o as usize];
    }
    let v = expand(values, &sizes(&rshape)).map_err(|_| {
        shape_err(
            "index_put_",
            format!("shape mismatch: value tensor of shape {:?} cannot be broadcast to indexing result of shape {:?}", values.shape(), rshape),
        )
    })?;
    // Back to [B..., U...] order: invert the permutation.
    let mut inv = vec![0i64; order.len()];
    for (i, &o) in order.iter().enumerate() {
        inv[o as usize] = i as i64;
    }
    let v = permute(&v, &inv)?;
    let v = reshape(&v.try_contiguous("index_put")?, &sizes(&bu))?;
    crate::with_dtype!(t.dtype(), T => {
        let vals = v.try_to_vec::<T>("index_put")?;
        let mut targets = Vec::with_capacity(vals.len());
        for &b in &p.bases {
            layout::for_each_offset(&p.ushape, [&p.ustrides], [b], |[o]| targets.push(o));
        }
        // SAFETY: `vals` is an owned copy, so no slice of `t`'s storage is live
        // while writing; single-threaded use per the storage.rs contract. Every
        // target offset comes from bounds-checked indices into `t`'s view.
        unsafe {
            t.storage().write_slice::<T, _>(|d| {
                for (&o, &x) in targets.iter().zip(&vals) {
                    d[o] = if accumulate { add_elem(d[o], x) } else { x };
                }
            })
        }
    });
    Ok(t.clone())
}

fn add_elem<T: Element>(a: T, b: T) -> T {
    if T::DTYPE == DType::Bool {
        T::from_bool(a.to_bool() || b.to_bool())
    } else if T::DTYPE.is_floating() {
        T::from_f64(a.to_f64() + b.to_f64())
    } else {
        T::from_i64(a.to_i64().wrapping_add(b.to_i64()))
    }
}

/// `aten::nonzero`: `[n, ndim]` int64 coordinates of the non-zero elements, row-major.
pub fn nonzero(t: &Tensor) -> Result<Tensor> {
    let flags = t.try_to_vec::<bool>("nonzero")?;
    let nd = t.dim();
    let shape = t.shape();
    let mut out = Vec::new();
    let mut count = 0;
    for (flat, &f) in flags.iter().enumerate() {
        if f {
            count += 1;
            let mut rem = flat;
            let mut coord = vec![0i64; nd];
            for d in (0..nd).rev() {
                coord[d] = (rem % shape[d]) as i64;
                rem /= shape[d];
            }
            out.extend(coord);
        }
    }
    Ok(Tensor::from_vec_shape(
        out,
        SmallVec::from_slice(&[count, nd]),
    ))
}
