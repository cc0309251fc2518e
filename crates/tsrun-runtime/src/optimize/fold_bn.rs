//! Folding an eval-mode batch norm into the convolution that feeds it:
//! `batch_norm(conv(x, W, b), γ, β, μ, σ², training=False, _, ε)` becomes
//! `tsrun::conv_scale_shift(x, W, b, s, t, ...)`, the same convolution whose output rows are
//! mapped to `y[c] · s[c] + t[c]` right after their GEMM, with
//! `s[c] = γ[c] / sqrt(σ²[c] + ε)` and `t[c] = β[c] - μ[c] · s[c]`.
//!
//! `torch.jit.freeze` folds `s` into the weights instead (`W'[c] = W[c] · s[c]`). Here the
//! module's parameters stay in its object tree, readable by other methods and through the
//! API, so a folded `W'` would be a second copy of every convolution weight: twice the
//! model's memory for a traced CNN. The per-channel epilogue keeps the one copy, skips the
//! batch norm's pass over memory and its output buffer, and computes exactly the unfused
//! batch norm's `y · α + (β - μ · α)` (aten's and tsrun's kernel), up to `s` and `t` being
//! rounded from float64 once.
//!
//! Only when it is provably the same computation up to rounding: every argument but the
//! convolution's input is a load-time constant (after specialisation), `training` is the
//! constant `False`, the convolution is not transposed, and the tensors are dense float32 or
//! float64 of matching shapes. The convolution's output has no other use: it is either the
//! batch norm's argument expression itself, or a local assigned once, read once, by the
//! very next statement's batch norm. Like the prepared `linear` (ops/prepared.rs), this
//! assumes constant parameter tensors are not modified in place by the model's code.

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
    if !is_conv(name) || conv_args.len() < 7 {
        return None;
    }
    // Where `groups` is: `_convolution` has `transposed` and `output_padding` before it.
    let groups_at = if name == "aten::_convolution" {
        if !matches!(conv_args.get(6), Some(Expr::Const(Value::Bool(false)))) {
            return None; // transposed, or not known
        }
        8
    } else {
        6
    };
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
    let (scale, shift) = scale_shift(weight, bias, gamma, beta, mean, var, eps)?;
    let op = crate::ops::registry()
        .candidates("tsrun::conv_scale_shift")
        .first()?
        .clone();
    // The weight and bias stay the module's own tensors (the same handles): no second copy.
    let args = [
        conv_args[0].clone(),
        conv_args[1].clone(),
        conv_args[2].clone(),
        Expr::Const(Value::Tensor(scale)),
        Expr::Const(Value::Tensor(shift)),
        conv_args[3].clone(),
        conv_args[4].clone(),
        conv_args[5].clone(),
        conv_args.get(groups_at)?.clone(),
    ];
    Some(Expr::Op(op, args.into_iter().collect()))
}

/// The per-channel `scale = γ / sqrt(σ² + ε)` and `shift = β - μ · scale` (computed in
/// float64, rounded once to the weight's dtype), or `None` when the tensors do not have the
/// expected dtypes and shapes (the unfused ops then report whatever is wrong at run time).
/// The convolution's own bias is added before the scale, so it needs no folding.
fn scale_shift(
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
    let (g, be, m, v) = (
        vals(gamma, 1.0)?,
        vals(beta, 0.0)?,
        vals(Some(mean), 0.0)?,
        vals(Some(var), 0.0)?,
    );
    let scale: Vec<f64> = (0..oc).map(|c| g[c] / (v[c] + eps).sqrt()).collect();
    let shift: Vec<f64> = (0..oc).map(|c| be[c] - m[c] * scale[c]).collect();
    let round = |x: Vec<f64>| {
        Tensor::from_vec(x, &[oc])
            .ok()?
            .try_to_dtype("batch_norm fold", dtype)
            .ok()
    };
    Some((round(scale)?, round(shift)?))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tsrun_tensor::Tensor;

    use super::try_fold;
    use crate::function::Expr;
    use crate::ops::{registry, OpDef};
    use crate::types::Type;
    use crate::value::Value;

    fn op(name: &str) -> Arc<OpDef> {
        registry().candidates(name)[0].clone()
    }

    fn c(v: Value) -> Expr {
        Expr::Const(v)
    }

    fn t(v: Vec<f32>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape).unwrap()
    }

    fn ints(v: &[i64]) -> Value {
        Value::new_list(Type::Int, v.iter().map(|&x| Value::Int(x)).collect())
    }

    /// `batch_norm(conv2d(%0, W, b, ...), γ, β, μ, σ², False, 0.1, 1e-5, True)`, and the
    /// tensors in it.
    fn conv_bn() -> (Expr, Tensor, Vec<Tensor>) {
        let w = t(
            (0..2 * 3 * 2 * 2)
                .map(|i| (i as f32 - 11.0) / 7.0)
                .collect(),
            &[2, 3, 2, 2],
        );
        let b = t(vec![0.5, -0.25], &[2]);
        let bn = [
            t(vec![1.5, 0.75], &[2]),
            t(vec![0.1, -0.2], &[2]),
            t(vec![0.3, -0.4], &[2]),
            t(vec![0.9, 1.3], &[2]),
        ];
        let conv = Expr::Op(
            op("aten::conv2d"),
            vec![
                Expr::Local(0),
                c(Value::Tensor(w.clone())),
                c(Value::Tensor(b.clone())),
                c(ints(&[1, 1])),
                c(ints(&[1, 1])),
                c(ints(&[1, 1])),
                c(Value::Int(1)),
            ]
            .into(),
        );
        let mut args = vec![conv];
        args.extend(bn.iter().map(|x| c(Value::Tensor(x.clone()))));
        args.extend([
            c(Value::Bool(false)),
            c(Value::Float(0.1)),
            c(Value::Float(1e-5)),
            c(Value::Bool(true)),
        ]);
        let e = Expr::Op(op("aten::batch_norm"), args.into());
        (
            e,
            w,
            vec![
                b,
                bn[0].clone(),
                bn[1].clone(),
                bn[2].clone(),
                bn[3].clone(),
            ],
        )
    }

    /// Runs `e` (an op over constants and `%0`) on `x` with the plain kernels.
    fn eval(e: &Expr, x: &Tensor) -> Tensor {
        let Expr::Op(def, args) = e else {
            panic!("not an op")
        };
        let mut vals: Vec<Value> = args
            .iter()
            .map(|a| match a {
                Expr::Const(v) => v.clone(),
                Expr::Local(0) => Value::Tensor(x.clone()),
                inner @ Expr::Op(..) => Value::Tensor(eval(inner, x)),
                _ => panic!("unexpected argument"),
            })
            .collect();
        match (def.kernel)(&mut vals).unwrap() {
            Value::Tensor(t) => t,
            _ => panic!("not a tensor"),
        }
    }

    #[test]
    fn folds_into_a_scale_and_shift_and_keeps_the_weight() {
        let (e, w, _) = conv_bn();
        let folded = try_fold(&e).expect("eligible");
        let Expr::Op(def, args) = &folded else {
            panic!("not an op")
        };
        assert_eq!(def.schema.full_name(), "tsrun::conv_scale_shift");
        // No second copy of the weight: the folded call uses the module's own tensor.
        match &args[1] {
            Expr::Const(Value::Tensor(w2)) => assert!(w2.same_storage(&w)),
            _ => panic!("weight is not a constant"),
        }
        let x = t(
            (0..3 * 4 * 5)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
                .collect(),
            &[1, 3, 4, 5],
        );
        let (want, got) = (eval(&e, &x), eval(&folded, &x));
        assert_eq!(want.shape(), got.shape());
        let (a, b) = (want.to_vec::<f32>(), got.to_vec::<f32>());
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() <= 1e-5 * (1.0 + p.abs()), "{p} vs {q}");
        }
    }

    #[test]
    fn training_mode_is_not_folded() {
        let (mut e, _, _) = conv_bn();
        if let Expr::Op(_, args) = &mut e {
            args[5] = c(Value::Bool(true));
        }
        assert!(try_fold(&e).is_none());
    }
}
