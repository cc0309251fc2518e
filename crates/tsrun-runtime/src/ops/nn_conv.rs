//! Convolution and pooling operators (`torch.nn.functional.conv*d`, `*pool*d`).

use tsrun_tensor::ops::nn::{conv, pool};
use tsrun_tensor::Tensor;

use super::args::{bool, int, int_list, ok, opt_int, opt_tensor, str, tensor};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn list(a: &[Value], i: usize) -> RtResult<Vec<i64>> {
    Ok(int_list(a, i)?.to_vec())
}

fn params(
    a: &[Value],
    at: [usize; 3],
    transposed: bool,
    output_padding: Vec<i64>,
    groups: i64,
) -> RtResult<conv::ConvParams> {
    Ok(conv::ConvParams {
        stride: list(a, at[0])?,
        padding: list(a, at[1])?,
        dilation: list(a, at[2])?,
        transposed,
        output_padding,
        groups,
    })
}

fn run(a: &[Value], p: &conv::ConvParams) -> RtResult<Value> {
    ok(conv::convolution(
        tensor(a, 0)?,
        tensor(a, 1)?,
        opt_tensor(a, 2)?,
        p,
    )?)
}

/// `padding="same"|"valid"` as explicit symmetric padding; "same" with an odd
/// total padding is padded asymmetrically by aten, which tsrun does not do.
fn string_padding(a: &[Value], spatial: usize) -> RtResult<Vec<i64>> {
    let mode = str(a, 4)?;
    let w: &Tensor = tensor(a, 1)?;
    match mode {
        "valid" => Ok(vec![0; spatial]),
        "same" => {
            let stride = list(a, 3)?;
            if stride.iter().any(|&s| s != 1) {
                return Err(RuntimeError::new(
                    "padding='same' is not supported for strided convolutions",
                ));
            }
            let dil = list(a, 5)?;
            let mut pads = Vec::with_capacity(spatial);
            for d in 0..spatial {
                let k = *w.shape().get(2 + d).unwrap_or(&1) as i64;
                let dd = if dil.len() == 1 {
                    dil[0]
                } else {
                    *dil.get(d).unwrap_or(&1)
                };
                let total = dd * (k - 1);
                if total % 2 != 0 {
                    return Err(RuntimeError::new(
                        "padding='same' with an even effective kernel size is not supported",
                    ));
                }
                pads.push(total / 2);
            }
            Ok(pads)
        }
        other => Err(RuntimeError::new(format!(
            "Invalid padding string: '{other}'"
        ))),
    }
}

/// Schema of the convolution with a per-channel scale and shift that an eval-mode batch norm
/// folds into at load time (`optimize/fold_bn.rs`); never printed by PyTorch.
pub(crate) const CONV_SCALE_SHIFT: &str = "tsrun::conv_scale_shift(Tensor input, Tensor weight, Tensor? bias, Tensor scale, Tensor shift, SymInt[] stride, SymInt[] padding, SymInt[] dilation, SymInt groups) -> Tensor";

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(CONV_SCALE_SHIFT, |a| {
        let p = params(a, [5, 6, 7], false, vec![0], int(a, 8)?)?;
        ok(conv::convolution_scale_shift(
            tensor(a, 0)?,
            tensor(a, 1)?,
            opt_tensor(a, 2)?,
            tensor(a, 3)?,
            tensor(a, 4)?,
            &p,
        )?)
    });
    b.op("aten::_convolution(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, bool transposed, SymInt[] output_padding, SymInt groups, bool benchmark, bool deterministic, bool cudnn_enabled, bool allow_tf32) -> Tensor", |a| {
        let p = params(a, [3, 4, 5], bool(a, 6)?, list(a, 7)?, int(a, 8)?)?;
        run(a, &p)
    });
    b.op("aten::_convolution.deprecated(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, bool transposed, int[] output_padding, SymInt groups, bool benchmark, bool deterministic, bool cudnn_enabled) -> Tensor", |a| {
        let p = params(a, [3, 4, 5], bool(a, 6)?, list(a, 7)?, int(a, 8)?)?;
        run(a, &p)
    });
    b.op("aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], SymInt[2] padding=[0, 0], SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor", |a| {
        let p = params(a, [3, 4, 5], false, vec![0], int(a, 6)?)?;
        run(a, &p)
    });
    b.op("aten::conv1d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], SymInt[1] padding=[0], SymInt[1] dilation=[1], SymInt groups=1) -> Tensor", |a| {
        let p = params(a, [3, 4, 5], false, vec![0], int(a, 6)?)?;
        run(a, &p)
    });
    b.op("aten::conv2d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], str padding=\"valid\", SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor", |a| {
        let p = conv::ConvParams {
            stride: list(a, 3)?,
            padding: string_padding(a, 2)?,
            dilation: list(a, 5)?,
            transposed: false,
            output_padding: vec![0],
            groups: int(a, 6)?,
        };
        run(a, &p)
    });
    b.op("aten::conv1d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], str padding=\"valid\", SymInt[1] dilation=[1], SymInt groups=1) -> Tensor", |a| {
        let p = conv::ConvParams {
            stride: list(a, 3)?,
            padding: string_padding(a, 1)?,
            dilation: list(a, 5)?,
            transposed: false,
            output_padding: vec![0],
            groups: int(a, 6)?,
        };
        run(a, &p)
    });
    b.op("aten::conv_transpose2d.input(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], SymInt[2] padding=[0, 0], SymInt[2] output_padding=[0, 0], SymInt groups=1, SymInt[2] dilation=[1, 1]) -> Tensor", |a| {
        let p = params(a, [3, 4, 7], true, list(a, 5)?, int(a, 6)?)?;
        run(a, &p)
    });
    b.op("aten::conv_transpose1d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], SymInt[1] padding=[0], SymInt[1] output_padding=[0], SymInt groups=1, SymInt[1] dilation=[1]) -> Tensor", |a| {
        let p = params(a, [3, 4, 7], true, list(a, 5)?, int(a, 6)?)?;
        run(a, &p)
    });
    register_pool(b);
}

fn register_pool(b: &mut RegistryBuilder) {
    b.op("aten::max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> Tensor", |a| {
        ok(pool::max_pool(tensor(a, 0)?, 2, &list(a, 1)?, &list(a, 2)?, &list(a, 3)?, &list(a, 4)?, bool(a, 5)?)?)
    });
    b.op("aten::max_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], int[1] dilation=[1], bool ceil_mode=False) -> Tensor", |a| {
        ok(pool::max_pool(tensor(a, 0)?, 1, &list(a, 1)?, &list(a, 2)?, &list(a, 3)?, &list(a, 4)?, bool(a, 5)?)?)
    });
    b.op("aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor", |a| {
        ok(pool::avg_pool(tensor(a, 0)?, 2, &list(a, 1)?, &list(a, 2)?, &list(a, 3)?, bool(a, 4)?, bool(a, 5)?, opt_int(a, 6)?)?)
    });
    b.op("aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], bool ceil_mode=False, bool count_include_pad=True) -> Tensor", |a| {
        ok(pool::avg_pool(tensor(a, 0)?, 1, &list(a, 1)?, &list(a, 2)?, &list(a, 3)?, bool(a, 4)?, bool(a, 5)?, None)?)
    });
    b.op(
        "aten::adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor",
        |a| ok(pool::adaptive_avg_pool(tensor(a, 0)?, 2, &list(a, 1)?)?),
    );
    b.op(
        "aten::adaptive_avg_pool1d(Tensor self, int[1] output_size) -> Tensor",
        |a| ok(pool::adaptive_avg_pool(tensor(a, 0)?, 1, &list(a, 1)?)?),
    );
    b.op(
        "aten::adaptive_max_pool2d(Tensor self, int[2] output_size) -> (Tensor, Tensor)",
        |a| {
            let (y, i) = pool::adaptive_max_pool(tensor(a, 0)?, 2, &list(a, 1)?)?;
            Ok(Value::tuple(vec![Value::Tensor(y), Value::Tensor(i)]))
        },
    );
}
