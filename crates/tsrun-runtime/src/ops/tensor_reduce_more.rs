//! Reductions and their overloads beyond `tensor_ops.rs`: `any`/`all` over dims, `max`/`min`
//! over a dim or against another tensor, `prod`, `argmin`, `sort`; and `squeeze.dims`,
//! `to.other`.

use tsrun_tensor::ops::{binary as bin, compare as cmp, reduce, reorder, shape};
use tsrun_tensor::{DType, Scalar, Tensor};

use super::args::{bool, int, int_list, ok, opt_bool, opt_dtype, opt_int, opt_int_list, tensor};
use super::RegistryBuilder;
use crate::error::RtResult;
use crate::value::Value;

/// `any`/`all` over `dims` (None: all): bool, except uint8 stays uint8 as in aten.
fn any_all(x: &Tensor, dims: Option<&[i64]>, keepdim: bool, all: bool) -> RtResult<Tensor> {
    let truth = cmp::ne_scalar(x, Scalar::Int(0))?;
    let r = if all {
        // All true <=> no element is false.
        let falses = reduce::sum(
            &tsrun_tensor::ops::unary::logical_not(&truth)?,
            dims,
            keepdim,
            None,
        )?;
        cmp::eq_scalar(&falses, Scalar::Int(0))?
    } else {
        let trues = reduce::sum(&truth, dims, keepdim, None)?;
        cmp::gt_scalar(&trues, Scalar::Int(0))?
    };
    Ok(if x.dtype() == DType::U8 {
        r.try_to_dtype("any_all", DType::U8)?
    } else {
        r
    })
}

fn pair(p: (Tensor, Tensor)) -> RtResult<Value> {
    Ok(Value::tuple(vec![Value::Tensor(p.0), Value::Tensor(p.1)]))
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "aten::any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
        |a| {
            ok(any_all(
                tensor(a, 0)?,
                Some(&[int(a, 1)?]),
                bool(a, 2)?,
                false,
            )?)
        },
    );
    b.op(
        "aten::any.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor",
        |a| {
            let d = opt_int_list(a, 1)?;
            ok(any_all(tensor(a, 0)?, d.as_deref(), bool(a, 2)?, false)?)
        },
    );
    b.op(
        "aten::all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
        |a| {
            ok(any_all(
                tensor(a, 0)?,
                Some(&[int(a, 1)?]),
                bool(a, 2)?,
                true,
            )?)
        },
    );
    b.op(
        "aten::all.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor",
        |a| {
            let d = opt_int_list(a, 1)?;
            ok(any_all(tensor(a, 0)?, d.as_deref(), bool(a, 2)?, true)?)
        },
    );
    b.op(
        "aten::max.other(Tensor self, Tensor other) -> Tensor",
        |a| ok(bin::maximum(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)", |a| {
        pair(reduce::max_dim(tensor(a, 0)?, int(a, 1)?, bool(a, 2)?)?)
    });
    b.op(
        "aten::min.other(Tensor self, Tensor other) -> Tensor",
        |a| ok(bin::minimum(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op("aten::min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)", |a| {
        pair(reduce::min_dim(tensor(a, 0)?, int(a, 1)?, bool(a, 2)?)?)
    });
    b.op(
        "aten::prod(Tensor self, *, ScalarType? dtype=None) -> Tensor",
        |a| ok(reduce::prod(tensor(a, 0)?, None, false, opt_dtype(a, 1)?)?),
    );
    b.op("aten::prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", |a| {
        ok(reduce::prod(tensor(a, 0)?, Some(&[int(a, 1)?]), bool(a, 2)?, opt_dtype(a, 3)?)?)
    });
    b.op(
        "aten::argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
        |a| ok(reduce::argmin(tensor(a, 0)?, opt_int(a, 1)?, bool(a, 2)?)?),
    );
    b.op("aten::sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)", |a| {
        pair(reorder::sort(tensor(a, 0)?, int(a, 1)?, bool(a, 2)?)?)
    });
    b.op("aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)", |a| {
        let _ = opt_bool(a, 1)?;
        pair(reorder::sort(tensor(a, 0)?, int(a, 2)?, bool(a, 3)?)?)
    });
    b.op(
        "aten::squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a)",
        |a| {
            let t = tensor(a, 0)?;
            let nd = t.dim() as i64;
            // Squeeze from the highest dim down so earlier dims keep their positions.
            let mut dims: Vec<i64> = int_list(a, 1)?
                .iter()
                .map(|&d| if d < 0 && nd > 0 { d + nd } else { d })
                .collect();
            dims.sort_unstable();
            dims.dedup();
            let mut r = t.clone();
            for &d in dims.iter().rev() {
                r = shape::squeeze_dim(&r, d)?;
            }
            ok(r)
        },
    );
    b.op("aten::to.other(Tensor(a) self, Tensor other, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)", |a| {
        let (t, o) = (tensor(a, 0)?, tensor(a, 1)?);
        ok(if t.dtype() == o.dtype() && !bool(a, 3)? { t.clone() } else { t.try_to_dtype("to", o.dtype())? })
    });
}
