//! Load-time specialisation of compiled code for the loaded module tree ("freezing" without
//! changing the archive): once the root object is known, every `self.attr` that no code ever
//! reassigns is a constant, every submodule call has a known target, and small callees can
//! be inlined. What is left for `forward` is mostly a straight line of kernel calls.
//!
//! Passes, per specialised function (see `specialize.rs`):
//! 1. substitute constant arguments (the receiver object, literal flags like `inplace=False`);
//! 2. fold attribute reads of constant objects, `if` on constant conditions, locals assigned
//!    once from a constant;
//! 3. specialise callees on their constant arguments and inline those that reduce to a
//!    single `return <expr>`;
//! 4. fold an eval-mode `batch_norm` into the convolution feeding it (`fold_bn.rs`;
//!    `TSRUN_NO_FOLD_BN=1` turns this off);
//! 5. turn the last read of a local into a move, so kernels may reuse uniquely-owned buffers.
//!
//! Semantics are preserved: attributes written anywhere (`self.x = ...`) are never folded,
//! and objects, lists and tensors stay shared (a folded constant is the same handle).

mod analysis;
mod fold_bn;
mod specialize;

pub use specialize::Optimizer;
