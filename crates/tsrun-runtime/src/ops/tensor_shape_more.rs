//! Diagonals, ranges and rearrangements: `diagonal`, `diag`, `diag_embed`, `tril_indices`,
//! `triu_indices`, `linspace`, `logspace`, `repeat_interleave`, `pixel_shuffle`,
//! `pixel_unshuffle`, `broadcast_tensors`, `median`, `aminmax`; and the `clamp_min_` /
//! `div.out` forms `F.normalize` prints.

use tsrun_tensor::ops::{binary as bin, diag, order_stats as os, ranges, rearrange, shape, unary};
use tsrun_tensor::{DType, Scalar, Tensor};

use super::args::{bool, float, int, ok, opt_int, scalar, str, tensor, tensor_list};
use super::out_form::write_out;
use super::tensor_ops::factory_dtype;
use super::RegistryBuilder;
use crate::error::RtResult;
use crate::value::Value;

fn pair(p: (Tensor, Tensor)) -> RtResult<Value> {
    Ok(Value::tuple(vec![Value::Tensor(p.0), Value::Tensor(p.1)]))
}

/// A 0-d (or one-element) tensor argument of `linspace.Tensor_*` as a Scalar.
fn scalar_of(t: &Tensor) -> RtResult<Scalar> {
    Ok(t.item()?)
}

fn linspace(start: Scalar, end: Scalar, a: &[Value]) -> RtResult<Value> {
    ok(ranges::linspace(
        start,
        end,
        int(a, 2)?,
        factory_dtype(a, 3, DType::F32)?,
    )?)
}

fn logspace(start: Scalar, end: Scalar, a: &[Value]) -> RtResult<Value> {
    ok(ranges::logspace(
        start,
        end,
        int(a, 2)?,
        float(a, 3)?,
        factory_dtype(a, 4, DType::F32)?,
    )?)
}

const FACTORY: &str = "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor";

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "aten::diagonal(Tensor(a) self, int offset=0, int dim1=0, int dim2=1) -> Tensor(a)",
        |a| {
            ok(diag::diagonal(
                tensor(a, 0)?,
                int(a, 1)?,
                int(a, 2)?,
                int(a, 3)?,
            )?)
        },
    );
    b.op("aten::diag(Tensor self, int diagonal=0) -> Tensor", |a| {
        ok(diag::diag(tensor(a, 0)?, int(a, 1)?)?)
    });
    b.op(
        "aten::diag_embed(Tensor self, int offset=0, int dim1=-2, int dim2=-1) -> Tensor",
        |a| {
            ok(diag::diag_embed(
                tensor(a, 0)?,
                int(a, 1)?,
                int(a, 2)?,
                int(a, 3)?,
            )?)
        },
    );
    b.op("aten::tril_indices(int row, int col, int offset=0, *, ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(diag::tri_indices(int(a, 0)?, int(a, 1)?, int(a, 2)?, false, factory_dtype(a, 3, DType::I64)?)?)
    });
    b.op("aten::triu_indices(int row, int col, int offset=0, *, ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(diag::tri_indices(int(a, 0)?, int(a, 1)?, int(a, 2)?, true, factory_dtype(a, 3, DType::I64)?)?)
    });
    b.op(
        &format!("aten::linspace(Scalar start, Scalar end, int steps, *, {FACTORY}"),
        |a| linspace(scalar(a, 0)?, scalar(a, 1)?, a),
    );
    b.op(
        &format!("aten::linspace.Tensor_Tensor(Tensor start, Tensor end, int steps, *, {FACTORY}"),
        |a| linspace(scalar_of(tensor(a, 0)?)?, scalar_of(tensor(a, 1)?)?, a),
    );
    b.op(
        &format!("aten::linspace.Tensor_Scalar(Tensor start, Scalar end, int steps, *, {FACTORY}"),
        |a| linspace(scalar_of(tensor(a, 0)?)?, scalar(a, 1)?, a),
    );
    b.op(
        &format!("aten::linspace.Scalar_Tensor(Scalar start, Tensor end, int steps, *, {FACTORY}"),
        |a| linspace(scalar(a, 0)?, scalar_of(tensor(a, 1)?)?, a),
    );
    b.op(
        &format!(
            "aten::logspace(Scalar start, Scalar end, int steps, float base=10., *, {FACTORY}"
        ),
        |a| logspace(scalar(a, 0)?, scalar(a, 1)?, a),
    );
    b.op(&format!("aten::logspace.Tensor_Tensor(Tensor start, Tensor end, int steps, float base=10., *, {FACTORY}"), |a| {
        logspace(scalar_of(tensor(a, 0)?)?, scalar_of(tensor(a, 1)?)?, a)
    });
    b.op(&format!("aten::logspace.Tensor_Scalar(Tensor start, Scalar end, int steps, float base=10., *, {FACTORY}"), |a| {
        logspace(scalar_of(tensor(a, 0)?)?, scalar(a, 1)?, a)
    });
    b.op(&format!("aten::logspace.Scalar_Tensor(Scalar start, Tensor end, int steps, float base=10., *, {FACTORY}"), |a| {
        logspace(scalar(a, 0)?, scalar_of(tensor(a, 1)?)?, a)
    });
    b.op(
        "aten::repeat_interleave.Tensor(Tensor repeats, *, SymInt? output_size=None) -> Tensor",
        |a| ok(rearrange::repeat_interleave_indices(tensor(a, 0)?)?),
    );
    b.op("aten::repeat_interleave.self_Tensor(Tensor self, Tensor repeats, int? dim=None, *, SymInt? output_size=None) -> Tensor", |a| {
        ok(rearrange::repeat_interleave(tensor(a, 0)?, tensor(a, 1)?, opt_int(a, 2)?)?)
    });
    b.op("aten::repeat_interleave.self_int(Tensor self, SymInt repeats, int? dim=None, *, SymInt? output_size=None) -> Tensor", |a| {
        let reps = Tensor::scalar_tensor(Scalar::Int(int(a, 1)?), DType::I64);
        ok(rearrange::repeat_interleave(tensor(a, 0)?, &reps, opt_int(a, 2)?)?)
    });
    b.op(
        "aten::pixel_shuffle(Tensor self, int upscale_factor) -> Tensor",
        |a| ok(rearrange::pixel_shuffle(tensor(a, 0)?, int(a, 1)?)?),
    );
    b.op(
        "aten::pixel_unshuffle(Tensor self, int downscale_factor) -> Tensor",
        |a| ok(rearrange::pixel_unshuffle(tensor(a, 0)?, int(a, 1)?)?),
    );
    b.op(
        "aten::broadcast_tensors(Tensor[] tensors) -> Tensor[]",
        |a| {
            let ts = shape::broadcast_tensors(&tensor_list(a, 0)?)?;
            Ok(Value::new_list(
                crate::types::Type::Tensor,
                ts.into_iter().map(Value::Tensor).collect(),
            ))
        },
    );
    b.op("aten::median(Tensor self) -> Tensor", |a| {
        ok(os::median(tensor(a, 0)?)?)
    });
    b.op("aten::median.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)", |a| {
        pair(os::median_dim(tensor(a, 0)?, int(a, 1)?, bool(a, 2)?)?)
    });
    b.op("aten::aminmax(Tensor self, *, int? dim=None, bool keepdim=False) -> (Tensor min, Tensor max)", |a| {
        pair(os::aminmax(tensor(a, 0)?, opt_int(a, 1)?, bool(a, 2)?)?)
    });
    b.op(
        "aten::clamp_min_(Tensor(a!) self, Scalar min) -> Tensor(a!)",
        |a| ok(unary::clamp_(tensor(a, 0)?, Some(scalar(a, 1)?), None)?),
    );
    b.op(
        "aten::div.out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)",
        |a| write_out(tensor(a, 2)?, &bin::div(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    let _ = str;
}
