//! Normalization operators (`batch_norm`, `layer_norm`, `group_norm`, `instance_norm`).

use tsrun_tensor::ops::nn::norm;

use super::args::{bool, float, int, int_list, ok, opt_tensor, tensor};
use super::RegistryBuilder;
use crate::value::Value;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled) -> Tensor", |a| {
        ok(norm::batch_norm(tensor(a, 0)?, opt_tensor(a, 1)?, opt_tensor(a, 2)?, opt_tensor(a, 3)?, opt_tensor(a, 4)?, bool(a, 5)?, float(a, 7)?)?)
    });
    b.op("aten::instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool use_input_stats, float momentum, float eps, bool cudnn_enabled) -> Tensor", |a| {
        // Instance norm = group norm with one group per channel when using input stats.
        let x = tensor(a, 0)?;
        if !bool(a, 5)? {
            return ok(norm::batch_norm(x, opt_tensor(a, 1)?, opt_tensor(a, 2)?, opt_tensor(a, 3)?, opt_tensor(a, 4)?, false, float(a, 7)?)?);
        }
        let c = *x.shape().get(1).unwrap_or(&1) as i64;
        ok(norm::group_norm(x, c, opt_tensor(a, 1)?, opt_tensor(a, 2)?, float(a, 7)?)?)
    });
    b.op("aten::layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enable=True) -> Tensor", |a| {
        ok(norm::layer_norm(tensor(a, 0)?, &int_list(a, 1)?, opt_tensor(a, 2)?, opt_tensor(a, 3)?, float(a, 4)?)?)
    });
    b.op("aten::group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enabled=True) -> Tensor", |a| {
        ok(norm::group_norm(tensor(a, 0)?, int(a, 1)?, opt_tensor(a, 2)?, opt_tensor(a, 3)?, float(a, 4)?)?)
    });
    let _ = Value::None;
}
