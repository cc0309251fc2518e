//! Attention operators: `scaled_dot_product_attention` (what scripted
//! `nn.MultiheadAttention` calls).

use tsrun_tensor::ops::nn::attention;

use super::args::{bool, float, ok, opt_tensor, tensor};
use super::RegistryBuilder;
use crate::error::RuntimeError;
use crate::value::Value;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, float dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor", |a| {
        if bool(a, 7)? {
            return Err(RuntimeError::new("scaled_dot_product_attention: enable_gqa is not supported"));
        }
        let scale = match a.get(6) {
            Some(Value::None) | None => None,
            _ => Some(float(a, 6)?),
        };
        ok(attention::scaled_dot_product_attention(
            tensor(a, 0)?, tensor(a, 1)?, tensor(a, 2)?, opt_tensor(a, 3)?, float(a, 4)?, bool(a, 5)?, scale,
        )?)
    });
}
