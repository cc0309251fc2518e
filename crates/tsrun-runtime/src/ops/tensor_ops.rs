//! Tensor operators: each `aten::` overload's schema next to a thin wrapper that unpacks
//! the arguments and calls the kernel in `tsrun-tensor`.
//!
//! Registration order is preference order: for `torch.add(x, y)` the `Tensor` overload is
//! tried before the `Scalar` one, exactly as PyTorch's resolver would pick.

use smallvec::SmallVec;
use tsrun_tensor::{ops as k, DType, Scalar, Tensor};

use super::args::{
    bool, float, int, int_list, ok, opt_dtype, opt_int, opt_int_list, opt_scalar, opt_str,
    opt_tensor, scalar, str, tensor, tensor_list,
};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn dims(v: &[i64]) -> SmallVec<[i64; 6]> {
    v.iter().copied().collect()
}

pub(crate) fn shape_arg(args: &[Value], i: usize) -> RtResult<Vec<usize>> {
    let shape: Vec<usize> = int_list(args, i)?
        .iter()
        .map(|&d| {
            usize::try_from(d).map_err(|_| {
                RuntimeError::new(format!("negative dimension {d} in a size argument"))
            })
        })
        .collect::<RtResult<_>>()?;
    // Checked here too (not only in `Tensor::try_full`) so the message names the size the
    // model asked for: a size from the model (`torch.zeros([2**40])`)
    // would abort the process, or wrap around in `numel`, instead of raising.
    let numel = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    match numel {
        Some(n) if n <= MAX_NEW_ELEMENTS => Ok(shape),
        _ => Err(RuntimeError::new(format!(
            "not enough memory: a tensor of size {shape:?} has more than {MAX_NEW_ELEMENTS} elements"
        ))),
    }
}

/// Largest tensor a factory op (`zeros`, `ones`, `full`) creates: the tensor crate's cap on
/// every checked allocation (2^36 elements).
const MAX_NEW_ELEMENTS: usize = tsrun_tensor::alloc::MAX_ELEMENTS;

/// Factory functions ignore layout/device/pin_memory (CPU strided only) but check them.
pub(crate) fn factory_dtype(args: &[Value], dtype_at: usize, default: DType) -> RtResult<DType> {
    if let Some(Value::Int(layout)) = args.get(dtype_at + 1) {
        if *layout != 0 {
            return Err(RuntimeError::new("only the strided layout is supported"));
        }
    }
    Ok(opt_dtype(args, dtype_at)?.unwrap_or(default))
}

/// Takes argument `i` out of the argument list if it is a tensor that nothing else refers
/// to and that covers its whole, contiguous storage: an out-of-place op may then write its
/// result into it instead of allocating (the caller can never observe the difference).
fn take_exclusive(args: &mut [Value], i: usize) -> Option<Tensor> {
    let Some(Value::Tensor(t)) = args.get(i) else {
        return None;
    };
    let exclusive = std::sync::Arc::strong_count(t.storage()) == 1
        && t.is_contiguous()
        && t.storage_offset() == 0
        && t.numel() == t.storage().len();
    if !exclusive {
        return None;
    }
    match std::mem::take(&mut args[i]) {
        Value::Tensor(t) => Some(t),
        _ => None,
    }
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    register_arith(b);
    register_unary(b);
    register_compare(b);
    register_reduce(b);
    register_linalg(b);
    register_shape(b);
    register_create(b);
}

fn register_arith(b: &mut RegistryBuilder) {
    b.op(
        "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
        |a| ok(k::binary::add(tensor(a, 0)?, tensor(a, 1)?, scalar(a, 2)?)?),
    );
    b.op(
        "aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
        |a| {
            ok(k::binary::add_scalar(
                tensor(a, 0)?,
                scalar(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            k::binary::add_(t, tensor(a, 1)?, scalar(a, 2)?)?;
            ok(t.clone())
        },
    );
    b.op(
        "aten::add_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
        |a| {
            ok(k::binary::add_scalar_(
                tensor(a, 0)?,
                scalar(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
        |a| ok(k::binary::sub(tensor(a, 0)?, tensor(a, 1)?, scalar(a, 2)?)?),
    );
    b.op(
        "aten::sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
        |a| {
            ok(k::binary::sub_scalar(
                tensor(a, 0)?,
                scalar(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::sub_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            k::binary::sub_(t, tensor(a, 1)?, scalar(a, 2)?)?;
            ok(t.clone())
        },
    );
    b.op(
        "aten::rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
        |a| ok(k::binary::sub(tensor(a, 1)?, tensor(a, 0)?, scalar(a, 2)?)?),
    );
    b.op(
        "aten::rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
        |a| {
            ok(k::binary::rsub_scalar(
                tensor(a, 0)?,
                scalar(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::mul.Tensor(Tensor self, Tensor other) -> Tensor",
        |a| ok(k::binary::mul(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op(
        "aten::mul.Scalar(Tensor self, Scalar other) -> Tensor",
        |a| ok(k::binary::mul_scalar(tensor(a, 0)?, scalar(a, 1)?)?),
    );
    b.op(
        "aten::mul_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            k::binary::mul_(t, tensor(a, 1)?)?;
            ok(t.clone())
        },
    );
    b.op(
        "aten::div.Tensor(Tensor self, Tensor other) -> Tensor",
        |a| ok(k::binary::div(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op(
        "aten::div.Scalar(Tensor self, Scalar other) -> Tensor",
        |a| ok(k::binary::div_scalar(tensor(a, 0)?, scalar(a, 1)?)?),
    );
    b.op(
        "aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
        |a| {
            ok(k::binary::div_mode(
                tensor(a, 0)?,
                tensor(a, 1)?,
                opt_str(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor",
        |a| {
            ok(k::binary::div_scalar_mode(
                tensor(a, 0)?,
                scalar(a, 1)?,
                opt_str(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            k::binary::div_(t, tensor(a, 1)?)?;
            ok(t.clone())
        },
    );
    b.op(
        "aten::remainder.Tensor(Tensor self, Tensor other) -> Tensor",
        |a| ok(k::binary::remainder(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op(
        "aten::remainder.Scalar(Tensor self, Scalar other) -> Tensor",
        |a| {
            let s = scalar(a, 1)?;
            ok(k::binary::remainder_scalar(tensor(a, 0)?, s)?)
        },
    );
    b.op(
        "aten::floor_divide(Tensor self, Tensor other) -> Tensor",
        |a| ok(k::binary::floor_divide(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op(
        "aten::floor_divide.Scalar(Tensor self, Scalar other) -> Tensor",
        |a| {
            ok(k::binary::floor_divide_scalar(
                tensor(a, 0)?,
                scalar(a, 1)?,
            )?)
        },
    );
    b.op(
        "aten::pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
        |a| ok(k::binary::pow(tensor(a, 0)?, tensor(a, 1)?)?),
    );
    b.op(
        "aten::pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
        |a| ok(k::binary::pow_scalar(tensor(a, 0)?, scalar(a, 1)?)?),
    );
    b.op("aten::maximum(Tensor self, Tensor other) -> Tensor", |a| {
        ok(k::binary::maximum(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op("aten::minimum(Tensor self, Tensor other) -> Tensor", |a| {
        ok(k::binary::minimum(tensor(a, 0)?, tensor(a, 1)?)?)
    });
}

macro_rules! unary {
    ($b:expr, $name:literal, $f:path) => {
        $b.op(concat!("aten::", $name, "(Tensor self) -> Tensor"), |a| {
            ok($f(tensor(a, 0)?)?)
        });
    };
}

fn register_unary(b: &mut RegistryBuilder) {
    unary!(b, "neg", k::unary::neg);
    unary!(b, "abs", k::unary::abs);
    b.op_with_out(
        "aten::relu(Tensor self) -> Tensor",
        |a| {
            // A uniquely-owned temporary (e.g. the result of `linear` moved in) is reused.
            if let Some(t) = take_exclusive(a, 0) {
                k::unary::relu_(&t)?;
                return ok(t);
            }
            ok(k::unary::relu(tensor(a, 0)?)?)
        },
        |a, out| {
            let x = super::borrowed_args::tensor(a, 0)?;
            Ok(k::unary::relu_into(
                x,
                super::borrowed_args::tensor_out(out),
            )?)
        },
    );
    unary!(b, "tanh", k::unary::tanh);
    unary!(b, "sigmoid", k::unary::sigmoid);
    unary!(b, "exp", k::unary::exp);
    unary!(b, "log", k::unary::log);
    unary!(b, "sqrt", k::unary::sqrt);
    unary!(b, "rsqrt", k::unary::rsqrt);
    unary!(b, "sin", k::unary::sin);
    unary!(b, "cos", k::unary::cos);
    unary!(b, "floor", k::unary::floor);
    unary!(b, "ceil", k::unary::ceil);
    unary!(b, "round", k::unary::round);
    unary!(b, "sign", k::unary::sign);
    unary!(b, "reciprocal", k::unary::reciprocal);
    unary!(b, "logical_not", k::unary::logical_not);
    unary!(b, "bitwise_not", k::unary::bitwise_not);
    b.op("aten::relu_(Tensor(a!) self) -> Tensor(a!)", |a| {
        let t = tensor(a, 0)?;
        k::unary::relu_(t)?;
        ok(t.clone())
    });
    b.op(
        "aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
        |a| {
            ok(k::unary::clamp(
                tensor(a, 0)?,
                opt_scalar(a, 1)?,
                opt_scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::gelu(Tensor self, *, str approximate=\"none\") -> Tensor",
        |a| ok(k::unary::gelu(tensor(a, 0)?, str(a, 1)?)?),
    );
    b.op(
        "aten::dropout(Tensor input, float p, bool train) -> Tensor",
        |a| {
            if bool(a, 2)? {
                return Err(RuntimeError::new(
                    "dropout in training mode is not supported (tsrun runs inference)",
                ));
            }
            let _ = float(a, 1)?;
            ok(tensor(a, 0)?.clone())
        },
    );
}

macro_rules! compare {
    ($b:expr, $name:literal, $f:path, $fs:path) => {
        $b.op(
            concat!(
                "aten::",
                $name,
                ".Tensor(Tensor self, Tensor other) -> Tensor"
            ),
            |a| ok($f(tensor(a, 0)?, tensor(a, 1)?)?),
        );
        $b.op(
            concat!(
                "aten::",
                $name,
                ".Scalar(Tensor self, Scalar other) -> Tensor"
            ),
            |a| ok($fs(tensor(a, 0)?, scalar(a, 1)?)?),
        );
    };
}

fn register_compare(b: &mut RegistryBuilder) {
    compare!(b, "eq", k::compare::eq, k::compare::eq_scalar);
    compare!(b, "ne", k::compare::ne, k::compare::ne_scalar);
    compare!(b, "lt", k::compare::lt, k::compare::lt_scalar);
    compare!(b, "le", k::compare::le, k::compare::le_scalar);
    compare!(b, "gt", k::compare::gt, k::compare::gt_scalar);
    compare!(b, "ge", k::compare::ge, k::compare::ge_scalar);
}

fn register_reduce(b: &mut RegistryBuilder) {
    b.op(
        "aten::sum(Tensor self, *, ScalarType? dtype=None) -> Tensor",
        |a| {
            ok(k::reduce::sum(
                tensor(a, 0)?,
                None,
                false,
                opt_dtype(a, 1)?,
            )?)
        },
    );
    b.op("aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", |a| {
        let d = opt_int_list(a, 1)?;
        ok(k::reduce::sum(tensor(a, 0)?, d.as_deref(), bool(a, 2)?, opt_dtype(a, 3)?)?)
    });
    b.op(
        "aten::mean(Tensor self, *, ScalarType? dtype=None) -> Tensor",
        |a| {
            ok(k::reduce::mean(
                tensor(a, 0)?,
                None,
                false,
                opt_dtype(a, 1)?,
            )?)
        },
    );
    b.op("aten::mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", |a| {
        let d = opt_int_list(a, 1)?;
        ok(k::reduce::mean(tensor(a, 0)?, d.as_deref(), bool(a, 2)?, opt_dtype(a, 3)?)?)
    });
    b.op(
        "aten::softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor",
        |a| {
            ok(k::reduce::softmax(
                tensor(a, 0)?,
                int(a, 1)?,
                opt_dtype(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor",
        |a| {
            ok(k::reduce::log_softmax(
                tensor(a, 0)?,
                int(a, 1)?,
                opt_dtype(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
        |a| {
            ok(k::reduce::argmax(
                tensor(a, 0)?,
                opt_int(a, 1)?,
                bool(a, 2)?,
            )?)
        },
    );
}

fn register_linalg(b: &mut RegistryBuilder) {
    b.op_prepared(
        "aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor",
        |a| {
            ok(k::linalg::linear(
                tensor(a, 0)?,
                tensor(a, 1)?,
                opt_tensor(a, 2)?,
            )?)
        },
        super::prepared::prepare_linear,
    );
    b.op("aten::matmul(Tensor self, Tensor other) -> Tensor", |a| {
        ok(k::linalg::matmul(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op("aten::mm(Tensor self, Tensor mat2) -> Tensor", |a| {
        ok(k::linalg::mm(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op("aten::bmm(Tensor self, Tensor mat2) -> Tensor", |a| {
        ok(k::linalg::bmm(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op("aten::addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", |a| {
        ok(k::linalg::addmm(tensor(a, 0)?, tensor(a, 1)?, tensor(a, 2)?, scalar(a, 3)?, scalar(a, 4)?)?)
    });
    b.op("aten::t(Tensor(a) self) -> Tensor(a)", |a| {
        ok(k::shape::t(tensor(a, 0)?)?)
    });
    b.op(
        "aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)",
        |a| ok(k::shape::transpose(tensor(a, 0)?, int(a, 1)?, int(a, 2)?)?),
    );
}

fn register_shape(b: &mut RegistryBuilder) {
    b.op("aten::size(Tensor self) -> int[]", |a| {
        let dims = tensor(a, 0)?
            .shape()
            .iter()
            .map(|&d| Value::Int(d as i64))
            .collect();
        Ok(Value::new_list(crate::types::Type::Int, dims))
    });
    b.op("aten::size.int(Tensor self, int dim) -> int", |a| {
        Ok(Value::Int(k::shape::size(tensor(a, 0)?, int(a, 1)?)? as i64))
    });
    b.op("aten::dim(Tensor self) -> int", |a| {
        Ok(Value::Int(tensor(a, 0)?.dim() as i64))
    });
    b.op("aten::numel(Tensor self) -> int", |a| {
        Ok(Value::Int(tensor(a, 0)?.numel() as i64))
    });
    b.op("aten::len.Tensor(Tensor t) -> int", |a| {
        let t = tensor(a, 0)?;
        t.shape()
            .first()
            .map(|&d| Value::Int(d as i64))
            .ok_or_else(|| RuntimeError::new("len() of a 0-d tensor"))
    });
    b.op(
        "aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)",
        |a| ok(k::shape::view(tensor(a, 0)?, &dims(&int_list(a, 1)?))?),
    );
    b.op(
        "aten::reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)",
        |a| ok(k::shape::reshape(tensor(a, 0)?, &dims(&int_list(a, 1)?))?),
    );
    b.op(
        "aten::flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)",
        |a| ok(k::shape::flatten(tensor(a, 0)?, int(a, 1)?, int(a, 2)?)?),
    );
    b.op("aten::squeeze(Tensor(a) self) -> Tensor(a)", |a| {
        ok(k::shape::squeeze(tensor(a, 0)?))
    });
    b.op(
        "aten::squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)",
        |a| ok(k::shape::squeeze_dim(tensor(a, 0)?, int(a, 1)?)?),
    );
    b.op(
        "aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)",
        |a| ok(k::shape::unsqueeze(tensor(a, 0)?, int(a, 1)?)?),
    );
    b.op(
        "aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)",
        |a| ok(k::shape::permute(tensor(a, 0)?, &dims(&int_list(a, 1)?))?),
    );
    b.op(
        "aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)",
        |a| ok(k::shape::expand(tensor(a, 0)?, &dims(&int_list(a, 1)?))?),
    );
    b.op("aten::contiguous(Tensor(a) self, *, MemoryFormat memory_format=contiguous_format) -> Tensor(a)", |a| {
        // An expanded view may be far larger than its storage: a checked allocation.
        ok(tensor(a, 0)?.try_contiguous("contiguous")?)
    });
    b.op(
        "aten::select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)",
        |a| ok(k::shape::select(tensor(a, 0)?, int(a, 1)?, int(a, 2)?)?),
    );
    b.op("aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)", |a| {
        ok(k::shape::slice(tensor(a, 0)?, int(a, 1)?, opt_int(a, 2)?, opt_int(a, 3)?, int(a, 4)?)?)
    });
    b.op("aten::cat(Tensor[] tensors, int dim=0) -> Tensor", |a| {
        ok(k::shape::cat(&tensor_list(a, 0)?, int(a, 1)?)?)
    });
    b.op("aten::stack(Tensor[] tensors, int dim=0) -> Tensor", |a| {
        ok(k::shape::stack(&tensor_list(a, 0)?, int(a, 1)?)?)
    });
    b.op("aten::to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)", |a| {
        let t = tensor(a, 0)?;
        let d = opt_dtype(a, 1)?.unwrap_or(t.dtype());
        ok(if d == t.dtype() && !bool(a, 3)? { t.clone() } else { t.try_to_dtype("to", d)? })
    });
    b.op(
        "aten::copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)",
        |a| {
            let t = tensor(a, 0)?;
            k::create::copy_(t, tensor(a, 1)?)?;
            ok(t.clone())
        },
    );
}

fn register_create(b: &mut RegistryBuilder) {
    b.op("aten::zeros(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(Tensor::try_zeros("zeros", &shape_arg(a, 0)?, factory_dtype(a, 1, DType::F32)?)?)
    });
    b.op("aten::ones(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(Tensor::try_full("ones", &shape_arg(a, 0)?, Scalar::Int(1), factory_dtype(a, 1, DType::F32)?)?)
    });
    b.op("aten::full(SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        let fill = scalar(a, 1)?;
        let default = match fill {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F32,
        };
        ok(Tensor::try_full("full", &shape_arg(a, 0)?, fill, factory_dtype(a, 2, default)?)?)
    });
    b.op("aten::zeros_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor", |a| {
        let t = tensor(a, 0)?;
        ok(Tensor::try_zeros("zeros_like", t.shape(), factory_dtype(a, 1, t.dtype())?)?)
    });
    b.op("aten::ones_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor", |a| {
        let t = tensor(a, 0)?;
        ok(Tensor::try_full("ones_like", t.shape(), Scalar::Int(1), factory_dtype(a, 1, t.dtype())?)?)
    });
    b.op("aten::full_like(Tensor self, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor", |a| {
        let t = tensor(a, 0)?;
        ok(Tensor::try_full("full_like", t.shape(), scalar(a, 1)?, factory_dtype(a, 2, t.dtype())?)?)
    });
}
