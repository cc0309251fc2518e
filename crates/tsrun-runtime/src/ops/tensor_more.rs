//! More tensor operators: splitting (`chunk`, `split`, `unbind`), copies
//! (`clone`, `detach`), `baddbmm`, eval-mode dropout variants and padding.

use tsrun_tensor::ops::{self as k, nn::index::index_select};
use tsrun_tensor::{Scalar, Tensor};

use super::args::{bool, float, int, int_list, ok, scalar, str, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::types::Type;
use crate::value::Value;

fn tensors(v: Vec<Tensor>) -> RtResult<Value> {
    Ok(Value::new_list(
        Type::Tensor,
        v.into_iter().map(Value::Tensor).collect(),
    ))
}

fn eval_dropout(a: &mut [Value]) -> RtResult<Value> {
    if bool(a, 2)? {
        return Err(RuntimeError::new(
            "dropout in training mode is not supported (tsrun runs inference)",
        ));
    }
    let _ = float(a, 1)?;
    ok(tensor(a, 0)?.clone())
}

/// `F.pad` with `constant` mode: negative pads crop.
fn constant_pad(t: &Tensor, pad: &[i64], value: Scalar) -> RtResult<Tensor> {
    if !pad.len().is_multiple_of(2) || pad.len() / 2 > t.dim() {
        return Err(RuntimeError::new(format!(
            "Padding length must be divisible by 2 and at most twice the number of dims, got {}",
            pad.len()
        )));
    }
    let nd = t.dim();
    let mut out_shape = t.shape().to_vec();
    let mut src = t.clone();
    let mut starts = vec![0i64; nd];
    for (i, pair) in pad.chunks(2).enumerate() {
        let d = nd - 1 - i;
        let (l, r) = (pair[0], pair[1]);
        let size = t.shape()[d] as i64;
        let new = size + l + r;
        if new < 0 {
            return Err(RuntimeError::new(format!(
                "The input size {size}, plus negative padding {l} and {r} resulted in a negative output size, which is invalid. Check dimension {d} of your input."
            )));
        }
        out_shape[d] = new as usize;
        let crop_l = (-l).max(0);
        let crop_r = (-r).max(0);
        let keep = (size - crop_l - crop_r).max(0);
        src = k::shape::narrow(&src, d as i64, crop_l.min(size), keep)?;
        starts[d] = l.max(0);
    }
    let out = Tensor::full(&out_shape, value, t.dtype());
    let mut dst = out.clone();
    for (d, &start) in starts.iter().enumerate() {
        dst = k::shape::narrow(&dst, d as i64, start, src.shape()[d] as i64)?;
    }
    k::create::copy_(&dst, &src)?;
    Ok(out)
}

/// `F.pad` with `reflect` / `replicate` / `circular` modes, by index selection per dim.
fn index_pad(t: &Tensor, pad: &[i64], mode: &str) -> RtResult<Tensor> {
    let nd = t.dim();
    if !pad.len().is_multiple_of(2) || pad.len() / 2 > nd {
        return Err(RuntimeError::new("Padding length must be divisible by 2"));
    }
    let mut out = t.clone();
    for (i, pair) in pad.chunks(2).enumerate() {
        let d = nd - 1 - i;
        let (l, r) = (pair[0], pair[1]);
        let n = t.shape()[d] as i64;
        let ok_size = match mode {
            "reflect" => l < n && r < n,
            "circular" => l <= n && r <= n,
            _ => n > 0,
        };
        if !ok_size || n == 0 {
            return Err(RuntimeError::new(format!(
                "Padding size should be less than the corresponding input dimension, but got: padding ({l}, {r}) at dimension {d} of input {:?}",
                t.shape()
            )));
        }
        let idx: Vec<i64> = (-l..n + r)
            .map(|p| match mode {
                "reflect" => {
                    let period = 2 * (n - 1).max(1);
                    let m = p.rem_euclid(period);
                    if m < n {
                        m
                    } else {
                        period - m
                    }
                }
                "circular" => p.rem_euclid(n),
                _ => p.clamp(0, n - 1),
            })
            .collect();
        let len = idx.len();
        out = index_select(&out, d as i64, &Tensor::from_vec(idx, &[len])?)?;
    }
    Ok(out)
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]",
        |a| tensors(k::shape::chunk(tensor(a, 0)?, int(a, 1)?, int(a, 2)?)?),
    );
    b.op(
        "aten::split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]",
        |a| tensors(k::shape::split(tensor(a, 0)?, int(a, 1)?, int(a, 2)?)?),
    );
    b.op(
        "aten::split.sizes(Tensor(a -> *) self, SymInt[] split_size, int dim=0) -> Tensor(a)[]",
        |a| {
            tensors(k::shape::split_with_sizes(
                tensor(a, 0)?,
                &int_list(a, 1)?,
                int(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::split(Tensor(a -> *) self, int[] split_sizes, int dim=0) -> Tensor(a)[]",
        |a| {
            tensors(k::shape::split_with_sizes(
                tensor(a, 0)?,
                &int_list(a, 1)?,
                int(a, 2)?,
            )?)
        },
    );
    b.op("aten::split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]", |a| {
        tensors(k::shape::split_with_sizes(tensor(a, 0)?, &int_list(a, 1)?, int(a, 2)?)?)
    });
    b.op(
        "aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]",
        |a| {
            let t = tensor(a, 0)?;
            let d = int(a, 1)?;
            let n = k::shape::size(t, d)?;
            let parts = (0..n as i64)
                .map(|i| k::shape::select(t, d, i))
                .collect::<Result<Vec<_>, _>>()?;
            tensors(parts)
        },
    );
    b.op(
        "aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor",
        |a| ok(tensor(a, 0)?.deep_copy()),
    );
    b.op("aten::detach(Tensor(a) self) -> Tensor(a)", |a| {
        ok(tensor(a, 0)?.clone())
    });
    b.op("aten::baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", |a| {
        let prod = k::linalg::bmm(tensor(a, 1)?, tensor(a, 2)?)?;
        let (beta, alpha) = (scalar(a, 3)?, scalar(a, 4)?);
        let prod = if alpha.to_f64() == 1.0 { prod } else { k::binary::mul_scalar(&prod, alpha)? };
        if beta.to_f64() == 0.0 {
            let shape: Vec<i64> = prod.shape().iter().map(|&d| d as i64).collect();
            let _ = k::shape::expand(tensor(a, 0)?, &shape)?;
            return ok(prod);
        }
        let base = if beta.to_f64() == 1.0 { tensor(a, 0)?.clone() } else { k::binary::mul_scalar(tensor(a, 0)?, beta)? };
        ok(k::binary::add(&base, &prod, Scalar::Int(1))?)
    });
    b.op(
        "aten::dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
        eval_dropout,
    );
    b.op(
        "aten::feature_dropout(Tensor input, float p, bool train) -> Tensor",
        eval_dropout,
    );
    b.op(
        "aten::alpha_dropout(Tensor input, float p, bool train) -> Tensor",
        eval_dropout,
    );
    b.op(
        "aten::constant_pad_nd(Tensor self, SymInt[] pad, Scalar value=0) -> Tensor",
        |a| {
            ok(constant_pad(
                tensor(a, 0)?,
                &int_list(a, 1)?,
                scalar(a, 2)?,
            )?)
        },
    );
    b.op(
        "aten::pad(Tensor self, SymInt[] pad, str mode=\"constant\", float? value=None) -> Tensor",
        |a| {
            let (t, pad, mode) = (tensor(a, 0)?, int_list(a, 1)?, str(a, 2)?);
            match mode {
                "constant" => ok(constant_pad(
                    t,
                    &pad,
                    Scalar::Float(match a.get(3) {
                        Some(Value::None) | None => 0.0,
                        _ => float(a, 3)?,
                    }),
                )?),
                "reflect" | "replicate" | "circular" => ok(index_pad(t, &pad, mode)?),
                other => Err(RuntimeError::new(format!(
                    "Unrecognised padding mode {other}"
                ))),
            }
        },
    );
}
