//! Load-time preparations of operator calls with constant arguments (see
//! [`super::PreparedOp`]): the work that depends only on the constants happens once.

use tsrun_tensor::ops::fixed_linear::{FixedLinear, LinearChain};

use super::borrowed_args::{tensor, tensor_out};
use super::PreparedOp;
use crate::error::RtResult;
use crate::value::Value;

/// `aten::linear(x, W, b)` with constant `W` (and `b` constant or absent), optionally
/// followed by `relu`.
pub(crate) fn prepare_linear(
    consts: &[Option<&Value>],
    then_relu: bool,
) -> Option<Box<dyn PreparedOp>> {
    let weight = match consts.get(1) {
        Some(Some(Value::Tensor(w))) => w.clone(),
        _ => return None,
    };
    let bias = match consts.get(2) {
        Some(Some(Value::Tensor(b))) => Some(b.clone()),
        Some(Some(Value::None)) | None => None,
        _ => return None,
    };
    Some(Box::new(PreparedLinear {
        fixed: FixedLinear::new(weight, bias),
        then_relu,
    }))
}

struct PreparedLinear {
    fixed: FixedLinear,
    then_relu: bool,
}

impl PreparedOp for PreparedLinear {
    fn run(&self, args: &[&Value], out: &mut Value) -> RtResult<()> {
        let x = tensor(args, 0)?;
        Ok(self.fixed.run_into(x, tensor_out(out), self.then_relu)?)
    }

    fn as_linear(&self) -> Option<(&FixedLinear, bool)> {
        Some((&self.fixed, self.then_relu))
    }
}

/// Consecutive prepared `linear` layers (`plan/fuse.rs`), as one step: its only argument is
/// the first layer's input. `None` when the layers cannot be chained (see [`LinearChain::new`]).
pub(crate) fn linear_chain(layers: &[(&FixedLinear, bool)]) -> Option<Box<dyn PreparedOp>> {
    Some(Box::new(PreparedChain(LinearChain::new(layers)?)))
}

struct PreparedChain(LinearChain);

impl PreparedOp for PreparedChain {
    fn run(&self, args: &[&Value], out: &mut Value) -> RtResult<()> {
        let x = tensor(args, 0)?;
        Ok(self.0.run_into(x, tensor_out(out))?)
    }
}
