//! Read-only views for tools and the `tsrun` facade: operator schemas as text (for
//! `tsrun ops` and `tsrun inspect`), plus the `From`/`TryFrom` conversions of [`Value`]
//! (in [`conversions`]; they must live in this crate because `Value` is defined here).
//!
//! Nothing here changes how a model loads or runs.
//!
//! [`Value`]: crate::Value

pub mod conversions;

use crate::ops::schema::{Schema, SchemaArg};
use crate::types::Type;

/// Every registered operator overload's schema, in registration order, one string each.
///
/// ```
/// let schemas = tsrun_runtime::introspect::op_schemas();
/// assert!(schemas.iter().any(|s| s.starts_with("aten::add.Tensor(")));
/// ```
pub fn op_schemas() -> Vec<String> {
    crate::ops::registry()
        .all()
        .iter()
        .map(|def| schema_text(&def.schema))
        .collect()
}

/// Operators the compiler turns into IR of its own instead of a registry call (see
/// `op_call` in compile/body.rs): supported, though `tsrun ops` does not list them.
const COMPILED_INLINE: &[&str] = &["aten::format"];

/// `true` if a call to the operator `name` (`aten::add`, `prim::NumToTensor`) can be
/// compiled: at least one overload is registered, or the compiler handles it itself.
///
/// ```
/// use tsrun_runtime::introspect::is_op_supported;
/// assert!(is_op_supported("aten::add"));
/// assert!(is_op_supported("aten::format"));
/// assert!(!is_op_supported("aten::no_such_op"));
/// ```
pub fn is_op_supported(name: &str) -> bool {
    COMPILED_INLINE.contains(&name) || !crate::ops::registry().candidates(name).is_empty()
}

/// A parsed schema printed back in PyTorch's schema syntax:
/// `aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor`.
///
/// The text is rebuilt from the parsed form, so it shows what tsrun understood (types,
/// defaults, keyword-only markers) rather than echoing the declaration.
///
/// ```
/// use tsrun_runtime::introspect::schema_text;
/// let def = &tsrun_runtime::ops::registry().candidates("aten::add")[0];
/// assert!(schema_text(&def.schema).starts_with("aten::add"));
/// ```
pub fn schema_text(s: &Schema) -> String {
    let mut args = Vec::with_capacity(s.args.len() + 1);
    let mut star_written = false;
    for a in &s.args {
        if a.kwarg_only && !star_written {
            args.push("*".to_string());
            star_written = true;
        }
        args.push(arg_text(a));
    }
    let rets: Vec<String> = s.returns.iter().map(type_text).collect();
    let ret = if s.returns.len() == 1 && !s.returns_tuple {
        rets[0].clone()
    } else {
        format!("({})", rets.join(", "))
    };
    format!("{}({}) -> {ret}", s.full_name(), args.join(", "))
}

fn arg_text(a: &SchemaArg) -> String {
    let mut ty = type_text(&a.ty);
    if let (Some(n), Some(stripped)) = (a.list_len, ty.strip_suffix("[]")) {
        ty = format!("{stripped}[{n}]");
    }
    match &a.default {
        Some(d) => format!("{ty} {}={}", a.name, default_text(d)),
        None => format!("{ty} {}", a.name),
    }
}

/// Defaults as PyTorch writes them (`None`, `True`, `[0, 0]`).
fn default_text(v: &crate::Value) -> String {
    use crate::Value;
    match v {
        Value::None => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Str(s) => format!("\"{s}\""),
        Value::List(_) | Value::Tuple(_) => {
            let items: Vec<String> = v
                .sequence_items()
                .unwrap_or_default()
                .iter()
                .map(default_text)
                .collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Schema spelling of a type: `Tensor?`, `int[]`, `Scalar`.
fn type_text(t: &Type) -> String {
    match t {
        Type::Optional(inner) => format!("{}?", type_text(inner)),
        Type::List(inner) => format!("{}[]", type_text(inner)),
        Type::Tuple(items) => {
            let items: Vec<String> = items.iter().map(type_text).collect();
            format!("({})", items.join(", "))
        }
        Type::Dict(k, v) => format!("Dict({}, {})", type_text(k), type_text(v)),
        Type::Future(inner) => format!("Future({})", type_text(inner)),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_tensor_round_trips() {
        let schemas = op_schemas();
        assert!(
            schemas
                .iter()
                .any(|s| s
                    == "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor"),
            "{:?}",
            schemas
                .iter()
                .filter(|s| s.starts_with("aten::add"))
                .collect::<Vec<_>>()
        );
    }
}
