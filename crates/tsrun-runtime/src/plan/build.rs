//! Flattening a specialised straight-line body into a [`Plan`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{Plan, Run, Src, Step};
use crate::function::{Block, Expr, StmtKind};
use crate::ops::OpDef;
use crate::value::Value;

/// Frames larger than this are not worth caching per thread; such bodies keep the
/// tree-walking interpreter.
const MAX_SLOTS: usize = 4096;

static NEXT_PLAN_ID: AtomicU64 = AtomicU64::new(1);

/// The plan for `body`, or `None` when it has control flow or expressions a plan does not
/// cover (the interpreter runs it instead). `num_slots` is the body's frame size, the first
/// `num_params` slots being the parameters.
pub(crate) fn build(
    body: &Block,
    num_slots: usize,
    num_params: usize,
    file: &Arc<str>,
) -> Option<Plan> {
    if std::env::var_os("TSRUN_NO_PLAN").is_some() {
        return None;
    }
    let (last, init) = body.split_last()?;
    let mut b = Builder {
        steps: Vec::new(),
        consts: Vec::new(),
        num_slots: u32::try_from(num_slots).ok()?,
    };
    for stmt in init {
        let at = (stmt.line, stmt.col);
        match &stmt.kind {
            StmtKind::Assign(slot, e) => b.assign(*slot, e, at)?,
            StmtKind::Expr(e) => {
                b.value(e, at)?;
            }
            StmtKind::Pass => {}
            _ => return None,
        }
    }
    let StmtKind::Return(e) = &last.kind else {
        return None;
    };
    let ret = b.value(e, (last.line, last.col))?;
    let steps = super::fuse::linear_chains(b.steps, ret, num_params);
    let keep_ret = kept_return(&steps, ret, num_params);
    let reads_receiver = num_params > 0 && reads_slot(&steps, ret, 0);
    let plan = Plan {
        id: NEXT_PLAN_ID.fetch_add(1, Ordering::Relaxed),
        steps: steps.into(),
        consts: b.consts.into(),
        ret,
        keep_ret,
        num_slots: b.num_slots as usize,
        num_params,
        reads_receiver,
        file: file.clone(),
    };
    in_bounds(&plan).then_some(plan)
}

struct Builder {
    steps: Vec<Step>,
    consts: Vec<Value>,
    /// Slots in use so far: the body's own, then temporaries.
    num_slots: u32,
}

impl Builder {
    fn temp(&mut self) -> Option<u32> {
        let t = self.num_slots;
        self.num_slots = self.num_slots.checked_add(1)?;
        Some(t)
    }

    /// `slot = e`.
    fn assign(&mut self, slot: u32, e: &Expr, at: (u32, u32)) -> Option<()> {
        if let Expr::Op(op, args) = e {
            return self.op_into(op, args, slot, at);
        }
        let src = self.value(e, at)?;
        self.steps.push(Step::Copy { src, dst: slot });
        Some(())
    }

    /// Steps computing `e`, and where its value is then found.
    fn value(&mut self, e: &Expr, at: (u32, u32)) -> Option<Src> {
        Some(match e {
            Expr::Local(s) => Src::Slot(*s),
            Expr::Move(s) => Src::Move(*s),
            Expr::Const(v) => {
                self.consts.push(v.clone());
                Src::Const(u32::try_from(self.consts.len() - 1).ok()?)
            }
            Expr::Op(op, args) => {
                let t = self.temp()?;
                self.op_into(op, args, t, at)?;
                Src::Move(t)
            }
            Expr::MakeTuple(items) => {
                let items = items
                    .iter()
                    .map(|x| self.value(x, at))
                    .collect::<Option<Box<[Src]>>>()?;
                let t = self.temp()?;
                self.steps.push(Step::Tuple { items, dst: t });
                Src::Move(t)
            }
            _ => return None,
        })
    }

    /// `dst = op(args...)`, choosing the fastest form the op offers.
    fn op_into(&mut self, op: &Arc<OpDef>, args: &[Expr], dst: u32, at: (u32, u32)) -> Option<()> {
        // `relu(f(...))` where `f` can be prepared with a fused relu: one step.
        if op.schema.full_name() == "aten::relu" {
            if let [Expr::Op(inner, inner_args)] = args {
                if let Some(prepare) = inner.prepare {
                    let srcs = self.values(inner_args, at)?;
                    let consts = self.known(&srcs);
                    if let Some(p) = prepare(&consts, true) {
                        self.push_op(inner, Run::Prepared(p), srcs, dst, at);
                        return Some(());
                    }
                    // Not preparable after all: compute `f` into a temporary, then relu.
                    let t = self.temp()?;
                    self.push_simple(inner, srcs, t, at);
                    self.push_simple(op, vec![Src::Move(t)], dst, at);
                    return Some(());
                }
            }
        }
        let srcs = self.values(args, at)?;
        self.push_simple(op, srcs, dst, at);
        Some(())
    }

    fn values(&mut self, args: &[Expr], at: (u32, u32)) -> Option<Vec<Src>> {
        args.iter().map(|a| self.value(a, at)).collect()
    }

    /// The constant arguments among `srcs`, for preparation.
    fn known<'a>(&'a self, srcs: &[Src]) -> Vec<Option<&'a Value>> {
        srcs.iter()
            .map(|s| match s {
                Src::Const(i) => self.consts.get(*i as usize),
                _ => None,
            })
            .collect()
    }

    /// A step for `op` without fusion: prepared, recycling or plain, in that preference.
    fn push_simple(&mut self, op: &Arc<OpDef>, srcs: Vec<Src>, dst: u32, at: (u32, u32)) {
        let prepared = op
            .prepare
            .and_then(|prepare| prepare(&self.known(&srcs), false));
        let run = match (prepared, op.out) {
            (Some(p), _) => Run::Prepared(p),
            (None, Some(out)) => Run::Out(out),
            (None, None) => Run::Plain(op.kernel),
        };
        self.push_op(op, run, srcs, dst, at);
    }

    fn push_op(&mut self, op: &Arc<OpDef>, run: Run, srcs: Vec<Src>, dst: u32, at: (u32, u32)) {
        let recycle = !srcs
            .iter()
            .any(|s| matches!(s, Src::Slot(x) | Src::Move(x) if *x == dst));
        self.steps.push(Step::Op {
            op: op.clone(),
            run,
            args: srcs.into(),
            dst,
            recycle,
            line: at.0,
            col: at.1,
        });
    }
}

/// The returned slot, when the last step writing it recycles its previous value (a prepared
/// or out form, allowed to recycle): only such a step can reuse the returned buffer. Not a
/// parameter, which is the caller's value.
fn kept_return(steps: &[Step], ret: Src, num_params: usize) -> Option<u32> {
    let (Src::Slot(s) | Src::Move(s)) = ret else {
        return None;
    };
    if (s as usize) < num_params {
        return None;
    }
    let last_write = steps.iter().rev().find(|step| match step {
        Step::Op { dst, .. } | Step::Tuple { dst, .. } | Step::Copy { dst, .. } => *dst == s,
    })?;
    match last_write {
        Step::Op {
            run: Run::Out(_) | Run::Prepared(_),
            recycle: true,
            ..
        } => Some(s),
        _ => None,
    }
}

/// Whether any step or the return reads `slot`.
fn reads_slot(steps: &[Step], ret: Src, slot: u32) -> bool {
    let is = |s: &Src| matches!(*s, Src::Slot(x) | Src::Move(x) if x == slot);
    is(&ret)
        || steps.iter().any(|step| match step {
            Step::Op { args, .. } => args.iter().any(is),
            Step::Tuple { items, .. } => items.iter().any(is),
            Step::Copy { src, .. } => is(src),
        })
}

/// Every slot and constant index is inside the frame and constant table, so the executor's
/// indexing cannot fail.
fn in_bounds(plan: &Plan) -> bool {
    if plan.num_slots > MAX_SLOTS || plan.num_params > plan.num_slots {
        return false;
    }
    let src_ok = |s: &Src| match *s {
        Src::Slot(x) | Src::Move(x) => (x as usize) < plan.num_slots,
        Src::Const(i) => (i as usize) < plan.consts.len(),
    };
    let slot_ok = |x: u32| (x as usize) < plan.num_slots;
    src_ok(&plan.ret)
        && plan.keep_ret.is_none_or(slot_ok)
        && plan.steps.iter().all(|step| match step {
            Step::Op { args, dst, .. } => slot_ok(*dst) && args.iter().all(src_ok),
            Step::Tuple { items, dst } => slot_ok(*dst) && items.iter().all(src_ok),
            Step::Copy { src, dst } => slot_ok(*dst) && src_ok(src),
        })
}
