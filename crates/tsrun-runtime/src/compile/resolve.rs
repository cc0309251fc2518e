//! Overload resolution: match a call's argument types against an operator's schemas, in
//! registration order, inserting implicit conversions (int -> float, a single int for an
//! `int[N]` parameter, an empty list display for any list type). Done once, at load time.
//!
//! As PyTorch's `matchSchemas` (torch/csrc/jit/frontend/schema_matching.cpp), the schemas are
//! tried twice: first without value conversions, then with them, so an overload that takes
//! the arguments as they are wins over an earlier one that needs a conversion
//! (`math.floor(i)` with an int `i` is `aten::floor.int`, not `aten::floor.float` of
//! `float(i)`, which would round 2**53 + 1). Repeating an int for `int[N]` and typing an empty
//! list display are not conversions there: PyTorch does them in both passes, and so do we.

use std::collections::HashMap;
use std::sync::Arc;

use crate::function::Expr;
use crate::ops::{OpDef, Schema, SchemaArg};
use crate::types::Type;

/// A typed argument expression.
pub struct TypedExpr {
    /// The expression.
    pub expr: Expr,
    /// Its static type.
    pub ty: Type,
}

/// A successful match: the overload, its arguments in schema order, its return type.
pub struct Resolved {
    /// The chosen overload.
    pub op: Arc<OpDef>,
    /// Arguments in schema order, defaults filled in.
    pub args: Vec<Expr>,
    /// Return type with type variables substituted.
    pub ret: Type,
}

type Bindings = HashMap<Arc<str>, Type>;

/// The arguments handed back when no overload matched (for the error message).
pub type Unmatched = (Vec<TypedExpr>, Vec<(String, TypedExpr)>);

/// Picks the first overload whose schema accepts the arguments without a value conversion,
/// or else the first that accepts them with conversions.
pub fn resolve(
    candidates: &[Arc<OpDef>],
    args: Vec<TypedExpr>,
    kwargs: Vec<(String, TypedExpr)>,
) -> Result<Resolved, Unmatched> {
    // Matching is attempted on borrowed types first; expressions are moved only on success.
    let pos_types: Vec<&Type> = args.iter().map(|a| &a.ty).collect();
    let kw_types: Vec<(&str, &Type)> = kwargs.iter().map(|(n, a)| (n.as_str(), &a.ty)).collect();
    for allow_conversions in [false, true] {
        for def in candidates {
            if let Some(plan) = plan_match(&def.schema, &pos_types, &kw_types, allow_conversions) {
                return Ok(apply(def.clone(), plan, args, kwargs));
            }
        }
    }
    Err((args, kwargs))
}

/// Where each schema argument comes from, and which conversion it needs.
enum Source {
    Positional(usize, Conversion),
    Keyword(usize, Conversion),
    Default,
}

#[derive(Clone)]
enum Conversion {
    None,
    IntToFloat,
    /// An int for an `int[N]` parameter: repeat it N times.
    Broadcast(usize),
    /// An empty list display typed for the parameter.
    RetypeList(Type),
}

struct Plan {
    sources: Vec<Source>,
    ret: Type,
}

fn plan_match(
    schema: &Schema,
    pos: &[&Type],
    kw: &[(&str, &Type)],
    allow_conversions: bool,
) -> Option<Plan> {
    let positional_params = schema.args.iter().filter(|a| !a.kwarg_only).count();
    if pos.len() > positional_params {
        return None;
    }
    // Every keyword must name a parameter.
    if kw
        .iter()
        .any(|(n, _)| !schema.args.iter().any(|a| a.name == *n))
    {
        return None;
    }
    let mut bindings = Bindings::new();
    let mut sources = Vec::with_capacity(schema.args.len());
    for (i, param) in schema.args.iter().enumerate() {
        if i < pos.len() && !param.kwarg_only {
            let conv = convert(pos[i], param, &mut bindings, allow_conversions)?;
            sources.push(Source::Positional(i, conv));
        } else if let Some(k) = kw.iter().position(|(n, _)| *n == param.name) {
            let conv = convert(kw[k].1, param, &mut bindings, allow_conversions)?;
            sources.push(Source::Keyword(k, conv));
        } else if param.default.is_some() {
            sources.push(Source::Default);
        } else {
            return None;
        }
    }
    let ret = substitute(&schema.return_type(), &bindings);
    Some(Plan { sources, ret })
}

fn apply(
    op: Arc<OpDef>,
    plan: Plan,
    args: Vec<TypedExpr>,
    kwargs: Vec<(String, TypedExpr)>,
) -> Resolved {
    let mut pos: Vec<Option<Expr>> = args.into_iter().map(|a| Some(a.expr)).collect();
    let mut kw: Vec<Option<Expr>> = kwargs.into_iter().map(|(_, a)| Some(a.expr)).collect();
    let mut out = Vec::with_capacity(plan.sources.len());
    for (param, src) in op.schema.args.iter().zip(plan.sources) {
        let e = match src {
            Source::Positional(i, c) => pos.get_mut(i).and_then(Option::take).map(|e| (e, c)),
            Source::Keyword(k, c) => kw.get_mut(k).and_then(Option::take).map(|e| (e, c)),
            Source::Default => None,
        };
        out.push(match e {
            Some((e, c)) => apply_conversion(e, c),
            None => Expr::Const(param.default.clone().unwrap_or_default()),
        });
    }
    Resolved {
        op,
        args: out,
        ret: plan.ret,
    }
}

fn apply_conversion(e: Expr, c: Conversion) -> Expr {
    match c {
        Conversion::None => e,
        Conversion::IntToFloat => match e {
            Expr::Const(crate::value::Value::Int(i)) => {
                Expr::Const(crate::value::Value::Float(i as f64))
            }
            e => Expr::IntToFloat(Box::new(e)),
        },
        Conversion::Broadcast(n) => match e {
            Expr::Const(v) => Expr::Const(crate::value::Value::new_list(Type::Int, vec![v; n])),
            // A non-constant int: evaluate once per element (ints are pure).
            e => Expr::MakeList(Type::Int, vec![e].into_boxed_slice()),
        },
        Conversion::RetypeList(elem) => match e {
            Expr::MakeList(_, items) => Expr::MakeList(elem, items),
            e => e,
        },
    }
}

/// Whether `arg` may be passed for `param`, and how (`allow`: value conversions such as
/// int -> float may be used).
fn convert(arg: &Type, param: &SchemaArg, b: &mut Bindings, allow: bool) -> Option<Conversion> {
    if let (Type::Int, Some(n)) = (arg, param.list_len) {
        if matches!(param.ty.unwrap_optional(), Type::List(e) if matches!(**e, Type::Int)) {
            return Some(Conversion::Broadcast(n));
        }
    }
    convert_type(arg, &param.ty, b, allow)
}

fn convert_type(arg: &Type, param: &Type, b: &mut Bindings, allow: bool) -> Option<Conversion> {
    match (arg, param) {
        (_, Type::Var(v)) => match b.get(v) {
            Some(bound) => {
                let bound = bound.clone();
                (arg.is_subtype_of(&bound) || bound.is_subtype_of(arg)).then_some(Conversion::None)
            }
            None => {
                b.insert(v.clone(), arg.clone());
                Some(Conversion::None)
            }
        },
        (Type::None, Type::Optional(_)) => Some(Conversion::None),
        (Type::Optional(a), Type::Optional(p)) => match convert_type(a, p, b, allow)? {
            Conversion::None => Some(Conversion::None),
            _ => None,
        },
        (a, Type::Optional(p)) => convert_type(a, p, b, allow),
        (Type::Int, Type::Float) => allow.then_some(Conversion::IntToFloat),
        (Type::List(a), Type::List(p)) => {
            if matches!(**a, Type::Any) {
                // An empty list display: it takes the parameter's element type.
                let elem = substitute(p, b);
                return Some(Conversion::RetypeList(elem));
            }
            match convert_type(a, p, b, allow)? {
                Conversion::None => Some(Conversion::None),
                _ => None,
            }
        }
        (Type::Dict(ka, va), Type::Dict(kp, vp)) => {
            matches!(convert_type(ka, kp, b, allow)?, Conversion::None).then_some(())?;
            matches!(convert_type(va, vp, b, allow)?, Conversion::None).then_some(Conversion::None)
        }
        (Type::Tuple(a), Type::Tuple(p)) if a.len() == p.len() => {
            for (x, y) in a.iter().zip(p.iter()) {
                if !matches!(convert_type(x, y, b, allow)?, Conversion::None) {
                    return None;
                }
            }
            Some(Conversion::None)
        }
        (Type::Future(a), Type::Future(p)) => convert_type(a, p, b, allow),
        (a, p) => a.is_subtype_of(p).then_some(Conversion::None),
    }
}

/// Replaces type variables by their bindings.
pub fn substitute(t: &Type, b: &Bindings) -> Type {
    match t {
        Type::Var(v) => b.get(v).cloned().unwrap_or(Type::Any),
        Type::List(e) => Type::list(substitute(e, b)),
        Type::Optional(e) => Type::optional(substitute(e, b)),
        Type::Future(e) => Type::Future(Arc::new(substitute(e, b))),
        Type::Dict(k, v) => Type::Dict(Arc::new(substitute(k, b)), Arc::new(substitute(v, b))),
        Type::Tuple(ts) => Type::Tuple(ts.iter().map(|x| substitute(x, b)).collect()),
        other => other.clone(),
    }
}
