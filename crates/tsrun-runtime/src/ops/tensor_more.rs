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
    let out = Tensor::try_full("constant_pad_nd", &out_shape, value, t.dtype())?;
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
    register_factories(b);
    b.op("aten::triu(Tensor self, int diagonal=0) -> Tensor", |a| {
        ok(triangle(tensor(a, 0)?, int(a, 1)?, true)?)
    });
    b.op("aten::tril(Tensor self, int diagonal=0) -> Tensor", |a| {
        ok(triangle(tensor(a, 0)?, int(a, 1)?, false)?)
    });
    b.op("aten::is_autocast_enabled() -> bool", |_| {
        Ok(Value::Bool(false))
    });
    b.op("aten::is_autocast_cpu_enabled() -> bool", |_| {
        Ok(Value::Bool(false))
    });
    // Random masks only appear on training paths (stochastic depth, dropout); PyTorch's
    // random stream cannot be reproduced, so these fail when reached.
    b.op("aten::bernoulli_.float(Tensor(a!) self, float p=0.5, *, Generator? generator=None) -> Tensor(a!)", |_| {
        Err(RuntimeError::new("aten::bernoulli_ (training-mode randomness) is not supported: tsrun runs inference; call .eval() before saving"))
    });
    b.op("aten::bernoulli.p(Tensor self, float p, *, Generator? generator=None) -> Tensor", |_| {
        Err(RuntimeError::new("aten::bernoulli (training-mode randomness) is not supported: tsrun runs inference; call .eval() before saving"))
    });
    b.op(
        "aten::repeat(Tensor self, SymInt[] repeats) -> Tensor",
        |a| ok(repeat(tensor(a, 0)?, &int_list(a, 1)?)?),
    );
    b.op(
        "aten::to_padded_tensor(Tensor self, float padding, SymInt[]? output_size=None) -> Tensor",
        |_| {
            Err(RuntimeError::new(
                "aten::to_padded_tensor: nested tensors are not supported by tsrun",
            ))
        },
    );
    b.op(
        "aten::unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)",
        |a| {
            let t = tensor(a, 0)?;
            let dim = int(a, 1)?;
            k::shape::size(t, dim)?; // checks the dim
            let dim = if dim < 0 { dim + t.dim() as i64 } else { dim } as usize;
            let mut shape: Vec<i64> = t.shape()[..dim].iter().map(|&s| s as i64).collect();
            shape.extend(int_list(a, 2)?.iter());
            shape.extend(t.shape()[dim + 1..].iter().map(|&s| s as i64));
            ok(k::shape::reshape(t, &shape)?)
        },
    );
    b.op("prim::is_nested(Tensor a) -> bool", |_| {
        Ok(Value::Bool(false))
    });
    b.op(
        "aten::_nested_tensor_from_mask_left_aligned(Tensor t, Tensor m) -> bool",
        |a| {
            // True when every row of the padding mask is a run of `true` then `false`.
            let m = tensor(a, 1)?;
            let cols = *m.shape().last().unwrap_or(&0);
            let v = m.try_to_vec::<bool>("_nested_tensor_from_mask_left_aligned")?;
            Ok(Value::Bool(
                v.chunks(cols.max(1))
                    .all(|r| r.windows(2).all(|w| w[0] || !w[1])),
            ))
        },
    );
    b.op("aten::_nested_tensor_from_mask(Tensor t, Tensor mask, bool mask_check=True) -> Tensor", |_| {
        Err(RuntimeError::new(
            "aten::_nested_tensor_from_mask: nested tensors are not supported by tsrun (build nn.TransformerEncoder with enable_nested_tensor=False)",
        ))
    });
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
        |a| ok(tensor(a, 0)?.try_materialize("clone")?),
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

/// `arange`, `empty` and `empty_like` (factories that take dtype/layout/device/pin_memory).
fn register_factories(b: &mut RegistryBuilder) {
    fn dtype_at(a: &[Value], i: usize) -> RtResult<Option<tsrun_tensor::DType>> {
        super::args::opt_dtype(a, i)
    }
    b.op("aten::arange(Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(k::create::arange(Scalar::Int(0), scalar(a, 0)?, Scalar::Int(1), dtype_at(a, 1)?)?)
    });
    b.op("aten::arange.start(Scalar start, Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(k::create::arange(scalar(a, 0)?, scalar(a, 1)?, Scalar::Int(1), dtype_at(a, 2)?)?)
    });
    b.op("aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(k::create::arange(scalar(a, 0)?, scalar(a, 1)?, scalar(a, 2)?, dtype_at(a, 3)?)?)
    });
    // tsrun zero-fills `empty`: PyTorch leaves the memory uninitialized, so any value is valid.
    b.op("aten::empty.memory_format(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor", |a| {
        let shape: Vec<usize> = int_list(a, 0)?
            .iter()
            .map(|&d| usize::try_from(d).map_err(|_| RuntimeError::new(format!("Trying to create tensor with negative dimension {d}"))))
            .collect::<RtResult<_>>()?;
        ok(Tensor::try_zeros("empty", &shape, dtype_at(a, 1)?.unwrap_or(tsrun_tensor::DType::F32))?)
    });
    b.op("aten::empty_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor", |a| {
        let t = tensor(a, 0)?;
        ok(Tensor::try_zeros("empty_like", t.shape(), dtype_at(a, 1)?.unwrap_or(t.dtype()))?)
    });
}

/// `Tensor.repeat(*sizes)`: tiles the tensor; extra leading repeats add dims.
pub(crate) fn repeat(t: &Tensor, reps: &[i64]) -> RtResult<Tensor> {
    if reps.len() < t.dim() {
        return Err(RuntimeError::new(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
        ));
    }
    if let Some(r) = reps.iter().find(|&&r| r < 0) {
        return Err(RuntimeError::new(format!(
            "Trying to create tensor with negative dimension {r}"
        )));
    }
    let lead = reps.len() - t.dim();
    let mut shape: Vec<i64> = vec![1; lead];
    shape.extend(t.shape().iter().map(|&s| s as i64));
    // The result's size is the model's choice (`x.repeat(2**31, 2**31)`): check it before
    // anything is built.
    let out_shape: Vec<usize> = shape
        .iter()
        .zip(reps)
        .map(|(&s, &r)| (s as usize).saturating_mul(r as usize))
        .collect();
    tsrun_tensor::alloc::checked_numel("repeat", &out_shape)?;
    let mut x = k::shape::reshape(t, &shape)?;
    for (d, &r) in reps.iter().enumerate() {
        if r != 1 {
            // `r` copies along `d`: a new dim of size `r` in front of `d`, expanded (a view),
            // materialised with a checked allocation, then merged with `d`.
            let mut sizes: Vec<i64> = x.shape().iter().map(|&s| s as i64).collect();
            let mut merged = sizes.clone();
            merged[d] = merged[d].saturating_mul(r);
            sizes.insert(d, r);
            let one = k::shape::unsqueeze(&x, d as i64)?;
            let copies = k::shape::expand(&one, &sizes)?.try_contiguous("repeat")?;
            x = k::shape::reshape(&copies, &merged)?;
        }
    }
    Ok(if x.same_storage(t) { x.deep_copy() } else { x })
}

/// `triu` (`upper`) / `tril`: zeroes the elements below (above) the `diagonal`-th diagonal
/// of the last two dims.
fn triangle(t: &Tensor, diagonal: i64, upper: bool) -> RtResult<Tensor> {
    if t.dim() < 2 {
        let which = if upper { "triu" } else { "tril" };
        return Err(RuntimeError::new(format!(
            "{which}: input tensor must have at least 2 dimensions"
        )));
    }
    let (r, c) = (t.shape()[t.dim() - 2], t.shape()[t.dim() - 1]);
    let keep: Vec<bool> = (0..r as i64)
        .flat_map(|i| {
            (0..c as i64).map(move |j| {
                if upper {
                    j - i >= diagonal
                } else {
                    j - i <= diagonal
                }
            })
        })
        .collect();
    let keep = Tensor::from_vec(keep, &[r, c])?;
    let zero = Tensor::try_zeros("triangle", &[], t.dtype())?;
    Ok(k::nn::index::where_as(&keep, t, &zero, t.dtype())?)
}
