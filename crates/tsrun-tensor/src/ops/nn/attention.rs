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
