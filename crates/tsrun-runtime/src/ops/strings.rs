//! String operators (`aten::add.str`, `aten::format`, `aten::str`, `aten::eq.str`...).

use super::args::str;
use super::RegistryBuilder;
use crate::value::Value;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::add.str(str a, str b) -> str", |a| {
        Ok(Value::str(&format!("{}{}", str(a, 0)?, str(a, 1)?)))
    });
    b.op("aten::eq.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)? == str(a, 1)?))
    });
    b.op("aten::ne.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)? != str(a, 1)?))
    });
    b.op("aten::len.str(str s) -> int", |a| {
        Ok(Value::Int(str(a, 0)?.chars().count() as i64))
    });
    b.op("aten::str(t elem) -> str", |a| {
        Ok(Value::str(&crate::display::python_str(&a[0])))
    });
}
