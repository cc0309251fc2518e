//! Operators that are compositions of other kernels (as aten defines them: `CompositeImplicit`
//! ops such as `narrow`, `expand_as`, `movedim`, `hstack`, `outer`, `logsumexp`, `glu`...),
//! plus the gather/scatter, cumulative and variance kernels.

use tsrun_tensor::ops::gather::{self as gt, ScatterMode};
use tsrun_tensor::ops::nn::index as ix;
use tsrun_tensor::ops::{
    binary as bin, compare as cmp, linalg, moments, pointwise as pw, reduce, reorder, shape,
    unary as un,
};
use tsrun_tensor::{DType, Scalar, Tensor};

use super::args::{
    bool, int, int_list, ok, opt_dtype, opt_int, opt_int_list, opt_scalar, scalar, str, tensor,
    tensor_list,
};
use super::tensor_ops::{factory_dtype, shape_arg};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn pair(p: (Tensor, Tensor)) -> RtResult<Value> {
    Ok(Value::tuple(vec![Value::Tensor(p.0), Value::Tensor(p.1)]))
}

fn dims_i64(t: &Tensor) -> Vec<i64> {
    t.shape().iter().map(|&s| s as i64).collect()
}

/// `amax`/`amin` over `dims` (empty: all), by reducing one dim at a time from the last.
fn extreme(x: &Tensor, dims: &[i64], keepdim: bool, max: bool) -> RtResult<Tensor> {
    let nd = x.dim() as i64;
    let mut ds: Vec<i64> = if dims.is_empty() {
        (0..nd).collect()
    } else {
        dims.iter()
            .map(|&d| if d < 0 { d + nd } else { d })
            .collect()
    };
    ds.sort_unstable();
    ds.dedup();
    let mut r = x.clone();
    if nd == 0 {
        return Ok(r);
    }
    for &d in ds.iter().rev() {
        r = if max {
            reduce::max_dim(&r, d, true)?.0
        } else {
            reduce::min_dim(&r, d, true)?.0
        };
    }
    if !keepdim {
        for &d in ds.iter().rev() {
            r = shape::squeeze_dim(&r, d)?;
        }
    }
    Ok(r)
}

/// `var`/`std` arguments: the correction from `unbiased` or `correction` (default 1).
fn correction(a: &[Value], at: usize) -> RtResult<f64> {
    Ok(opt_scalar(a, at)?.map_or(1.0, |s| s.to_f64()))
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "aten::narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)",
        |a| {
            ok(shape::narrow(
                tensor(a, 0)?,
                int(a, 1)?,
                int(a, 2)?,
                int(a, 3)?,
            )?)
        },
    );
    b.op(
        "aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)",
        |a| ok(shape::expand(tensor(a, 0)?, &dims_i64(tensor(a, 1)?))?),
    );
    b.op("aten::type_as(Tensor self, Tensor other) -> Tensor", |a| {
        ok(tensor(a, 0)?.try_to_dtype("type_as", tensor(a, 1)?.dtype())?)
    });
    b.op(
        "aten::movedim.int(Tensor(a) self, int source, int destination) -> Tensor(a)",
        |a| {
            let t = tensor(a, 0)?;
            let nd = t.dim() as i64;
            let wrap = |d: i64| if d < 0 { d + nd } else { d };
            let (src, dst) = (wrap(int(a, 1)?), wrap(int(a, 2)?));
            let mut order: Vec<i64> = (0..nd).filter(|&d| d != src).collect();
            if !(0..=order.len() as i64).contains(&dst) {
                return Err(RuntimeError::new(format!(
                    "movedim: destination {dst} out of range"
                )));
            }
            order.insert(dst as usize, src);
            ok(shape::permute(t, &order)?)
        },
    );
    for (name, fill) in [
        ("new_zeros", Some(0)),
        ("new_ones", Some(1)),
        ("new_empty", None),
    ] {
        let schema = format!("aten::{name}(Tensor self, SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor");
        let kernel: super::Kernel = match fill {
            Some(0) => |a| {
                let t = tensor(a, 0)?;
                ok(Tensor::try_zeros(
                    "new_zeros",
                    &shape_arg(a, 1)?,
                    factory_dtype(a, 2, t.dtype())?,
                )?)
            },
            Some(_) => |a| {
                let t = tensor(a, 0)?;
                ok(Tensor::try_full(
                    "new_ones",
                    &shape_arg(a, 1)?,
                    Scalar::Int(1),
                    factory_dtype(a, 2, t.dtype())?,
                )?)
            },
            None => |a| {
                let t = tensor(a, 0)?;
                ok(Tensor::try_zeros(
                    "new_empty",
                    &shape_arg(a, 1)?,
                    factory_dtype(a, 2, t.dtype())?,
                )?)
            },
        };
        b.op(&schema, kernel);
    }
    b.op("aten::new_full(Tensor self, SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        let t = tensor(a, 0)?;
        ok(Tensor::try_full("new_full", &shape_arg(a, 1)?, scalar(a, 2)?, factory_dtype(a, 3, t.dtype())?)?)
    });
    b.op("aten::scalar_tensor(Scalar s, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(Tensor::scalar_tensor(scalar(a, 0)?, factory_dtype(a, 1, DType::F32)?))
    });
    b.op("aten::eye(SymInt n, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        let n = int(a, 0)?;
        ok(eye(n, n, factory_dtype(a, 1, DType::F32)?)?)
    });
    b.op("aten::eye.m(SymInt n, SymInt m, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", |a| {
        ok(eye(int(a, 0)?, int(a, 1)?, factory_dtype(a, 2, DType::F32)?)?)
    });
    b.op("aten::hstack(Tensor[] tensors) -> Tensor", |a| {
        let ts = tensor_list(a, 0)?;
        let ts: Vec<Tensor> = ts.iter().map(|t| at_least(t, 1)).collect::<RtResult<_>>()?;
        let dim = if ts.first().is_some_and(|t| t.dim() == 1) {
            0
        } else {
            1
        };
        ok(shape::cat(&ts, dim)?)
    });
    b.op("aten::vstack(Tensor[] tensors) -> Tensor", |a| {
        let ts = tensor_list(a, 0)?;
        let ts: Vec<Tensor> = ts.iter().map(|t| at_least(t, 2)).collect::<RtResult<_>>()?;
        ok(shape::cat(&ts, 0)?)
    });
    b.op("aten::tile(Tensor self, SymInt[] dims) -> Tensor", |a| {
        let t = tensor(a, 0)?;
        let mut reps = int_list(a, 1)?.to_vec();
        while reps.len() < t.dim() {
            reps.insert(0, 1);
        }
        ok(super::tensor_more::repeat(t, &reps)?)
    });
    b.op("aten::mv(Tensor self, Tensor vec) -> Tensor", |a| {
        ok(linalg::matmul(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op("aten::dot(Tensor self, Tensor tensor) -> Tensor", |a| {
        ok(linalg::dot(tensor(a, 0)?, tensor(a, 1)?)?)
    });
    b.op("aten::outer(Tensor self, Tensor vec2) -> Tensor", |a| {
        let col = shape::unsqueeze(tensor(a, 0)?, 1)?;
        ok(bin::mul(&col, tensor(a, 1)?)?)
    });
    b.op("aten::addmv(Tensor self, Tensor mat, Tensor vec, *, Scalar beta=1, Scalar alpha=1) -> Tensor", |a| {
        let mv = linalg::matmul(tensor(a, 1)?, tensor(a, 2)?)?;
        let (beta, alpha) = (scalar(a, 3)?, scalar(a, 4)?);
        let scaled = bin::mul_scalar(&mv, alpha)?;
        let base = bin::mul_scalar(tensor(a, 0)?, beta)?;
        ok(bin::add(&base, &scaled, Scalar::Int(1))?)
    });
    b.op(
        "aten::amax(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
        |a| ok(extreme(tensor(a, 0)?, &int_list(a, 1)?, bool(a, 2)?, true)?),
    );
    b.op(
        "aten::amin(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
        |a| {
            ok(extreme(
                tensor(a, 0)?,
                &int_list(a, 1)?,
                bool(a, 2)?,
                false,
            )?)
        },
    );
    b.op(
        "aten::logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor",
        |a| {
            // aten: maxes with infinities zeroed, log(sum(exp(x - max))) + max.
            let x = tensor(a, 0)?;
            let x = if x.dtype().is_floating() {
                x.clone()
            } else {
                x.try_to_dtype("logsumexp", DType::F32)?
            };
            let dims = int_list(a, 1)?;
            let keep = bool(a, 2)?;
            if x.numel() == 0 {
                // aten: no max to subtract; log(sum(exp(x))) (-inf over empty dims).
                let s = reduce::sum(&un::exp(&x)?, Some(&dims), keep, None)?;
                return ok(un::log(&s)?);
            }
            let m = extreme(&x, &dims, true, true)?;
            let m = ix::masked_fill(&m, &pw::isinf(&m)?, Scalar::Int(0))?;
            let s = reduce::sum(
                &un::exp(&bin::sub(&x, &m, Scalar::Int(1))?)?,
                Some(&dims),
                keep,
                None,
            )?;
            let m = if keep {
                m
            } else {
                extreme(&m, &dims, false, true)?
            };
            ok(bin::add(&un::log(&s)?, &m, Scalar::Int(1))?)
        },
    );
    b.op(
        "aten::count_nonzero(Tensor self, int? dim=None) -> Tensor",
        |a| {
            let nz = cmp::ne_scalar(tensor(a, 0)?, Scalar::Int(0))?;
            let d = opt_int(a, 1)?;
            ok(reduce::sum(
                &nz,
                d.as_ref().map(std::slice::from_ref),
                false,
                None,
            )?)
        },
    );
    b.op(
        "aten::count_nonzero.dim_IntList(Tensor self, int[] dim) -> Tensor",
        |a| {
            let nz = cmp::ne_scalar(tensor(a, 0)?, Scalar::Int(0))?;
            ok(reduce::sum(&nz, Some(&int_list(a, 1)?), false, None)?)
        },
    );
    b.op("aten::nansum(Tensor self, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", |a| {
        let x = tensor(a, 0)?;
        let clean = ix::masked_fill(x, &pw::isnan(x)?, Scalar::Int(0))?;
        let d = opt_int_list(a, 1)?;
        ok(reduce::sum(&clean, d.as_deref(), bool(a, 2)?, opt_dtype(a, 3)?)?)
    });
    b.op(
        "aten::masked_select(Tensor self, Tensor mask) -> Tensor",
        |a| {
            let (x, m) = (tensor(a, 0)?, tensor(a, 1)?);
            // Broadcast the two, then index with the mask.
            let both = bin::add(
                &Tensor::try_zeros("masked_select", x.shape(), DType::Bool)?,
                m,
                Scalar::Int(1),
            )?;
            let both = bin::add(
                &both,
                &Tensor::try_zeros("masked_select", &[], DType::Bool)?,
                Scalar::Int(1),
            )?;
            let shape = dims_i64(&bin::add(
                &x.try_to_dtype("masked_select", DType::F64)?,
                &both.try_to_dtype("masked_select", DType::F64)?,
                Scalar::Int(1),
            )?);
            let xe = shape::expand(x, &shape)?;
            let me = shape::expand(&m.try_to_dtype("masked_select", DType::Bool)?, &shape)?;
            let flat_x = shape::reshape(&xe.try_contiguous("masked_select")?, &[-1])?;
            let flat_m = shape::reshape(&me.try_contiguous("masked_select")?, &[-1])?;
            ok(ix::index(&flat_x, &[Some(flat_m)])?)
        },
    );
    b.op(
        "aten::argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor",
        |a| ok(reorder::sort(tensor(a, 0)?, int(a, 1)?, bool(a, 2)?)?.1),
    );
    b.op("aten::argsort.stable(Tensor self, *, bool stable, int dim=-1, bool descending=False) -> Tensor", |a| {
        ok(reorder::sort(tensor(a, 0)?, int(a, 2)?, bool(a, 3)?)?.1)
    });
    b.op("aten::topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor values, Tensor indices)", |a| {
        let (x, k, dim) = (tensor(a, 0)?, int(a, 1)?, int(a, 2)?);
        let (v, i) = reorder::sort(x, dim, bool(a, 3)?)?;
        pair((shape::narrow(&v, dim, 0, k)?.try_contiguous("topk")?, shape::narrow(&i, dim, 0, k)?.try_contiguous("topk")?))
    });
    b.op("aten::glu(Tensor self, int dim=-1) -> Tensor", |a| {
        let halves = shape::chunk(tensor(a, 0)?, 2, int(a, 1)?)?;
        ok(bin::mul(&halves[0], &un::sigmoid(&halves[1])?)?)
    });
    b.op(
        "aten::hardshrink(Tensor self, Scalar lambd=0.5) -> Tensor",
        |a| {
            let (x, l) = (tensor(a, 0)?, scalar(a, 1)?.to_f64());
            let keep = bin::add(
                &cmp::gt_scalar(x, Scalar::Float(l))?,
                &cmp::lt_scalar(x, Scalar::Float(-l))?,
                Scalar::Int(1),
            )?;
            ok(ix::masked_fill(
                x,
                &un::logical_not(&keep)?,
                Scalar::Int(0),
            )?)
        },
    );
    b.op(
        "aten::softshrink(Tensor self, Scalar lambd=0.5) -> Tensor",
        |a| {
            let (x, l) = (tensor(a, 0)?, scalar(a, 1)?.to_f64());
            let up = bin::sub_scalar(x, Scalar::Float(l), Scalar::Int(1))?;
            let down = bin::add_scalar(x, Scalar::Float(l), Scalar::Int(1))?;
            let zero = Tensor::try_zeros("softshrink", &[], x.dtype())?;
            let r = ix::where_self(&cmp::gt_scalar(x, Scalar::Float(l))?, &up, &zero)?;
            ok(ix::where_self(
                &cmp::lt_scalar(x, Scalar::Float(-l))?,
                &down,
                &r,
            )?)
        },
    );
    b.op("aten::prelu(Tensor self, Tensor weight) -> Tensor", |a| {
        let (x, w) = (tensor(a, 0)?, tensor(a, 1)?);
        // One weight per channel (dim 1), or a single shared weight.
        let w = if w.numel() > 1 && x.dim() > 1 {
            let mut s = vec![1i64; x.dim()];
            s[1] = w.numel() as i64;
            shape::reshape(w, &s)?
        } else {
            w.clone()
        };
        let neg = bin::mul(x, &w)?;
        ok(ix::where_self(
            &cmp::gt_scalar(x, Scalar::Int(0))?,
            x,
            &neg,
        )?)
    });
    b.op(
        "aten::one_hot(Tensor self, int num_classes=-1) -> Tensor",
        |a| {
            let x = tensor(a, 0)?;
            let mut n = int(a, 1)?;
            if n < 0 {
                n = if x.numel() == 0 {
                    0
                } else {
                    reduce::max(x)?.item()?.to_i64() + 1
                };
            }
            let classes = tsrun_tensor::ops::create::arange(
                Scalar::Int(0),
                Scalar::Int(n),
                Scalar::Int(1),
                Some(DType::I64),
            )?;
            let eq = cmp::eq(&shape::unsqueeze(x, -1)?, &classes)?;
            ok(eq.try_to_dtype("one_hot", DType::I64)?)
        },
    );
    b.op(
        "aten::gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
        |a| ok(gt::gather(tensor(a, 0)?, int(a, 1)?, tensor(a, 2)?)?),
    );
    b.op(
        "aten::scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
        |a| {
            ok(gt::scatter(
                tensor(a, 0)?,
                int(a, 1)?,
                tensor(a, 2)?,
                tensor(a, 3)?,
                ScatterMode::Assign,
            )?)
        },
    );
    b.op(
        "aten::scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
        |a| {
            ok(gt::scatter_value(
                tensor(a, 0)?,
                int(a, 1)?,
                tensor(a, 2)?,
                scalar(a, 3)?,
            )?)
        },
    );
    b.op(
        "aten::scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
        |a| {
            ok(gt::scatter(
                tensor(a, 0)?,
                int(a, 1)?,
                tensor(a, 2)?,
                tensor(a, 3)?,
                ScatterMode::Add,
            )?)
        },
    );
    b.op(
        "aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
        |a| {
            ok(moments::cumulative(
                tensor(a, 0)?,
                int(a, 1)?,
                opt_dtype(a, 2)?,
                false,
            )?)
        },
    );
    b.op(
        "aten::cumprod(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
        |a| {
            ok(moments::cumulative(
                tensor(a, 0)?,
                int(a, 1)?,
                opt_dtype(a, 2)?,
                true,
            )?)
        },
    );
    for (name, sqrt) in [("var", false), ("std", true)] {
        let k0: super::Kernel = if sqrt {
            |a| {
                ok(moments::var_mean(
                    tensor(a, 0)?,
                    None,
                    if bool(a, 1)? { 1.0 } else { 0.0 },
                    false,
                    true,
                )?
                .0)
            }
        } else {
            |a| {
                ok(moments::var_mean(
                    tensor(a, 0)?,
                    None,
                    if bool(a, 1)? { 1.0 } else { 0.0 },
                    false,
                    false,
                )?
                .0)
            }
        };
        b.op(
            &format!("aten::{name}(Tensor self, bool unbiased=True) -> Tensor"),
            k0,
        );
        let k1: super::Kernel = if sqrt {
            |a| {
                let d = opt_int_list(a, 1)?;
                ok(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    if bool(a, 2)? { 1.0 } else { 0.0 },
                    bool(a, 3)?,
                    true,
                )?
                .0)
            }
        } else {
            |a| {
                let d = opt_int_list(a, 1)?;
                ok(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    if bool(a, 2)? { 1.0 } else { 0.0 },
                    bool(a, 3)?,
                    false,
                )?
                .0)
            }
        };
        b.op(&format!("aten::{name}.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor"), k1);
        let k2: super::Kernel = if sqrt {
            |a| {
                let d = opt_int_list(a, 1)?;
                ok(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    correction(a, 2)?,
                    bool(a, 3)?,
                    true,
                )?
                .0)
            }
        } else {
            |a| {
                let d = opt_int_list(a, 1)?;
                ok(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    correction(a, 2)?,
                    bool(a, 3)?,
                    false,
                )?
                .0)
            }
        };
        b.op(&format!("aten::{name}.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor"), k2);
        let k3: super::Kernel = if sqrt {
            |a| {
                let d = opt_int_list(a, 1)?;
                pair(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    if bool(a, 2)? { 1.0 } else { 0.0 },
                    bool(a, 3)?,
                    true,
                )?)
            }
        } else {
            |a| {
                let d = opt_int_list(a, 1)?;
                pair(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    if bool(a, 2)? { 1.0 } else { 0.0 },
                    bool(a, 3)?,
                    false,
                )?)
            }
        };
        b.op(&format!("aten::{name}_mean.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> (Tensor, Tensor)"), k3);
        let k4: super::Kernel = if sqrt {
            |a| {
                let d = opt_int_list(a, 1)?;
                pair(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    correction(a, 2)?,
                    bool(a, 3)?,
                    true,
                )?)
            }
        } else {
            |a| {
                let d = opt_int_list(a, 1)?;
                pair(moments::var_mean(
                    tensor(a, 0)?,
                    d.as_deref(),
                    correction(a, 2)?,
                    bool(a, 3)?,
                    false,
                )?)
            }
        };
        b.op(&format!("aten::{name}_mean.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> (Tensor, Tensor)"), k4);
    }
    let _ = str;
}

/// `atleast_1d` / `atleast_2d`.
fn at_least(t: &Tensor, n: usize) -> RtResult<Tensor> {
    let mut r = t.clone();
    while r.dim() < n {
        r = shape::unsqueeze(&r, 0)?;
    }
    Ok(r)
}

/// An `n x m` identity matrix.
fn eye(n: i64, m: i64, dt: DType) -> RtResult<Tensor> {
    if n < 0 || m < 0 {
        return Err(RuntimeError::new(format!(
            "n must be greater or equal to 0, got {}",
            n.min(m)
        )));
    }
    let (n, m) = (n as usize, m as usize);
    let mut v = tsrun_tensor::alloc::try_filled(
        "eye",
        tsrun_tensor::alloc::checked_numel("eye", &[n, m])?,
        0i64,
    )?;
    for i in 0..n.min(m) {
        v[i * m + i] = 1;
    }
    Ok(Tensor::from_vec(v, &[n, m])?.try_to_dtype("eye", dt)?)
}
