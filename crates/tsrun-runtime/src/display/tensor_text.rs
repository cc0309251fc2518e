//! A tensor as TorchScript's `str(t)`, `"{}".format(t)` and `print(t)` show it: PyTorch's
//! C++ `at::print` (ATen/core/Formatting.cpp), not Python's `repr`:
//!
//! ```text
//!  1.5000
//! -2.0000
//! [ CPUFloatType{2} ]
//! ```
//!
//! Values are printed as doubles with one format chosen for the whole tensor (integers,
//! fixed with 4 decimals and an optional common scale, or scientific), matrices wrap at 80
//! columns, higher dimensions print one `(i,j,.,.) = ` matrix after another.

use tsrun_tensor::{DType, Tensor};

/// Line width `at::print` wraps matrices at.
const LINESIZE: usize = 80;

/// How every element of one tensor is printed.
struct PrintFormat {
    scale: f64,
    width: usize,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// fmt's `{:>w g}` (integers).
    General,
    /// `{:>w.4f}`.
    Fixed,
    /// `{:>w.4e}`.
    Scientific,
}

/// PyTorch's `__printFormat`.
fn print_format(values: &[f64]) -> PrintFormat {
    if values.is_empty() {
        return PrintFormat {
            scale: 1.0,
            width: 0,
            kind: Kind::General,
        };
    }
    let int_mode = values.iter().all(|z| !z.is_finite() || *z == z.ceil());
    let (mut exp_min, mut exp_max) = (1.0f64, 1.0f64);
    if let Some(first) = values.iter().position(|z| z.is_finite()) {
        exp_min = values[first].abs();
        exp_max = values[first].abs();
        for &v in &values[first..] {
            let z = v.abs();
            if z.is_finite() {
                if z < exp_min {
                    exp_min = z;
                }
                if z > exp_max {
                    exp_max = z;
                }
            }
        }
        exp_min = if exp_min != 0.0 {
            exp_min.log10().floor() + 1.0
        } else {
            1.0
        };
        exp_max = if exp_max != 0.0 {
            exp_max.log10().floor() + 1.0
        } else {
            1.0
        };
    }
    if int_mode {
        if exp_max > 9.0 {
            PrintFormat {
                scale: 1.0,
                width: 11,
                kind: Kind::Scientific,
            }
        } else {
            PrintFormat {
                scale: 1.0,
                width: exp_max as usize + 1,
                kind: Kind::General,
            }
        }
    } else if exp_max - exp_min > 4.0 {
        let width = if exp_max.abs() > 99.0 || exp_min.abs() > 99.0 {
            12
        } else {
            11
        };
        PrintFormat {
            scale: 1.0,
            width,
            kind: Kind::Scientific,
        }
    } else if !(0.0..=5.0).contains(&exp_max) {
        PrintFormat {
            scale: 10f64.powf(exp_max - 1.0),
            width: 7,
            kind: Kind::Fixed,
        }
    } else {
        let width = if exp_max == 0.0 {
            7
        } else {
            exp_max as usize + 6
        };
        PrintFormat {
            scale: 1.0,
            width,
            kind: Kind::Fixed,
        }
    }
}

/// `nan`, `inf`, `-inf` as fmt prints them, or `None` for a finite value.
fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("nan")
    } else if x.is_infinite() {
        Some(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        None
    }
}

/// `{:.{p}e}` in fmt's style: `1.0000e-05`, `1.0000e+10`.
fn scientific(x: f64, precision: usize) -> String {
    if let Some(s) = non_finite(x) {
        return s.into();
    }
    let s = format!("{x:.precision$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// fmt's `{}` for a double: the shortest round-trip digits, fixed notation for decimal
/// exponents in [-4, 16), exponential otherwise, no `.0` on integral values.
pub(super) fn shortest(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{x:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..16).contains(&exp) {
        return format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let s = format!("{x}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn format_value(v: f64, f: &PrintFormat) -> String {
    let x = v / f.scale;
    let body = match f.kind {
        Kind::Scientific => scientific(x, 4),
        Kind::Fixed => non_finite(x)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{x:.4}")),
        Kind::General => non_finite(x)
            .map(str::to_string)
            .unwrap_or_else(|| super::format_g(x, 6)),
    };
    format!("{body:>width$}", width = f.width)
}

/// c10's `CPUFloatType`-style name.
fn type_name(d: DType) -> String {
    let scalar = match d {
        DType::U8 => "Byte",
        DType::I8 => "Char",
        DType::I16 => "Short",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::Bool => "Bool",
    };
    format!("CPU{scalar}Type")
}

/// `__printMatrix` for a row-major `rows x cols` block.
fn print_matrix(out: &mut String, values: &[f64], rows: usize, cols: usize, indent: usize) {
    let f = print_format(values);
    let pad = " ".repeat(indent);
    let per_line = ((LINESIZE - indent) / (f.width + 1)).max(1);
    let mut first = 0;
    while first < cols {
        let last = if first + per_line <= cols {
            first + per_line - 1
        } else {
            cols - 1
        };
        if per_line < cols {
            if first != 0 {
                out.push('\n');
            }
            // PyTorch prints no newline after this header (its output really looks so).
            out.push_str(&format!("{pad}Columns {} to {}", first + 1, last + 1));
        }
        if f.scale != 1.0 {
            out.push_str(&format!("\n{pad}{} *\n{pad}", shortest(f.scale)));
        }
        for l in 0..rows {
            for c in first..=last {
                out.push_str(&format_value(values[l * cols + c], &f));
                if c == last {
                    out.push('\n');
                    if l != rows - 1 {
                        out.push_str(&pad);
                        if f.scale != 1.0 {
                            out.push(' ');
                        }
                    }
                } else {
                    out.push(' ');
                }
            }
        }
        first = last + 1;
    }
}

/// The whole `at::print` text of a tensor.
pub(super) fn tensor_text(t: &Tensor) -> String {
    let values = t.to_f64_vec();
    let shape = t.shape();
    let mut out = String::new();
    let sizes: Vec<String> = shape.iter().map(usize::to_string).collect();
    match shape.len() {
        0 => {
            out.push_str(&shortest(values.first().copied().unwrap_or(f64::NAN)));
            out.push('\n');
        }
        1 => {
            if !values.is_empty() {
                let f = print_format(&values);
                if f.scale != 1.0 {
                    out.push_str(&format!("{} *\n", shortest(f.scale)));
                }
                for v in &values {
                    out.push_str(&format_value(*v, &f));
                    out.push('\n');
                }
            }
        }
        2 => {
            if !values.is_empty() {
                print_matrix(&mut out, &values, shape[0], shape[1], 0);
            }
        }
        n => {
            if !values.is_empty() {
                let (rows, cols) = (shape[n - 2], shape[n - 1]);
                let block = rows * cols;
                let lead = &shape[..n - 2];
                // PyTorch's counter: the first leading dimension varies fastest.
                let mut counter = vec![0usize; lead.len()];
                let mut started = false;
                loop {
                    if started {
                        out.push('\n');
                    }
                    started = true;
                    out.push('(');
                    let mut offset = 0;
                    let mut stride = values.len();
                    for (i, c) in counter.iter().enumerate() {
                        stride /= lead[i];
                        offset += c * stride;
                        out.push_str(&format!("{},", c + 1));
                    }
                    out.push_str(".,.) = \n");
                    print_matrix(&mut out, &values[offset..offset + block], rows, cols, 1);
                    // Advance: dimension 0 fastest, carrying into the next.
                    let mut i = 0;
                    loop {
                        if i == counter.len() {
                            return finish(out, t, &sizes);
                        }
                        counter[i] += 1;
                        if counter[i] < lead[i] {
                            break;
                        }
                        counter[i] = 0;
                        i += 1;
                    }
                }
            }
        }
    }
    finish(out, t, &sizes)
}

fn finish(mut out: String, t: &Tensor, sizes: &[String]) -> String {
    out.push_str(&format!(
        "[ {}{{{}}} ]",
        type_name(t.dtype()),
        sizes.join(",")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_torch_2_15() {
        // Strings from torch 2.15's `str(t)` in TorchScript.
        let t = Tensor::from_vec(vec![1.5f32, -2.0, 3.25], &[3]).unwrap();
        assert_eq!(
            tensor_text(&t),
            " 1.5000\n-2.0000\n 3.2500\n[ CPUFloatType{3} ]"
        );
        let t = Tensor::from_vec(vec![1i64, 2, 3, 4], &[2, 2]).unwrap();
        assert_eq!(tensor_text(&t), " 1  2\n 3  4\n[ CPULongType{2,2} ]");
        let t = Tensor::from_vec(vec![1e-3f32, 2e-3], &[2]).unwrap();
        assert_eq!(
            tensor_text(&t),
            "0.001 *\n 1.0000\n 2.0000\n[ CPUFloatType{2} ]"
        );
        let t = Tensor::from_vec(vec![f32::NAN, 1.5, f32::INFINITY], &[3]).unwrap();
        assert_eq!(
            tensor_text(&t),
            "    nan\n 1.5000\n    inf\n[ CPUFloatType{3} ]"
        );
        let t = Tensor::from_vec(vec![1234567.0f32, 1.0], &[2]).unwrap();
        assert_eq!(
            tensor_text(&t),
            "1.23457e+06\n       1\n[ CPUFloatType{2} ]"
        );
        let t = Tensor::from_vec(vec![1e10f32, 1.0], &[2]).unwrap();
        assert_eq!(
            tensor_text(&t),
            " 1.0000e+10\n 1.0000e+00\n[ CPUFloatType{2} ]"
        );
        let t = Tensor::from_vec(vec![2.5f32], &[]).unwrap();
        assert_eq!(tensor_text(&t), "2.5\n[ CPUFloatType{} ]");
        let t = Tensor::from_vec(Vec::<f32>::new(), &[0]).unwrap();
        assert_eq!(tensor_text(&t), "[ CPUFloatType{0} ]");
        let v: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let t = Tensor::from_vec(v, &[2, 2, 3]).unwrap();
        assert_eq!(
            tensor_text(&t),
            "(1,.,.) = \n 0  1  2\n  3  4  5\n\n(2,.,.) = \n  6   7   8\n   9  10  11\n[ CPUFloatType{2,2,3} ]"
        );
        let v: Vec<f32> = (0..30).map(|i| i as f32 * 1.5).collect();
        let t = Tensor::from_vec(v, &[2, 15]).unwrap();
        assert_eq!(
            tensor_text(&t),
            "Columns 1 to 8  0.0000   1.5000   3.0000   4.5000   6.0000   7.5000   9.0000  10.5000\n 22.5000  24.0000  25.5000  27.0000  28.5000  30.0000  31.5000  33.0000\n\nColumns 9 to 15 12.0000  13.5000  15.0000  16.5000  18.0000  19.5000  21.0000\n 34.5000  36.0000  37.5000  39.0000  40.5000  42.0000  43.5000\n[ CPUFloatType{2,15} ]"
        );
    }
}
