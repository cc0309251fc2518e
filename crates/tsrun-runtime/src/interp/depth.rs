//! A bound on the nesting of TorchScript calls on one thread.
//!
//! TorchScript has no recursion, so a real model's call depth is the nesting of its modules and
//! functions (tens at most). A crafted archive can still make a method call itself; without this
//! bound the interpreter would overflow the native stack, which aborts the whole process instead
//! of returning an error. The limit also has to fit a 2 MiB thread stack (Rust's default for
//! spawned threads) in a debug build.

use std::cell::Cell;

use crate::error::{RtResult, RuntimeError};
use crate::function::FunctionRef;

/// Deepest accepted nesting of calls (CPython's own default limit is 1000 frames).
pub(crate) const MAX_CALL_DEPTH: u32 = 200;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// One level of call nesting, released when dropped (on every return path, errors included).
pub(super) struct CallDepth(());

impl CallDepth {
    /// Enters a call to `f`, or fails with Python's `RecursionError` past [`MAX_CALL_DEPTH`].
    pub(super) fn enter(f: &FunctionRef) -> RtResult<CallDepth> {
        DEPTH.with(|d| {
            let depth = d.get();
            if depth >= MAX_CALL_DEPTH {
                return Err(RuntimeError::exception(
                    "RecursionError",
                    format!(
                        "maximum recursion depth ({MAX_CALL_DEPTH}) exceeded calling {}",
                        f.qualified_name
                    ),
                ));
            }
            d.set(depth + 1);
            Ok(CallDepth(()))
        })
    }
}

impl Drop for CallDepth {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}
