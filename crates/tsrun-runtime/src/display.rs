//! Human-readable rendering of values: the CLI's stdout, `print`, `str()` and `format`.

use std::fmt::{self, Write};

use tsrun_tensor::{DType, Tensor};

use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

/// Elements shown at each end of a long tensor dimension.
const EDGE_ITEMS: usize = 3;
/// Tensors with more elements than this are abbreviated.
const THRESHOLD: usize = 1000;

/// Formats a value for people: tensors with shape, dtype and (abbreviated) values.
pub fn fmt_value(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match v {
        Value::Tensor(t) => fmt_tensor(t, f),
        Value::Tuple(items) => {
            write!(f, "(")?;
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                fmt_value(x, f)?;
            }
            if items.len() == 1 {
                write!(f, ",")?;
            }
            write!(f, ")")
        }
        Value::List(l) => {
            write!(f, "[")?;
            for (i, x) in l.items.lock().iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                fmt_value(x, f)?;
            }
            write!(f, "]")
        }
        Value::Dict(d) => {
            write!(f, "{{")?;
            for (i, (k, x)) in d.items.lock().iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                fmt_value(k, f)?;
                write!(f, ": ")?;
                fmt_value(x, f)?;
            }
            write!(f, "}}")
        }
        Value::Str(s) => write!(f, "{s:?}"),
        other => write!(f, "{}", python_str(other)),
    }
}

/// Python's `str(x)` for scalars; tensors as `tensor(...)`.
pub fn python_str(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => python_float(*x),
        Value::Str(s) => s.to_string(),
        Value::Device(d) => d.to_string(),
        Value::Object(o) => format!("<{} object>", o.class.name),
        Value::Enum(e) => format!("{}.{}", e.class.short_name(), e.name),
        Value::Function(func) => format!("<function {}>", func.qualified_name),
        Value::Future(_) => "<Future>".into(),
        other => format!("{other}"),
    }
}

/// Python's `repr(float)`: shortest round-trip digits, `1.0` not `1`, `inf`, `nan`, exponents
/// in Python's style for very large/small magnitudes.
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let abs = x.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        let s = format!("{x:e}");
        // Rust: 1e-5 / 1.5e16 -> Python: 1e-05 / 1.5e+16
        if let Some((mant, exp)) = s.split_once('e') {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            return format!("{mant}e{sign}{digits:0>2}");
        }
        return s;
    }
    let s = format!("{x}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// `"{} and {}".format(a, b)`: the first argument is the format string.
pub fn format_args(args: &[Value]) -> RtResult<String> {
    let fmt = args
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| RuntimeError::new("format() expects a string first"))?;
    let mut out = String::new();
    let mut rest = args.iter().skip(1);
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                out.push('{');
                continue;
            }
            // Skip to the closing brace; field specs are not supported beyond `{}`.
            for c2 in chars.by_ref() {
                if c2 == '}' {
                    break;
                }
            }
            let v = rest.next().cloned().unwrap_or(Value::None);
            out.push_str(&python_str(&v));
        } else if c == '}' && chars.peek() == Some(&'}') {
            chars.next();
            out.push('}');
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn fmt_tensor(t: &Tensor, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let shape = t.shape();
    let values = t.to_f64_vec();
    let mut s = String::new();
    let abbreviate = values.len() > THRESHOLD;
    write_nested(&mut s, &values, shape, 0, 0, t.dtype(), abbreviate)?;
    write!(
        f,
        "tensor({s}, shape={:?}, dtype={})",
        shape,
        t.dtype().name()
    )
}

fn write_nested(
    out: &mut String,
    values: &[f64],
    shape: &[usize],
    dim: usize,
    offset: usize,
    dtype: DType,
    abbreviate: bool,
) -> fmt::Result {
    if dim == shape.len() {
        let v = values.get(offset).copied().unwrap_or(f64::NAN);
        return match dtype {
            DType::Bool => write!(out, "{}", if v != 0.0 { "True" } else { "False" }),
            d if d.is_floating() => write!(out, "{v:.4}"),
            _ => write!(out, "{}", v as i64),
        };
    }
    let n = shape[dim];
    let stride: usize = shape[dim + 1..].iter().product();
    out.push('[');
    let mut i = 0;
    while i < n {
        if i > 0 {
            out.push_str(", ");
        }
        if abbreviate && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS {
            out.push_str("...");
            i = n - EDGE_ITEMS;
            continue;
        }
        write_nested(
            out,
            values,
            shape,
            dim + 1,
            offset + i * stride,
            dtype,
            abbreviate,
        )?;
        i += 1;
    }
    out.push(']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_formatting() {
        assert_eq!(python_float(1.0), "1.0");
        assert_eq!(python_float(0.1), "0.1");
        assert_eq!(python_float(1e-5), "1e-05");
        assert_eq!(python_float(f64::INFINITY), "inf");
    }

    #[test]
    fn format_fills_placeholders() {
        let s = format_args(&[Value::str("{}-{}"), Value::Int(3), Value::Float(0.5)]).unwrap();
        assert_eq!(s, "3-0.5");
    }
}
