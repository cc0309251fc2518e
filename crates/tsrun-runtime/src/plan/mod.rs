//! Straight-line plans: a specialised function body with no control flow, flattened at load
//! time into a list of operator steps over numbered slots.
//!
//! Small models spend most of a call on overhead, not arithmetic. A plan removes the
//! tree-walk (no recursion through expressions), passes arguments to kernels by reference
//! (no clones of constant weights), runs load-time-prepared kernels ([`crate::ops::PreparedOp`],
//! e.g. `linear` with packed weights, fused with a following `relu`) and lets each step write
//! into the buffer it produced on the previous call ([`crate::ops::OutKernel`]): per thread,
//! the frame of slots survives between calls (see `frames`), so a steady-state call of an MLP
//! allocates nothing: the frame also keeps a handle on the tensor it returned (see `exec`), and
//! once the caller has dropped it, the step that produced it overwrites it on the next call.
//! Consecutive `linear` layers are chained into one step (`fuse`).
//!
//! Functions with control flow, calls, attribute access or anything else keep running through
//! the tree-walking interpreter (`crate::interp`); a plan is an optional fast form.

mod build;
mod exec;
mod frames;
mod fuse;

use std::sync::Arc;

use crate::ops::{Kernel, OpDef, OutKernel, PreparedOp};
use crate::value::Value;

pub(crate) use build::build;
pub(crate) use exec::{run, run_with};

/// A flattened straight-line function body.
pub struct Plan {
    /// Identifies this plan's cached frames.
    id: u64,
    steps: Box<[Step]>,
    /// Constant arguments, referred to by [`Src::Const`].
    consts: Box<[Value]>,
    /// What the function returns.
    ret: Src,
    /// The slot of the returned tensor when a recycling step (prepared or [`OutKernel`])
    /// produces it: the frame keeps its own handle on the result, so the next call can
    /// overwrite it once the caller has dropped theirs (never while they hold it).
    keep_ret: Option<u32>,
    /// Frame size: parameters, locals and temporaries.
    num_slots: usize,
    /// Leading slots holding the call's arguments (cleared after each call).
    num_params: usize,
    /// Whether any step (or the return) reads slot 0, a method's `self`: after specialisation
    /// a plan usually does not, and the caller can skip the reference count of passing it.
    reads_receiver: bool,
    /// Source file of the printed code, for error locations.
    file: Arc<str>,
}

impl Plan {
    /// Number of steps (for dumps and tests).
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when the plan has no step (the function returns a parameter or constant).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Number of leading slots that hold the arguments (the receiver included).
    pub(crate) fn num_params(&self) -> usize {
        self.num_params
    }

    /// Whether the plan reads slot 0 (a method's `self`); if not, the caller may leave it
    /// `None`.
    pub(crate) fn reads_receiver(&self) -> bool {
        self.reads_receiver
    }
}

/// Where a step reads a value from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    /// A frame slot, left in place.
    Slot(u32),
    /// A frame slot read for the last time: plain kernels get the value itself.
    Move(u32),
    /// `Plan::consts[i]`.
    Const(u32),
}

/// How a step runs its operator.
enum Run {
    /// The general kernel, on owned arguments.
    Plain(Kernel),
    /// The borrowing, recycling form.
    Out(OutKernel),
    /// A load-time preparation for the constant arguments.
    Prepared(Box<dyn PreparedOp>),
}

/// One instruction.
enum Step {
    /// `dst = op(args...)`.
    Op {
        /// The operator (for its name in errors).
        op: Arc<OpDef>,
        run: Run,
        args: Box<[Src]>,
        dst: u32,
        /// `dst`'s previous value may be handed to the kernel as a buffer to overwrite (false
        /// when `dst` is also an argument).
        recycle: bool,
        line: u32,
        col: u32,
    },
    /// `dst = (items...)`.
    Tuple { items: Box<[Src]>, dst: u32 },
    /// `dst = src`.
    Copy { src: Src, dst: u32 },
}
