//! The allow-list of pickle `GLOBAL`s: everything else is refused by name.

use std::sync::Arc;

use super::value::StorageDType;

/// A `GLOBAL` that the machine knows how to use as plain data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Global {
    /// A `__torch__.*` class (not `__torch__.torch.classes.*`), qualified name.
    TorchClass(Arc<str>),
    /// `torch._utils._rebuild_tensor_v2`.
    RebuildTensorV2,
    /// `collections.OrderedDict` (only called with `()`).
    OrderedDict,
    /// `torch.<X>Storage`: only valid inside a persistent id.
    Storage(StorageDType),
    /// `torch.jit._pickle.build_intlist`.
    BuildIntList,
    /// `torch.jit._pickle.build_doublelist`.
    BuildDoubleList,
    /// `torch.jit._pickle.build_boollist`.
    BuildBoolList,
    /// `torch.jit._pickle.build_tensorlist`.
    BuildTensorList,
    /// `torch.jit._pickle.restore_type_tag`.
    RestoreTypeTag,
    /// `torch.device`.
    Device,
}

/// Why a `GLOBAL` was refused.
#[derive(Debug, PartialEq)]
pub(crate) enum Refusal {
    /// Not on the allow-list at all.
    Unsupported,
    /// Recognised but deliberately unsupported; the message says why.
    Explained(String),
}

/// `true` for a dotted identifier path such as `__torch__.a.___torch_mangle_3`.
fn is_dotted_ident(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !part.as_bytes().first().is_some_and(|b| b.is_ascii_digit())
        })
}

/// Maps `module` + `name` of a `GLOBAL` opcode to an allowed global.
pub(crate) fn resolve(module: &str, name: &str) -> Result<Global, Refusal> {
    if module == "__torch__" || module.starts_with("__torch__.") {
        if !is_dotted_ident(module) || !is_dotted_ident(name) || name.contains('.') {
            return Err(Refusal::Unsupported);
        }
        if module == "__torch__.torch.classes" || module.starts_with("__torch__.torch.classes.") {
            return Err(Refusal::Explained(format!(
                "quantized model (torchbind class {module}.{name}) not supported"
            )));
        }
        return Ok(Global::TorchClass(Arc::from(format!("{module}.{name}"))));
    }
    Ok(match (module, name) {
        ("torch._utils", "_rebuild_tensor_v2") => Global::RebuildTensorV2,
        ("torch._utils", "_rebuild_qtensor")
        | ("torch", "QInt8Storage" | "QUInt8Storage" | "QInt32Storage" | "QUInt4x2Storage")
        | ("torch", "per_tensor_affine" | "per_channel_affine") => {
            return Err(Refusal::Explained(format!(
                "quantized model ({module}.{name}) not supported"
            )))
        }
        ("collections", "OrderedDict") => Global::OrderedDict,
        ("torch.jit._pickle", "build_intlist") => Global::BuildIntList,
        ("torch.jit._pickle", "build_doublelist") => Global::BuildDoubleList,
        ("torch.jit._pickle", "build_boollist") => Global::BuildBoolList,
        ("torch.jit._pickle", "build_tensorlist") => Global::BuildTensorList,
        ("torch.jit._pickle", "restore_type_tag") => Global::RestoreTypeTag,
        ("torch", "device") => Global::Device,
        ("torch", storage) => match StorageDType::from_storage_class(storage) {
            Some(dtype) => Global::Storage(dtype),
            None => return Err(Refusal::Unsupported),
        },
        _ => return Err(Refusal::Unsupported),
    })
}

impl Global {
    /// `module.name` as written in the pickle, for error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::TorchClass(c) => c.to_string(),
            Self::RebuildTensorV2 => "torch._utils._rebuild_tensor_v2".into(),
            Self::OrderedDict => "collections.OrderedDict".into(),
            Self::Storage(d) => format!("torch storage class of {}", d.name()),
            Self::BuildIntList => "torch.jit._pickle.build_intlist".into(),
            Self::BuildDoubleList => "torch.jit._pickle.build_doublelist".into(),
            Self::BuildBoolList => "torch.jit._pickle.build_boollist".into(),
            Self::BuildTensorList => "torch.jit._pickle.build_tensorlist".into(),
            Self::RestoreTypeTag => "torch.jit._pickle.restore_type_tag".into(),
            Self::Device => "torch.device".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list() {
        assert_eq!(
            resolve("__torch__.torch.nn.modules.linear", "Linear"),
            Ok(Global::TorchClass(Arc::from(
                "__torch__.torch.nn.modules.linear.Linear"
            )))
        );
        assert_eq!(
            resolve("__torch__", "MyCell"),
            Ok(Global::TorchClass(Arc::from("__torch__.MyCell")))
        );
        assert_eq!(
            resolve("torch", "FloatStorage"),
            Ok(Global::Storage(StorageDType::F32))
        );
        assert_eq!(resolve("posix", "system"), Err(Refusal::Unsupported));
        assert_eq!(resolve("torch", "load"), Err(Refusal::Unsupported));
        assert_eq!(resolve("__torch__x", "A"), Err(Refusal::Unsupported));
        assert_eq!(resolve("__torch__", "a b"), Err(Refusal::Unsupported));
        assert!(matches!(
            resolve("__torch__.torch.classes.quantized", "LinearPackedParamsBase"),
            Err(Refusal::Explained(m)) if m.contains("torchbind class __torch__.torch.classes.quantized.LinearPackedParamsBase")
        ));
        assert!(matches!(
            resolve("torch._utils", "_rebuild_qtensor"),
            Err(Refusal::Explained(_))
        ));
    }
}
