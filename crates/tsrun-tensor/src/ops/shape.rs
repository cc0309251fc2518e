//! Shape ops. Views (`view`, `transpose`, `select`, `slice`, `expand`...) share
//! storage with their input; only `reshape` of a non-viewable layout, `cat`,
//! `stack` and `contiguous` of a non-contiguous tensor copy.

use smallvec::SmallVec;

use crate::error::{invalid, shape_err};
use crate::layout::{self, wrap_dim, Shape, Strides};
use crate::promote::{result_type, Operand};
use crate::{Element, Result, Tensor, TensorError};

/// Resolves a requested shape with at most one `-1` against `numel`
/// (aten's `infer_size`).
pub(crate) fn infer_size(op: &'static str, shape: &[i64], numel: usize) -> Result<Shape> {
    let mut out: Shape = SmallVec::with_capacity(shape.len());
    let mut infer = None;
    let mut known = 1usize;
    for (i, &s) in shape.iter().enumerate() {
        if s == -1 {
            if infer.is_some() {
                return Err(invalid(op, "only one dimension can be inferred"));
            }
            infer = Some(i);
            out.push(0);
        } else if s < 0 {
            return Err(invalid(op, format!("invalid shape dimension {s}")));
        } else {
            known = known.saturating_mul(s as usize);
            out.push(s as usize);
        }
    }
    let bad = || {
        shape_err(
            op,
            format!("shape '{shape:?}' is invalid for input of size {numel}"),
        )
    };
    match infer {
        Some(i) => {
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(bad());
            }
            out[i] = numel / known;
        }
        None if known != numel => return Err(bad()),
        None => {}
    }
    Ok(out)
}

/// aten's `computeStride`: strides that let `new` view memory laid out as
/// `old_shape`/`old_strides`, or `None` when a copy is needed.
fn compute_stride(old_shape: &[usize], old_strides: &[isize], new: &[usize]) -> Option<Strides> {
    if old_shape.is_empty() {
        return Some(SmallVec::from_elem(1, new.len()));
    }
    let numel = layout::numel(old_shape);
    if numel == 0 && old_shape == new {
        return Some(SmallVec::from_slice(old_strides));
    }
    let mut newstride: Strides = SmallVec::from_elem(0, new.len());
    if numel == 0 {
        for d in (0..new.len()).rev() {
            newstride[d] = if d == new.len() - 1 {
                1
            } else {
                (new[d + 1].max(1) as isize) * newstride[d + 1]
            };
        }
        return Some(newstride);
    }
    let mut view_d = new.len() as isize - 1;
    let mut chunk_base_stride = *old_strides.last().unwrap();
    let mut tensor_numel = 1isize;
    let mut view_numel = 1isize;
    for tensor_d in (0..old_shape.len()).rev() {
        tensor_numel *= old_shape[tensor_d] as isize;
        if tensor_d == 0
            || (old_shape[tensor_d - 1] != 1
                && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)
        {
            while view_d >= 0 && (view_numel < tensor_numel || new[view_d as usize] == 1) {
                newstride[view_d as usize] = view_numel * chunk_base_stride;
                view_numel *= new[view_d as usize] as isize;
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if tensor_d > 0 {
                chunk_base_stride = old_strides[tensor_d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    if view_d != -1 {
        return None;
    }
    Some(newstride)
}

/// `aten::view`: a view with a new shape (one dim may be `-1`); errors like
/// PyTorch when the layout cannot be viewed that way.
pub fn view(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let new = infer_size("view", shape, t.numel())?;
    match compute_stride(t.shape(), t.strides(), &new) {
        Some(st) => Ok(t.view_with(t.storage_offset(), new, st)),
        None => Err(shape_err(
            "view",
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
        )),
    }
}

/// `aten::reshape`: a view when possible, otherwise a contiguous copy.
pub fn reshape(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let new = infer_size("reshape", shape, t.numel())?;
    match compute_stride(t.shape(), t.strides(), &new) {
        Some(st) => Ok(t.view_with(t.storage_offset(), new, st)),
        None => {
            let c = t.try_materialize("reshape")?;
            let st = layout::contiguous_strides(&new);
            Ok(c.view_with(0, new, st))
        }
    }
}

/// `reshape` taking unsigned sizes (crate-internal convenience).
pub(crate) fn reshape_to(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let s: SmallVec<[i64; 6]> = shape.iter().map(|&x| x as i64).collect();
    reshape(t, &s)
}

/// `aten::flatten.using_ints`.
pub fn flatten(t: &Tensor, start_dim: i64, end_dim: i64) -> Result<Tensor> {
    if t.dim() == 0 {
        return reshape(t, &[1]);
    }
    let s = wrap_dim("flatten", start_dim, t.dim())?;
    let e = wrap_dim("flatten", end_dim, t.dim())?;
    if s > e {
        return Err(invalid(
            "flatten",
            "flatten() has invalid args: start_dim cannot come after end_dim",
        ));
    }
    if s == e {
        return Ok(t.clone());
    }
    let mut new: SmallVec<[i64; 6]> = t.shape()[..s].iter().map(|&x| x as i64).collect();
    new.push(t.shape()[s..=e].iter().product::<usize>() as i64);
    new.extend(t.shape()[e + 1..].iter().map(|&x| x as i64));
    reshape(t, &new)
}

/// `aten::squeeze`: drops all size-1 dims.
pub fn squeeze(t: &Tensor) -> Tensor {
    let (mut sh, mut st): (Shape, Strides) = (SmallVec::new(), SmallVec::new());
    for (&s, &d) in t.shape().iter().zip(t.strides()) {
        if s != 1 {
            sh.push(s);
            st.push(d);
        }
    }
    t.view_with(t.storage_offset(), sh, st)
}

/// `aten::squeeze.dim`: drops `dim` if it has size 1, else returns `t` unchanged.
pub fn squeeze_dim(t: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_dim("squeeze", dim, t.dim())?;
    if t.dim() == 0 || t.shape()[d] != 1 {
        return Ok(t.clone());
    }
    let mut sh = t.shape_vec();
    let mut st = t.strides_vec();
    sh.remove(d);
    st.remove(d);
    Ok(t.view_with(t.storage_offset(), sh, st))
}

/// `aten::unsqueeze`: inserts a size-1 dim at `dim` (in `[-ndim-1, ndim]`).
pub fn unsqueeze(t: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_dim("unsqueeze", dim, t.dim() + 1)?;
    let mut sh = t.shape_vec();
    let mut st = t.strides_vec();
    let stride = if d >= t.dim() {
        1
    } else {
        sh[d] as isize * st[d]
    };
    sh.insert(d, 1);
    st.insert(d, stride);
    Ok(t.view_with(t.storage_offset(), sh, st))
}

/// `aten::permute`.
pub fn permute(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    if dims.len() != t.dim() {
        return Err(invalid(
            "permute",
            format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                t.dim(),
                dims.len()
            ),
        ));
    }
    let mut seen: SmallVec<[bool; 6]> = SmallVec::from_elem(false, t.dim());
    let (mut sh, mut st): (Shape, Strides) = (SmallVec::new(), SmallVec::new());
    for &d in dims {
        let d = wrap_dim("permute", d, t.dim())?;
        if seen[d] {
            return Err(invalid(
                "permute",
                "permute(): duplicate dims are not allowed.",
            ));
        }
        seen[d] = true;
        sh.push(t.shape()[d]);
        st.push(t.strides()[d]);
    }
    Ok(t.view_with(t.storage_offset(), sh, st))
}

/// `aten::transpose.int`: swaps two dims (a view).
pub fn transpose(t: &Tensor, dim0: i64, dim1: i64) -> Result<Tensor> {
    let a = wrap_dim("transpose", dim0, t.dim())?;
    let b = wrap_dim("transpose", dim1, t.dim())?;
    if t.dim() == 0 {
        return Ok(t.clone());
    }
    let mut sh = t.shape_vec();
    let mut st = t.strides_vec();
    sh.swap(a, b);
    st.swap(a, b);
    Ok(t.view_with(t.storage_offset(), sh, st))
}

/// `aten::t`: transpose of a tensor with at most 2 dims.
pub fn t(x: &Tensor) -> Result<Tensor> {
    if x.dim() > 2 {
        return Err(invalid(
            "t",
            format!(
                "t() expects a tensor with <= 2 dimensions, but self is {}D",
                x.dim()
            ),
        ));
    }
    if x.dim() < 2 {
        return Ok(x.clone());
    }
    transpose(x, 0, 1)
}

/// `aten::expand`: broadcasts to `sizes` (`-1` keeps a dim) with stride 0.
pub fn expand(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    if sizes.len() < t.dim() {
        return Err(invalid(
            "expand",
            format!(
                "expand(torch.FloatTensor{{{:?}}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                t.shape(),
                sizes.len(),
                sizes.len(),
                t.dim()
            ),
        ));
    }
    let lead = sizes.len() - t.dim();
    let (mut sh, mut st): (Shape, Strides) = (SmallVec::new(), SmallVec::new());
    for (i, &want) in sizes.iter().enumerate() {
        if i < lead {
            if want < 0 {
                return Err(invalid(
                    "expand",
                    format!("The expanded size of the tensor ({want}) isn't allowed in a leading, non-existing dimension {i}"),
                ));
            }
            sh.push(want as usize);
            st.push(0);
            continue;
        }
        let (cur, cst) = (t.shape()[i - lead], t.strides()[i - lead]);
        if want == -1 || want as usize == cur {
            sh.push(cur);
            st.push(cst);
        } else if cur == 1 && want >= 0 {
            sh.push(want as usize);
            st.push(0);
        } else {
            return Err(shape_err(
                "expand",
                format!(
                    "The expanded size of the tensor ({want}) must match the existing size ({cur}) at non-singleton dimension {i}.  Target sizes: {sizes:?}.  Tensor sizes: {:?}",
                    t.shape()
                ),
            ));
        }
    }
    // A view costs nothing, but every kernel that reads it allocates its full size: bound it
    // here (and catch a size product that wraps around) so those outputs are bounded too.
    crate::alloc::checked_numel("expand", &sh)?;
    Ok(t.view_with(t.storage_offset(), sh, st))
}

/// `aten::select.int`: indexes one dim away (negative indices count from the end).
pub fn select(t: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if t.dim() == 0 {
        return Err(invalid(
            "select",
            "select() cannot be applied to a 0-dim tensor.",
        ));
    }
    let d = wrap_dim("select", dim, t.dim())?;
    let size = t.shape()[d] as i64;
    if index < -size || index >= size {
        return Err(TensorError::IndexOutOfRange {
            op: "select",
            index,
            dim: d,
            size: size as usize,
        });
    }
    let i = if index < 0 { index + size } else { index } as usize;
    let mut sh = t.shape_vec();
    let mut st = t.strides_vec();
    let offset = t.storage_offset() + i * st[d] as usize;
    sh.remove(d);
    st.remove(d);
    Ok(t.view_with(offset, sh, st))
}

/// `aten::slice.Tensor`: `t[start:end:step]` along `dim`, clamping out-of-range
/// bounds like Python (`None` means the start/end of the dim).
pub fn slice(
    t: &Tensor,
    dim: i64,
    start: Option<i64>,
    end: Option<i64>,
    step: i64,
) -> Result<Tensor> {
    if t.dim() == 0 {
        return Err(invalid(
            "slice",
            "slice() cannot be applied to a 0-dim tensor.",
        ));
    }
    if step == 0 {
        return Err(invalid("slice", "slice step cannot be zero"));
    }
    if step < 0 {
        return Err(invalid("slice", "slice step must be positive"));
    }
    let d = wrap_dim("slice", dim, t.dim())?;
    let size = t.shape()[d] as i64;
    let mut s = start.unwrap_or(0);
    let mut e = end.unwrap_or(i64::MAX);
    if s < 0 {
        s += size;
    }
    if e < 0 {
        e += size;
    }
    s = s.clamp(0, size);
    e = e.clamp(s, size);
    let len = (e - s + step - 1) / step;
    let mut sh = t.shape_vec();
    let mut st = t.strides_vec();
    let offset = if len > 0 {
        t.storage_offset() + s as usize * st[d] as usize
    } else {
        t.storage_offset()
    };
    sh[d] = len as usize;
    st[d] *= step as isize;
    Ok(t.view_with(offset, sh, st))
}

/// `aten::narrow`: `length` elements of `dim` from `start` (which may be negative).
pub fn narrow(t: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    if t.dim() == 0 {
        return Err(invalid(
            "narrow",
            "narrow() cannot be applied to a 0-dim tensor.",
        ));
    }
    let d = wrap_dim("narrow", dim, t.dim())?;
    let size = t.shape()[d] as i64;
    if start < -size || start > size {
        return Err(invalid(
            "narrow",
            format!(
                "start out of range (expected to be in range of [{}, {size}], but got {start})",
                -size
            ),
        ));
    }
    let s = if start < 0 { start + size } else { start };
    if length < 0 || s + length > size {
        return Err(invalid(
            "narrow",
            format!("start ({s}) + length ({length}) exceeds dimension size ({size})."),
        ));
    }
    slice(t, d as i64, Some(s), Some(s + length), 1)
}

/// `aten::size.int`: the size of one (possibly negative) dim.
pub fn size(t: &Tensor, dim: i64) -> Result<usize> {
    if t.dim() == 0 {
        return Err(TensorError::DimOutOfRange {
            op: "size",
            dim,
            min: -1,
            max: -1,
        });
    }
    Ok(t.shape()[wrap_dim("size", dim, t.dim())?])
}

/// `aten::contiguous`.
pub fn contiguous(t: &Tensor) -> Result<Tensor> {
    t.try_contiguous("contiguous")
}

/// `aten::cat`: concatenates along `dim`, promoting dtypes. Like PyTorch,
/// 1-D empty tensors (shape `[0]`) are skipped regardless of the others' rank.
pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(invalid(
            "cat",
            "torch.cat(): expected a non-empty list of Tensors",
        ));
    }
    let ops: SmallVec<[Operand<'_>; 8]> = tensors.iter().map(Operand::Tensor).collect();
    // Every input counts, including skipped empty ones, as in aten.
    let dtype = result_type(&ops);
    let legacy_empty = |t: &Tensor| t.dim() == 1 && t.numel() == 0;
    let Some(first) = tensors.iter().find(|t| !legacy_empty(t)) else {
        return Tensor::try_zeros("cat", &[0], dtype);
    };
    if first.dim() == 0 {
        return Err(invalid(
            "cat",
            "zero-dimensional tensor (at position 0) cannot be concatenated",
        ));
    }
    let d = wrap_dim("cat", dim, first.dim())?;
    let mut out_shape = first.shape_vec();
    out_shape[d] = 0;
    for (i, t) in tensors.iter().enumerate() {
        if legacy_empty(t) {
            continue;
        }
        if t.dim() != first.dim() {
            return Err(shape_err(
                "cat",
                format!(
                    "Tensors must have same number of dimensions: got {} and {}",
                    first.dim(),
                    t.dim()
                ),
            ));
        }
        for k in 0..t.dim() {
            if k != d && t.shape()[k] != first.shape()[k] {
                return Err(shape_err(
                    "cat",
                    format!(
                        "Sizes of tensors must match except in dimension {d}. Expected size {} but got size {} for tensor number {i} in the list.",
                        first.shape()[k],
                        t.shape()[k]
                    ),
                ));
            }
        }
        out_shape[d] += t.shape()[d];
    }
    let out = Tensor::try_zeros("cat", &out_shape, dtype)?;
    let mut pos = 0i64;
    for t in tensors.iter().filter(|t| !legacy_empty(t)) {
        let n = t.shape()[d] as i64;
        if n > 0 {
            let dst = slice(&out, d as i64, Some(pos), Some(pos + n), 1)?;
            crate::ops::create::copy_(&dst, t)?;
        }
        pos += n;
    }
    Ok(out)
}

/// `aten::stack`: inserts a new dim at `dim` and concatenates along it.
pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let Some(first) = tensors.first() else {
        return Err(invalid("stack", "stack expects a non-empty TensorList"));
    };
    for (i, t) in tensors.iter().enumerate() {
        if t.shape() != first.shape() {
            return Err(shape_err(
                "stack",
                format!(
                    "stack expects each tensor to be equal size, but got {:?} at entry 0 and {:?} at entry {i}",
                    first.shape(),
                    t.shape()
                ),
            ));
        }
    }
    let d = wrap_dim("stack", dim, first.dim() + 1)? as i64;
    let parts: Result<Vec<Tensor>> = tensors.iter().map(|t| unsqueeze(t, d)).collect();
    cat(&parts?, d)
}

/// `aten::split.Tensor`: pieces of `split_size` along `dim` (the last may be smaller).
pub fn split(t: &Tensor, split_size: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.dim() == 0 {
        return Err(invalid(
            "split",
            "split expects at least a 1-dimensional tensor",
        ));
    }
    if split_size < 0 {
        return Err(invalid(
            "split",
            format!("split expects split_size be non-negative, but got split_size={split_size}"),
        ));
    }
    let d = wrap_dim("split", dim, t.dim())?;
    let size = t.shape()[d] as i64;
    if split_size == 0 && size != 0 {
        return Err(invalid(
            "split",
            format!(
                "split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
            ),
        ));
    }
    let n = if split_size == 0 {
        1
    } else {
        ((size + split_size - 1) / split_size).max(1)
    };
    (0..n)
        .map(|i| {
            let s = i * split_size;
            narrow(t, d as i64, s, split_size.min(size - s))
        })
        .collect()
}

/// `aten::split_with_sizes`.
pub fn split_with_sizes(t: &Tensor, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    let d = wrap_dim("split_with_sizes", dim, t.dim())?;
    let total: i64 = sizes.iter().sum();
    if sizes.iter().any(|&s| s < 0) || total != t.shape()[d] as i64 {
        return Err(invalid(
            "split_with_sizes",
            format!(
                "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {d}), but got split_sizes={sizes:?}",
                t.shape()[d]
            ),
        ));
    }
    let mut pos = 0;
    sizes
        .iter()
        .map(|&s| {
            let r = narrow(t, d as i64, pos, s);
            pos += s;
            r
        })
        .collect()
}

/// `aten::chunk`: `chunks` pieces of size `ceil(size / chunks)` (fewer if that
/// does not divide evenly, as in PyTorch).
pub fn chunk(t: &Tensor, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
    if chunks <= 0 {
        return Err(invalid(
            "chunk",
            format!("chunk expects `chunks` to be greater than 0, got: {chunks}"),
        ));
    }
    if t.dim() == 0 {
        return Err(invalid(
            "chunk",
            "chunk expects at least a 1-dimensional tensor",
        ));
    }
    let d = wrap_dim("chunk", dim, t.dim())?;
    let size = t.shape()[d] as i64;
    let split_size = (size + chunks - 1) / chunks;
    if split_size == 0 && size == 0 {
        // aten: every chunk is an empty view.
        return Ok((0..chunks).map(|_| t.clone()).collect());
    }
    split(t, split_size, dim)
}

/// Reads one element by multi-index (crate-internal test helper).
#[allow(dead_code)]
pub(crate) fn get<T: Element>(t: &Tensor, idx: &[usize]) -> T {
    let off: isize = idx
        .iter()
        .zip(t.strides())
        .map(|(&i, &s)| i as isize * s)
        .sum();
    t.data::<T>()[t.storage_offset() + off as usize]
}

/// `aten::broadcast_tensors`: every tensor expanded (as a view) to the common shape.
pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
    let mut shape: Shape = SmallVec::new();
    for t in tensors {
        shape = layout::broadcast_shapes("broadcast_tensors", &shape, t.shape())?;
    }
    let s: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    tensors.iter().map(|t| expand(t, &s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn arange(n: usize) -> Tensor {
        Tensor::from_vec((0..n as i64).collect(), &[n]).unwrap()
    }

    #[test]
    fn view_rules() {
        let x = view(&arange(6), &[2, 3]).unwrap();
        let xt = t(&x).unwrap();
        assert!(view(&xt, &[6]).is_err());
        assert_eq!(
            reshape(&xt, &[-1]).unwrap().to_vec::<i64>(),
            [0, 3, 1, 4, 2, 5]
        );
        assert!(view(&xt, &[3, 2]).unwrap().same_storage(&x));
        assert!(view(&x, &[-1, -1]).is_err());
    }

    #[test]
    fn slicing() {
        let x = arange(10);
        assert_eq!(
            slice(&x, 0, Some(-3), None, 1).unwrap().to_vec::<i64>(),
            [7, 8, 9]
        );
        assert_eq!(
            slice(&x, 0, Some(1), Some(100), 3).unwrap().to_vec::<i64>(),
            [1, 4, 7]
        );
        assert_eq!(slice(&x, 0, Some(8), Some(2), 1).unwrap().numel(), 0);
        assert_eq!(get::<i64>(&x, &[4]), 4);
    }

    #[test]
    fn cat_promotes() {
        let a = Tensor::from_vec(vec![1i64], &[1]).unwrap();
        let b = Tensor::from_vec(vec![0.5f32], &[1]).unwrap();
        let c = cat(&[a, b], 0).unwrap();
        assert_eq!(c.dtype(), DType::F32);
        assert_eq!(c.to_vec::<f32>(), [1.0, 0.5]);
    }
}
