//! Running a [`Plan`].

use smallvec::SmallVec;

use super::{frames, Plan, Run, Src, Step};
use crate::error::{Location, RtResult};
use crate::value::Value;

/// Tensors kept in a cached frame between calls, at most this many bytes per frame: enough
/// for every intermediate of a small model, bounded for large ones.
const KEEP_BYTES: usize = 4 << 20;

/// Calls the plan with the function's arguments (moved out of `args`).
pub(crate) fn run(plan: &Plan, args: &mut [Value]) -> RtResult<Value> {
    run_with(plan, |params| {
        for (cell, a) in params.iter_mut().zip(args.iter_mut()) {
            *cell = std::mem::take(a);
        }
        Ok(())
    })
}

/// Calls the plan with its parameter slots (the receiver first) filled in place by `bind`:
/// arguments are moved once, straight into the frame. An error from `bind` (e.g. a failed
/// signature check) is the call's error; the frame is released either way.
pub(crate) fn run_with(
    plan: &Plan,
    bind: impl FnOnce(&mut [Value]) -> RtResult<()>,
) -> RtResult<Value> {
    let mut frame = frames::take(plan.id, plan.num_slots);
    // `frames::take` gives `num_slots` slots and `build` checked `num_params <= num_slots`.
    let result = match frame.get_mut(..plan.num_params) {
        Some(params) => bind(params).and_then(|()| exec(plan, &mut frame)),
        None => Err(crate::error::RuntimeError::new(
            "internal error: a plan's frame is smaller than its parameters",
        )),
    };
    release(plan, &mut frame);
    frames::put(plan.id, frame);
    result
}

fn exec(plan: &Plan, frame: &mut [Value]) -> RtResult<Value> {
    for step in plan.steps.iter() {
        match step {
            Step::Op {
                op,
                run,
                args,
                dst,
                recycle,
                line,
                col,
            } => {
                let dst = *dst as usize;
                let result = match run {
                    Run::Plain(kernel) => {
                        let mut owned: SmallVec<[Value; 8]> =
                            args.iter().map(|s| owned(plan, frame, *s)).collect();
                        kernel(&mut owned).map(|v| frame[dst] = v)
                    }
                    Run::Out(kernel) => {
                        let mut out = previous(frame, dst, *recycle);
                        let r = with_borrowed(plan, frame, args, |a| kernel(a, &mut out));
                        frame[dst] = out;
                        r
                    }
                    Run::Prepared(prepared) => {
                        let mut out = previous(frame, dst, *recycle);
                        let r = with_borrowed(plan, frame, args, |a| prepared.run(a, &mut out));
                        frame[dst] = out;
                        r
                    }
                };
                if let Err(e) = result {
                    return Err(crate::interp::name_op_in_error(op, e).with_location(|| {
                        Location {
                            file: plan.file.clone(),
                            line: *line,
                            col: *col,
                        }
                    }));
                }
            }
            Step::Tuple { items, dst } => {
                let v: Vec<Value> = items.iter().map(|s| owned(plan, frame, *s)).collect();
                frame[*dst as usize] = Value::Tuple(v.into());
            }
            Step::Copy { src, dst } => {
                frame[*dst as usize] = owned(plan, frame, *src);
            }
        }
    }
    Ok(match plan.ret {
        Src::Slot(s) | Src::Move(s) => returned(plan, frame, s as usize),
        Src::Const(i) => plan.consts[i as usize].clone(),
    })
}

/// The result in slot `s`, for the caller. The frame keeps a handle on a kept return
/// (`Plan::keep_ret`): on the next call the producing step finds it again as its previous
/// output, and overwrites it only if the caller has dropped theirs by then (`overwrite_as`
/// reuses a buffer only when one handle is left), so two results never share a buffer.
#[inline]
fn returned(plan: &Plan, frame: &mut [Value], s: usize) -> Value {
    match &frame[s] {
        Value::Tensor(t) if plan.keep_ret == Some(s as u32) => Value::Tensor(t.clone()),
        // Otherwise the result leaves the frame: it is the caller's now.
        _ => std::mem::take(&mut frame[s]),
    }
}

/// `dst`'s value from the previous call, for the step that recomputes it to overwrite.
#[inline]
fn previous(frame: &mut [Value], dst: usize, recycle: bool) -> Value {
    if recycle {
        std::mem::take(&mut frame[dst])
    } else {
        Value::None
    }
}

#[inline]
fn owned(plan: &Plan, frame: &mut [Value], s: Src) -> Value {
    match s {
        Src::Slot(x) => frame[x as usize].clone(),
        Src::Move(x) => std::mem::take(&mut frame[x as usize]),
        Src::Const(i) => plan.consts[i as usize].clone(),
    }
}

/// Filler for unused entries of the argument array.
static NO_VALUE: Value = Value::None;

/// Calls `f` with the arguments borrowed from the frame and constants: a fixed array on the
/// stack for the usual few arguments (no allocation, no length bookkeeping per push).
#[inline]
fn with_borrowed<R>(
    plan: &Plan,
    frame: &[Value],
    args: &[Src],
    f: impl FnOnce(&[&Value]) -> R,
) -> R {
    let get = |s: &Src| match *s {
        Src::Slot(x) | Src::Move(x) => &frame[x as usize],
        Src::Const(i) => &plan.consts[i as usize],
    };
    const N: usize = 6;
    if args.len() <= N {
        let mut refs: [&Value; N] = [&NO_VALUE; N];
        for (r, s) in refs.iter_mut().zip(args) {
            *r = get(s);
        }
        f(&refs[..args.len()])
    } else {
        let refs: Vec<&Value> = args.iter().map(get).collect();
        f(&refs)
    }
}

/// After a call: the arguments are dropped (the frame must not keep the caller's values
/// alive), and of the rest only solely-owned tensors and the kept return (shared with the
/// caller, see [`returned`]) are kept for recycling, within the byte budget.
fn release(plan: &Plan, frame: &mut [Value]) {
    let num_params = plan.num_params.min(frame.len());
    let (params, rest) = frame.split_at_mut(num_params);
    for cell in params {
        *cell = Value::None;
    }
    let ret = plan.keep_ret.map(|s| s as usize);
    let mut kept = 0usize;
    for (i, cell) in rest.iter_mut().enumerate() {
        let keep = match cell {
            Value::None => continue,
            Value::Tensor(t) if t.is_sole_owner() || ret == Some(num_params + i) => {
                kept = kept.saturating_add(t.storage().nbytes());
                kept <= KEEP_BYTES
            }
            _ => false,
        };
        if !keep {
            *cell = Value::None;
        }
    }
}
