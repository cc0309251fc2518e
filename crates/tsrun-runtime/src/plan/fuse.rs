//! Load-time fusion of plan steps: consecutive `linear` layers become one step.
//!
//! An MLP's plan is a run of prepared `linear` steps (each with its `relu` fused), every one
//! reading the previous one's result for the last time. As separate steps, each intermediate
//! is a tensor in a frame slot: a buffer to recycle, a shape to set, an argument array, a
//! dispatch. One [`crate::ops::linear_chain`] step passes the row through stack buffers
//! instead and gives bit-identical results (the same kernel per layer, in the same order).
//! `TSRUN_NO_FUSE=1` turns this off, to compare.

use super::{Run, Src, Step};
use crate::ops::linear_chain;

/// Replaces each run of two or more consecutive prepared `linear` steps, where each
/// intermediate result is read only by the next layer (as its input), with one chained step
/// writing the last layer's slot. A run that cannot be chained as a whole (layer widths, see
/// `LinearChain::new`) is left as it is. `ret` is what the plan returns; the first
/// `num_params` slots are the parameters.
pub(super) fn linear_chains(steps: Vec<Step>, ret: Src, num_params: usize) -> Vec<Step> {
    if std::env::var_os("TSRUN_NO_FUSE").is_some() {
        return steps;
    }
    let reads = read_counts(&steps, ret);
    // `links[i]`: step `i + 1` continues a chain through step `i`.
    let links: Vec<bool> = steps
        .windows(2)
        .map(|pair| continues(&pair[0], &pair[1], &reads, num_params))
        .collect();
    // Each chainable run's first step -> (number of steps, the fused step's operator).
    let mut fused = Vec::new();
    let mut i = 0;
    while i < links.len() {
        let len = 1 + links[i..].iter().take_while(|l| **l).count();
        if len >= 2 {
            if let Some(step) = chain_step(&steps[i..i + len]) {
                fused.push((i, len, step));
            }
        }
        i += len;
    }
    if fused.is_empty() {
        return steps;
    }
    let mut out = Vec::with_capacity(steps.len());
    let mut fused = fused.into_iter().peekable();
    let mut skip = 0;
    for (i, step) in steps.into_iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match fused.next_if(|(start, _, _)| *start == i) {
            Some((_, len, chained)) => {
                out.push(chained);
                skip = len - 1;
            }
            None => out.push(step),
        }
    }
    out
}

/// How many times each slot is read, by any step or the return.
fn read_counts(steps: &[Step], ret: Src) -> Vec<u32> {
    let mut reads: Vec<u32> = Vec::new();
    let mut read = |s: &Src| {
        if let Src::Slot(x) | Src::Move(x) = *s {
            let x = x as usize;
            if reads.len() <= x {
                reads.resize(x + 1, 0);
            }
            reads[x] += 1;
        }
    };
    for step in steps {
        match step {
            Step::Op { args, .. } => args.iter().for_each(&mut read),
            Step::Tuple { items, .. } => items.iter().for_each(&mut read),
            Step::Copy { src, .. } => read(src),
        }
    }
    read(&ret);
    reads
}

/// The prepared `linear` layer a step runs, with its input and output slots.
fn as_layer(step: &Step) -> Option<(&Src, u32)> {
    match step {
        Step::Op {
            run: Run::Prepared(p),
            args,
            dst,
            ..
        } if p.as_linear().is_some() => Some((args.first()?, *dst)),
        _ => None,
    }
}

/// `next` is a `linear` layer whose input is `prev`'s result, read nowhere else.
fn continues(prev: &Step, next: &Step, reads: &[u32], num_params: usize) -> bool {
    let (Some((_, mid)), Some((input, _))) = (as_layer(prev), as_layer(next)) else {
        return false;
    };
    matches!(*input, Src::Slot(x) | Src::Move(x) if x == mid)
        && mid as usize >= num_params
        && reads.get(mid as usize) == Some(&1)
}

/// One step running `run`'s layers as a chain, reading the first layer's input and writing the
/// last layer's slot; `None` if they cannot be chained.
fn chain_step(run: &[Step]) -> Option<Step> {
    let mut layers = Vec::with_capacity(run.len());
    for step in run {
        match step {
            Step::Op {
                run: Run::Prepared(p),
                ..
            } => layers.push(p.as_linear()?),
            _ => return None,
        }
    }
    let (
        Step::Op {
            op,
            args,
            line,
            col,
            ..
        },
        Step::Op { dst, .. },
    ) = (run.first()?, run.last()?)
    else {
        return None;
    };
    let input = *args.first()?;
    Some(Step::Op {
        // The first layer's operator and position name the step in errors.
        op: op.clone(),
        run: Run::Prepared(linear_chain(&layers)?),
        args: Box::new([input]),
        dst: *dst,
        recycle: !matches!(input, Src::Slot(x) | Src::Move(x) if x == *dst),
        line: *line,
        col: *col,
    })
}
