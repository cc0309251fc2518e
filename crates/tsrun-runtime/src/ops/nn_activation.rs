//! Activation operators of `torch.nn.functional`, with their in-place forms.

use tsrun_tensor::ops::nn::activation as act;
use tsrun_tensor::ops::unary;

use super::args::{ok, scalar, tensor};
use super::RegistryBuilder;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::mish_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("mish_", tensor(a, 0)?, act::mish)?)
    });
    b.op("aten::selu_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("selu_", tensor(a, 0)?, act::selu)?)
    });
    b.op(
        "aten::celu_(Tensor(a!) self, Scalar alpha=1.) -> Tensor(a!)",
        |a| {
            let al = scalar(a, 1)?;
            ok(act::inplace("celu_", tensor(a, 0)?, |t| act::celu(t, al))?)
        },
    );
    b.op(
        "aten::threshold_(Tensor(a!) self, Scalar threshold, Scalar value) -> Tensor(a!)",
        |a| {
            let (t, v) = (scalar(a, 1)?, scalar(a, 2)?);
            ok(act::inplace("threshold_", tensor(a, 0)?, |x| {
                act::threshold(x, t, v)
            })?)
        },
    );
    b.op(
        "aten::hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
        |a| ok(act::hardtanh(tensor(a, 0)?, scalar(a, 1)?, scalar(a, 2)?)?),
    );
    b.op(
        "aten::hardtanh_(Tensor(a!) self, Scalar min_val=-1, Scalar max_val=1) -> Tensor(a!)",
        |a| ok(act::hardtanh_(tensor(a, 0)?, scalar(a, 1)?, scalar(a, 2)?)?),
    );
    b.op("aten::relu6(Tensor self) -> Tensor", |a| {
        ok(act::relu6(tensor(a, 0)?)?)
    });
    b.op("aten::relu6_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("relu6_", tensor(a, 0)?, act::relu6)?)
    });
    b.op("aten::hardswish(Tensor self) -> Tensor", |a| {
        ok(act::hardswish(tensor(a, 0)?)?)
    });
    b.op("aten::hardswish_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("hardswish_", tensor(a, 0)?, act::hardswish)?)
    });
    b.op("aten::hardsigmoid(Tensor self) -> Tensor", |a| {
        ok(act::hardsigmoid(tensor(a, 0)?)?)
    });
    b.op("aten::hardsigmoid_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace(
            "hardsigmoid_",
            tensor(a, 0)?,
            act::hardsigmoid,
        )?)
    });
    b.op("aten::silu(Tensor self) -> Tensor", |a| {
        ok(act::silu(tensor(a, 0)?)?)
    });
    b.op("aten::silu_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("silu_", tensor(a, 0)?, act::silu)?)
    });
    b.op("aten::mish(Tensor self) -> Tensor", |a| {
        ok(act::mish(tensor(a, 0)?)?)
    });
    b.op(
        "aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
        |a| ok(act::leaky_relu(tensor(a, 0)?, scalar(a, 1)?)?),
    );
    b.op(
        "aten::leaky_relu_(Tensor(a!) self, Scalar negative_slope=0.01) -> Tensor(a!)",
        |a| {
            let s = scalar(a, 1)?;
            ok(act::inplace("leaky_relu_", tensor(a, 0)?, |t| {
                act::leaky_relu(t, s)
            })?)
        },
    );
    b.op(
        "aten::elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
        |a| {
            ok(act::elu(
                tensor(a, 0)?,
                scalar(a, 1)?,
                scalar(a, 2)?,
                scalar(a, 3)?,
            )?)
        },
    );
    b.op("aten::elu_(Tensor(a!) self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor(a!)", |a| {
        let (al, sc, is) = (scalar(a, 1)?, scalar(a, 2)?, scalar(a, 3)?);
        ok(act::inplace("elu_", tensor(a, 0)?, |t| act::elu(t, al, sc, is))?)
    });
    b.op("aten::selu(Tensor self) -> Tensor", |a| {
        ok(act::selu(tensor(a, 0)?)?)
    });
    b.op("aten::celu(Tensor self, Scalar alpha=1.) -> Tensor", |a| {
        ok(act::celu(tensor(a, 0)?, scalar(a, 1)?)?)
    });
    b.op(
        "aten::softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor",
        |a| ok(act::softplus(tensor(a, 0)?, scalar(a, 1)?, scalar(a, 2)?)?),
    );
    b.op(
        "aten::threshold(Tensor self, Scalar threshold, Scalar value) -> Tensor",
        |a| ok(act::threshold(tensor(a, 0)?, scalar(a, 1)?, scalar(a, 2)?)?),
    );
    b.op("aten::log_sigmoid(Tensor self) -> Tensor", |a| {
        ok(act::log_sigmoid(tensor(a, 0)?)?)
    });
    b.op("aten::sigmoid_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("sigmoid_", tensor(a, 0)?, unary::sigmoid)?)
    });
    b.op("aten::tanh_(Tensor(a!) self) -> Tensor(a!)", |a| {
        ok(act::inplace("tanh_", tensor(a, 0)?, unary::tanh)?)
    });
}
