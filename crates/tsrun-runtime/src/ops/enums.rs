//! Enum members (`(c).value`, `(c).name`, `==`/`!=` on members) and the remaining language
//! `prim::`/`aten::` helpers with generic schemas: `torch.wait` on a `fork` result, the
//! grad-mode switch that `with torch.no_grad():` prints, and the profiler hooks that
//! `with torch.autograd.profiler.record_function(name):` prints (no-ops: tsrun has no
//! profiler, and the block's result does not depend on them).
//!
//! Registered last: schemas over `AnyEnumType` bind any type, so they must only be reached
//! when no specific overload matched.

use std::cell::Cell;

use super::args::bool;
use super::containers::values_equal;
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

thread_local! {
    /// `torch.is_grad_enabled()`: on by default, switched by `no_grad`'s `__enter__`/`__exit__`.
    /// tsrun computes no gradients; the flag is kept only so code that reads it sees PyTorch's
    /// values.
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

fn member(args: &[Value]) -> RtResult<&crate::value::EnumValue> {
    match args.first() {
        Some(Value::Enum(e)) => Ok(e),
        other => Err(RuntimeError::new(format!(
            "expected an enum member, got {}",
            other.map(Value::kind_name).unwrap_or("nothing")
        ))),
    }
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("prim::EnumName(AnyEnumType enum) -> str", |a| {
        Ok(Value::str(&member(a)?.name))
    });
    b.op("prim::EnumValue(AnyEnumType enum) -> Any", |a| {
        Ok(member(a)?.value.clone())
    });
    b.op("aten::eq.enum(AnyEnumType a, AnyEnumType b) -> bool", |a| {
        Ok(Value::Bool(values_equal(&a[0], &a[1])))
    });
    b.op("aten::ne.enum(AnyEnumType a, AnyEnumType b) -> bool", |a| {
        Ok(Value::Bool(!values_equal(&a[0], &a[1])))
    });
    // `fork` runs its closure at once and stores the result itself (compile/body.rs).
    b.op("aten::wait(Future(t) self) -> t", |a| {
        Ok(match std::mem::take(&mut a[0]) {
            Value::Future(v) => (*v).clone(),
            v => v,
        })
    });
    // The record handle only has to be non-None for record_function.__exit__'s check.
    b.op(
        "profiler::_record_function_enter_new(str name, str? args=None) -> Any",
        |a| {
            Ok(Value::str(&format!(
                "<record_function {}>",
                super::args::str(a, 0)?
            )))
        },
    );
    b.op(
        "profiler::_record_function_enter(str name, str? args=None) -> Any",
        |a| {
            Ok(Value::str(&format!(
                "<record_function {}>",
                super::args::str(a, 0)?
            )))
        },
    );
    b.op("profiler::_record_function_exit(Any record) -> ()", |_| {
        Ok(Value::None)
    });
    b.op(
        "profiler::_call_end_callbacks_on_jit_fut(Any record, Future(t) fut) -> Future(t)",
        |a| Ok(std::mem::take(&mut a[1])),
    );
    b.op("aten::is_grad_enabled() -> bool", |_| {
        Ok(Value::Bool(GRAD_ENABLED.with(Cell::get)))
    });
    b.op("aten::set_grad_enabled(bool val) -> ()", |a| {
        let on = bool(a, 0)?;
        GRAD_ENABLED.with(|g| g.set(on));
        Ok(Value::None)
    });
}
