//! Replays the PyTorch reference cases in `cases.txt` (written by
//! `make_cases.py` with torch 2.15.0) through the kernels.
//!
//! float32 results must match within atol 1e-6 + rtol 1e-6; float64 within
//! 1e-12; f16/bf16 within one of their ulps; integers, bools, shapes and
//! result dtypes exactly. Every failing case is reported, not just the first.

use tsrun_tensor::ops::{binary, compare, create, linalg, reduce, shape, unary};
use tsrun_tensor::{DType, Result, Scalar, Tensor};

#[derive(Debug, Clone)]
enum Arg {
    T(Tensor),
    TL(Vec<Tensor>),
    S(Scalar),
    I(i64),
    IL(Vec<i64>),
    None,
    Str(String),
    Dt(DType),
    B(bool),
}

#[derive(Debug)]
enum Expect {
    Tensor {
        dtype: DType,
        shape: Vec<usize>,
        values: Vec<f64>,
    },
    Sample {
        dtype: DType,
        shape: Vec<usize>,
        step: usize,
        sum: f64,
        values: Vec<f64>,
    },
    Int(i64),
}

#[derive(Debug)]
struct Case {
    name: String,
    op: String,
    args: Vec<Arg>,
    expect: Vec<Expect>,
    error: Option<String>,
}

enum Out {
    T(Tensor),
    I(i64),
}

fn parse_shape(s: &str) -> Vec<usize> {
    if s == "-" {
        vec![]
    } else {
        s.split(',').map(|x| x.parse().unwrap()).collect()
    }
}

fn parse_f64(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("bad number {s}"))
}

/// Builds the base tensor, then applies the layout transform.
fn build_tensor(dtype: DType, base_shape: &[usize], layout: &str, values: Vec<f64>) -> Tensor {
    let base = Tensor::from_vec(values, base_shape)
        .unwrap()
        .to_dtype(dtype);
    match layout {
        "c" => base,
        "T" => shape::transpose(&base, -1, -2).unwrap(),
        "S" => shape::slice(&base, 0, None, None, 2).unwrap(),
        l if l.starts_with('E') => {
            let target: Vec<i64> = parse_shape(&l[1..]).iter().map(|&x| x as i64).collect();
            shape::expand(&base, &target).unwrap()
        }
        l => panic!("unknown layout {l}"),
    }
}

fn parse_tensor_line(parts: &[&str]) -> Tensor {
    let dtype = DType::from_name(parts[1]).unwrap();
    let shape = parse_shape(parts[2]);
    match parts[0] {
        "t" => build_tensor(
            dtype,
            &shape,
            parts[3],
            parts[4..].iter().map(|s| parse_f64(s)).collect(),
        ),
        "g" => {
            let seed: i64 = parts[4].parse().unwrap();
            let n: usize = shape.iter().product();
            let v = (0..n as i64)
                .map(|i| (((i * 7919 + seed * 104729) % 2001) - 1000) as f64 / 256.0)
                .collect();
            build_tensor(dtype, &shape, parts[3], v)
        }
        k => panic!("not a tensor line: {k}"),
    }
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[0], "case", "expected a case, got {line}");
        let mut case = Case {
            name: parts[1].into(),
            op: parts[2].into(),
            args: vec![],
            expect: vec![],
            error: None,
        };
        loop {
            let line = lines.next().expect("unterminated case");
            let p: Vec<&str> = line.split(' ').collect();
            match p[0] {
                "end" => break,
                "t" | "g" => case.args.push(Arg::T(parse_tensor_line(&p))),
                "tl" => {
                    let n: usize = p[1].parse().unwrap();
                    let ts = (0..n)
                        .map(|_| {
                            parse_tensor_line(&lines.next().unwrap().split(' ').collect::<Vec<_>>())
                        })
                        .collect();
                    case.args.push(Arg::TL(ts));
                }
                "s" => case.args.push(Arg::S(match p[1] {
                    "i" => Scalar::Int(p[2].parse().unwrap()),
                    "f" => Scalar::Float(parse_f64(p[2])),
                    _ => Scalar::Bool(p[2] == "1"),
                })),
                "i" => case.args.push(Arg::I(p[1].parse().unwrap())),
                "il" => case.args.push(Arg::IL(if p[1] == "-" {
                    vec![]
                } else {
                    p[1].split(',').map(|x| x.parse().unwrap()).collect()
                })),
                "n" => case.args.push(Arg::None),
                "str" => case.args.push(Arg::Str(p[1].into())),
                "dt" => case.args.push(Arg::Dt(DType::from_name(p[1]).unwrap())),
                "b" => case.args.push(Arg::B(p[1] == "1")),
                "out" => case.expect.push(Expect::Tensor {
                    dtype: DType::from_name(p[1]).unwrap(),
                    shape: parse_shape(p[2]),
                    values: p[3..].iter().map(|s| parse_f64(s)).collect(),
                }),
                "outsample" => case.expect.push(Expect::Sample {
                    dtype: DType::from_name(p[1]).unwrap(),
                    shape: parse_shape(p[2]),
                    step: p[3].parse().unwrap(),
                    sum: parse_f64(p[4]),
                    values: p[5..].iter().map(|s| parse_f64(s)).collect(),
                }),
                "outi" => case.expect.push(Expect::Int(p[1].parse().unwrap())),
                "err" => case.error = Some(p[1..].join(" ")),
                k => panic!("unknown record {k}"),
            }
        }
        cases.push(case);
    }
    cases
}

// Typed argument accessors.
fn t(a: &[Arg], i: usize) -> &Tensor {
    match &a[i] {
        Arg::T(t) => t,
        x => panic!("arg {i}: expected tensor, got {x:?}"),
    }
}
fn ot(a: &[Arg], i: usize) -> Option<&Tensor> {
    match &a[i] {
        Arg::None => None,
        _ => Some(t(a, i)),
    }
}
fn tl(a: &[Arg], i: usize) -> &[Tensor] {
    match &a[i] {
        Arg::TL(v) => v,
        x => panic!("arg {i}: expected tensor list, got {x:?}"),
    }
}
fn s(a: &[Arg], i: usize) -> Scalar {
    match &a[i] {
        Arg::S(s) => *s,
        x => panic!("arg {i}: expected scalar, got {x:?}"),
    }
}
fn os(a: &[Arg], i: usize) -> Option<Scalar> {
    match &a[i] {
        Arg::None => None,
        _ => Some(s(a, i)),
    }
}
fn int(a: &[Arg], i: usize) -> i64 {
    match &a[i] {
        Arg::I(v) => *v,
        x => panic!("arg {i}: expected int, got {x:?}"),
    }
}
fn oint(a: &[Arg], i: usize) -> Option<i64> {
    match &a[i] {
        Arg::None => None,
        _ => Some(int(a, i)),
    }
}
fn il(a: &[Arg], i: usize) -> &[i64] {
    match &a[i] {
        Arg::IL(v) => v,
        x => panic!("arg {i}: expected int list, got {x:?}"),
    }
}
fn oil(a: &[Arg], i: usize) -> Option<&[i64]> {
    match &a[i] {
        Arg::None => None,
        _ => Some(il(a, i)),
    }
}
fn ustr(a: &[Arg], i: usize) -> &str {
    match &a[i] {
        Arg::Str(v) => v,
        x => panic!("arg {i}: expected str, got {x:?}"),
    }
}
fn dt(a: &[Arg], i: usize) -> DType {
    match &a[i] {
        Arg::Dt(d) => *d,
        x => panic!("arg {i}: expected dtype, got {x:?}"),
    }
}
fn odt(a: &[Arg], i: usize) -> Option<DType> {
    match &a[i] {
        Arg::None => None,
        _ => Some(dt(a, i)),
    }
}
fn b(a: &[Arg], i: usize) -> bool {
    match &a[i] {
        Arg::B(v) => *v,
        x => panic!("arg {i}: expected bool, got {x:?}"),
    }
}
fn us(v: &[i64]) -> Vec<usize> {
    v.iter().map(|&x| x as usize).collect()
}

fn one(r: Result<Tensor>) -> Result<Vec<Out>> {
    r.map(|t| vec![Out::T(t)])
}
fn many(r: Result<Vec<Tensor>>) -> Result<Vec<Out>> {
    r.map(|v| v.into_iter().map(Out::T).collect())
}

/// Calls the kernel named by the case.
fn run(op: &str, a: &[Arg]) -> Result<Vec<Out>> {
    match op {
        "add" => one(binary::add(t(a, 0), t(a, 1), s(a, 2))),
        "add_scalar" => one(binary::add_scalar(t(a, 0), s(a, 1), s(a, 2))),
        "sub" => one(binary::sub(t(a, 0), t(a, 1), s(a, 2))),
        "sub_scalar" => one(binary::sub_scalar(t(a, 0), s(a, 1), s(a, 2))),
        "rsub" => one(binary::rsub(t(a, 0), t(a, 1), s(a, 2))),
        "rsub_scalar" => one(binary::rsub_scalar(t(a, 0), s(a, 1), s(a, 2))),
        "mul" => one(binary::mul(t(a, 0), t(a, 1))),
        "mul_scalar" => one(binary::mul_scalar(t(a, 0), s(a, 1))),
        "div" => one(binary::div(t(a, 0), t(a, 1))),
        "div_scalar" => one(binary::div_scalar(t(a, 0), s(a, 1))),
        "div_mode" => one(binary::div_mode(t(a, 0), t(a, 1), Some(ustr(a, 2)))),
        "div_scalar_mode" => one(binary::div_scalar_mode(t(a, 0), s(a, 1), Some(ustr(a, 2)))),
        "remainder" => one(binary::remainder(t(a, 0), t(a, 1))),
        "remainder_scalar" => one(binary::remainder_scalar(t(a, 0), s(a, 1))),
        "floor_divide" => one(binary::floor_divide(t(a, 0), t(a, 1))),
        "floor_divide_scalar" => one(binary::floor_divide_scalar(t(a, 0), s(a, 1))),
        "pow" => one(binary::pow(t(a, 0), t(a, 1))),
        "pow_scalar" => one(binary::pow_scalar(t(a, 0), s(a, 1))),
        "scalar_pow" => one(binary::scalar_pow(s(a, 0), t(a, 1))),
        "maximum" => one(binary::maximum(t(a, 0), t(a, 1))),
        "minimum" => one(binary::minimum(t(a, 0), t(a, 1))),
        "bitwise_and" => one(binary::bitwise_and(t(a, 0), t(a, 1))),
        "bitwise_or" => one(binary::bitwise_or(t(a, 0), t(a, 1))),
        "bitwise_xor" => one(binary::bitwise_xor(t(a, 0), t(a, 1))),
        "bitwise_and_scalar" => one(binary::bitwise_and_scalar(t(a, 0), s(a, 1))),
        "bitwise_or_scalar" => one(binary::bitwise_or_scalar(t(a, 0), s(a, 1))),
        "bitwise_xor_scalar" => one(binary::bitwise_xor_scalar(t(a, 0), s(a, 1))),
        "add_" => one(binary::add_(t(a, 0), t(a, 1), s(a, 2))),
        "sub_" => one(binary::sub_(t(a, 0), t(a, 1), s(a, 2))),
        "mul_" => one(binary::mul_(t(a, 0), t(a, 1))),
        "div_" => one(binary::div_(t(a, 0), t(a, 1))),
        "neg" => one(unary::neg(t(a, 0))),
        "abs" => one(unary::abs(t(a, 0))),
        "relu" => one(unary::relu(t(a, 0))),
        "tanh" => one(unary::tanh(t(a, 0))),
        "sigmoid" => one(unary::sigmoid(t(a, 0))),
        "exp" => one(unary::exp(t(a, 0))),
        "log" => one(unary::log(t(a, 0))),
        "sqrt" => one(unary::sqrt(t(a, 0))),
        "rsqrt" => one(unary::rsqrt(t(a, 0))),
        "sin" => one(unary::sin(t(a, 0))),
        "cos" => one(unary::cos(t(a, 0))),
        "floor" => one(unary::floor(t(a, 0))),
        "ceil" => one(unary::ceil(t(a, 0))),
        "round" => one(unary::round(t(a, 0))),
        "logical_not" => one(unary::logical_not(t(a, 0))),
        "bitwise_not" => one(unary::bitwise_not(t(a, 0))),
        "sign" => one(unary::sign(t(a, 0))),
        "reciprocal" => one(unary::reciprocal(t(a, 0))),
        "gelu" => one(unary::gelu(t(a, 0), ustr(a, 1))),
        "clamp" => one(unary::clamp(t(a, 0), os(a, 1), os(a, 2))),
        "relu_" => one(unary::relu_(t(a, 0))),
        "clamp_" => one(unary::clamp_(t(a, 0), os(a, 1), os(a, 2))),
        "eq" => one(compare::eq(t(a, 0), t(a, 1))),
        "ne" => one(compare::ne(t(a, 0), t(a, 1))),
        "lt" => one(compare::lt(t(a, 0), t(a, 1))),
        "le" => one(compare::le(t(a, 0), t(a, 1))),
        "gt" => one(compare::gt(t(a, 0), t(a, 1))),
        "ge" => one(compare::ge(t(a, 0), t(a, 1))),
        "eq_scalar" => one(compare::eq_scalar(t(a, 0), s(a, 1))),
        "ne_scalar" => one(compare::ne_scalar(t(a, 0), s(a, 1))),
        "lt_scalar" => one(compare::lt_scalar(t(a, 0), s(a, 1))),
        "le_scalar" => one(compare::le_scalar(t(a, 0), s(a, 1))),
        "gt_scalar" => one(compare::gt_scalar(t(a, 0), s(a, 1))),
        "ge_scalar" => one(compare::ge_scalar(t(a, 0), s(a, 1))),
        "sum" => one(reduce::sum(t(a, 0), oil(a, 1), b(a, 2), odt(a, 3))),
        "mean" => one(reduce::mean(t(a, 0), oil(a, 1), b(a, 2), odt(a, 3))),
        "prod" => one(reduce::prod(t(a, 0), oil(a, 1), b(a, 2), odt(a, 3))),
        "max" => one(reduce::max(t(a, 0))),
        "min" => one(reduce::min(t(a, 0))),
        "max_dim" => {
            reduce::max_dim(t(a, 0), int(a, 1), b(a, 2)).map(|(v, i)| vec![Out::T(v), Out::T(i)])
        }
        "min_dim" => {
            reduce::min_dim(t(a, 0), int(a, 1), b(a, 2)).map(|(v, i)| vec![Out::T(v), Out::T(i)])
        }
        "argmax" => one(reduce::argmax(t(a, 0), oint(a, 1), b(a, 2))),
        "argmin" => one(reduce::argmin(t(a, 0), oint(a, 1), b(a, 2))),
        "softmax" => one(reduce::softmax(t(a, 0), int(a, 1), odt(a, 2))),
        "log_softmax" => one(reduce::log_softmax(t(a, 0), int(a, 1), odt(a, 2))),
        "mm" => one(linalg::mm(t(a, 0), t(a, 1))),
        "bmm" => one(linalg::bmm(t(a, 0), t(a, 1))),
        "matmul" => one(linalg::matmul(t(a, 0), t(a, 1))),
        "dot" => one(linalg::dot(t(a, 0), t(a, 1))),
        "addmm" => one(linalg::addmm(t(a, 0), t(a, 1), t(a, 2), s(a, 3), s(a, 4))),
        "linear" => one(linalg::linear(t(a, 0), t(a, 1), ot(a, 2))),
        "t" => one(linalg::t(t(a, 0))),
        "transpose" => one(linalg::transpose(t(a, 0), int(a, 1), int(a, 2))),
        "view" => one(shape::view(t(a, 0), il(a, 1))),
        "reshape" => one(shape::reshape(t(a, 0), il(a, 1))),
        "flatten" => one(shape::flatten(t(a, 0), int(a, 1), int(a, 2))),
        "squeeze" => one(Ok(shape::squeeze(t(a, 0)))),
        "squeeze_dim" => one(shape::squeeze_dim(t(a, 0), int(a, 1))),
        "unsqueeze" => one(shape::unsqueeze(t(a, 0), int(a, 1))),
        "permute" => one(shape::permute(t(a, 0), il(a, 1))),
        "expand" => one(shape::expand(t(a, 0), il(a, 1))),
        "select" => one(shape::select(t(a, 0), int(a, 1), int(a, 2))),
        "slice" => one(shape::slice(
            t(a, 0),
            int(a, 1),
            oint(a, 2),
            oint(a, 3),
            int(a, 4),
        )),
        "narrow" => one(shape::narrow(t(a, 0), int(a, 1), int(a, 2), int(a, 3))),
        "cat" => one(shape::cat(tl(a, 0), int(a, 1))),
        "stack" => one(shape::stack(tl(a, 0), int(a, 1))),
        "contiguous" => one(shape::contiguous(t(a, 0))),
        "size" => shape::size(t(a, 0), int(a, 1)).map(|n| vec![Out::I(n as i64)]),
        "chunk" => many(shape::chunk(t(a, 0), int(a, 1), int(a, 2))),
        "split" => many(shape::split(t(a, 0), int(a, 1), int(a, 2))),
        "arange" => one(create::arange(s(a, 0), s(a, 1), s(a, 2), odt(a, 3))),
        "full" => one(create::full(&us(il(a, 0)), s(a, 1), dt(a, 2))),
        "zeros" => one(create::zeros(&us(il(a, 0)), dt(a, 1))),
        "ones" => one(create::ones(&us(il(a, 0)), dt(a, 1))),
        "copy_" => one(create::copy_(t(a, 0), t(a, 1))),
        "fill_" => one(create::fill_(t(a, 0), s(a, 1))),
        "setitem_select" => {
            let base = t(a, 0);
            let view = shape::select(base, int(a, 1), int(a, 2))?;
            create::copy_(&view, t(a, 3))?;
            one(Ok(base.clone()))
        }
        "setitem_slice" => {
            let base = t(a, 0);
            let view = shape::slice(base, 0, Some(int(a, 2)), Some(int(a, 3)), 1)?;
            create::copy_(&view, t(a, 4))?;
            one(Ok(base.clone()))
        }
        "to_dtype" => one(Ok(t(a, 0).to_dtype(dt(a, 1)))),
        other => panic!("no runner for op {other}"),
    }
}

/// Per-dtype closeness test (NaN matches NaN, infinities must match exactly).
fn close(dtype: DType, got: f64, want: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() || !dtype.is_floating() {
        return got == want;
    }
    let (atol, rtol) = match dtype {
        DType::F64 => (1e-12, 1e-12),
        DType::F32 => (1e-6, 1e-6),
        DType::F16 => (1e-3, 1e-3),
        _ => (8e-3, 8e-3), // bf16
    };
    (got - want).abs() <= atol + rtol * want.abs()
}

fn check(case: &Case, got: Result<Vec<Out>>) -> std::result::Result<(), String> {
    let got = match (got, &case.error) {
        (Err(_), Some(_)) => return Ok(()),
        (Err(e), None) => return Err(format!("unexpected error: {e}")),
        (Ok(_), Some(msg)) => return Err(format!("expected an error like torch's: {msg}")),
        (Ok(v), None) => v,
    };
    if got.len() != case.expect.len() {
        return Err(format!(
            "{} results, expected {}",
            got.len(),
            case.expect.len()
        ));
    }
    for (k, (g, e)) in got.iter().zip(&case.expect).enumerate() {
        match (g, e) {
            (Out::I(g), Expect::Int(w)) if g == w => {}
            (
                Out::T(g),
                Expect::Tensor {
                    dtype,
                    shape,
                    values,
                },
            ) => {
                if g.dtype() != *dtype || g.shape() != shape.as_slice() {
                    return Err(format!(
                        "result {k}: got {} {:?}, expected {} {:?}",
                        g.dtype().name(),
                        g.shape(),
                        dtype.name(),
                        shape
                    ));
                }
                let gv = g.to_f64_vec();
                for (i, (&x, &w)) in gv.iter().zip(values).enumerate() {
                    if !close(*dtype, x, w) {
                        return Err(format!("result {k}[{i}]: got {x}, expected {w}"));
                    }
                }
            }
            (
                Out::T(g),
                Expect::Sample {
                    dtype,
                    shape,
                    step,
                    sum,
                    values,
                },
            ) => {
                if g.dtype() != *dtype || g.shape() != shape.as_slice() {
                    return Err(format!(
                        "result {k}: got {} {:?}, expected {} {:?}",
                        g.dtype().name(),
                        g.shape(),
                        dtype.name(),
                        shape
                    ));
                }
                let gv = g.to_f64_vec();
                let gs: f64 = gv.iter().sum();
                if (gs - sum).abs() > 1e-6 * gv.len() as f64 + 1e-6 * sum.abs() {
                    return Err(format!("result {k}: sum {gs}, expected {sum}"));
                }
                for (i, (&x, &w)) in gv.iter().step_by(*step).zip(values).enumerate() {
                    if !close(*dtype, x, w) {
                        return Err(format!("result {k}[{}]: got {x}, expected {w}", i * step));
                    }
                }
            }
            _ => return Err(format!("result {k}: kind mismatch")),
        }
    }
    Ok(())
}

#[test]
fn torch_reference_cases() {
    let text = include_str!("cases.txt");
    let cases = parse_cases(text);
    assert!(cases.len() > 500, "only {} cases parsed", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(&case.op, &case.args);
        if let Err(msg) = check(case, got) {
            failures.push(format!("{} ({}): {msg}", case.name, case.op));
        }
    }
    let errors = cases.iter().filter(|c| c.error.is_some()).count();
    eprintln!(
        "{} torch cases ({} expected errors), {} failed",
        cases.len(),
        errors,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
