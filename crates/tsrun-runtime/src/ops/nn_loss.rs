//! Losses and the remaining NN functions of the op matrix: `mse_loss`, `l1_loss`,
//! `nll_loss` / `nll_loss_nd` / `nll_loss2d`, `cross_entropy_loss`, `rrelu` (evaluation
//! mode), `embedding_bag`.

use tsrun_tensor::ops::nn::{activation as act, embedding_bag as eb, loss};
use tsrun_tensor::{Scalar, Tensor};

use super::args::{bool, float, int, ok, opt_int, opt_tensor, scalar, tensor};
use super::out_form::write_out;
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn nll(a: &mut [Value]) -> RtResult<Value> {
    ok(loss::nll_loss(
        tensor(a, 0)?,
        tensor(a, 1)?,
        opt_tensor(a, 2)?,
        int(a, 3)?,
        int(a, 4)?,
    )?)
}

/// `rrelu` in evaluation mode is `leaky_relu` with the mean slope; training mode draws
/// random slopes from PyTorch's generator, which tsrun cannot reproduce.
fn rrelu(a: &[Value]) -> RtResult<Tensor> {
    if bool(a, 3)? {
        return Err(RuntimeError::new(
            "rrelu with training=True draws random slopes; tsrun runs models in evaluation mode only",
        ));
    }
    let (lo, hi) = (scalar(a, 1)?.to_f64(), scalar(a, 2)?.to_f64());
    Ok(act::leaky_relu(
        tensor(a, 0)?,
        Scalar::Float((lo + hi) / 2.0),
    )?)
}

fn bag(a: &[Value], padding_idx: Option<i64>) -> RtResult<Value> {
    let r = eb::embedding_bag(
        tensor(a, 0)?,
        tensor(a, 1)?,
        tensor(a, 2)?,
        int(a, 4)?,
        opt_tensor(a, 6)?,
        bool(a, 7)?,
        padding_idx,
    )?;
    Ok(Value::tuple(vec![
        Value::Tensor(r.output),
        Value::Tensor(r.offset2bag),
        Value::Tensor(r.bag_size),
        Value::Tensor(r.max_indices),
    ]))
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "aten::mse_loss(Tensor self, Tensor target, int reduction=1) -> Tensor",
        |a| ok(loss::mse_loss(tensor(a, 0)?, tensor(a, 1)?, int(a, 2)?)?),
    );
    b.op("aten::mse_loss.out(Tensor self, Tensor target, int reduction=1, *, Tensor(a!) out) -> Tensor(a!)", |a| {
        write_out(tensor(a, 3)?, &loss::mse_loss(tensor(a, 0)?, tensor(a, 1)?, int(a, 2)?)?)
    });
    b.op(
        "aten::l1_loss(Tensor self, Tensor target, int reduction=1) -> Tensor",
        |a| ok(loss::l1_loss(tensor(a, 0)?, tensor(a, 1)?, int(a, 2)?)?),
    );
    b.op("aten::nll_loss(Tensor self, Tensor target, Tensor? weight=None, int reduction=1, SymInt ignore_index=-100) -> Tensor", nll);
    b.op("aten::nll_loss_nd(Tensor self, Tensor target, Tensor? weight=None, int reduction=1, SymInt ignore_index=-100) -> Tensor", nll);
    b.op("aten::nll_loss2d(Tensor self, Tensor target, Tensor? weight=None, int reduction=1, SymInt ignore_index=-100) -> Tensor", nll);
    b.op("aten::cross_entropy_loss(Tensor self, Tensor target, Tensor? weight=None, int reduction=1, SymInt ignore_index=-100, float label_smoothing=0.) -> Tensor", |a| {
        ok(loss::cross_entropy(
            tensor(a, 0)?,
            tensor(a, 1)?,
            opt_tensor(a, 2)?,
            int(a, 3)?,
            int(a, 4)?,
            float(a, 5)?,
        )?)
    });
    b.op("aten::rrelu(Tensor self, Scalar lower=0.125, Scalar upper=0.33333333333333331, bool training=False, Generator? generator=None) -> Tensor", |a| {
        ok(rrelu(a)?)
    });
    b.op("aten::rrelu_(Tensor(a!) self, Scalar lower=0.125, Scalar upper=0.33333333333333331, bool training=False, Generator? generator=None) -> Tensor(a!)", |a| {
        let r = rrelu(a)?;
        ok(tsrun_tensor::ops::binary::write_back("rrelu_", tensor(a, 0)?, &r)?)
    });
    b.op("aten::embedding_bag(Tensor weight, Tensor indices, Tensor offsets, bool scale_grad_by_freq=False, int mode=0, bool sparse=False, Tensor? per_sample_weights=None, bool include_last_offset=False) -> (Tensor, Tensor, Tensor, Tensor)", |a| {
        bag(a, None)
    });
    b.op("aten::embedding_bag.padding_idx(Tensor weight, Tensor indices, Tensor offsets, bool scale_grad_by_freq, int mode, bool sparse, Tensor? per_sample_weights, bool include_last_offset, int? padding_idx) -> (Tensor, Tensor, Tensor, Tensor)", |a| {
        bag(a, opt_int(a, 8)?)
    });
}
