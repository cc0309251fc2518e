//! `aten::embedding_bag`: sums, means or maxima of bags of embedding rows.

use crate::error::invalid;
use crate::{DType, Result, Tensor, TensorError};

/// The four results of `aten::embedding_bag`: the bags, then aten's bookkeeping for the
/// backward pass, as PyTorch's CPU forward without autograd leaves it (EmbeddingBag.cpp):
/// - `offset2bag`, the bag of each index; empty on the "fast path" of sum mode (float32,
///   float16 or bfloat16 weight with unit column stride, unit-stride per-sample weights, no
///   `padding_idx`), where PyTorch skips computing it;
/// - `bag_size`, non-padding rows per bag (mean and max); zeros in sum mode, one per offset
///   (so one more than the bags with `include_last_offset`);
/// - `max_indices`, the row chosen per bag and column in max mode; otherwise a copy of
///   `bag_size`.
///
/// The three index tensors have the promoted dtype of `indices` and `offsets`.
pub struct EmbeddingBag {
    /// `[bags, dim]`, the weight's dtype.
    pub output: Tensor,
    /// `[indices]`, or `[0]` on sum mode's fast path.
    pub offset2bag: Tensor,
    /// `[bags]`, or `[offsets]` zeros in sum mode.
    pub bag_size: Tensor,
    /// `[bags, dim]` in max mode, else a copy of `bag_size`.
    pub max_indices: Tensor,
}

/// `aten::embedding_bag(weight, indices, offsets, ..., mode, ..., per_sample_weights,
/// include_last_offset, padding_idx)` with 1-d `indices` and `offsets`; `mode` 0 sum,
/// 1 mean, 2 max; rows equal to `padding_idx` are skipped; empty bags are zeros.
pub fn embedding_bag(
    weight: &Tensor,
    indices: &Tensor,
    offsets: &Tensor,
    mode: i64,
    per_sample_weights: Option<&Tensor>,
    include_last_offset: bool,
    padding_idx: Option<i64>,
) -> Result<EmbeddingBag> {
    let op = "embedding_bag";
    if weight.dim() != 2 {
        return Err(invalid(
            op,
            format!(
                "weight has to be a 2D Tensor, but got Tensor of dimension {}",
                weight.dim()
            ),
        ));
    }
    if indices.dim() != 1 || offsets.dim() != 1 {
        return Err(invalid(op, "input has to be a 1D or 2D Tensor"));
    }
    for t in [indices, offsets] {
        if !matches!(t.dtype(), DType::I64 | DType::I32) {
            return Err(TensorError::Unsupported {
                op,
                dtype: t.dtype(),
            });
        }
    }
    if !(0..=2).contains(&mode) {
        return Err(invalid(
            op,
            format!("mode has to be one of sum, mean or max, got {mode}"),
        ));
    }
    if per_sample_weights.is_some() && mode != 0 {
        return Err(invalid(op, "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='mean'). Please open a feature request on GitHub."));
    }
    let (rows, dim) = (weight.shape()[0], weight.shape()[1]);
    let w = weight.try_to_vec::<f64>("embedding_bag")?;
    let idx = indices.try_to_vec::<i64>("embedding_bag")?;
    let mut offs = offsets.try_to_vec::<i64>("embedding_bag")?;
    if !include_last_offset {
        offs.push(idx.len() as i64);
    }
    let bags = offs.len().saturating_sub(1);
    let psw = per_sample_weights.map(Tensor::to_f64_vec);
    let pad = padding_idx.map(|p| if p < 0 { p + rows as i64 } else { p });
    let mut out = vec![0.0; bags * dim];
    let mut bag_size = vec![0i64; bags];
    let mut offset2bag = vec![0i64; idx.len()];
    let mut argmax = vec![-1i64; bags * dim];
    for b in 0..bags {
        let (lo, hi) = (
            offs[b].max(0) as usize,
            (offs[b + 1].max(0) as usize).min(idx.len()),
        );
        let row = &mut out[b * dim..(b + 1) * dim];
        for (k, &i) in idx.iter().enumerate().take(hi).skip(lo) {
            offset2bag[k] = b as i64;
            if i < 0 || i as usize >= rows {
                return Err(TensorError::IndexOutOfRange {
                    op,
                    index: i,
                    dim: 0,
                    size: rows,
                });
            }
            if Some(i) == pad {
                continue;
            }
            let src = &w[i as usize * dim..(i as usize + 1) * dim];
            let scale = psw.as_ref().map_or(1.0, |p| p[k]);
            for (j, (o, &x)) in row.iter_mut().zip(src).enumerate() {
                if mode == 2 {
                    // The bag's first row, then strictly greater values: a NaN after the
                    // first row never wins (PyTorch's embedding_bag_cpu_max_out).
                    let a = &mut argmax[b * dim + j];
                    if *a < 0 || x > *o {
                        *o = x;
                        *a = i;
                    }
                } else {
                    *o += scale * x;
                }
            }
            bag_size[b] += 1;
        }
        if mode == 1 && bag_size[b] > 0 {
            row.iter_mut().for_each(|o| *o /= bag_size[b] as f64);
        }
    }
    let output =
        Tensor::from_vec(out, &[bags, dim])?.try_to_dtype("embedding_bag", weight.dtype())?;
    let index_dtype = crate::promote::promote_types(indices.dtype(), offsets.dtype());
    let offset2bag = if mode == 0 && sum_fast_path(weight, per_sample_weights, pad) {
        Tensor::try_zeros("embedding_bag", &[0], index_dtype)?
    } else {
        Tensor::from_vec(offset2bag, &[idx.len()])?.try_to_dtype("embedding_bag", index_dtype)?
    };
    // A separate tensor each time: max_indices is a copy of bag_size, not a view of it.
    let make_bag_size = || -> Result<Tensor> {
        Ok(if mode == 0 {
            // PyTorch zeroes it "to make bag_size output deterministic", at the offsets' length.
            Tensor::try_zeros("embedding_bag", &[offsets.numel()], index_dtype)?
        } else {
            Tensor::from_vec(bag_size.clone(), &[bags])?
                .try_to_dtype("embedding_bag", index_dtype)?
        })
    };
    let max_indices = if mode == 2 {
        Tensor::from_vec(
            argmax.into_iter().map(|a| a.max(0)).collect::<Vec<_>>(),
            &[bags, dim],
        )?
        .try_to_dtype("embedding_bag", index_dtype)?
    } else {
        make_bag_size()?
    };
    let bag_size = make_bag_size()?;
    Ok(EmbeddingBag {
        output,
        offset2bag,
        bag_size,
        max_indices,
    })
}

/// Whether PyTorch's CPU sum takes its fast path, which skips `offset2bag`
/// (`is_fast_path` in EmbeddingBag.cpp): a float32/float16/bfloat16 weight whose columns are
/// adjacent, per-sample weights (if any) with unit stride, and no padding row.
fn sum_fast_path(weight: &Tensor, per_sample_weights: Option<&Tensor>, pad: Option<i64>) -> bool {
    matches!(weight.dtype(), DType::F32 | DType::F16 | DType::BF16)
        && weight.strides()[1] == 1
        && per_sample_weights.is_none_or(|p| p.strides().first().is_none_or(|&s| s == 1))
        && pad.is_none()
}
