//! Arithmetic, comparison and conversion on Python scalars (`int`, `float`, `bool`), with
//! TorchScript's semantics: 64-bit wrapping ints, `//` and `%` rounding toward negative
//! infinity, true division always giving a float.

use tsrun_tensor::{Scalar, Tensor};

use super::args::{bool, float, int, scalar, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

/// PyTorch's error for an integer `//` (or `%`) by zero: a RuntimeError.
fn zero_div() -> RuntimeError {
    RuntimeError::new("division by 0")
}

fn int_add(x: i64, y: i64) -> RtResult<i64> {
    Ok(x.wrapping_add(y))
}
fn int_sub(x: i64, y: i64) -> RtResult<i64> {
    Ok(x.wrapping_sub(y))
}
fn int_mul(x: i64, y: i64) -> RtResult<i64> {
    Ok(x.wrapping_mul(y))
}
fn float_add(x: f64, y: f64) -> RtResult<f64> {
    Ok(x + y)
}
fn float_sub(x: f64, y: f64) -> RtResult<f64> {
    Ok(x - y)
}
fn float_mul(x: f64, y: f64) -> RtResult<f64> {
    Ok(x * y)
}
/// `std::floor(a / b)`: IEEE results (inf, NaN) for a zero divisor, as in PyTorch.
fn float_floordiv(x: f64, y: f64) -> RtResult<f64> {
    Ok((x / y).floor())
}

/// Python `//` on ints.
pub(crate) fn int_floordiv(a: i64, b: i64) -> RtResult<i64> {
    if b == 0 {
        return Err(zero_div());
    }
    let q = a.wrapping_div(b);
    Ok(if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

/// `%` on ints as PyTorch computes it: `(b + a % b) % b`. A zero divisor crashes PyTorch
/// (SIGFPE); here it is the `//` error.
pub(crate) fn int_mod(a: i64, b: i64) -> RtResult<i64> {
    if b == 0 {
        return Err(zero_div());
    }
    Ok(b.wrapping_add(a.wrapping_rem(b)).wrapping_rem(b))
}

/// `%` on floats as PyTorch computes it: `fmod(b + fmod(a, b), b)` (NaN for a zero divisor).
pub(crate) fn float_mod(a: f64, b: f64) -> RtResult<f64> {
    Ok((b + a % b) % b)
}

/// `pow` on Python numbers; PyTorch's `powWrapper` rejects `0 ** negative`.
fn pow_checked(a: f64, b: f64) -> RtResult<f64> {
    if a == 0.0 && b < 0.0 {
        return Err(RuntimeError::new(
            "0.0 cannot be raised to a negative power",
        ));
    }
    Ok(a.powf(b))
}

/// Applies an arithmetic op to two Scalars with Python promotion (int op int -> int).
fn scalar_arith(
    a: Scalar,
    b: Scalar,
    fi: fn(i64, i64) -> RtResult<i64>,
    ff: fn(f64, f64) -> RtResult<f64>,
) -> RtResult<Value> {
    match (a, b) {
        (Scalar::Float(_), _) | (_, Scalar::Float(_)) => Ok(Value::Float(ff(to_f(a), to_f(b))?)),
        _ => Ok(Value::Int(fi(to_i(a), to_i(b))?)),
    }
}

fn to_f(s: Scalar) -> f64 {
    match s {
        Scalar::Int(i) => i as f64,
        Scalar::Float(f) => f,
        Scalar::Bool(b) => b as i64 as f64,
    }
}

fn to_i(s: Scalar) -> i64 {
    match s {
        Scalar::Int(i) => i,
        Scalar::Float(f) => f as i64,
        Scalar::Bool(b) => b as i64,
    }
}

fn cmp_scalars(a: Scalar, b: Scalar) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Scalar::Float(_), _) | (_, Scalar::Float(_)) => to_f(a).partial_cmp(&to_f(b)),
        _ => Some(to_i(a).cmp(&to_i(b))),
    }
}

macro_rules! arith {
    ($b:expr, $name:literal, $int:expr, $flt:expr) => {{
        $b.op(concat!("aten::", $name, ".int(int a, int b) -> int"), |a| {
            Ok(Value::Int($int(int(a, 0)?, int(a, 1)?)?))
        });
        $b.op(
            concat!("aten::", $name, ".float(float a, float b) -> float"),
            |a| Ok(Value::Float($flt(float(a, 0)?, float(a, 1)?)?)),
        );
        $b.op(
            concat!("aten::", $name, ".int_float(int a, float b) -> float"),
            |a| Ok(Value::Float($flt(float(a, 0)?, float(a, 1)?)?)),
        );
        $b.op(
            concat!("aten::", $name, ".float_int(float a, int b) -> float"),
            |a| Ok(Value::Float($flt(float(a, 0)?, float(a, 1)?)?)),
        );
        $b.op(
            concat!("aten::", $name, "(Scalar a, Scalar b) -> Scalar"),
            |a| scalar_arith(scalar(a, 0)?, scalar(a, 1)?, $int, $flt),
        );
    }};
}

/// Comparisons with C++'s IEEE semantics: with a NaN operand everything is false except `!=`.
macro_rules! compare {
    ($b:expr, $name:literal, $pred:expr) => {{
        $b.op(
            concat!("aten::", $name, ".int(int a, int b) -> bool"),
            |a| Ok(Value::Bool($pred(int(a, 0)?.cmp(&int(a, 1)?)))),
        );
        $b.op(
            concat!("aten::", $name, ".float(float a, float b) -> bool"),
            |a| {
                Ok(Value::Bool(
                    float(a, 0)?
                        .partial_cmp(&float(a, 1)?)
                        .map_or($name == "ne", $pred),
                ))
            },
        );
        $b.op(
            concat!("aten::", $name, ".int_float(int a, float b) -> bool"),
            |a| {
                Ok(Value::Bool(
                    float(a, 0)?
                        .partial_cmp(&float(a, 1)?)
                        .map_or($name == "ne", $pred),
                ))
            },
        );
        $b.op(
            concat!("aten::", $name, ".float_int(float a, int b) -> bool"),
            |a| {
                Ok(Value::Bool(
                    float(a, 0)?
                        .partial_cmp(&float(a, 1)?)
                        .map_or($name == "ne", $pred),
                ))
            },
        );
        $b.op(
            concat!("aten::", $name, "(Scalar a, Scalar b) -> bool"),
            |a| {
                Ok(Value::Bool(
                    cmp_scalars(scalar(a, 0)?, scalar(a, 1)?).map_or($name == "ne", $pred),
                ))
            },
        );
    }};
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    arith!(b, "add", int_add, float_add);
    arith!(b, "sub", int_sub, float_sub);
    arith!(b, "mul", int_mul, float_mul);
    arith!(b, "floordiv", int_floordiv, float_floordiv);
    arith!(b, "remainder", int_mod, float_mod);
    // True division: always float, IEEE results for a zero divisor (no error in PyTorch).
    b.op("aten::div.int(int a, int b) -> float", |a| {
        Ok(Value::Float(int(a, 0)? as f64 / int(a, 1)? as f64))
    });
    b.op("aten::div.float(float a, float b) -> float", |a| {
        Ok(Value::Float(float(a, 0)? / float(a, 1)?))
    });
    b.op("aten::div.int_float(int a, float b) -> float", |a| {
        Ok(Value::Float(float(a, 0)? / float(a, 1)?))
    });
    b.op("aten::div.float_int(float a, int b) -> float", |a| {
        Ok(Value::Float(float(a, 0)? / float(a, 1)?))
    });
    b.op("aten::div(Scalar a, Scalar b) -> float", |a| {
        Ok(Value::Float(to_f(scalar(a, 0)?) / to_f(scalar(a, 1)?)))
    });
    b.op("aten::pow.int(int a, int b) -> float", |a| {
        Ok(Value::Float(pow_checked(float(a, 0)?, float(a, 1)?)?))
    });
    b.op("aten::pow.float(float a, float b) -> float", |a| {
        Ok(Value::Float(pow_checked(float(a, 0)?, float(a, 1)?)?))
    });
    b.op("aten::pow.int_float(int a, float b) -> float", |a| {
        Ok(Value::Float(pow_checked(float(a, 0)?, float(a, 1)?)?))
    });
    b.op("aten::pow.float_int(float a, int b) -> float", |a| {
        Ok(Value::Float(pow_checked(float(a, 0)?, float(a, 1)?)?))
    });
    b.op(
        "aten::pow.Scalar_Scalar(Scalar a, Scalar b) -> float",
        |a| Ok(Value::Float(to_f(scalar(a, 0)?).powf(to_f(scalar(a, 1)?)))),
    );
    b.op("aten::pow.int_to_int(int a, int b) -> int", |a| {
        let (x, y) = (int(a, 0)?, int(a, 1)?);
        if x == 0 && y < 0 {
            return Err(RuntimeError::new(
                "0.0 cannot be raised to a negative power",
            ));
        }
        Ok(Value::Int(if y < 0 {
            (x as f64).powf(y as f64) as i64
        } else {
            x.wrapping_pow(y.min(u32::MAX as i64) as u32)
        }))
    });
    super::scalar_extra::register(b);
    b.op("aten::neg.int(int a) -> int", |a| {
        Ok(Value::Int(int(a, 0)?.wrapping_neg()))
    });
    b.op("aten::neg.float(float a) -> float", |a| {
        Ok(Value::Float(-float(a, 0)?))
    });

    compare!(b, "eq", |o| o == std::cmp::Ordering::Equal);
    compare!(b, "ne", |o| o != std::cmp::Ordering::Equal);
    compare!(b, "lt", |o| o == std::cmp::Ordering::Less);
    compare!(b, "le", |o| o != std::cmp::Ordering::Greater);
    compare!(b, "gt", |o| o == std::cmp::Ordering::Greater);
    compare!(b, "ge", |o| o != std::cmp::Ordering::Less);
    b.op("aten::eq.bool(bool a, bool b) -> bool", |a| {
        Ok(Value::Bool(bool(a, 0)? == bool(a, 1)?))
    });
    b.op("aten::ne.bool(bool a, bool b) -> bool", |a| {
        Ok(Value::Bool(bool(a, 0)? != bool(a, 1)?))
    });
    b.op("aten::__and__.bool(bool a, bool b) -> bool", |a| {
        Ok(Value::Bool(bool(a, 0)? & bool(a, 1)?))
    });
    b.op("aten::__or__.bool(bool a, bool b) -> bool", |a| {
        Ok(Value::Bool(bool(a, 0)? | bool(a, 1)?))
    });
    b.op("aten::__xor__.bool(bool a, bool b) -> bool", |a| {
        Ok(Value::Bool(bool(a, 0)? ^ bool(a, 1)?))
    });
    b.op("aten::__not__(bool self) -> bool", |a| {
        Ok(Value::Bool(!bool(a, 0)?))
    });

    b.op("prim::min.int(int a, int b) -> int", |a| {
        Ok(Value::Int(int(a, 0)?.min(int(a, 1)?)))
    });
    b.op("prim::max.int(int a, int b) -> int", |a| {
        Ok(Value::Int(int(a, 0)?.max(int(a, 1)?)))
    });
    // PyTorch's `a < b ? a : b` / `a > b ? a : b`: a NaN second operand wins, unlike f64::min.
    b.op("prim::min.float(float a, float b) -> float", |a| {
        let (x, y) = (float(a, 0)?, float(a, 1)?);
        Ok(Value::Float(if x < y { x } else { y }))
    });
    b.op("prim::max.float(float a, float b) -> float", |a| {
        let (x, y) = (float(a, 0)?, float(a, 1)?);
        Ok(Value::Float(if x > y { x } else { y }))
    });
    b.op("aten::divmod.int(int x, int y) -> (int, int)", |a| {
        let (x, y) = (int(a, 0)?, int(a, 1)?);
        if y == 0 {
            return Err(RuntimeError::new(
                "ZeroDivisionError: integer division or modulo by zero",
            ));
        }
        let (mut q, mut r) = (x.wrapping_div(y), x.wrapping_rem(y));
        if r != 0 && ((x < 0) != (y < 0)) {
            q -= 1;
            r += y;
        }
        Ok(Value::tuple(vec![Value::Int(q), Value::Int(r)]))
    });
    for sig in ["float x, float y", "int x, float y", "float x, int y"] {
        let suffix = sig.replace(" x", "").replace(" y", "").replace(", ", "_");
        let suffix = if suffix == "float_float" {
            "float".to_string()
        } else {
            suffix
        };
        b.op(
            &format!("aten::divmod.{suffix}({sig}) -> (float, float)"),
            |a| {
                let (x, y) = (float(a, 0)?, float(a, 1)?);
                if y == 0.0 {
                    return Err(RuntimeError::new("ZeroDivisionError: float divmod()"));
                }
                let mut r = x % y;
                if r != 0.0 && ((x < 0.0) != (y < 0.0)) {
                    r += y;
                }
                Ok(Value::tuple(vec![
                    Value::Float((x - r) / y),
                    Value::Float(r),
                ]))
            },
        );
    }
    b.op("prim::abs.int(int a) -> int", |a| {
        Ok(Value::Int(int(a, 0)?.wrapping_abs()))
    });
    b.op("prim::abs.float(float a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.abs()))
    });

    // Conversions.
    b.op("aten::Int.Tensor(Tensor a) -> int", |a| {
        tensor_item(tensor(a, 0)?).map(|s| Value::Int(to_i(s)))
    });
    b.op("aten::Int.bool(bool a) -> int", |a| {
        Ok(Value::Int(bool(a, 0)? as i64))
    });
    b.op("aten::Int.float(float a) -> int", |a| {
        float_to_int(float(a, 0)?)
    });
    b.op("aten::Int.Scalar(Scalar a) -> int", |a| {
        match scalar(a, 0)? {
            Scalar::Float(f) => float_to_int(f),
            s => Ok(Value::Int(to_i(s))),
        }
    });
    b.op("aten::Float.Tensor(Tensor a) -> float", |a| {
        tensor_item(tensor(a, 0)?).map(|s| Value::Float(to_f(s)))
    });
    b.op("aten::Float.Scalar(Scalar a) -> float", |a| {
        Ok(Value::Float(to_f(scalar(a, 0)?)))
    });
    // PyTorch's kernel casts through C `float`: large ints lose precision.
    b.op("aten::Float.int(int a) -> float", |a| {
        Ok(Value::Float(int(a, 0)? as f32 as f64))
    });
    b.op("aten::Float.bool(bool a) -> float", |a| {
        Ok(Value::Float(bool(a, 0)? as i64 as f64))
    });
    b.op("aten::Bool.Tensor(Tensor a) -> bool", |a| {
        let t = tensor(a, 0)?;
        if t.numel() != 1 {
            return Err(RuntimeError::new(format!(
                "Boolean value of Tensor with more than one value is ambiguous (shape {:?})",
                t.shape()
            )));
        }
        tensor_item(t).map(|s| Value::Bool(to_f(s) != 0.0))
    });
    b.op("aten::Bool.int(int a) -> bool", |a| {
        Ok(Value::Bool(int(a, 0)? != 0))
    });
    b.op("aten::Bool.float(float a) -> bool", |a| {
        Ok(Value::Bool(float(a, 0)? != 0.0))
    });
    b.op("aten::ScalarImplicit(Tensor a) -> Scalar", |a| {
        tensor_item(tensor(a, 0)?).map(|s| match s {
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Bool(b) => Value::Bool(b),
        })
    });
    b.op("prim::NumToTensor.Scalar(Scalar a) -> Tensor", |a| {
        Ok(Value::Tensor(number_to_tensor(scalar(a, 0)?)))
    });
}

/// `int(t)`, `float(t)`: a one-element tensor's value.
fn tensor_item(t: &Tensor) -> RtResult<Scalar> {
    Ok(t.item()?)
}

/// `int(f)`: truncation, unchecked as PyTorch's `static_cast`: NaN, infinities and values
/// outside int64 give INT64_MIN (x86-64's conversion result; `int(1e300)` is INT64_MIN in
/// PyTorch too, not an error).
pub(crate) fn float_to_int(f: f64) -> RtResult<Value> {
    Ok(Value::Int(static_cast_i64(f)))
}

/// The result of `math.floor` / `math.ceil` of a float as an int: PyTorch checks this one
/// (c10's overflow check), so NaN, infinities and values beyond 2**63 are an error with its
/// message. 2**63 itself passes the check (int64's maximum as a double is 2**63) and the
/// cast gives INT64_MIN.
pub(crate) fn rounded_float_to_int(f: f64) -> RtResult<Value> {
    let two_63 = -(i64::MIN as f64);
    if !(-two_63..=two_63).contains(&f) {
        return Err(cannot_convert(f));
    }
    Ok(Value::Int(static_cast_i64(f)))
}

/// PyTorch's message for a float that does not fit an int64 (`nan`, `inf`, or six decimals).
fn cannot_convert(f: f64) -> RuntimeError {
    let shown = if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        (if f > 0.0 { "inf" } else { "-inf" }).to_string()
    } else {
        format!("{f:.6}")
    };
    RuntimeError::new(format!("Cannot convert float {shown} to integer"))
}

/// A double to int64 as C++'s unchecked `static_cast<int64_t>` does on x86-64: truncation,
/// and INT64_MIN for NaN, infinities and values outside int64 (Rust's `as` would saturate).
pub(crate) fn static_cast_i64(f: f64) -> i64 {
    // 2**63 is exactly representable; every double in [-2**63, 2**63) fits.
    let two_63 = -(i64::MIN as f64);
    if (-two_63..two_63).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

/// `prim::NumToTensor`: a 0-d tensor of int64, float64 or bool.
pub(crate) fn number_to_tensor(s: Scalar) -> Tensor {
    match s {
        Scalar::Int(i) => Tensor::scalar_tensor(Scalar::Int(i), tsrun_tensor::DType::I64),
        Scalar::Float(f) => Tensor::scalar_tensor(Scalar::Float(f), tsrun_tensor::DType::F64),
        Scalar::Bool(b) => Tensor::scalar_tensor(Scalar::Bool(b), tsrun_tensor::DType::Bool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_floor_division_and_modulo() {
        assert_eq!(int_floordiv(7, 2).unwrap(), 3);
        assert_eq!(int_floordiv(-7, 2).unwrap(), -4);
        assert_eq!(int_mod(-7, 2).unwrap(), 1);
        assert_eq!(int_mod(7, -2).unwrap(), -1);
        assert!(int_mod(1, 0).is_err());
        assert_eq!(float_mod(-1.0, 3.0).unwrap(), 2.0);
    }
}
