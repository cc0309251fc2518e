//! Human-readable rendering of values: the CLI's stdout, `print`, `str()` and `format`.

use std::fmt::{self, Write};

use tsrun_tensor::{DType, Tensor};

use crate::error::{RtResult, RuntimeError};

mod tensor_text;
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

/// TorchScript's `str(x)` (also `print` and `"{}".format(x)`): PyTorch's IValue printing.
/// Floats as [`torch_float`]; strings inside containers are not quoted (`[a, b]`), as PyTorch
/// prints them; tensors as its C++ `at::print` does (`display/tensor_text.rs`).
pub fn python_str(v: &Value) -> String {
    let mut out = String::new();
    write_str(&mut out, v, 0);
    out
}

/// Containers nested deeper than this print as `...` (a list that contains itself).
const MAX_STR_DEPTH: usize = 64;

fn write_str(out: &mut String, v: &Value, depth: usize) {
    if depth > MAX_STR_DEPTH {
        out.push_str("...");
        return;
    }
    let seq = |out: &mut String, items: &[Value], open: char, close: char| {
        out.push(open);
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_str(out, x, depth + 1);
        }
        if open == '(' && items.len() == 1 {
            out.push(',');
        }
        out.push(close);
    };
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(x) => out.push_str(&torch_float(*x)),
        Value::Str(s) => out.push_str(s),
        Value::Device(d) => out.push_str(d),
        Value::Object(o) => out.push_str(&format!("<{} object>", o.class.name)),
        Value::Enum(e) => out.push_str(&format!("Enum<{}.{}>", e.class.short_name(), e.name)),
        Value::Function(func) => out.push_str(&format!("<function {}>", func.qualified_name)),
        Value::Future(_) => out.push_str("<Future>"),
        Value::Tuple(items) => seq(out, items, '(', ')'),
        Value::List(l) => {
            let items = l.items.lock().clone();
            seq(out, &items, '[', ']')
        }
        Value::Dict(d) => {
            let items = d.items.lock().clone();
            out.push('{');
            for (i, (k, x)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k, depth + 1);
                out.push_str(": ");
                write_str(out, x, depth + 1);
            }
            out.push('}');
        }
        Value::Tensor(t) => out.push_str(&tensor_text::tensor_text(t)),
    }
}

/// A float as PyTorch prints it (`str`, `format`, `print`): an integral value that fits in
/// an int64 prints as the integer and a dot (`1.`, `0.` also for `-0.0`,
/// `10000000000000000.`); anything else like C's `%.17g` (`0.10000000000000001`, `1e+20`).
pub fn torch_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    // PyTorch tests `double(int64_t(d)) == d` on normal and zero values only.
    let normal_or_zero = x == 0.0 || x.is_normal();
    if normal_or_zero
        && x.fract() == 0.0
        && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x)
    {
        return format!("{}.", x as i64);
    }
    format_g(x, 17)
}

/// C's `%.{precision}g` for a finite float.
pub fn format_g(x: f64, precision: usize) -> String {
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, x);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if exp < -4 || exp >= p as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mant), exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim(&format!("{x:.decimals$}"))
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

/// `"{} and {}".format(a, b)` (`aten::format`): the first argument is the format string.
/// As in PyTorch 2.15's `format`: each `{}` takes the next argument; nothing else is special
/// (`{0}` and `{{` stay as they are).
pub fn format_args(args: &[Value]) -> RtResult<String> {
    let fmt = args
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| RuntimeError::new("format() expects a string first"))?;
    let mut rest = args[1..].iter();
    let mut out = String::new();
    let mut pieces = fmt.split("{}");
    out.push_str(pieces.next().unwrap_or(""));
    for piece in pieces {
        let arg = rest.next().ok_or_else(|| {
            RuntimeError::new(format!("Too few arguments for format string: {fmt}"))
        })?;
        out.push_str(&python_str(arg));
        out.push_str(piece);
    }
    Ok(out)
}

/// `"%d %s" % args` (`aten::percentFormat`): `args` is a tuple, or one value.
pub fn percent_format(fmt: &str, args: &Value) -> RtResult<String> {
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let mut out = String::new();
    let mut used = 0usize;
    let mut chars = fmt.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some((_, key)) = chars.next() else {
            return Err(RuntimeError::new("Incomplete format specifier"));
        };
        if key == '%' {
            out.push('%');
            continue;
        }
        let arg = items
            .get(used)
            .ok_or_else(|| RuntimeError::new("Too few arguments for format string"))?;
        used += 1;
        let num = |v: &Value| -> RtResult<f64> {
            v.as_float().ok_or_else(|| {
                RuntimeError::new(format!(
                    "%{key} requires a number for formatting, but got {}",
                    v.kind_name()
                ))
            })
        };
        match key {
            'd' | 'i' | 'u' => match arg {
                Value::Int(i) => out.push_str(&i.to_string()),
                v => out.push_str(&(num(v)? as i64).to_string()),
            },
            'e' => {
                let s = format!("{:.6e}", num(arg)?);
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                out.push_str(&format!(
                    "{m}e{}{:02}",
                    if e < 0 { '-' } else { '+' },
                    e.abs()
                ));
            }
            'f' => out.push_str(&format!("{:.6}", num(arg)?)),
            'g' => out.push_str(&format_g(num(arg)?, 6)),
            'c' => match arg {
                Value::Int(i) => out.push(char::from_u32(*i as u32).unwrap_or('?')),
                Value::Str(s) => out.push_str(s),
                v => out.push_str(&python_str(v)),
            },
            _ => out.push_str(&python_str(arg)),
        }
    }
    if used != items.len() {
        return Err(RuntimeError::new("Too many arguments for format string"));
    }
    Ok(out)
}

fn fmt_tensor(t: &Tensor, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let shape = t.shape();
    let abbreviate = t.numel() > THRESHOLD;
    // Only the printed elements are read: a result may be a view claiming far more elements
    // than it stores (`expand`), and converting all of them could exhaust memory.
    let shown = if abbreviate {
        summarized(t)
    } else {
        Ok(t.clone())
    };
    let values = shown.and_then(|v| v.try_to_vec::<f64>("print"));
    let (shown, values) = match (shown_shape(shape, abbreviate), values) {
        (sshape, Ok(values)) => (sshape, values),
        (_, Err(e)) => {
            return write!(
                f,
                "tensor(<not printed: {e}>, shape={:?}, dtype={})",
                shape,
                t.dtype().name()
            )
        }
    };
    let mut s = String::new();
    write_nested(&mut s, &values, shape, &shown, 0, 0, t.dtype(), abbreviate)?;
    write!(
        f,
        "tensor({s}, shape={:?}, dtype={})",
        shape,
        t.dtype().name()
    )
}

/// The shape of [`summarized`]: dims longer than `2 * EDGE_ITEMS` keep their edges only.
fn shown_shape(shape: &[usize], abbreviate: bool) -> Vec<usize> {
    shape
        .iter()
        .map(|&n| {
            if abbreviate && n > 2 * EDGE_ITEMS {
                2 * EDGE_ITEMS
            } else {
                n
            }
        })
        .collect()
}

/// The elements an abbreviated print shows: along every dim longer than `2 * EDGE_ITEMS`, the
/// first and last `EDGE_ITEMS`.
fn summarized(t: &Tensor) -> Result<Tensor, tsrun_tensor::TensorError> {
    use tsrun_tensor::ops::shape::{cat, narrow};
    let mut t = t.clone();
    for d in 0..t.dim() {
        let n = t.shape()[d];
        if n > 2 * EDGE_ITEMS {
            let (head, tail) = (EDGE_ITEMS as i64, (n - EDGE_ITEMS) as i64);
            let parts = [
                narrow(&t, d as i64, 0, head)?,
                narrow(&t, d as i64, tail, EDGE_ITEMS as i64)?,
            ];
            t = cat(&parts, d as i64)?;
        }
    }
    Ok(t)
}

/// Writes the nested lists of a tensor of `shape` whose printed elements are `values`, laid
/// out row-major in `shown` (the full shape, or [`shown_shape`] when abbreviating).
#[allow(clippy::too_many_arguments)]
fn write_nested(
    out: &mut String,
    values: &[f64],
    shape: &[usize],
    shown: &[usize],
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
    let cut = abbreviate && n > 2 * EDGE_ITEMS;
    let stride: usize = shown[dim + 1..].iter().product();
    out.push('[');
    let mut i = 0;
    while i < n {
        if i > 0 {
            out.push_str(", ");
        }
        if cut && i == EDGE_ITEMS {
            out.push_str("...");
            i = n - EDGE_ITEMS;
            continue;
        }
        // Position of element `i` of this dim among the shown ones.
        let at = if cut && i >= EDGE_ITEMS {
            i - (n - 2 * EDGE_ITEMS)
        } else {
            i
        };
        write_nested(
            out,
            values,
            shape,
            shown,
            dim + 1,
            offset + at * stride,
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

    #[test]
    fn torch_float_formatting() {
        // Values from torch 2.15's `str(float)` (fixtures/lang/float_to_str_*).
        for (x, want) in [
            (0.1, "0.10000000000000001"),
            (1.0, "1."),
            (1e20, "1e+20"),
            (1.5e-7, "1.4999999999999999e-07"),
            (-0.0, "0."),
            (123456789.125, "123456789.125"),
            (1e16, "10000000000000000."),
            (1e19, "1e+19"),
            (12345.6789, "12345.678900000001"),
            (1e300, "1.0000000000000001e+300"),
            (0.5, "0.5"),
        ] {
            assert_eq!(torch_float(x), want, "{x}");
        }
    }

    #[test]
    fn abbreviated_tensors_read_only_the_shown_elements() {
        let t = Tensor::from_vec((0..2000i64).collect(), &[2, 1000]).unwrap();
        assert_eq!(
            Value::Tensor(t).to_string(),
            "tensor([[0, 1, 2, ..., 997, 998, 999], [1000, 1001, 1002, ..., 1997, 1998, 1999]], \
             shape=[2, 1000], dtype=int64)"
        );
        // A 2^36-element view of one stored element: printing it must not convert 2^36 values.
        let one = Tensor::from_vec(vec![1.5f32], &[1, 1]).unwrap();
        let huge = tsrun_tensor::ops::shape::expand(&one, &[1 << 18, 1 << 18]).unwrap();
        assert_eq!(
            Value::Tensor(huge).to_string(),
            "tensor([[1.5000, 1.5000, 1.5000, ..., 1.5000, 1.5000, 1.5000], [1.5000, 1.5000, \
             1.5000, ..., 1.5000, 1.5000, 1.5000], [1.5000, 1.5000, 1.5000, ..., 1.5000, 1.5000, \
             1.5000], ..., [1.5000, 1.5000, 1.5000, ..., 1.5000, 1.5000, 1.5000], [1.5000, \
             1.5000, 1.5000, ..., 1.5000, 1.5000, 1.5000], [1.5000, 1.5000, 1.5000, ..., 1.5000, \
             1.5000, 1.5000]], shape=[262144, 262144], dtype=float32)"
        );
    }
}
