//! Facts about a function body that the passes need: how often each local is assigned and
//! read, and whether inside a loop; which object attributes the program ever assigns.

use std::collections::HashSet;
use std::sync::Arc;

use crate::class::ClassType;
use crate::compile::Program;
use crate::function::{Block, Expr, StmtKind};

/// Per-slot usage counts.
#[derive(Default, Clone, Copy)]
pub(super) struct SlotUse {
    pub assigns: u32,
    pub reads: u32,
    pub in_loop: bool,
}

/// Counts assignments and reads of every slot in a body. The first `num_params` slots are
/// the parameters: the call assigns each of them once before the body runs, and that
/// assignment is counted, so a parameter reassigned in the body never looks assigned once.
pub(super) fn slot_uses(body: &mut Block, num_slots: usize, num_params: usize) -> Vec<SlotUse> {
    let mut uses = vec![SlotUse::default(); num_slots];
    for u in uses.iter_mut().take(num_params) {
        u.assigns = 1;
    }
    walk_block(body, false, &mut uses);
    uses
}

fn walk_block(block: &mut Block, in_loop: bool, uses: &mut [SlotUse]) {
    for s in block.iter_mut() {
        for &slot in s.kind.assigned_slots() {
            if let Some(u) = uses.get_mut(slot as usize) {
                u.assigns += 1;
                u.in_loop |= in_loop;
            }
        }
        // A while condition is evaluated once per iteration.
        let cond_in_loop = in_loop || matches!(s.kind, StmtKind::While(..));
        let for_var = match &s.kind {
            StmtKind::ForRange { var, .. } => Some(*var),
            _ => None,
        };
        if let Some(v) = for_var {
            if let Some(u) = uses.get_mut(v as usize) {
                u.in_loop = true;
            }
        }
        for e in s.kind.exprs_mut() {
            walk_expr(e, cond_in_loop, uses);
        }
        for (b, is_loop) in s.kind.blocks_mut() {
            walk_block(b, in_loop || is_loop, uses);
        }
    }
}

fn walk_expr(e: &mut Expr, in_loop: bool, uses: &mut [SlotUse]) {
    if let Expr::Local(slot) | Expr::Move(slot) = e {
        if let Some(u) = uses.get_mut(*slot as usize) {
            u.reads += 1;
            u.in_loop |= in_loop;
        }
        return;
    }
    for c in e.children_mut() {
        walk_expr(c, in_loop, uses);
    }
}

/// Attributes some code assigns: `(class, slot)` for `self.x = ...` in a method of that
/// class, plus bare slot indices for assignments through other objects (class unknown).
pub(super) struct Mutations {
    by_class: HashSet<(usize, u32)>,
    unknown: HashSet<u32>,
}

impl Mutations {
    /// Scans every compiled method and function of the program.
    pub(super) fn scan(program: &Program) -> Mutations {
        let mut m = Mutations {
            by_class: HashSet::new(),
            unknown: HashSet::new(),
        };
        for class in program.classes.values() {
            for f in class.methods() {
                if let Ok(func) = f.compiled() {
                    m.scan_block(&func.body, Some(class));
                }
            }
        }
        for f in program.functions.values() {
            if let Ok(func) = f.compiled() {
                m.scan_block(&func.body, None);
            }
        }
        m
    }

    fn scan_block(&mut self, block: &Block, class: Option<&Arc<ClassType>>) {
        for s in block {
            if let StmtKind::SetAttr { obj, slot, .. } = &s.kind {
                match (obj, class) {
                    (Expr::Local(0), Some(c)) => {
                        self.by_class.insert((Arc::as_ptr(c) as usize, *slot));
                    }
                    _ => {
                        self.unknown.insert(*slot);
                    }
                }
            }
            for b in s.kind.blocks() {
                self.scan_block(b, class);
            }
        }
    }

    /// Whether an attribute may change after load.
    pub(super) fn may_change(&self, class: &Arc<ClassType>, slot: u32) -> bool {
        self.unknown.contains(&slot) || self.by_class.contains(&(Arc::as_ptr(class) as usize, slot))
    }
}
