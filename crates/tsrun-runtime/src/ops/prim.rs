//! `prim::` operators and identity tests: raising exceptions, `is`/`is not`, tensor dtype and
//! device queries, warnings.

use super::args::{opt_str, str, tensor};
use super::RegistryBuilder;
use crate::error::RuntimeError;
use crate::value::Value;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("prim::RaiseException(str msg, str? cls=None) -> ()", |a| {
        let msg = str(a, 0)?.to_string();
        // `raise ValueError(m)` prints the class as "builtins.ValueError"; PyTorch reports it
        // as `ValueError: m`. Without a class (failed asserts, whose message already starts
        // with "AssertionError: ") PyTorch reports a RuntimeError with the message as is.
        let class = opt_str(a, 1)?
            .map(|c| c.strip_prefix("builtins.").unwrap_or(c).to_string())
            .unwrap_or_else(|| "RuntimeError".to_string());
        Err(RuntimeError::exception(class, msg))
    });
    b.op("aten::__is__(t1 self, t2 obj) -> bool", |a| {
        Ok(Value::Bool(a[0].is_same(&a[1])))
    });
    b.op("aten::__isnot__(t1 self, t2 obj) -> bool", |a| {
        Ok(Value::Bool(!a[0].is_same(&a[1])))
    });
    b.op("prim::dtype(Tensor a) -> int", |a| {
        Ok(Value::Int(tensor(a, 0)?.dtype().code()))
    });
    b.op("prim::device(Tensor a) -> Device", |a| {
        tensor(a, 0)?;
        Ok(Value::Device("cpu".into()))
    });
    b.op("aten::device(str a) -> Device", |a| {
        let d = str(a, 0)?;
        if d == "cpu" || d.starts_with("cpu:") {
            Ok(Value::Device(d.into()))
        } else {
            Err(RuntimeError::new(format!(
                "device '{d}' is not available: tsrun runs on the CPU only"
            )))
        }
    });
    b.op("prim::is_cuda(Tensor a) -> bool", |a| {
        tensor(a, 0)?;
        Ok(Value::Bool(false))
    });
    b.op("prim::requires_grad(Tensor a) -> bool", |a| {
        tensor(a, 0)?;
        Ok(Value::Bool(false))
    });
    register_queries(b);
    b.op("aten::warn(str message, int stacklevel=2) -> ()", |a| {
        eprintln!("UserWarning: {}", str(a, 0)?);
        Ok(Value::None)
    });
}

/// Tensor and device property queries the printer emits for `x.is_cpu`, `x.layout`,
/// `x.device.type`, `x.get_device()`...: tsrun's tensors are always dense, strided, CPU,
/// unnamed and without autograd, so most answers are constants.
fn register_queries(b: &mut RegistryBuilder) {
    for (name, answer) in [
        ("is_cpu", true),
        ("is_sparse", false),
        ("is_sparse_csr", false),
        ("is_mkldnn", false),
        ("is_mps", false),
        ("is_xpu", false),
        ("is_xla", false),
        ("is_mtia", false),
        ("is_vulkan", false),
        ("is_ipu", false),
        ("is_quantized", false),
        ("is_meta", false),
        ("is_ort", false),
    ] {
        let kernel: super::Kernel = if answer {
            |a| tensor(a, 0).map(|_| Value::Bool(true))
        } else {
            |a| tensor(a, 0).map(|_| Value::Bool(false))
        };
        b.op(&format!("prim::{name}(Tensor a) -> bool"), kernel);
    }
    b.op("prim::layout(Tensor a) -> Layout", |a| {
        tensor(a, 0).map(|_| Value::Int(0))
    });
    b.op("prim::name(Tensor a) -> str?", |a| {
        tensor(a, 0).map(|_| Value::None)
    });
    b.op("aten::get_device(Tensor self) -> int", |a| {
        tensor(a, 0).map(|_| Value::Int(-1))
    });
    b.op("aten::is_autocast_enabled() -> bool", |_| {
        Ok(Value::Bool(false))
    });
    b.op("aten::is_autocast_cpu_enabled() -> bool", |_| {
        Ok(Value::Bool(false))
    });
    b.op("prim::type(Device self) -> str", |a| match a.first() {
        // "cpu" or "cpu:0": the type is the part before the index.
        Some(Value::Device(d)) => Ok(Value::str(d.split(':').next().unwrap_or(d))),
        _ => Err(RuntimeError::new("prim::type expects a device")),
    });
    b.op("aten::eq.device(Device a, Device b) -> bool", |a| {
        Ok(Value::Bool(super::values_equal(&a[0], &a[1])))
    });
    b.op("aten::ne.device(Device a, Device b) -> bool", |a| {
        Ok(Value::Bool(!super::values_equal(&a[0], &a[1])))
    });
    b.op(
        "aten::device.with_index(str type, int index) -> Device",
        |a| {
            let ty = str(a, 0)?;
            if ty != "cpu" {
                return Err(RuntimeError::new(format!(
                    "device '{ty}' is not available: tsrun runs on the CPU only"
                )));
            }
            Ok(Value::Device(
                format!("cpu:{}", super::args::int(a, 1)?).into(),
            ))
        },
    );
}
