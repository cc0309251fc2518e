//! Gather/select operators: `embedding`, `index_select`, `masked_fill`, `where`,
//! advanced indexing (`index.Tensor`, `index_put_`), `nonzero`.

use tsrun_tensor::ops::create::copy_;
use tsrun_tensor::ops::nn::index as ix;
use tsrun_tensor::{result_type, Operand, Tensor};

use super::args::{bool, int, ok, scalar, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

/// Argument `i` as a `Tensor?[]` (a list whose items are tensors or None).
fn opt_tensor_list(a: &[Value], i: usize) -> RtResult<Vec<Option<Tensor>>> {
    let items = a.get(i).and_then(Value::sequence_items).ok_or_else(|| {
        RuntimeError::new(format!("argument {i}: expected List[Optional[Tensor]]"))
    })?;
    items
        .into_iter()
        .map(|v| match v {
            Value::Tensor(t) => Ok(Some(t)),
            Value::None => Ok(None),
            other => Err(RuntimeError::new(format!(
                "argument {i}: expected List[Optional[Tensor]], got an item of kind {}",
                other.kind_name()
            ))),
        })
        .collect()
}

fn inplace(dst: &Tensor, result: RtResult<Tensor>) -> RtResult<Value> {
    let r = result?;
    copy_(dst, &r)?;
    ok(dst.clone())
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool scale_grad_by_freq=False, bool sparse=False) -> Tensor", |a| {
        ok(ix::embedding(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op(
        "aten::index_select(Tensor self, int dim, Tensor index) -> Tensor",
        |a| ok(ix::index_select(tensor(a, 0)?, int(a, 1)?, tensor(a, 2)?)?),
    );
    b.op(
        "aten::masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
        |a| {
            ok(ix::masked_fill(
                tensor(a, 0)?,
                tensor(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
        |a| {
            ok(ix::masked_fill_tensor(
                tensor(a, 0)?,
                tensor(a, 1)?,
                tensor(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            inplace(
                t,
                ix::masked_fill(t, tensor(a, 1)?, scalar(a, 2)?).map_err(Into::into),
            )
        },
    );
    b.op(
        "aten::masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            inplace(
                t,
                ix::masked_fill_tensor(t, tensor(a, 1)?, tensor(a, 2)?).map_err(Into::into),
            )
        },
    );
    b.op(
        "aten::where.self(Tensor condition, Tensor self, Tensor other) -> Tensor",
        |a| ok(ix::where_self(tensor(a, 0)?, tensor(a, 1)?, tensor(a, 2)?)?),
    );
    b.op(
        "aten::where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor",
        |a| {
            let (x, s) = (tensor(a, 1)?, scalar(a, 2)?);
            let dt = result_type(&[Operand::Tensor(x), Operand::Scalar(s)]);
            ok(ix::where_as(
                tensor(a, 0)?,
                x,
                &Tensor::scalar_tensor(s, dt),
                dt,
            )?)
        },
    );
    b.op(
        "aten::where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor",
        |a| {
            let (s, y) = (scalar(a, 1)?, tensor(a, 2)?);
            let dt = result_type(&[Operand::Scalar(s), Operand::Tensor(y)]);
            ok(ix::where_as(
                tensor(a, 0)?,
                &Tensor::scalar_tensor(s, dt),
                y,
                dt,
            )?)
        },
    );
    b.op(
        "aten::where.Scalar(Tensor condition, Scalar self, Scalar other) -> Tensor",
        |a| {
            let (s, o) = (scalar(a, 1)?, scalar(a, 2)?);
            let dt = result_type(&[Operand::Scalar(s), Operand::Scalar(o)]);
            ok(ix::where_as(
                tensor(a, 0)?,
                &Tensor::scalar_tensor(s, dt),
                &Tensor::scalar_tensor(o, dt),
                dt,
            )?)
        },
    );
    b.op(
        "aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor",
        |a| ok(ix::index(tensor(a, 0)?, &opt_tensor_list(a, 1)?)?),
    );
    b.op(
        "aten::index.Tensor_hacked_twin(Tensor self, Tensor[] indices) -> Tensor",
        |a| ok(ix::index(tensor(a, 0)?, &opt_tensor_list(a, 1)?)?),
    );
    b.op("aten::index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)", |a| {
        ok(ix::index_put_(tensor(a, 0)?, &opt_tensor_list(a, 1)?, tensor(a, 2)?, bool(a, 3)?)?)
    });
    b.op("aten::index_put_.hacked_twin(Tensor(a!) self, Tensor[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)", |a| {
        ok(ix::index_put_(tensor(a, 0)?, &opt_tensor_list(a, 1)?, tensor(a, 2)?, bool(a, 3)?)?)
    });
    b.op("aten::index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor", |a| {
        let fresh = tensor(a, 0)?.try_materialize("index_put")?;
        ok(ix::index_put_(&fresh, &opt_tensor_list(a, 1)?, tensor(a, 2)?, bool(a, 3)?)?)
    });
    b.op("aten::nonzero(Tensor self) -> Tensor", |a| {
        ok(ix::nonzero(tensor(a, 0)?)?)
    });
}
