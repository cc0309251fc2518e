//! More scalar builtins: `round`, `math.floor`/`math.ceil` (ints out), bitwise operators on
//! ints, the `range(start, stop, step)` helpers the printer emits (`__range_length`,
//! `__derive_index`) and `int(str)` / `float(str)` with PyTorch's `stoll`/`stod` behaviour.

use super::args::{float, int, str};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

pub(crate) fn register(b: &mut super::RegistryBuilder) {
    register_rounding(b);
    register_bitwise(b);
    b.op(
        "aten::__range_length(int lo, int hi, int step) -> int",
        |a| {
            let (lo, hi, step) = (int(a, 0)?, int(a, 1)?, int(a, 2)?);
            if step == 0 {
                return Err(RuntimeError::new("range() arg 3 must not be zero"));
            }
            Ok(Value::Int(if step > 0 && lo < hi {
                1 + (hi.wrapping_sub(1).wrapping_sub(lo)) / step
            } else if step < 0 && lo > hi {
                1 + (lo.wrapping_sub(1).wrapping_sub(hi)) / step.wrapping_neg()
            } else {
                0
            }))
        },
    );
    b.op(
        "aten::__derive_index(int index, int start, int step) -> int",
        |a| {
            Ok(Value::Int(
                int(a, 1)?.wrapping_add(int(a, 0)?.wrapping_mul(int(a, 2)?)),
            ))
        },
    );
    b.op("aten::Int.str(str a) -> int", |a| {
        let s = str(a, 0)?;
        let (v, used) = stoll(s)?;
        if used != s.len() {
            return Err(RuntimeError::new(format!(
                "invalid literal for int() with base 10: '{s}'"
            )));
        }
        Ok(Value::Int(v))
    });
    b.op("aten::Float.str(str a) -> float", |a| {
        let s = str(a, 0)?;
        let (v, used) = stod(s)?;
        if used != s.len() {
            return Err(RuntimeError::new(format!(
                "could not convert string to float: '{s}'"
            )));
        }
        Ok(Value::Float(v))
    });
}

fn register_rounding(b: &mut RegistryBuilder) {
    // `round` rounds half to even (C's nearbyint), as PyTorch's `round_to_even`.
    b.op("aten::round.float(float a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?.round_ties_even()))
    });
    b.op("aten::round.int(int a) -> float", |a| {
        Ok(Value::Float(float(a, 0)?))
    });
    b.op("aten::round.Scalar(Scalar a) -> Scalar", |a| {
        match a.first() {
            Some(Value::Float(f)) => Ok(Value::Float(f.round_ties_even())),
            Some(v) => Ok(v.clone()),
            None => Err(RuntimeError::new("round() needs an argument")),
        }
    });
    b.op("aten::floor.float(float a) -> int", |a| {
        super::scalar_math::rounded_float_to_int(float(a, 0)?.floor())
    });
    // PyTorch's kernel is `static_cast<int64_t>(floor(a))` (register_prim_ops.cpp
    // DEFINE_UNARY_OP): the int goes through a double, so beyond 2**53 it rounds, and
    // 2**63 - 1 becomes INT64_MIN. (Its ceil.int returns the int unchanged.)
    b.op("aten::floor.int(int a) -> int", |a| {
        let i = int(a, 0)?;
        Ok(Value::Int(super::scalar_math::static_cast_i64(
            (i as f64).floor(),
        )))
    });
    b.op("aten::floor.Scalar(Scalar a) -> Scalar", |a| {
        match a.first() {
            Some(Value::Float(f)) => super::scalar_math::rounded_float_to_int(f.floor()),
            Some(v) => Ok(v.clone()),
            None => Err(RuntimeError::new("floor() needs an argument")),
        }
    });
    b.op("aten::ceil.float(float a) -> int", |a| {
        super::scalar_math::rounded_float_to_int(float(a, 0)?.ceil())
    });
    b.op("aten::ceil.int(int a) -> int", |a| {
        Ok(Value::Int(int(a, 0)?))
    });
    b.op("aten::ceil.Scalar(Scalar a) -> Scalar", |a| {
        match a.first() {
            Some(Value::Float(f)) => super::scalar_math::rounded_float_to_int(f.ceil()),
            Some(v) => Ok(v.clone()),
            None => Err(RuntimeError::new("ceil() needs an argument")),
        }
    });
}

fn register_bitwise(b: &mut RegistryBuilder) {
    b.op("aten::__and__.int(int a, int b) -> int", |a| {
        Ok(Value::Int(int(a, 0)? & int(a, 1)?))
    });
    b.op("aten::__or__.int(int a, int b) -> int", |a| {
        Ok(Value::Int(int(a, 0)? | int(a, 1)?))
    });
    b.op("aten::__xor__.int(int a, int b) -> int", |a| {
        Ok(Value::Int(int(a, 0)? ^ int(a, 1)?))
    });
    b.op("aten::__lshift__.int(int a, int b) -> int", |a| {
        let (x, y) = (int(a, 0)?, int(a, 1)?);
        Ok(Value::Int(if (0..64).contains(&y) {
            x.wrapping_shl(y as u32)
        } else {
            0
        }))
    });
    b.op("aten::__rshift__.int(int a, int b) -> int", |a| {
        let (x, y) = (int(a, 0)?, int(a, 1)?);
        Ok(Value::Int(if (0..64).contains(&y) {
            x >> y
        } else if x < 0 {
            -1
        } else {
            0
        }))
    });
    b.op("aten::__invert__.int(int a) -> int", |a| {
        Ok(Value::Int(!int(a, 0)?))
    });
}

/// C `isspace`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `std::stoll(s, &used)`: leading whitespace, a sign, decimal digits; `stoll` on no digits
/// or overflow (the message of the C++ exception PyTorch passes on).
fn stoll(s: &str) -> RtResult<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = b.iter().take_while(|c| is_space(**c)).count();
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        let digit = (d - b'0') as i64;
        v = v
            .checked_mul(10)
            .and_then(|v| {
                if neg {
                    v.checked_sub(digit)
                } else {
                    v.checked_add(digit)
                }
            })
            .ok_or_else(|| RuntimeError::new("stoll"))?;
        i += 1;
    }
    if i == start {
        return Err(RuntimeError::new("stoll"));
    }
    Ok((v, i))
}

/// `std::stod(s, &used)`: leading whitespace, then the longest prefix that is a decimal or
/// hexadecimal (`0x1.8p3`) float, `inf`/`infinity` or `nan` (any case); `stod` when there is
/// none, or when the value overflows or underflows the double range (`std::out_of_range`).
fn stod(s: &str) -> RtResult<(f64, usize)> {
    let b = s.as_bytes();
    let ws = b.iter().take_while(|c| is_space(**c)).count();
    let rest = &s[ws..];
    let lower = rest.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    let sign_len = lower.len() - unsigned.len();
    if sign_len <= 1 {
        let neg = lower.starts_with('-');
        for (word, v) in [
            ("infinity", f64::INFINITY),
            ("inf", f64::INFINITY),
            ("nan", f64::NAN),
        ] {
            if unsigned.starts_with(word) {
                let v = if neg { -v } else { v };
                return Ok((v, ws + sign_len + word.len()));
            }
        }
    }
    if let Some(hex) = stod_hex(rest) {
        let (v, used) = hex?;
        return Ok((v, ws + used));
    }
    // Longest prefix of the form [sign] digits [. digits] [e [sign] digits].
    let rb = rest.as_bytes();
    let mut i = 0;
    if matches!(rb.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = rb[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if rb.get(i) == Some(&b'.') {
        frac_digits = rb[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if int_digits + frac_digits > 0 {
            i += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return Err(RuntimeError::new("stod"));
    }
    if matches!(rb.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(rb.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = rb[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            i = j + exp_digits;
        }
    }
    let v: f64 = rest[..i].parse().map_err(|_| RuntimeError::new("stod"))?;
    let nonzero_digits = rest[..i]
        .split(['e', 'E'])
        .next()
        .is_some_and(|m| m.bytes().any(|c| (b'1'..=b'9').contains(&c)));
    if v.is_infinite() || (v == 0.0 && nonzero_digits) {
        return Err(RuntimeError::new("stod"));
    }
    Ok((v, ws + i))
}

/// The hexadecimal form of `strtod`: `[sign] 0x hexdigits [. hexdigits] [p [sign] digits]`.
/// `None` if `s` does not start that way.
fn stod_hex(s: &str) -> Option<RtResult<(f64, usize)>> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    if !(b.get(i) == Some(&b'0') && matches!(b.get(i + 1), Some(b'x' | b'X'))) {
        return None;
    }
    let mut j = i + 2;
    let mut mantissa = 0f64;
    let mut digits = 0;
    let mut scale = 0i32;
    while let Some(d) = b.get(j).and_then(|c| (*c as char).to_digit(16)) {
        mantissa = mantissa * 16.0 + d as f64;
        digits += 1;
        j += 1;
    }
    if b.get(j) == Some(&b'.') {
        let mut k = j + 1;
        while let Some(d) = b.get(k).and_then(|c| (*c as char).to_digit(16)) {
            mantissa = mantissa * 16.0 + d as f64;
            scale -= 4;
            digits += 1;
            k += 1;
        }
        if digits > 0 {
            j = k;
        }
    }
    if digits == 0 {
        // "0x" with no digits: strtod reads just the "0".
        return Some(Ok((if neg { -0.0 } else { 0.0 }, i + 1)));
    }
    if matches!(b.get(j), Some(b'p' | b'P')) {
        let mut k = j + 1;
        let eneg = match b.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let start = k;
        let mut e: i32 = 0;
        while let Some(d) = b.get(k).filter(|c| c.is_ascii_digit()) {
            e = e.saturating_mul(10).saturating_add((d - b'0') as i32);
            k += 1;
        }
        if k > start {
            scale = scale.saturating_add(if eneg { -e } else { e });
            j = k;
        }
    }
    let v = mantissa * 2f64.powi(scale);
    if v.is_infinite() || (v == 0.0 && mantissa != 0.0) {
        return Some(Err(RuntimeError::new("stod")));
    }
    Some(Ok((if neg { -v } else { v }, j)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsing() {
        assert_eq!(stoll("12").unwrap(), (12, 2));
        assert_eq!(stoll(" 7 ").unwrap(), (7, 2));
        assert!(stoll("x1").is_err());
        assert_eq!(stod("-2e3").unwrap(), (-2000.0, 4));
        assert_eq!(stod("1.5x").unwrap(), (1.5, 3));
        assert!(stod("inf").unwrap().0.is_infinite());
        assert!(stod("abc").is_err());
        assert_eq!(stod("0x10").unwrap(), (16.0, 4));
        assert_eq!(stod("0x1.8p1").unwrap(), (3.0, 7));
        assert!(stod("1e400").is_err());
        assert!(stod("1e-400").is_err());
        assert_eq!(stod("0e-400").unwrap().0, 0.0);
    }
}
