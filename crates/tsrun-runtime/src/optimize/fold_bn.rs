//! Folding an eval-mode batch norm into the convolution that feeds it, as
//! `torch.jit.freeze` does: `batch_norm(conv(x, W, b), γ, β, μ, σ², training=False, _, ε)`
//! becomes `conv(x, W', b')` with, per output channel `c`,
//! `W'[c] = W[c] · s[c]` and `b'[c] = (b[c] - μ[c]) · s[c] + β[c]` where
//! `s[c] = γ[c] / sqrt(σ²[c] + ε)`.
//!
//! Only when it is provably the same computation up to rounding: every argument but the
//! convolution's input is a load-time constant (after specialisation), `training` is the
//! constant `False`, the convolution is not transposed, and the tensors are dense float32 or
//! float64 of matching shapes. The convolution's output has no other use: it is either the
//! batch norm's argument expression itself, or a local assigned once, read once, by the
//! very next statement's batch norm. Like the prepared `linear` (ops/prepared.rs), this
//! assumes constant parameter tensors are not modified in place by the model's code.
//! The fold is computed in float64 and rounded once to the weight's dtype (PyTorch's
//! `fuse_conv_bn_weights` rounds in the weight's dtype at every step).

use tsrun_tensor::{DType, Tensor};

use super::analysis::slot_uses;
use crate::function::{Block, Expr, StmtKind};
use crate::value::Value;

/// Folds every eligible `batch_norm(conv(...))` in `body`; returns whether anything changed.
pub(super) fn fold_conv_bn(body: &mut Block, num_slots: usize, num_params: usize) -> bool {
    let mut changed = forward_conv_locals(body, num_slots, num_params);
    for s in body.iter_mut() {
        changed |= fold_stmt(&mut s.kind);
    }
    changed
}

fn fold_stmt(kind: &mut StmtKind) -> bool {
    let mut changed = false;
    for e in kind.exprs_mut() {
        changed |= fold_expr(e);
    }
    for (b, _) in kind.blocks_mut() {
        for s in b.iter_mut() {
            changed |= fold_stmt(&mut s.kind);
        }
    }
    changed
}

fn fold_expr(e: &mut Expr) -> bool {
    let mut changed = false;
    for c in e.children_mut() {
        changed |= fold_expr(c);
    }
    if let Some(folded) = try_fold(e) {
        *e = folded;
        changed = true;
    }
    changed
}

/// `%s = conv(...)` immediately followed by a statement whose value is
/// `batch_norm(%s, <constants>)`, with `%s` assigned and read once: the convolution moves into
/// the batch norm's argument. Nothing is evaluated between the two (the other arguments are
/// constants), so the order of effects is unchanged.
fn forward_conv_locals(body: &mut Block, num_slots: usize, num_params: usize) -> bool {
    let uses = slot_uses(body, num_slots, num_params);
    let mut changed = false;
    let mut i = 0;
    while i + 1 < body.len() {
        let single = match &body[i].kind {
            StmtKind::Assign(s, Expr::Op(op, _)) if is_conv(&op.schema.full_name()) => uses
                .get(*s as usize)
                .is_some_and(|u| u.assigns == 1 && u.reads == 1 && !u.in_loop)
                .then_some(*s),
            _ => None,
        };
        let feeds_bn = |kind: &StmtKind, s: u32| match kind {
            StmtKind::Return(Expr::Op(op, args)) | StmtKind::Assign(_, Expr::Op(op, args)) => {
                op.schema.full_name() == "aten::batch_norm"
                    && matches!(args.first(), Some(Expr::Local(x) | Expr::Move(x)) if *x == s)
                    && args[1..].iter().all(|a| matches!(a, Expr::Const(_)))
            }
            _ => false,
        };
        if single.is_some_and(|s| feeds_bn(&body[i + 1].kind, s)) {
            let first = body.remove(i);
            if let StmtKind::Assign(_, conv) = first.kind {
                if let StmtKind::Return(Expr::Op(_, args))
                | StmtKind::Assign(_, Expr::Op(_, args)) = &mut body[i].kind
                {
                    args[0] = conv;
                }
            }
            changed = true;
            continue;
        }
        i += 1;
    }
    changed
}

fn is_conv(name: &str) -> bool {
    matches!(name, "aten::_convolution" | "aten::conv2d" | "aten::conv1d")
}

fn const_tensor(e: &Expr) -> Option<&Tensor> {
    match e {
        Expr::Const(Value::Tensor(t)) => Some(t),
        _ => None,
    }
}

/// An optional tensor argument: `Some(None)` for a constant `None`.
fn const_opt_tensor(e: &Expr) -> Option<Option<&Tensor>> {
    match e {
        Expr::Const(Value::None) => Some(None),
        Expr::Const(Value::Tensor(t)) => Some(Some(t)),
        _ => None,
    }
}

/// The folded convolution for `e` = `batch_norm(conv(...), ...)`, if eligible.
fn try_fold(e: &Expr) -> Option<Expr> {
    let Expr::Op(bn, bn_args) = e else {
        return None;
    };
    if bn.schema.full_name() != "aten::batch_norm" || bn_args.len() != 9 {
        return None;
    }
    let Expr::Op(conv, conv_args) = &bn_args[0] else {
        return None;
    };
    let name = conv.schema.full_name();
    let name = name.as_str();
    if !is_conv(name) || conv_args.len() < 3 {
        return None;
    }
    if name == "aten::_convolution"
        && !matches!(conv_args.get(6), Some(Expr::Const(Value::Bool(false))))
    {
        return None; // transposed, or not known
    }
    if !matches!(bn_args[5], Expr::Const(Value::Bool(false))) {
        return None; // training, or not known
    }
    let eps = match &bn_args[7] {
        Expr::Const(Value::Float(f)) => *f,
        _ => return None,
    };
    let weight = const_tensor(&conv_args[1])?;
    let bias = const_opt_tensor(&conv_args[2])?;
    let gamma = const_opt_tensor(&bn_args[1])?;
    let beta = const_opt_tensor(&bn_args[2])?;
    let mean = const_tensor(&bn_args[3])?;
    let var = const_tensor(&bn_args[4])?;
    let (w2, b2) = fold(weight, bias, gamma, beta, mean, var, eps)?;
    let mut args = conv_args.to_vec();
    args[1] = Expr::Const(Value::Tensor(w2));
    args[2] = Expr::Const(Value::Tensor(b2));
    Some(Expr::Op(conv.clone(), args.into()))
}

/// The folded weight and bias, or `None` when the tensors do not have the expected dtypes
/// and shapes (the unfused ops then report whatever is wrong at run time).
fn fold(
    weight: &Tensor,
    bias: Option<&Tensor>,
    gamma: Option<&Tensor>,
    beta: Option<&Tensor>,
    mean: &Tensor,
    var: &Tensor,
    eps: f64,
) -> Option<(Tensor, Tensor)> {
    let dtype = weight.dtype();
    if !matches!(dtype, DType::F32 | DType::F64) || weight.dim() < 3 {
        return None;
    }
    let oc = weight.shape()[0];
    let per_channel = |t: &Tensor| t.dtype() == dtype && t.shape() == [oc];
    let all = [bias, gamma, beta, Some(mean), Some(var)];
    if !all.iter().flatten().all(|t| per_channel(t)) || oc == 0 {
        return None;
    }
    let vals = |t: Option<&Tensor>, default: f64| -> Option<Vec<f64>> {
        match t {
            Some(t) => t
                .try_to_dtype("batch_norm fold", DType::F64)
                .ok()?
                .try_to_vec::<f64>("batch_norm fold")
                .ok(),
            None => Some(vec![default; oc]),
        }
    };
    let (b, g, be, m, v) = (
        vals(bias, 0.0)?,
        vals(gamma, 1.0)?,
        vals(beta, 0.0)?,
        vals(Some(mean), 0.0)?,
        vals(Some(var), 0.0)?,
    );
    let scale: Vec<f64> = (0..oc).map(|c| g[c] / (v[c] + eps).sqrt()).collect();
    let new_b: Vec<f64> = (0..oc).map(|c| (b[c] - m[c]) * scale[c] + be[c]).collect();
    let w = weight
        .try_to_dtype("batch_norm fold", DType::F64)
        .ok()?
        .try_to_vec::<f64>("batch_norm fold")
        .ok()?;
    let per = w.len() / oc;
    let new_w: Vec<f64> = w
        .iter()
        .enumerate()
        .map(|(i, x)| x * scale[i / per.max(1)])
        .collect();
    let w2 = Tensor::from_vec(new_w, weight.shape())
        .ok()?
        .try_to_dtype("batch_norm fold", dtype)
        .ok()?;
    let b2 = Tensor::from_vec(new_b, &[oc])
        .ok()?
        .try_to_dtype("batch_norm fold", dtype)
        .ok()?;
    Some((w2, b2))
}
