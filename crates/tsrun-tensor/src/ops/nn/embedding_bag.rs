//! `aten::embedding_bag`: sums, means or maxima of bags of embedding rows.

use crate::error::invalid;
use crate::{DType, Result, Tensor, TensorError};

/// The four results of `aten::embedding_bag`: the bags, then aten's bookkeeping for the
/// backward pass (`offset2bag`: the bag of each index; `bag_size`: rows per bag;
/// `max_indices`: the row chosen per bag and column in max mode, else zeros).
pub struct EmbeddingBag {
    /// `[bags, dim]`, the weight's dtype.
    pub output: Tensor,
    /// `[indices]` int64.
    pub offset2bag: Tensor,
    /// `[bags]` int64.
    pub bag_size: Tensor,
    /// `[bags, dim]` (max mode) or `[bags]` int64.
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
    let w = weight.to_f64_vec();
    let idx = indices.to_vec::<i64>();
    let mut offs = offsets.to_vec::<i64>();
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
                    let a = &mut argmax[b * dim + j];
                    if *a < 0 || x > *o || x.is_nan() {
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
    let output = Tensor::from_vec(out, &[bags, dim])?.to_dtype(weight.dtype());
    let max_indices = if mode == 2 {
        Tensor::from_vec(
            argmax.into_iter().map(|a| a.max(0)).collect::<Vec<_>>(),
            &[bags, dim],
        )?
    } else {
        Tensor::zeros(&[bags], DType::I64)
    };
    Ok(EmbeddingBag {
        output,
        offset2bag: Tensor::from_vec(offset2bag, &[idx.len()])?,
        bag_size: Tensor::from_vec(bag_size, &[bags])?,
        max_indices,
    })
}
