//! `aten::scaled_dot_product_attention`, composed from matmul and softmax.

use crate::error::invalid;
use crate::ops::binary::{add, mul_scalar};
use crate::ops::linalg::matmul;
use crate::ops::nn::index::where_as;
use crate::ops::reduce::softmax;
use crate::ops::shape::transpose;
use crate::{DType, Result, Scalar, Tensor};

/// `softmax(q @ k^T * scale + mask) @ v`. `attn_mask` is boolean (true keeps)
/// or additive; `is_causal` masks keys after each query position. Dropout is
/// only accepted as 0 (inference).
pub fn scaled_dot_product_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    attn_mask: Option<&Tensor>,
    dropout_p: f64,
    is_causal: bool,
    scale: Option<f64>,
) -> Result<Tensor> {
    let op = "scaled_dot_product_attention";
    if dropout_p != 0.0 {
        return Err(invalid(op, "dropout_p must be 0 (tsrun runs inference)"));
    }
    if q.dim() < 2 || k.dim() < 2 || v.dim() < 2 {
        return Err(invalid(
            op,
            "query, key and value must have at least 2 dims",
        ));
    }
    if is_causal && attn_mask.is_some() {
        return Err(invalid(op, "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"));
    }
    let e = q.shape()[q.dim() - 1];
    let scale = scale.unwrap_or(1.0 / (e as f64).sqrt());
    let kt = transpose(k, -2, -1)?;
    let mut attn = mul_scalar(&matmul(q, &kt)?, Scalar::Float(scale))?;
    let (l, s) = (q.shape()[q.dim() - 2], k.shape()[k.dim() - 2]);
    if is_causal {
        let keep: Vec<bool> = (0..l).flat_map(|i| (0..s).map(move |j| j <= i)).collect();
        let keep = Tensor::from_vec(keep, &[l, s])?;
        let ninf = Tensor::scalar_tensor(Scalar::Float(f64::NEG_INFINITY), attn.dtype());
        attn = where_as(&keep, &attn, &ninf, attn.dtype())?;
    }
    if let Some(m) = attn_mask {
        attn = if m.dtype() == DType::Bool {
            let ninf = Tensor::scalar_tensor(Scalar::Float(f64::NEG_INFINITY), attn.dtype());
            where_as(m, &attn, &ninf, attn.dtype())?
        } else {
            add(&attn, m, Scalar::Int(1))?
        };
    }
    let p = softmax(&attn, -1, None)?;
    matmul(&p, v)
}

/// Applies a fast-path attention mask to scores `[B, H, L, S]`: boolean masks
/// mark positions to drop (`true` = masked, as `key_padding_mask`), float masks
/// are added. `mask_type` 1 is a key-padding mask `[B, S]`, 0 an attention mask
/// `[L, S]`; anything else must broadcast to the scores.
fn apply_fast_mask(scores: &Tensor, mask: &Tensor, mask_type: Option<i64>) -> Result<Tensor> {
    let (b, s) = (scores.shape()[0], scores.shape()[3]);
    let m = if mask.dim() == 2
        && (mask_type == Some(1) || (mask_type.is_none() && mask.shape() == [b, s]))
    {
        crate::ops::shape::view(mask, &[b as i64, 1, 1, s as i64])?
    } else {
        mask.clone()
    };
    if m.dtype() == DType::Bool {
        let ninf = Tensor::scalar_tensor(Scalar::Float(f64::NEG_INFINITY), scores.dtype());
        where_as(&m, &ninf, scores, scores.dtype())
    } else {
        add(
            scores,
            &m.try_to_dtype("apply_fast_mask", scores.dtype())?,
            Scalar::Int(1),
        )
    }
}

/// Splits `[B, T, D]` into heads `[B, H, T, D/H]`.
fn heads(x: &Tensor, h: usize) -> Result<Tensor> {
    let (b, t, d) = (x.shape()[0], x.shape()[1], x.shape()[2]);
    let v = crate::ops::shape::reshape(x, &[b as i64, t as i64, h as i64, (d / h) as i64])?;
    transpose(&v, 1, 2)
}

/// `aten::_native_multi_head_attention`: batch-first `[B, L, D]` query and
/// `[B, S, D]` key/value, packed `qkv_weight` `[3D, D]`. Returns the output and,
/// when `need_weights`, the attention weights (averaged over heads if asked),
/// else an empty tensor.
#[allow(clippy::too_many_arguments)]
pub fn native_multi_head_attention(
    query: &Tensor,
    key: &Tensor,
    value: &Tensor,
    embed_dim: usize,
    num_heads: usize,
    qkv_weight: &Tensor,
    qkv_bias: &Tensor,
    proj_weight: &Tensor,
    proj_bias: &Tensor,
    mask: Option<&Tensor>,
    need_weights: bool,
    average_attn_weights: bool,
    mask_type: Option<i64>,
) -> Result<(Tensor, Tensor)> {
    let op = "_native_multi_head_attention";
    if query.dim() != 3 || key.dim() != 3 || value.dim() != 3 {
        return Err(invalid(
            op,
            "expected 3-D (batch-first) query, key and value",
        ));
    }
    if num_heads == 0 || !embed_dim.is_multiple_of(num_heads) || query.shape()[2] != embed_dim {
        return Err(invalid(op, format!("embed_dim {embed_dim} must equal the query size and be divisible by num_heads {num_heads}")));
    }
    let d = embed_dim as i64;
    let part = |t: &Tensor, i: i64| crate::ops::shape::narrow(t, 0, i * d, d);
    let q = crate::ops::linalg::linear(query, &part(qkv_weight, 0)?, Some(&part(qkv_bias, 0)?))?;
    let k = crate::ops::linalg::linear(key, &part(qkv_weight, 1)?, Some(&part(qkv_bias, 1)?))?;
    let v = crate::ops::linalg::linear(value, &part(qkv_weight, 2)?, Some(&part(qkv_bias, 2)?))?;
    let (q, k, v) = (
        heads(&q, num_heads)?,
        heads(&k, num_heads)?,
        heads(&v, num_heads)?,
    );
    let scale = 1.0 / ((embed_dim / num_heads) as f64).sqrt();
    let q = mul_scalar(&q, Scalar::Float(scale))?;
    let mut scores = matmul(&q, &transpose(&k, -2, -1)?)?;
    if let Some(m) = mask {
        scores = apply_fast_mask(&scores, m, mask_type)?;
    }
    let p = softmax(&scores, -1, None)?;
    let o = matmul(&p, &v)?;
    let (b, l) = (query.shape()[0], query.shape()[1]);
    let o = crate::ops::shape::reshape(
        &transpose(&o, 1, 2)?.try_contiguous("native_multi_head_attention")?,
        &[b as i64, l as i64, d],
    )?;
    let out = crate::ops::linalg::linear(&o, proj_weight, Some(proj_bias))?;
    let weights = if !need_weights {
        Tensor::try_zeros("native_multi_head_attention", &[0], query.dtype())?
    } else if average_attn_weights {
        crate::ops::reduce::mean(&p, Some(&[1]), false, None)?
    } else {
        p
    };
    Ok((out, weights))
}

/// Parameters of `aten::_transformer_encoder_layer_fwd` after the source tensor.
pub struct EncoderLayer<'a> {
    /// Model width.
    pub embed_dim: usize,
    /// Attention heads.
    pub num_heads: usize,
    /// Packed in-projection `[3D, D]` and its bias.
    pub qkv: (&'a Tensor, &'a Tensor),
    /// Out-projection weight and bias.
    pub proj: (&'a Tensor, &'a Tensor),
    /// GELU (else ReLU) in the feed-forward block.
    pub use_gelu: bool,
    /// Pre-norm (`norm_first`) instead of post-norm.
    pub norm_first: bool,
    /// Layer-norm epsilon.
    pub eps: f64,
    /// First and second layer norms (weight, bias).
    pub norm1: (&'a Tensor, &'a Tensor),
    /// Second layer norm.
    pub norm2: (&'a Tensor, &'a Tensor),
    /// Feed-forward linear layers (weight, bias).
    pub ffn1: (&'a Tensor, &'a Tensor),
    /// Second feed-forward layer.
    pub ffn2: (&'a Tensor, &'a Tensor),
}

/// `aten::_transformer_encoder_layer_fwd`: the fused inference path of
/// `nn.TransformerEncoderLayer` (batch-first `[B, T, D]`).
pub fn transformer_encoder_layer(
    src: &Tensor,
    p: &EncoderLayer<'_>,
    mask: Option<&Tensor>,
    mask_type: Option<i64>,
) -> Result<Tensor> {
    let ln = |x: &Tensor, n: (&Tensor, &Tensor)| {
        crate::ops::nn::norm::layer_norm(x, &[p.embed_dim as i64], Some(n.0), Some(n.1), p.eps)
    };
    let one = Scalar::Int(1);
    let x = if p.norm_first {
        ln(src, p.norm1)?
    } else {
        src.clone()
    };
    let (a, _) = native_multi_head_attention(
        &x,
        &x,
        &x,
        p.embed_dim,
        p.num_heads,
        p.qkv.0,
        p.qkv.1,
        p.proj.0,
        p.proj.1,
        mask,
        false,
        false,
        mask_type,
    )?;
    let mut x = add(&a, src, one)?;
    if !p.norm_first {
        x = ln(&x, p.norm1)?;
    }
    let pre = x.clone();
    let h = if p.norm_first { ln(&x, p.norm2)? } else { x };
    let h = crate::ops::linalg::linear(&h, p.ffn1.0, Some(p.ffn1.1))?;
    // `h` is this call's own fresh buffer: ReLU in place saves a `[T, ffn]` temporary.
    let h = if p.use_gelu {
        crate::ops::unary::gelu(&h, "none")?
    } else {
        crate::ops::unary::relu_(&h)?
    };
    let h = crate::ops::linalg::linear(&h, p.ffn2.0, Some(p.ffn2.1))?;
    let mut y = add(&h, &pre, one)?;
    if !p.norm_first {
        y = ln(&y, p.norm2)?;
    }
    Ok(y)
}
