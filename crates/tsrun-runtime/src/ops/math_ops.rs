//! Python's `math` module on TorchScript scalars (`math.sqrt(x)` prints as `torch.sqrt(x)`
//! with a float argument): one `.int` and one `.float` overload per function, plus `.Scalar`,
//! as PyTorch registers them. Results are C's `<cmath>` values; like PyTorch (and unlike
//! Python) domain errors give NaN or infinity instead of raising.

use super::args::{float, int, scalar};
use super::special_fns;
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

/// A float function and a float predicate.
type FloatFn = fn(f64) -> f64;
type FloatPred = fn(f64) -> bool;

/// Unary float functions: `aten::<name>.int`, `.float` and `.Scalar`, all returning float.
const UNARY: [(&str, FloatFn); 22] = [
    ("exp", f64::exp),
    ("log", f64::ln),
    ("log10", f64::log10),
    ("log1p", f64::ln_1p),
    ("expm1", f64::exp_m1),
    ("sqrt", f64::sqrt),
    ("sin", f64::sin),
    ("cos", f64::cos),
    ("tan", f64::tan),
    ("asin", f64::asin),
    ("acos", f64::acos),
    ("atan", f64::atan),
    ("sinh", f64::sinh),
    ("cosh", f64::cosh),
    ("tanh", f64::tanh),
    ("asinh", f64::asinh),
    ("acosh", f64::acosh),
    ("atanh", f64::atanh),
    ("erf", special_fns::erf),
    ("erfc", special_fns::erfc),
    ("gamma", special_fns::tgamma),
    ("lgamma", special_fns::lgamma),
];

/// Predicates on floats: `aten::<name>.float(float a) -> bool`.
const PREDICATES: [(&str, FloatPred); 3] = [
    ("isnan", f64::is_nan),
    ("isinf", f64::is_infinite),
    ("isfinite", f64::is_finite),
];

pub(crate) fn register(b: &mut RegistryBuilder) {
    for (i, (name, _)) in UNARY.iter().enumerate() {
        // Kernels are plain fn pointers, so each function gets its own through an index
        // into UNARY (a closure could not capture it).
        let kernel = UNARY_KERNELS[i];
        b.op(&format!("aten::{name}.int(int a) -> float"), kernel);
        b.op(&format!("aten::{name}.float(float a) -> float"), kernel);
        b.op(&format!("aten::{name}.Scalar(Scalar a) -> Scalar"), kernel);
    }
    for (i, (name, _)) in PREDICATES.iter().enumerate() {
        b.op(
            &format!("aten::{name}.float(float a) -> bool"),
            PREDICATE_KERNELS[i],
        );
    }
    b.op("aten::log.int_int(int a, int b) -> float", log_base);
    b.op("aten::log.float_float(float a, float b) -> float", log_base);
    b.op("aten::log.int_float(int a, float b) -> float", log_base);
    b.op("aten::log.float_int(float a, int b) -> float", log_base);
    b.op(
        "aten::log.Scalar_Scalar(Scalar a, Scalar b) -> float",
        log_base,
    );
    b.op("aten::fabs.float(float a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.abs()))
    });
    b.op("aten::fabs.int(int a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.abs()))
    });
    b.op("aten::degrees.float(float a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.to_degrees()))
    });
    b.op("aten::degrees.int(int a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.to_degrees()))
    });
    b.op("aten::radians.float(float a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.to_radians()))
    });
    b.op("aten::radians.int(int a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.to_radians()))
    });
    for sig in [
        "int a, int b",
        "float a, float b",
        "int a, float b",
        "float a, int b",
    ] {
        let suffix = sig.replace(" a", "").replace(" b", "").replace(", ", "_");
        let suffix = if suffix == "int_int" {
            "int".into()
        } else if suffix == "float_float" {
            "float".into()
        } else {
            suffix
        };
        b.op(&format!("aten::atan2.{suffix}({sig}) -> float"), |a| {
            Ok(Value::Float(float(a, 0)?.atan2(float(a, 1)?)))
        });
        b.op(&format!("aten::fmod.{suffix}({sig}) -> float"), |a| {
            // Rust's `%` on floats is C's fmod.
            Ok(Value::Float(float(a, 0)? % float(a, 1)?))
        });
        b.op(&format!("aten::copysign.{suffix}({sig}) -> float"), |a| {
            Ok(Value::Float(float(a, 0)?.copysign(float(a, 1)?)))
        });
    }
    b.op(
        "aten::atan2.Scalar_Scalar(Scalar a, Scalar b) -> float",
        |a| Ok(Value::Float(float(a, 0)?.atan2(float(a, 1)?))),
    );
    b.op("aten::gcd.int(int a, int b) -> int", |a| {
        Ok(Value::Int(gcd(int(a, 0)?, int(a, 1)?)))
    });
    b.op("aten::factorial.int(int a) -> int", |a| {
        let n = int(a, 0)?;
        if n < 0 {
            return Err(RuntimeError::new(
                "factorial() not defined for negative values",
            ));
        }
        // PyTorch multiplies in int64 and wraps; from 66! on the product holds 2^64 and
        // wraps to 0, so the loop never needs more than 65 steps.
        if n >= 66 {
            return Ok(Value::Int(0));
        }
        let mut r: i64 = 1;
        for k in 2..=n {
            r = r.wrapping_mul(k);
        }
        Ok(Value::Int(r))
    });
}

fn log_base(a: &mut [Value]) -> RtResult<Value> {
    Ok(Value::Float(float(a, 0)?.ln() / float(a, 1)?.ln()))
}

/// `math.gcd`: non-negative, `gcd(0, 0) == 0`.
fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a as i64
}

fn unary(i: usize, a: &[Value]) -> RtResult<Value> {
    let x = match scalar(a, 0)? {
        tsrun_tensor::Scalar::Int(v) => v as f64,
        tsrun_tensor::Scalar::Float(v) => v,
        tsrun_tensor::Scalar::Bool(v) => v as i64 as f64,
    };
    Ok(Value::Float((UNARY[i].1)(x)))
}

macro_rules! kernels {
    ($f:ident, $($i:literal)*) => {
        [$(|a: &mut [Value]| $f($i, a)),*]
    };
}

const UNARY_KERNELS: [super::Kernel; 22] =
    kernels!(unary, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21);

fn predicate(i: usize, a: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool((PREDICATES[i].1)(float(a, 0)?)))
}

const PREDICATE_KERNELS: [super::Kernel; 3] = kernels!(predicate, 0 1 2);
