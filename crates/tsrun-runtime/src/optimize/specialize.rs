//! Specialising functions on constant arguments, folding, inlining, and last-use moves.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::analysis::{slot_uses, Mutations};
use crate::compile::Program;
use crate::function::{Block, Callee, Expr, Function, FunctionRef, Stmt, StmtKind};
use crate::value::Value;

/// How deep specialisation may recurse through calls (TorchScript has no recursion, but an
/// archive is untrusted).
const MAX_DEPTH: usize = 64;
/// Folding rounds per function: each round can expose more constants.
const ROUNDS: usize = 4;

/// What a constant argument looks like, for the specialisation cache.
#[derive(Clone, PartialEq, Eq, Hash)]
enum ConstKey {
    Dynamic,
    None,
    Bool(bool),
    Int(i64),
    Object(usize),
}

fn const_key(v: Option<&Value>) -> ConstKey {
    match v {
        Some(Value::None) => ConstKey::None,
        Some(Value::Bool(b)) => ConstKey::Bool(*b),
        Some(Value::Int(i)) => ConstKey::Int(*i),
        Some(Value::Object(o)) => ConstKey::Object(Arc::as_ptr(o) as usize),
        _ => ConstKey::Dynamic,
    }
}

type SpecKey = (usize, Vec<ConstKey>);

/// Specialises functions for one loaded module tree.
pub struct Optimizer {
    mutations: Mutations,
    cache: HashMap<SpecKey, Arc<FunctionRef>>,
    /// Specialised functions under the key that would specialise them again on the same
    /// constants (themselves): the answer is the function itself.
    already: HashMap<SpecKey, Arc<FunctionRef>>,
    in_progress: HashSet<SpecKey>,
    depth: usize,
}

impl Optimizer {
    /// Prepares an optimizer for a compiled program.
    pub fn new(program: &Program) -> Optimizer {
        Optimizer {
            mutations: Mutations::scan(program),
            cache: HashMap::new(),
            already: HashMap::new(),
            in_progress: HashSet::new(),
            depth: 0,
        }
    }

    /// A version of `f` specialised for the constant arguments given (`None` = unknown).
    /// Falls back to `f` itself when it did not compile or specialising is not possible.
    pub fn specialize(
        &mut self,
        f: &Arc<FunctionRef>,
        consts: &[Option<Value>],
    ) -> Arc<FunctionRef> {
        let key: SpecKey = (
            Arc::as_ptr(f) as usize,
            (0..f.params.len())
                .map(|i| const_key(consts.get(i).and_then(Option::as_ref)))
                .collect(),
        );
        if let Some(done) = self.cache.get(&key).or_else(|| self.already.get(&key)) {
            return done.clone();
        }
        if self.depth >= MAX_DEPTH || self.in_progress.contains(&key) {
            return f.clone();
        }
        let Ok(func) = f.compiled() else {
            return f.clone();
        };
        self.in_progress.insert(key.clone());
        self.depth += 1;
        let mut body = func.body.clone();
        let num_slots = func.num_slots;
        // Constant parameters that the body never reassigns become constants.
        let num_params = f.params.len();
        let uses = slot_uses(&mut body, num_slots, num_params);
        let mut known: Vec<Option<Value>> = vec![None; num_slots];
        for (i, c) in consts.iter().enumerate().take(f.params.len()) {
            if let (Some(v), Some(u)) = (c, uses.get(i)) {
                // Only the call's own assignment: the body never reassigns it.
                if u.assigns == 1 && !matches!(const_key(Some(v)), ConstKey::Dynamic) {
                    known[i] = Some(v.clone());
                }
            }
        }
        for _ in 0..ROUNDS {
            self.fold_block(&mut body, &known);
            let changed = propagate_constants(&mut body, num_slots, num_params, &mut known);
            let forwarded = forward_single_use(&mut body, num_slots, num_params);
            if !changed && !forwarded {
                break;
            }
        }
        // `propagate_constants` deletes the assignments of the locals it learned; their reads
        // are replaced by the next fold. Without this last fold, locals learned in the final
        // round would be read without ever being assigned.
        self.fold_block(&mut body, &known);
        if std::env::var_os("TSRUN_NO_FOLD_BN").is_none() {
            super::fold_bn::fold_conv_bn(&mut body, num_slots, num_params);
        }
        mark_last_uses(&mut body, num_slots, num_params);
        self.depth -= 1;
        self.in_progress.remove(&key);
        let out = Arc::new(FunctionRef {
            name: f.name.clone(),
            qualified_name: f.qualified_name.clone(),
            params: f.params.clone(),
            ret: f.ret.clone(),
            body: OnceLock::new(),
        });
        let plan = crate::plan::build(&body, num_slots, num_params, &func.file);
        let _ = out.body.set(Ok(Arc::new(Function {
            num_slots,
            body,
            file: func.file.clone(),
            plan,
        })));
        // Later folding rounds of the caller see the call site pointing at `out` and ask for
        // it to be specialised on the same constants again: `out` already is, so that request
        // is answered with `out` itself instead of cloning and re-folding its whole body (and,
        // recursively, its callees') once per round.
        let (_, consts_key) = &key;
        self.already.insert(
            (Arc::as_ptr(&out) as usize, consts_key.clone()),
            out.clone(),
        );
        self.cache.insert(key, out.clone());
        out
    }

    /// Every specialised callee made so far (for `TSRUN_DUMP_IR=all`).
    pub fn specialized(&self) -> impl Iterator<Item = &Arc<FunctionRef>> {
        self.cache.values()
    }

    /// Every specialised function made, for the caller to own: specialised call sites only
    /// refer to them (see [`Callee`]).
    pub fn into_specialized(self) -> Vec<Arc<FunctionRef>> {
        self.cache.into_values().collect()
    }

    fn fold_block(&mut self, block: &mut Block, known: &[Option<Value>]) {
        let mut reshape = false;
        for s in block.iter_mut() {
            for e in s.kind.exprs_mut() {
                self.fold_expr(e, known);
            }
            for (b, _) in s.kind.blocks_mut() {
                self.fold_block(b, known);
            }
            reshape |= matches!(
                s.kind,
                StmtKind::If(Expr::Const(Value::Bool(_)), ..) | StmtKind::Pass
            );
        }
        // Rebuild the block only when a statement goes away: most rounds change expressions
        // in place, and moving every statement into a fresh vector each round is avoidable churn.
        if !reshape {
            return;
        }
        let mut out: Block = Vec::with_capacity(block.len());
        for s in block.drain(..) {
            match s.kind {
                // `if` on a constant: keep only the branch taken.
                StmtKind::If(Expr::Const(Value::Bool(c)), then, els) => {
                    out.extend(if c { then } else { els });
                }
                StmtKind::Pass => {}
                kind => out.push(Stmt { kind, ..s }),
            }
        }
        *block = out;
    }

    fn fold_expr(&mut self, e: &mut Expr, known: &[Option<Value>]) {
        // A callee may be specialised again after an earlier round marked its last reads as
        // moves: a move of a known local is a read of the constant too.
        if let Expr::Local(slot) | Expr::Move(slot) = e {
            if let Some(Some(v)) = known.get(*slot as usize) {
                *e = Expr::Const(v.clone());
            }
            return;
        }
        for c in e.children_mut() {
            self.fold_expr(c, known);
        }
        match e {
            Expr::GetAttr(obj, slot) => {
                let folded = match &**obj {
                    Expr::Const(Value::Object(o))
                        if !self.mutations.may_change(&o.class, *slot) =>
                    {
                        o.slots.read().get(*slot as usize).cloned()
                    }
                    _ => None,
                };
                if let Some(v) = folded {
                    *e = Expr::Const(v);
                }
            }
            Expr::TupleIndex(t, i) => {
                let folded = match &**t {
                    Expr::Const(Value::Tuple(items)) => items.get(*i).cloned(),
                    _ => None,
                };
                if let Some(v) = folded {
                    *e = Expr::Const(v);
                }
            }
            Expr::Call(f, args) => {
                let consts: Vec<Option<Value>> = args
                    .iter()
                    .map(|a| match a {
                        Expr::Const(v) => Some(v.clone()),
                        _ => None,
                    })
                    .collect();
                if consts.iter().all(Option::is_none) {
                    return;
                }
                let Some(callee) = f.get() else {
                    return;
                };
                let g = self.specialize(&callee, &consts);
                if let Some(inlined) = try_inline(&g, args) {
                    *e = inlined;
                } else if !f.is(&g) {
                    *f = Callee::new(&g);
                }
            }
            _ => {}
        }
    }
}

/// Locals assigned exactly once (outside loops) from a constant become that constant.
fn propagate_constants(
    body: &mut Block,
    num_slots: usize,
    num_params: usize,
    known: &mut [Option<Value>],
) -> bool {
    let uses = slot_uses(body, num_slots, num_params);
    let mut changed = false;
    collect_const_assigns(body, &uses, known, &mut changed);
    if changed {
        remove_dead_const_assigns(body, known);
    }
    changed
}

fn collect_const_assigns(
    block: &mut Block,
    uses: &[super::analysis::SlotUse],
    known: &mut [Option<Value>],
    changed: &mut bool,
) {
    for s in block.iter_mut() {
        if let StmtKind::Assign(slot, Expr::Const(v)) = &s.kind {
            let i = *slot as usize;
            // One assignment of a constant: even inside a loop it stores the same value each
            // time, and printed code never reads a local before its first assignment.
            if uses.get(i).is_some_and(|u| u.assigns == 1) && known[i].is_none() {
                known[i] = Some(v.clone());
                *changed = true;
            }
        }
        for (b, _) in s.kind.blocks_mut() {
            collect_const_assigns(b, uses, known, changed);
        }
    }
}

fn remove_dead_const_assigns(block: &mut Block, known: &[Option<Value>]) {
    block.retain(|s| !matches!(&s.kind, StmtKind::Assign(slot, Expr::Const(_)) if known.get(*slot as usize).is_some_and(Option::is_some)));
    for s in block.iter_mut() {
        for (b, _) in s.kind.blocks_mut() {
            remove_dead_const_assigns(b, known);
        }
    }
}

/// `%s = e` immediately followed by `return %s` (or `%t = %s`), where `%s` is used nowhere
/// else, becomes `return e` (`%t = e`): nothing is evaluated between the two, so the order
/// of effects is unchanged. This is what lets `result = relu(x); return result` inline.
fn forward_single_use(body: &mut Block, num_slots: usize, num_params: usize) -> bool {
    let uses = slot_uses(body, num_slots, num_params);
    forward_in_block(body, &uses)
}

fn forward_in_block(block: &mut Block, uses: &[super::analysis::SlotUse]) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i + 1 < block.len() {
        let single = match &block[i].kind {
            StmtKind::Assign(s, _) => uses
                .get(*s as usize)
                .is_some_and(|u| u.assigns == 1 && u.reads == 1)
                .then_some(*s),
            _ => None,
        };
        let target_reads =
            |e: &Expr, s: u32| matches!(e, Expr::Local(x) | Expr::Move(x) if *x == s);
        if let Some(s) = single {
            let next_uses_it = match &block[i + 1].kind {
                StmtKind::Return(e) | StmtKind::Assign(_, e) => target_reads(e, s),
                _ => false,
            };
            if next_uses_it {
                let first = block.remove(i);
                if let StmtKind::Assign(_, value) = first.kind {
                    match &mut block[i].kind {
                        StmtKind::Return(e) | StmtKind::Assign(_, e) => *e = value,
                        _ => {}
                    }
                    changed = true;
                    continue;
                }
            }
        }
        i += 1;
    }
    for s in block.iter_mut() {
        for (b, _) in s.kind.blocks_mut() {
            changed |= forward_in_block(b, uses);
        }
    }
    changed
}

/// Inlines a call whose specialised body is a single `return <expr>`, substituting the
/// arguments for the parameters. Only when that cannot change evaluation order or drop
/// side effects: at most one argument is a non-trivial expression, and it is used once.
fn try_inline(g: &Arc<FunctionRef>, args: &mut [Expr]) -> Option<Expr> {
    let func = g.compiled().ok()?;
    let [Stmt {
        kind: StmtKind::Return(ret),
        ..
    }] = func.body.as_slice()
    else {
        return None;
    };
    let mut ret = ret.clone();
    let mut uses = vec![0u32; func.num_slots];
    if !count_reads(&mut ret, &mut uses) {
        return None;
    }
    if uses.iter().skip(args.len()).any(|&n| n > 0) {
        return None; // reads a local that is not a parameter
    }
    let trivial = |a: &Expr| matches!(a, Expr::Local(_) | Expr::Const(_));
    let mut nontrivial = 0;
    for (i, a) in args.iter().enumerate() {
        if !trivial(a) {
            nontrivial += 1;
            if uses.get(i).copied() != Some(1) {
                return None;
            }
        }
    }
    if nontrivial > 1 {
        return None;
    }
    substitute(&mut ret, args);
    Some(ret)
}

/// Counts reads of each local (a `Move` is a read too).
fn count_reads(e: &mut Expr, uses: &mut [u32]) -> bool {
    match e {
        Expr::Local(s) | Expr::Move(s) => {
            if let Some(u) = uses.get_mut(*s as usize) {
                *u += 1;
            }
            true
        }
        _ => e.children_mut().all(|c| count_reads(c, uses)),
    }
}

fn substitute(e: &mut Expr, args: &mut [Expr]) {
    if let Expr::Local(s) | Expr::Move(s) = e {
        if let Some(a) = args.get(*s as usize) {
            *e = a.clone();
        }
        return;
    }
    for c in e.children_mut() {
        substitute(c, args);
    }
}

/// The single read of a local assigned once, both outside loops, becomes a move.
fn mark_last_uses(body: &mut Block, num_slots: usize, num_params: usize) {
    let uses = slot_uses(body, num_slots, num_params);
    let movable: Vec<bool> = uses
        .iter()
        .map(|u| u.reads == 1 && u.assigns <= 1 && !u.in_loop)
        .collect();
    mark_block(body, &movable);
}

fn mark_block(block: &mut Block, movable: &[bool]) {
    for s in block.iter_mut() {
        for e in s.kind.exprs_mut() {
            mark_expr(e, movable);
        }
        for (b, _) in s.kind.blocks_mut() {
            mark_block(b, movable);
        }
    }
}

fn mark_expr(e: &mut Expr, movable: &[bool]) {
    if let Expr::Local(s) = e {
        if movable.get(*s as usize).copied().unwrap_or(false) {
            *e = Expr::Move(*s);
        }
        return;
    }
    for c in e.children_mut() {
        mark_expr(c, movable);
    }
}
