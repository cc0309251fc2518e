//! The fused transformer inference ops that traced (and, under no_grad, scripted)
//! `nn.TransformerEncoderLayer` / `nn.MultiheadAttention` archives record.

use tsrun_tensor::ops::nn::attention::{
    native_multi_head_attention, transformer_encoder_layer, EncoderLayer,
};

use super::args::{bool, float, int, ok, opt_int, opt_tensor, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn usize_arg(a: &[Value], i: usize) -> RtResult<usize> {
    let v = int(a, i)?;
    usize::try_from(v)
        .map_err(|_| RuntimeError::new(format!("argument {i} must be non-negative, got {v}")))
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::_native_multi_head_attention(Tensor query, Tensor key, Tensor value, int embed_dim, int num_head, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, Tensor? mask=None, bool need_weights=True, bool average_attn_weights=True, int? mask_type=None) -> (Tensor, Tensor)", |a| {
        let (o, w) = native_multi_head_attention(
            tensor(a, 0)?, tensor(a, 1)?, tensor(a, 2)?, usize_arg(a, 3)?, usize_arg(a, 4)?,
            tensor(a, 5)?, tensor(a, 6)?, tensor(a, 7)?, tensor(a, 8)?, opt_tensor(a, 9)?,
            bool(a, 10)?, bool(a, 11)?, opt_int(a, 12)?,
        )?;
        Ok(Value::tuple(vec![Value::Tensor(o), Value::Tensor(w)]))
    });
    b.op("aten::_transformer_encoder_layer_fwd(Tensor src, int embed_dim, int num_heads, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, bool use_gelu, bool norm_first, float eps, Tensor norm_weight_1, Tensor norm_bias_1, Tensor norm_weight_2, Tensor norm_bias_2, Tensor ffn_weight_1, Tensor ffn_bias_1, Tensor ffn_weight_2, Tensor ffn_bias_2, Tensor? mask=None, int? mask_type=None) -> Tensor", |a| {
        let p = EncoderLayer {
            embed_dim: usize_arg(a, 1)?,
            num_heads: usize_arg(a, 2)?,
            qkv: (tensor(a, 3)?, tensor(a, 4)?),
            proj: (tensor(a, 5)?, tensor(a, 6)?),
            use_gelu: bool(a, 7)?,
            norm_first: bool(a, 8)?,
            eps: float(a, 9)?,
            norm1: (tensor(a, 10)?, tensor(a, 11)?),
            norm2: (tensor(a, 12)?, tensor(a, 13)?),
            ffn1: (tensor(a, 14)?, tensor(a, 15)?),
            ffn2: (tensor(a, 16)?, tensor(a, 17)?),
        };
        ok(transformer_encoder_layer(tensor(a, 0)?, &p, opt_tensor(a, 18)?, opt_int(a, 19)?)?)
    });
}
