//! Binary arithmetic with broadcasting and type promotion
//! (`aten::add`, `sub`, `mul`, `div`, `remainder`, `pow`, `maximum`, bitwise ops).
//!
//! Every op computes in the promoted dtype (`torch.result_type` of its
//! operands) and returns a fresh contiguous tensor. In-place variants compute
//! out of place and then `copy_` into `self`, after PyTorch's cast check.

use crate::error::{invalid, shape_err};
use crate::ops::create::copy_;
use crate::ops::elementwise::{map, try_zip_rhs, zip_rhs, Rhs};
use crate::ops::num::{dispatch, dispatch_num, Float, Num};
use crate::promote::{can_cast, result_type, Operand, DEFAULT_FLOAT};
use crate::{DType, Element, Result, Scalar, Tensor, TensorError};

/// An operand after conversion to the computation dtype.
enum Cast {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl Cast {
    fn rhs(&self) -> Rhs<'_> {
        match self {
            Cast::Tensor(t) => Rhs::Tensor(t),
            Cast::Scalar(s) => Rhs::Scalar(*s),
        }
    }
}

/// The promoted dtype of `a` and `b`.
fn promoted(a: &Tensor, b: Rhs<'_>) -> DType {
    match b {
        Rhs::Tensor(b) => result_type(&[Operand::Tensor(a), Operand::Tensor(b)]),
        Rhs::Scalar(s) => result_type(&[Operand::Tensor(a), Operand::Scalar(s)]),
    }
}

/// Converts both operands to `dt` (no copy when they already have it).
/// A conversion copies, with a checked allocation: `op` names the kernel in the error.
fn cast_both(op: &'static str, a: &Tensor, b: Rhs<'_>, dt: DType) -> Result<(Tensor, Cast)> {
    let b = match b {
        Rhs::Tensor(t) => Cast::Tensor(t.try_to_dtype(op, dt)?),
        Rhs::Scalar(s) => Cast::Scalar(s),
    };
    Ok((a.try_to_dtype(op, dt)?, b))
}

/// aten's `alpha_check`.
fn check_alpha(op: &'static str, dt: DType, alpha: Scalar) -> Result<()> {
    if alpha.is_bool() && dt != DType::Bool {
        return Err(invalid(
            op,
            "Boolean alpha only supported for Boolean results.",
        ));
    }
    if !dt.is_floating() && alpha.is_floating() {
        return Err(invalid(
            op,
            "For integral input tensors, argument alpha must not be a floating point number.",
        ));
    }
    Ok(())
}

fn add_impl(op: &'static str, a: &Tensor, b: Rhs<'_>, alpha: Scalar) -> Result<Tensor> {
    let dt = promoted(a, b);
    check_alpha(op, dt, alpha)?;
    let (a, b) = cast_both(op, a, b, dt)?;
    let one = alpha.to_f64() == 1.0;
    dispatch_num!(dt, T => {
        if one {
            zip_rhs::<T, T>(op, &a, b.rhs(), |x, y| x.wadd(y))
        } else {
            let al = T::from_scalar(alpha);
            zip_rhs::<T, T>(op, &a, b.rhs(), move |x, y| x.wadd(al.wmul(y)))
        }
    }, bool => {
        let al = alpha.to_bool();
        zip_rhs::<bool, bool>(op, &a, b.rhs(), move |x, y| x | (al & y))
    })
}

/// `aten::add.Tensor`: `a + alpha * b`.
pub fn add(a: &Tensor, b: &Tensor, alpha: Scalar) -> Result<Tensor> {
    add_impl("add", a, Rhs::Tensor(b), alpha)
}

/// `aten::add.Scalar`: `a + alpha * s`.
pub fn add_scalar(a: &Tensor, s: Scalar, alpha: Scalar) -> Result<Tensor> {
    add_impl("add", a, Rhs::Scalar(s), alpha)
}

/// aten's `sub_check`: bool operands are rejected even if promotion would allow them.
fn check_sub(a: DType, b: DType) -> Result<()> {
    if a == DType::Bool && b == DType::Bool {
        return Err(invalid(
            "sub",
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
        ));
    }
    if a == DType::Bool || b == DType::Bool {
        return Err(invalid(
            "sub",
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
        ));
    }
    Ok(())
}

fn neg_alpha(alpha: Scalar) -> Scalar {
    match alpha {
        Scalar::Int(i) => Scalar::Int(i.wrapping_neg()),
        Scalar::Float(f) => Scalar::Float(-f),
        b => b,
    }
}

/// `aten::sub.Tensor`: `a - alpha * b`.
pub fn sub(a: &Tensor, b: &Tensor, alpha: Scalar) -> Result<Tensor> {
    check_sub(a.dtype(), b.dtype())?;
    add_impl("sub", a, Rhs::Tensor(b), neg_alpha(alpha))
}

/// `aten::sub.Scalar`: `a - alpha * s`.
pub fn sub_scalar(a: &Tensor, s: Scalar, alpha: Scalar) -> Result<Tensor> {
    check_sub(a.dtype(), s.dtype())?;
    add_impl("sub", a, Rhs::Scalar(s), neg_alpha(alpha))
}

/// `aten::rsub.Tensor`: `b - alpha * a`.
pub fn rsub(a: &Tensor, b: &Tensor, alpha: Scalar) -> Result<Tensor> {
    sub(b, a, alpha)
}

/// `aten::rsub.Scalar`: `s - alpha * a`.
pub fn rsub_scalar(a: &Tensor, s: Scalar, alpha: Scalar) -> Result<Tensor> {
    check_sub(a.dtype(), s.dtype())?;
    let dt = result_type(&[Operand::Tensor(a), Operand::Scalar(s)]);
    check_alpha("rsub", dt, alpha)?;
    let a = a.try_to_dtype("rsub_scalar", dt)?;
    dispatch_num!(dt, T => {
        let (sv, al) = (T::from_scalar(s), T::from_scalar(alpha));
        map::<T, T>("rsub_scalar", &a, move |x| sv.wsub(al.wmul(x)))
    }, bool => unreachable!("bool rejected by check_sub"))
}

fn mul_impl(a: &Tensor, b: Rhs<'_>) -> Result<Tensor> {
    let dt = promoted(a, b);
    let (a, b) = cast_both("mul", a, b, dt)?;
    dispatch_num!(dt, T => zip_rhs::<T, T>("mul", &a, b.rhs(), |x, y| x.wmul(y)),
        bool => zip_rhs::<bool, bool>("mul", &a, b.rhs(), |x, y| x & y))
}

/// `aten::mul.Tensor`.
pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    mul_impl(a, Rhs::Tensor(b))
}

/// `aten::mul.Scalar`.
pub fn mul_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    mul_impl(a, Rhs::Scalar(s))
}

/// How `div` rounds (`rounding_mode` argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rounding {
    True,
    Trunc,
    Floor,
}

fn parse_rounding(mode: Option<&str>) -> Result<Rounding> {
    match mode {
        None => Ok(Rounding::True),
        Some("trunc") => Ok(Rounding::Trunc),
        Some("floor") => Ok(Rounding::Floor),
        Some(m) => Err(invalid(
            "div",
            format!(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
            ),
        )),
    }
}

fn div_impl(op: &'static str, a: &Tensor, b: Rhs<'_>, mode: Rounding) -> Result<Tensor> {
    let mut dt = promoted(a, b);
    if mode == Rounding::True && !dt.is_floating() {
        // Integer (and bool) true division promotes to the default float dtype.
        dt = DEFAULT_FLOAT;
    }
    let (a, b) = cast_both(op, a, b, dt)?;
    let zero = || TensorError::ZeroDivision { op };
    match mode {
        Rounding::True => {
            crate::ops::num::dispatch_float!(dt, T => zip_rhs::<T, T>(op, &a, b.rhs(), |x, y| x.true_div(y)),
            other => unreachable!("true division always runs in a float dtype"))
        }
        Rounding::Trunc => {
            dispatch_num!(dt, T => try_zip_rhs::<T, T>(op, &a, b.rhs(), |x, y| x.tdiv(y), zero),
            bool => Err(TensorError::Unsupported { op: "div_trunc_cpu", dtype: dt }))
        }
        Rounding::Floor => {
            dispatch_num!(dt, T => try_zip_rhs::<T, T>(op, &a, b.rhs(), |x, y| x.fdiv(y), zero),
            bool => Err(TensorError::Unsupported { op: "div_floor_cpu", dtype: dt }))
        }
    }
}

/// `aten::div.Tensor`: true division; integer inputs give float32.
pub fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    div_impl("div", a, Rhs::Tensor(b), Rounding::True)
}

/// `aten::div.Scalar`.
pub fn div_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    div_impl("div", a, Rhs::Scalar(s), Rounding::True)
}

/// `aten::div.Tensor_mode`: `rounding_mode` is `None`, `"trunc"` or `"floor"`.
/// Integer division by zero with a rounding mode is a `ZeroDivision` error.
pub fn div_mode(a: &Tensor, b: &Tensor, rounding_mode: Option<&str>) -> Result<Tensor> {
    div_impl("div", a, Rhs::Tensor(b), parse_rounding(rounding_mode)?)
}

/// `aten::div.Scalar_mode`.
pub fn div_scalar_mode(a: &Tensor, s: Scalar, rounding_mode: Option<&str>) -> Result<Tensor> {
    div_impl("div", a, Rhs::Scalar(s), parse_rounding(rounding_mode)?)
}

/// `aten::floor_divide`: division rounded toward negative infinity.
pub fn floor_divide(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    div_impl("floor_divide", a, Rhs::Tensor(b), Rounding::Floor)
}

/// `aten::floor_divide.Scalar`.
pub fn floor_divide_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    div_impl("floor_divide", a, Rhs::Scalar(s), Rounding::Floor)
}

fn remainder_impl(a: &Tensor, b: Rhs<'_>) -> Result<Tensor> {
    let dt = promoted(a, b);
    let (a, b) = cast_both("remainder", a, b, dt)?;
    let zero = || TensorError::ZeroDivision { op: "remainder" };
    dispatch_num!(dt, T => try_zip_rhs::<T, T>("remainder", &a, b.rhs(), |x, y| x.pymod(y), zero),
        bool => Err(TensorError::Unsupported { op: "remainder_cpu", dtype: dt }))
}

/// `aten::remainder.Tensor`: Python's `%` (result has the divisor's sign).
pub fn remainder(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    remainder_impl(a, Rhs::Tensor(b))
}

/// `aten::remainder.Scalar`.
pub fn remainder_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    remainder_impl(a, Rhs::Scalar(s))
}

/// `aten::pow.Tensor_Tensor`.
pub fn pow(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = result_type(&[Operand::Tensor(a), Operand::Tensor(b)]);
    let (a, b) = cast_both("pow", a, Rhs::Tensor(b), dt)?;
    dispatch_num!(dt, T => zip_rhs::<T, T>("pow", &a, b.rhs(), |x, y| x.tpow(y)),
        bool => Err(TensorError::Unsupported { op: "pow", dtype: dt }))
}

/// `aten::pow.Tensor_Scalar`, with aten's special cases (0 -> ones, 1 -> copy,
/// 2/3/-2 by multiplication, +-0.5 and -1 via sqrt/rsqrt/reciprocal).
pub fn pow_scalar(a: &Tensor, exponent: Scalar) -> Result<Tensor> {
    let dt = result_type(&[Operand::Tensor(a), Operand::Scalar(exponent)]);
    if dt.is_integral(true) && !exponent.is_floating() && exponent.to_i64() < 0 {
        return Err(invalid(
            "pow",
            "Integers to negative integer powers are not allowed.",
        ));
    }
    let e = exponent.to_f64();
    if e == 0.0 {
        return Tensor::try_full("pow", a.shape(), Scalar::Int(1), dt);
    }
    if e == 1.0 {
        return a
            .try_to_dtype("pow_scalar", dt)?
            .try_materialize("pow_scalar");
    }
    let a = a.try_to_dtype("pow_scalar", dt)?;
    dispatch!(dt,
        int T => {
            let ev = T::from_scalar(exponent);
            map::<T, T>("pow_scalar", &a, move |x| x.tpow(ev))
        },
        float F => Ok(if e == 0.5 {
            map::<F, F>("pow_scalar", &a, |x| x.fmap(f32::sqrt, f64::sqrt))?
        } else if e == -0.5 {
            map::<F, F>("pow_scalar", &a, |x| x.fmap(|v| 1.0 / v.sqrt(), |v| 1.0 / v.sqrt()))?
        } else if e == -1.0 {
            map::<F, F>("pow_scalar", &a, |x| F::ONE.true_div(x))?
        } else if e == 2.0 {
            map::<F, F>("pow_scalar", &a, |x| x.wmul(x))?
        } else if e == 3.0 {
            map::<F, F>("pow_scalar", &a, |x| x.wmul(x).wmul(x))?
        } else if e == -2.0 {
            map::<F, F>("pow_scalar", &a, |x| F::ONE.true_div(x.wmul(x)))?
        } else {
            // aten calls std::pow(base, double(exp)) here, i.e. computes in double.
            map::<F, F>("pow_scalar", &a, move |x| F::from_f64(x.to_f64().powf(e)))?
        }),
        bool => Err(TensorError::Unsupported { op: "pow", dtype: dt }))
}

/// `aten::pow.Scalar`: a Python number raised to each element of `b`.
pub fn scalar_pow(s: Scalar, b: &Tensor) -> Result<Tensor> {
    let dt = result_type(&[Operand::Scalar(s), Operand::Tensor(b)]);
    if s.to_f64() == 1.0 {
        return Tensor::try_full("pow", b.shape(), Scalar::Int(1), dt);
    }
    let b = b.try_to_dtype("scalar_pow", dt)?;
    dispatch_num!(dt, T => {
        let base = T::from_scalar(s);
        map::<T, T>("scalar_pow", &b, move |y| base.tpow(y))
    }, bool => Err(TensorError::Unsupported { op: "pow", dtype: dt }))
}

/// `aten::maximum`: element-wise max, propagating NaN.
pub fn maximum(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = result_type(&[Operand::Tensor(a), Operand::Tensor(b)]);
    let (a, b) = cast_both("maximum", a, Rhs::Tensor(b), dt)?;
    dispatch_num!(dt, T => zip_rhs::<T, T>("maximum", &a, b.rhs(), |x, y| x.vmax(y)),
        bool => zip_rhs::<bool, bool>("maximum", &a, b.rhs(), |x, y| x | y))
}

/// `aten::minimum`: element-wise min, propagating NaN.
pub fn minimum(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = result_type(&[Operand::Tensor(a), Operand::Tensor(b)]);
    let (a, b) = cast_both("minimum", a, Rhs::Tensor(b), dt)?;
    dispatch_num!(dt, T => zip_rhs::<T, T>("minimum", &a, b.rhs(), |x, y| x.vmin(y)),
        bool => zip_rhs::<bool, bool>("minimum", &a, b.rhs(), |x, y| x & y))
}

macro_rules! bitwise {
    ($name:ident, $name_s:ident, $op:literal, $kop:literal, $b:tt) => {
        #[doc = concat!("`aten::", $op, ".Tensor` on bool and integer tensors.")]
        pub fn $name(a: &Tensor, b: &Tensor) -> Result<Tensor> {
            bitwise_impl(a, Rhs::Tensor(b), $op, $kop, |x, y| x $b y, |x, y| x $b y)
        }
        #[doc = concat!("`aten::", $op, ".Scalar`.")]
        pub fn $name_s(a: &Tensor, s: Scalar) -> Result<Tensor> {
            bitwise_impl(a, Rhs::Scalar(s), $op, $kop, |x, y| x $b y, |x, y| x $b y)
        }
    };
}

/// Shared body of the bitwise ops. Integers are combined through their i64
/// images: bitwise ops commute with sign extension and truncation, so
/// wrapping the i64 result back to the element type is exact.
fn bitwise_impl(
    a: &Tensor,
    b: Rhs<'_>,
    op: &'static str,
    kernel_name: &'static str,
    fi: fn(i64, i64) -> i64,
    fb: fn(bool, bool) -> bool,
) -> Result<Tensor> {
    let dt = promoted(a, b);
    let (a, b) = cast_both(op, a, b, dt)?;
    dispatch!(dt,
        int T => zip_rhs::<T, T>(op, &a, b.rhs(), move |x, y| T::from_i64(fi(x.to_i64(), y.to_i64()))),
        float F => {
            let _ = std::marker::PhantomData::<F>;
            Err(TensorError::Unsupported { op: kernel_name, dtype: dt })
        },
        bool => zip_rhs::<bool, bool>(op, &a, b.rhs(), fb))
}

bitwise!(bitwise_and, bitwise_and_scalar, "bitwise_and", "bitwise_and_cpu", &);
bitwise!(bitwise_or, bitwise_or_scalar, "bitwise_or", "bitwise_or_cpu", |);
bitwise!(bitwise_xor, bitwise_xor_scalar, "bitwise_xor", "bitwise_xor_cpu", ^);

/// Writes an out-of-place result into `dst` the way aten's in-place ops do:
/// the result dtype must be castable to `dst`'s and its shape must equal `dst`'s.
pub fn write_back(op: &'static str, dst: &Tensor, result: &Tensor) -> Result<Tensor> {
    if !can_cast(result.dtype(), dst.dtype()) {
        return Err(crate::error::dtype_err(
            op,
            format!(
                "result type {} can't be cast to the desired output type {}",
                result.dtype(),
                dst.dtype()
            ),
        ));
    }
    if result.shape() != dst.shape() {
        return Err(shape_err(
            op,
            format!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                dst.shape(),
                result.shape()
            ),
        ));
    }
    copy_(dst, result)?;
    Ok(dst.clone())
}

/// `aten::add_.Tensor`: `self += alpha * other`, in place; returns `self`.
pub fn add_(a: &Tensor, b: &Tensor, alpha: Scalar) -> Result<Tensor> {
    write_back("add_", a, &add(a, b, alpha)?)
}

/// `aten::add_.Scalar`.
pub fn add_scalar_(a: &Tensor, s: Scalar, alpha: Scalar) -> Result<Tensor> {
    write_back("add_", a, &add_scalar(a, s, alpha)?)
}

/// `aten::sub_.Tensor`.
pub fn sub_(a: &Tensor, b: &Tensor, alpha: Scalar) -> Result<Tensor> {
    write_back("sub_", a, &sub(a, b, alpha)?)
}

/// `aten::sub_.Scalar`.
pub fn sub_scalar_(a: &Tensor, s: Scalar, alpha: Scalar) -> Result<Tensor> {
    write_back("sub_", a, &sub_scalar(a, s, alpha)?)
}

/// `aten::mul_.Tensor`.
pub fn mul_(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    write_back("mul_", a, &mul(a, b)?)
}

/// `aten::mul_.Scalar`.
pub fn mul_scalar_(a: &Tensor, s: Scalar) -> Result<Tensor> {
    write_back("mul_", a, &mul_scalar(a, s)?)
}

/// `aten::div_.Tensor` (true division; an integer `self` is an error).
pub fn div_(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    write_back("div_", a, &div(a, b)?)
}

/// `aten::div_.Scalar`.
pub fn div_scalar_(a: &Tensor, s: Scalar) -> Result<Tensor> {
    write_back("div_", a, &div_scalar(a, s)?)
}
