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
            Ok(Value::Device("cpu".into()))
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
    b.op("aten::warn(str message, int stacklevel=2) -> ()", |a| {
        eprintln!("UserWarning: {}", str(a, 0)?);
        Ok(Value::None)
    });
}
