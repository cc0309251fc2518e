//! Rearranging ops: `aten::repeat_interleave`, `pixel_shuffle`, `pixel_unshuffle`.

use crate::error::invalid;
use crate::ops::nn::index::index_select;
use crate::ops::shape::{permute, reshape};
use crate::{DType, Result, Tensor};

/// `aten::repeat_interleave.Tensor(repeats)`: each index `i` repeated `repeats[i]` times.
pub fn repeat_interleave_indices(repeats: &Tensor) -> Result<Tensor> {
    let op = "repeat_interleave";
    if repeats.dim() > 1 {
        return Err(invalid(
            op,
            "repeat_interleave only accept 1D vector as repeat",
        ));
    }
    if !matches!(repeats.dtype(), DType::I64 | DType::I32) {
        return Err(invalid(op, "repeats has to be Long or Int tensor"));
    }
    let reps = repeats.try_to_vec::<i64>("repeat_interleave_indices")?;
    if reps.iter().any(|&r| r < 0) {
        return Err(invalid(op, "repeats can not be negative"));
    }
    let idx: Vec<i64> = reps
        .iter()
        .enumerate()
        .flat_map(|(i, &r)| std::iter::repeat_n(i as i64, r as usize))
        .collect();
    let n = idx.len();
    Tensor::from_vec(idx, &[n])?.try_to_dtype("repeat_interleave_indices", repeats.dtype())
}

/// `aten::repeat_interleave.self_Tensor` / `.self_int`: the slices of `t` along `dim`
/// (flattened when `None`) each repeated `repeats` times (one count, or one per slice).
pub fn repeat_interleave(t: &Tensor, repeats: &Tensor, dim: Option<i64>) -> Result<Tensor> {
    let op = "repeat_interleave";
    let (x, d) = match dim {
        Some(d) => (t.clone(), d),
        None => (reshape(t, &[-1])?, 0),
    };
    let dw = crate::layout::wrap_dim(op, d, x.dim())?;
    let len = if x.dim() == 0 { 1 } else { x.shape()[dw] };
    let reps = if repeats.dim() == 0 || repeats.numel() == 1 && len != 1 {
        let r = repeats.try_to_vec::<i64>("repeat_interleave")?[0];
        Tensor::from_vec(vec![r; len], &[len])?
    } else {
        if repeats.numel() != len {
            return Err(invalid(
                op,
                format!("repeats must have the same size as input along dim, but got repeats.size(0) = {} and input.size({dw}) = {len}", repeats.numel()),
            ));
        }
        repeats.try_to_dtype("repeat_interleave", DType::I64)?
    };
    let idx = repeat_interleave_indices(&reps.try_to_dtype("repeat_interleave", DType::I64)?)?;
    index_select(&x, dw as i64, &idx)
}

/// `aten::pixel_shuffle(self, upscale_factor)`: `[*, C*r*r, H, W]` to `[*, C, H*r, W*r]`.
pub fn pixel_shuffle(t: &Tensor, r: i64) -> Result<Tensor> {
    let op = "pixel_shuffle";
    let nd = t.dim();
    if nd < 3 {
        return Err(invalid(
            op,
            format!("pixel_shuffle expects input to have at least 3 dimensions, but got input with {nd} dimension(s)"),
        ));
    }
    if r <= 0 {
        return Err(invalid(
            op,
            format!("pixel_shuffle expects a positive upscale_factor, but got {r}"),
        ));
    }
    let s: Vec<i64> = t.shape().iter().map(|&x| x as i64).collect();
    let (c, h, w) = (s[nd - 3], s[nd - 2], s[nd - 1]);
    if c % (r * r) != 0 {
        return Err(invalid(
            op,
            format!("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={c} is not divisible by {}", r * r),
        ));
    }
    let lead = &s[..nd - 3];
    let mut split: Vec<i64> = lead.to_vec();
    split.extend([c / (r * r), r, r, h, w]);
    let b = lead.len() as i64;
    let mut order: Vec<i64> = (0..b).collect();
    order.extend([b, b + 3, b + 1, b + 4, b + 2]);
    let mut out: Vec<i64> = lead.to_vec();
    out.extend([c / (r * r), h * r, w * r]);
    reshape(
        &permute(&reshape(t, &split)?, &order)?.try_contiguous("pixel_shuffle")?,
        &out,
    )
}

/// `aten::pixel_unshuffle(self, downscale_factor)`: the inverse of [`pixel_shuffle`].
pub fn pixel_unshuffle(t: &Tensor, r: i64) -> Result<Tensor> {
    let op = "pixel_unshuffle";
    let nd = t.dim();
    if nd < 3 {
        return Err(invalid(
            op,
            format!("pixel_unshuffle expects input to have at least 3 dimensions, but got input with {nd} dimension(s)"),
        ));
    }
    if r <= 0 {
        return Err(invalid(
            op,
            format!("pixel_unshuffle expects a positive downscale_factor, but got {r}"),
        ));
    }
    let s: Vec<i64> = t.shape().iter().map(|&x| x as i64).collect();
    let (c, h, w) = (s[nd - 3], s[nd - 2], s[nd - 1]);
    if h % r != 0 || w % r != 0 {
        return Err(invalid(
            op,
            format!("pixel_unshuffle expects height and width to be divisible by downscale_factor, but got height={h}, width={w} and downscale_factor={r}"),
        ));
    }
    let lead = &s[..nd - 3];
    let mut split: Vec<i64> = lead.to_vec();
    split.extend([c, h / r, r, w / r, r]);
    let b = lead.len() as i64;
    let mut order: Vec<i64> = (0..b).collect();
    order.extend([b, b + 2, b + 4, b + 1, b + 3]);
    let mut out: Vec<i64> = lead.to_vec();
    out.extend([c * r * r, h / r, w / r]);
    reshape(
        &permute(&reshape(t, &split)?, &order)?.try_contiguous("pixel_unshuffle")?,
        &out,
    )
}
