//! The message for a call of an operator tsrun does not implement.
//!
//! Most unknown operators get a plain "not implemented"; MKLDNN (oneDNN layout) operators get
//! the reason they appear and what to do instead, because the archives that call them are ones
//! nobody can run: `torch.jit.optimize_for_inference` on a PyTorch built with MKLDNN moves the
//! frozen convolution and linear weights into `prim::ConstantMKLDNNTensor` nodes, and
//! `torch.jit.save` writes those nodes without their values (frozen_ops_to_mkldnn.cpp registers
//! the op apart from `prim::Constant` precisely because it does not serialize), so the archive
//! has lost its weights and PyTorch's own `torch.jit.load` rejects it.

/// Whether `name` is an MKLDNN-layout operator (`aten::to_mkldnn`, `prim::mkldnn_convolution`,
/// `prim::ConstantMKLDNNTensor`, `prim::BroadcastMKLDNNTensors`, `prim::MKLDNNHardSwish`, ...).
fn is_mkldnn_op(name: &str) -> bool {
    name.to_ascii_lowercase().contains("mkldnn")
}

/// The one-line message for a call of `name`, which has no registered overload.
pub(super) fn unknown_op_message(name: &str) -> String {
    if is_mkldnn_op(name) {
        format!(
            "unknown operator '{name}': an MKLDNN-only op (oneDNN tensor layout), as \
             torch.jit.optimize_for_inference writes on a PyTorch built with MKLDNN; tsrun \
             computes on dense tensors and does not implement it. An archive saved after \
             optimize_for_inference does not load in PyTorch either: its weights sit in \
             prim::ConstantMKLDNNTensor nodes, which torch.jit.save writes without their values \
             (torch.jit.load fails with \"required keyword attribute 'value' is undefined\"). \
             Save the model after torch.jit.freeze, without optimize_for_inference."
        )
    } else {
        format!("unknown operator '{name}': tsrun does not implement it")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mkldnn_ops_get_the_reason() {
        for op in [
            "aten::to_mkldnn",
            "prim::ConstantMKLDNNTensor",
            "prim::mkldnn_convolution",
        ] {
            let m = unknown_op_message(op);
            assert!(m.contains(op) && m.contains("MKLDNN-only"), "{m}");
        }
        let m = unknown_op_message("aten::frobnicate");
        assert!(!m.contains("MKLDNN"), "{m}");
    }
}
