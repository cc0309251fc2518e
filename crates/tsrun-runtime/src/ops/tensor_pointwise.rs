//! Element-wise operators beyond the core arithmetic of `tensor_ops.rs`: aten's other float
//! functions, `isnan` family, `fmod`/`atan2`/`hypot`/`copysign`/`fmax`/`fmin`, logical,
//! bitwise and shift operators, `lerp`/`addcmul`/`addcdiv`, and the in-place (`op_`) form of
//! every element-wise operator, which computes out of place and writes back into `self` with
//! aten's cast check (`write_back`).

use tsrun_tensor::ops::binary::{self as bin, write_back};
use tsrun_tensor::ops::{compare as cmp, pointwise as pw, unary as un};
use tsrun_tensor::{Scalar, Tensor};

use super::args::{int, ok, opt_str, opt_tensor, scalar, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

/// `op(self)` and its in-place twin `op_(self)`.
macro_rules! unary {
    ($b:expr, $name:literal, $f:path) => {
        $b.op(concat!("aten::", $name, "(Tensor self) -> Tensor"), |a| {
            ok($f(tensor(a, 0)?)?)
        });
        unary_inplace!($b, $name, $f);
    };
}

/// Only `op_(self)` (the out-of-place form is registered elsewhere).
macro_rules! unary_inplace {
    ($b:expr, $name:literal, $f:path) => {
        $b.op(
            concat!("aten::", $name, "_(Tensor(a!) self) -> Tensor(a!)"),
            |a| {
                let t = tensor(a, 0)?;
                ok(write_back(concat!($name, "_"), t, &$f(t)?)?)
            },
        );
    };
}

/// `op_.Tensor(self, other)` and `op_.Scalar(self, other)` from out-of-place kernels.
macro_rules! binary_inplace {
    ($b:expr, $name:literal, $ft:path, $fs:path) => {
        $b.op(
            concat!(
                "aten::",
                $name,
                "_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)"
            ),
            |a| {
                let t = tensor(a, 0)?;
                ok(write_back(concat!($name, "_"), t, &$ft(t, tensor(a, 1)?)?)?)
            },
        );
        $b.op(
            concat!(
                "aten::",
                $name,
                "_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)"
            ),
            |a| {
                let t = tensor(a, 0)?;
                ok(write_back(concat!($name, "_"), t, &$fs(t, scalar(a, 1)?)?)?)
            },
        );
    };
}

/// `op.Tensor` and `op.Scalar` (+ in place) for a pair of kernels.
macro_rules! binary {
    ($b:expr, $name:literal, $ft:path, $fs:path) => {
        $b.op(
            concat!(
                "aten::",
                $name,
                ".Tensor(Tensor self, Tensor other) -> Tensor"
            ),
            |a| ok($ft(tensor(a, 0)?, tensor(a, 1)?)?),
        );
        $b.op(
            concat!(
                "aten::",
                $name,
                ".Scalar(Tensor self, Scalar other) -> Tensor"
            ),
            |a| ok($fs(tensor(a, 0)?, scalar(a, 1)?)?),
        );
        binary_inplace!($b, $name, $ft, $fs);
    };
}

/// A tensor-only binary op `op(self, other)` and `op_(self, other)`.
macro_rules! binary_tensor {
    ($b:expr, $name:literal, $f:path) => {
        $b.op(
            concat!("aten::", $name, "(Tensor self, Tensor other) -> Tensor"),
            |a| ok($f(tensor(a, 0)?, tensor(a, 1)?)?),
        );
        $b.op(
            concat!(
                "aten::",
                $name,
                "_(Tensor(a!) self, Tensor other) -> Tensor(a!)"
            ),
            |a| {
                let t = tensor(a, 0)?;
                ok(write_back(concat!($name, "_"), t, &$f(t, tensor(a, 1)?)?)?)
            },
        );
    };
}

fn pow_tensor_tensor(a: &Tensor, b: &Tensor) -> tsrun_tensor::Result<Tensor> {
    bin::pow(a, b)
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    unary!(b, "tan", pw::tan);
    unary!(b, "sinh", pw::sinh);
    unary!(b, "cosh", pw::cosh);
    unary!(b, "asin", pw::asin);
    unary!(b, "acos", pw::acos);
    unary!(b, "atan", pw::atan);
    unary!(b, "asinh", pw::asinh);
    unary!(b, "acosh", pw::acosh);
    unary!(b, "atanh", pw::atanh);
    unary!(b, "expm1", pw::expm1);
    unary!(b, "log1p", pw::log1p);
    unary!(b, "log2", pw::log2);
    unary!(b, "log10", pw::log10);
    unary!(b, "exp2", pw::exp2);
    unary!(b, "erf", pw::erf);
    unary!(b, "erfc", pw::erfc);
    unary!(b, "trunc", pw::trunc);
    unary!(b, "frac", pw::frac);
    unary!(b, "square", pw::square);
    b.op("aten::isnan(Tensor self) -> Tensor", |a| {
        ok(pw::isnan(tensor(a, 0)?)?)
    });
    b.op("aten::isinf(Tensor self) -> Tensor", |a| {
        ok(pw::isinf(tensor(a, 0)?)?)
    });
    b.op("aten::isfinite(Tensor self) -> Tensor", |a| {
        ok(pw::isfinite(tensor(a, 0)?)?)
    });
    unary_inplace!(b, "abs", un::abs);
    unary_inplace!(b, "neg", un::neg);
    unary_inplace!(b, "exp", un::exp);
    unary_inplace!(b, "log", un::log);
    unary_inplace!(b, "sqrt", un::sqrt);
    unary_inplace!(b, "rsqrt", un::rsqrt);
    unary_inplace!(b, "sin", un::sin);
    unary_inplace!(b, "cos", un::cos);
    unary_inplace!(b, "floor", un::floor);
    unary_inplace!(b, "ceil", un::ceil);
    unary_inplace!(b, "round", un::round);
    unary_inplace!(b, "sign", un::sign);
    unary_inplace!(b, "reciprocal", un::reciprocal);
    unary_inplace!(b, "logical_not", un::logical_not);
    unary_inplace!(b, "bitwise_not", un::bitwise_not);
    b.op(
        "aten::round.decimals(Tensor self, *, int decimals) -> Tensor",
        |a| ok(pw::round_decimals(tensor(a, 0)?, int(a, 1)?)?),
    );

    binary!(b, "fmod", pw::fmod, pw::fmod_scalar);
    binary!(b, "copysign", pw::copysign, pw::copysign_scalar);
    binary!(b, "bitwise_and", bin::bitwise_and, bin::bitwise_and_scalar);
    binary!(b, "bitwise_or", bin::bitwise_or, bin::bitwise_or_scalar);
    binary!(b, "bitwise_xor", bin::bitwise_xor, bin::bitwise_xor_scalar);
    binary!(b, "__and__", bin::bitwise_and, bin::bitwise_and_scalar);
    binary!(b, "__or__", bin::bitwise_or, bin::bitwise_or_scalar);
    binary!(b, "__xor__", bin::bitwise_xor, bin::bitwise_xor_scalar);
    binary!(b, "__lshift__", pw::lshift, pw::lshift_scalar);
    binary!(b, "__rshift__", pw::rshift, pw::rshift_scalar);
    binary_tensor!(b, "atan2", pw::atan2);
    binary_tensor!(b, "hypot", pw::hypot);
    binary_tensor!(b, "fmax", pw::fmax);
    binary_tensor!(b, "fmin", pw::fmin);
    binary_tensor!(b, "logical_and", pw::logical_and);
    binary_tensor!(b, "logical_or", pw::logical_or);
    binary_tensor!(b, "logical_xor", pw::logical_xor);
    binary_inplace!(b, "eq", cmp::eq, cmp::eq_scalar);
    binary_inplace!(b, "ne", cmp::ne, cmp::ne_scalar);
    binary_inplace!(b, "lt", cmp::lt, cmp::lt_scalar);
    binary_inplace!(b, "le", cmp::le, cmp::le_scalar);
    binary_inplace!(b, "gt", cmp::gt, cmp::gt_scalar);
    binary_inplace!(b, "ge", cmp::ge, cmp::ge_scalar);
    binary_inplace!(b, "remainder", bin::remainder, bin::remainder_scalar);
    binary_inplace!(b, "pow", pow_tensor_tensor, bin::pow_scalar);
    b.op(
        "aten::floor_divide_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            ok(write_back(
                "floor_divide_",
                t,
                &bin::floor_divide(t, tensor(a, 1)?)?,
            )?)
        },
    );
    b.op(
        "aten::floor_divide_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            ok(write_back(
                "floor_divide_",
                t,
                &bin::floor_divide_scalar(t, scalar(a, 1)?)?,
            )?)
        },
    );
    b.op(
        "aten::sub_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
        |a| {
            ok(bin::sub_scalar_(
                tensor(a, 0)?,
                scalar(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::mul_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
        |a| ok(bin::mul_scalar_(tensor(a, 0)?, scalar(a, 1)?)?),
    );
    b.op(
        "aten::div_.Tensor_mode(Tensor(a!) self, Tensor other, *, str? rounding_mode) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            ok(write_back("div_", t, &bin::div_mode(t, tensor(a, 1)?, opt_str(a, 2)?)?)?)
        },
    );
    b.op(
        "aten::div_.Scalar_mode(Tensor(a!) self, Scalar other, *, str? rounding_mode) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            ok(write_back("div_", t, &bin::div_scalar_mode(t, scalar(a, 1)?, opt_str(a, 2)?)?)?)
        },
    );
    b.op("aten::where(Tensor condition) -> Tensor[]", |a| {
        // `torch.where(cond)` is `cond.nonzero(as_tuple=True)`: one index tensor per dim.
        let nz = tsrun_tensor::ops::nn::index::nonzero(tensor(a, 0)?)?;
        let cols = (0..nz.shape()[1] as i64)
            .map(|d| {
                tsrun_tensor::ops::shape::select(&nz, 1, d)
                    .and_then(|c| c.try_contiguous("where"))
                    .map(Value::Tensor)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::new_list(crate::types::Type::Tensor, cols))
    });
    b.op(
        "aten::pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
        |a| ok(bin::scalar_pow(scalar(a, 0)?, tensor(a, 1)?)?),
    );

    b.op(
        "aten::clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
        |a| {
            ok(clamp_tensor(
                tensor(a, 0)?,
                opt_tensor(a, 1)?,
                opt_tensor(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            let (lo, hi) = (opt_scalar_at(a, 1)?, opt_scalar_at(a, 2)?);
            ok(un::clamp_(t, lo, hi)?)
        },
    );
    b.op("aten::clamp_min(Tensor self, Scalar min) -> Tensor", |a| {
        ok(un::clamp(tensor(a, 0)?, Some(scalar(a, 1)?), None)?)
    });
    b.op("aten::clamp_max(Tensor self, Scalar max) -> Tensor", |a| {
        ok(un::clamp(tensor(a, 0)?, None, Some(scalar(a, 1)?))?)
    });
    b.op(
        "aten::lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor",
        |a| {
            ok(pw::lerp_scalar(
                tensor(a, 0)?,
                tensor(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor",
        |a| {
            ok(pw::lerp_tensor(
                tensor(a, 0)?,
                tensor(a, 1)?,
                tensor(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
        |a| {
            ok(pw::addcmul(
                tensor(a, 0)?,
                tensor(a, 1)?,
                tensor(a, 2)?,
                scalar(a, 3)?,
            )?)
        },
    );
    b.op(
        "aten::addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
        |a| {
            ok(pw::addcdiv(
                tensor(a, 0)?,
                tensor(a, 1)?,
                tensor(a, 2)?,
                scalar(a, 3)?,
            )?)
        },
    );
}

fn opt_scalar_at(a: &[Value], i: usize) -> RtResult<Option<Scalar>> {
    super::args::opt_scalar(a, i)
}

/// `clamp(self, min, max)` with tensor bounds: `min(max(self, min), max)` in the promoted dtype.
fn clamp_tensor(x: &Tensor, lo: Option<&Tensor>, hi: Option<&Tensor>) -> RtResult<Tensor> {
    if lo.is_none() && hi.is_none() {
        return Err(RuntimeError::new(
            "torch.clamp: At least one of 'min' or 'max' must not be None",
        ));
    }
    let mut r = x.clone();
    if let Some(lo) = lo {
        r = bin::maximum(&r, lo)?;
    }
    if let Some(hi) = hi {
        r = bin::minimum(&r, hi)?;
    }
    Ok(r)
}
