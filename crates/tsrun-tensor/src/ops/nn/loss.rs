//! Losses: `aten::mse_loss`, `l1_loss`, `nll_loss` / `nll_loss_nd` / `nll_loss2d` and
//! `cross_entropy_loss` (class-index targets with optional label smoothing, or class
//! probabilities), with aten's reductions (0 none, 1 mean, 2 sum).

use crate::error::invalid;
use crate::ops::binary::{mul, sub};
use crate::ops::reduce::{log_softmax, mean, sum};
use crate::ops::unary::abs;
use crate::{DType, Result, Scalar, Tensor, TensorError};

fn reduce(op: &'static str, x: Tensor, reduction: i64) -> Result<Tensor> {
    match reduction {
        0 => Ok(x),
        1 => mean(&x, None, false, None),
        2 => sum(&x, None, false, None),
        r => Err(invalid(
            op,
            format!("{r} is not a valid value for reduction"),
        )),
    }
}

/// `aten::mse_loss(self, target, reduction)`: squared differences (broadcast).
pub fn mse_loss(x: &Tensor, target: &Tensor, reduction: i64) -> Result<Tensor> {
    let d = sub(x, target, Scalar::Int(1))?;
    reduce("mse_loss", mul(&d, &d)?, reduction)
}

/// `aten::l1_loss(self, target, reduction)`: absolute differences (broadcast).
pub fn l1_loss(x: &Tensor, target: &Tensor, reduction: i64) -> Result<Tensor> {
    reduce("l1_loss", abs(&sub(x, target, Scalar::Int(1))?)?, reduction)
}

/// The class dim's size and the layout of a `[C]` or `[N, C, d...]` input:
/// (batch, classes, positions per batch item).
fn class_layout(op: &'static str, x: &Tensor) -> Result<(usize, usize, usize)> {
    match x.dim() {
        0 => Err(invalid(op, "input tensor should be 1D or more")),
        1 => Ok((1, x.shape()[0], 1)),
        _ => Ok((x.shape()[0], x.shape()[1], x.shape()[2..].iter().product())),
    }
}

/// Per-position `(class, weight)` of class-index targets (`None`: ignored).
fn targets(
    op: &'static str,
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
) -> Result<Vec<Option<(usize, f64)>>> {
    let (n, c, s) = class_layout(op, x)?;
    let mut want: Vec<usize> = x.shape().to_vec();
    if x.dim() == 1 {
        want.clear();
    } else {
        want.remove(1);
    }
    if target.shape() != want.as_slice() {
        return Err(invalid(
            op,
            format!("Expected target size {want:?}, got {:?}", target.shape()),
        ));
    }
    if !target.dtype().is_integral(false) {
        return Err(TensorError::Unsupported {
            op,
            dtype: target.dtype(),
        });
    }
    let w = match weight {
        Some(w) => {
            if w.numel() != c {
                return Err(invalid(
                    op,
                    format!("weight tensor should be defined either for all {c} classes or no classes but got weight tensor of shape: {:?}", w.shape()),
                ));
            }
            w.try_to_vec::<f64>(op)?
        }
        None => vec![1.0; c],
    };
    let _ = (n, s);
    target
        .try_to_vec::<i64>(op)?
        .into_iter()
        .map(|t| {
            if t == ignore_index {
                Ok(None)
            } else if t < 0 || t as usize >= c {
                Err(TensorError::IndexOutOfRange {
                    op,
                    index: t,
                    dim: 1,
                    size: c,
                })
            } else {
                Ok(Some((t as usize, w[t as usize])))
            }
        })
        .collect()
}

/// `aten::nll_loss_nd(self, target, weight, reduction, ignore_index)` on log-probabilities.
pub fn nll_loss(
    logp: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: i64,
    ignore_index: i64,
) -> Result<Tensor> {
    let op = "nll_loss";
    let (_, c, s) = class_layout(op, logp)?;
    let ts = targets(op, logp, target, weight, ignore_index)?;
    let lp = logp.try_to_vec::<f64>("nll_loss")?;
    let losses: Vec<f64> = ts
        .iter()
        .enumerate()
        .map(|(p, t)| match t {
            Some((k, w)) => {
                let (b, i) = (p / s, p % s);
                -w * lp[(b * c + k) * s + i]
            }
            None => 0.0,
        })
        .collect();
    let dt = logp.dtype();
    match reduction {
        0 => Tensor::from_vec(losses, target.shape())?.try_to_dtype("nll_loss", dt),
        1 => {
            let total: f64 = ts.iter().flatten().map(|(_, w)| w).sum();
            let v = losses.iter().sum::<f64>() / total;
            Tensor::from_vec(vec![v], &[])?.try_to_dtype("nll_loss", dt)
        }
        2 => Ok(Tensor::from_vec(vec![losses.iter().sum::<f64>()], &[])?
            .try_to_dtype("nll_loss", dt)?),
        r => Err(invalid(
            op,
            format!("{r} is not a valid value for reduction"),
        )),
    }
}

/// `aten::cross_entropy_loss(self, target, weight, reduction, ignore_index,
/// label_smoothing)`: `log_softmax` over the class dim, then the negative log-likelihood
/// of class-index targets (smoothed as aten does) or of class-probability targets.
pub fn cross_entropy(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: i64,
    ignore_index: i64,
    label_smoothing: f64,
) -> Result<Tensor> {
    let op = "cross_entropy";
    if !(0.0..=1.0).contains(&label_smoothing) {
        return Err(invalid(
            op,
            format!("label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"),
        ));
    }
    let class_dim = if x.dim() == 1 { 0 } else { 1 };
    let logp = log_softmax(x, class_dim, None)?;
    let (_, c, s) = class_layout(op, x)?;
    let dt = logp.dtype();
    let w: Option<Vec<f64>> = weight.map(Tensor::to_f64_vec);
    if target.dtype().is_floating() && target.shape() == x.shape() {
        // Class probabilities.
        let lp = logp.try_to_vec::<f64>("cross_entropy")?;
        let t = target.try_to_vec::<f64>("cross_entropy")?;
        let eps = label_smoothing;
        let per: Vec<f64> = (0..lp.len() / c.max(1))
            .map(|p| {
                let (b, i) = (p / s, p % s);
                -(0..c)
                    .map(|k| {
                        let at = (b * c + k) * s + i;
                        let tk = if eps > 0.0 {
                            t[at] * (1.0 - eps) + eps / c as f64
                        } else {
                            t[at]
                        };
                        lp[at] * tk * w.as_ref().map_or(1.0, |w| w[k])
                    })
                    .sum::<f64>()
            })
            .collect();
        let mut shape = x.shape().to_vec();
        shape.remove(class_dim as usize);
        return match reduction {
            0 => Tensor::from_vec(per, &shape)?.try_to_dtype("cross_entropy", dt),
            1 => {
                let n = (x.numel() / c.max(1)) as f64;
                Ok(Tensor::from_vec(vec![per.iter().sum::<f64>() / n], &[])?
                    .try_to_dtype("cross_entropy", dt)?)
            }
            2 => Ok(Tensor::from_vec(vec![per.iter().sum::<f64>()], &[])?
                .try_to_dtype("cross_entropy", dt)?),
            r => Err(invalid(
                op,
                format!("{r} is not a valid value for reduction"),
            )),
        };
    }
    let nll = nll_loss(&logp, target, weight, reduction, ignore_index)?;
    if label_smoothing <= 0.0 {
        return Ok(nll);
    }
    // aten's smoothing term: -sum_k w_k logp_k per position, zero where ignored.
    let ts = targets(op, x, target, weight, ignore_index)?;
    let lp = logp.try_to_vec::<f64>("cross_entropy")?;
    let smooth: Vec<f64> = ts
        .iter()
        .enumerate()
        .map(|(p, t)| {
            if t.is_none() {
                return 0.0;
            }
            let (b, i) = (p / s, p % s);
            -(0..c)
                .map(|k| lp[(b * c + k) * s + i] * w.as_ref().map_or(1.0, |w| w[k]))
                .sum::<f64>()
        })
        .collect();
    let eps = label_smoothing;
    let term = match reduction {
        0 => Tensor::from_vec(smooth, target.shape())?,
        1 => {
            let denom: f64 = match &w {
                Some(_) => ts.iter().flatten().map(|(_, w)| w).sum(),
                None => ts.iter().flatten().count() as f64,
            };
            Tensor::from_vec(vec![smooth.iter().sum::<f64>() / denom], &[])?
        }
        _ => Tensor::from_vec(vec![smooth.iter().sum::<f64>()], &[])?,
    };
    let scaled = crate::ops::binary::mul_scalar(
        &term.try_to_dtype("cross_entropy", DType::F64)?,
        Scalar::Float(eps / c as f64),
    )?;
    let base = crate::ops::binary::mul_scalar(
        &nll.try_to_dtype("cross_entropy", DType::F64)?,
        Scalar::Float(1.0 - eps),
    )?;
    crate::ops::binary::add(&base, &scaled, Scalar::Int(1))?.try_to_dtype("cross_entropy", dt)
}
