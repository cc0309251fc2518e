//! The interpreter: walks a compiled function's IR over a frame of local slots.
//!
//! Everything by name was resolved at load time; here a call is a function-pointer call
//! with arguments gathered into a small stack buffer.

mod depth;

use std::sync::Arc;

use parking_lot::RwLock;
use smallvec::SmallVec;

use crate::error::{RtResult, RuntimeError};
use crate::function::{Block, Callee, Expr, Function, FunctionRef, StmtKind};
use crate::value::{Object, Value};

/// How a block finished.
enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

/// Calls a compiled function with positional arguments (the receiver first for methods).
pub fn call(f: &FunctionRef, mut args: SmallVec<[Value; 8]>) -> RtResult<Value> {
    call_slice(f, &mut args)
}

/// Calls a compiled function, moving the arguments out of `args` (no copy of the argument
/// buffer itself, unlike [`call`]).
pub(crate) fn call_slice(f: &FunctionRef, args: &mut [Value]) -> RtResult<Value> {
    let _depth = depth::CallDepth::enter(f)?;
    let func = f
        .compiled()
        .map_err(|e| RuntimeError::new(format!("cannot run {}: {e}", f.qualified_name)))?;
    if let Some(plan) = &func.plan {
        return crate::plan::run(plan, args);
    }
    let mut frame: SmallVec<[Value; 16]> = SmallVec::new();
    frame.extend(args.iter_mut().map(std::mem::take));
    if frame.len() < func.num_slots {
        frame.resize(func.num_slots, Value::None);
    }
    match exec_block(func, &func.body, &mut frame)? {
        Flow::Return(v) => Ok(v),
        _ => Ok(Value::None),
    }
}

/// The function a call site refers to. Its program is alive whenever code that was compiled
/// with it runs through a live module; the error is for a function (or object) kept past its
/// module's drop and called directly.
#[inline]
fn target(c: &Callee) -> RtResult<Arc<FunctionRef>> {
    c.get().ok_or_else(|| {
        RuntimeError::new(format!(
            "cannot call {}: the module that defined it was dropped",
            c.qualified_name()
        ))
    })
}

fn exec_block(func: &Function, block: &Block, frame: &mut [Value]) -> RtResult<Flow> {
    for stmt in block {
        let flow = exec_stmt(func, &stmt.kind, frame)
            .map_err(|e| e.with_location(|| stmt.location(&func.file)))?;
        if !matches!(flow, Flow::Normal) {
            return Ok(flow);
        }
    }
    Ok(Flow::Normal)
}

fn set(frame: &mut [Value], slot: u32, v: Value) -> RtResult<()> {
    let cell = frame
        .get_mut(slot as usize)
        .ok_or_else(|| RuntimeError::new("internal error: local slot out of range"))?;
    *cell = v;
    Ok(())
}

fn truthy(v: &Value) -> RtResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Int(i) => Ok(*i != 0),
        Value::Float(f) => Ok(*f != 0.0),
        Value::None => Ok(false),
        Value::Tensor(t) => {
            if t.numel() != 1 {
                return Err(RuntimeError::new(
                    "Boolean value of Tensor with more than one value is ambiguous",
                ));
            }
            Ok(t.item()?.to_f64() != 0.0)
        }
        other => Err(RuntimeError::new(format!(
            "a {} cannot be used as a condition",
            other.kind_name()
        ))),
    }
}

fn exec_stmt(func: &Function, stmt: &StmtKind, frame: &mut [Value]) -> RtResult<Flow> {
    match stmt {
        StmtKind::Assign(slot, e) => {
            let v = eval(func, e, frame)?;
            set(frame, *slot, v)?;
        }
        StmtKind::Unpack(slots, e) => {
            let v = eval(func, e, frame)?;
            let items = unpack(&v, slots.len())?;
            for (slot, item) in slots.iter().zip(items) {
                set(frame, *slot, item)?;
            }
        }
        StmtKind::SetAttr { obj, slot, value } => {
            let o = eval(func, obj, frame)?;
            let v = eval(func, value, frame)?;
            match o {
                Value::Object(o) => {
                    let mut slots = o.slots.write();
                    let cell = slots
                        .get_mut(*slot as usize)
                        .ok_or_else(|| RuntimeError::new("attribute slot out of range"))?;
                    *cell = v;
                }
                other => {
                    return Err(RuntimeError::new(format!(
                        "cannot set an attribute on a {}",
                        other.kind_name()
                    )))
                }
            }
        }
        StmtKind::Expr(e) => {
            eval(func, e, frame)?;
        }
        StmtKind::If(c, then, els) => {
            let c = eval(func, c, frame)?;
            return exec_block(func, if truthy(&c)? { then } else { els }, frame);
        }
        StmtKind::ForRange { var, count, body } => {
            let n = match eval(func, count, frame)? {
                Value::Int(n) => n,
                other => {
                    return Err(RuntimeError::new(format!(
                        "range() expects an int, got {}",
                        other.kind_name()
                    )))
                }
            };
            for i in 0..n.max(0) {
                set(frame, *var, Value::Int(i))?;
                match exec_block(func, body, frame)? {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => break,
                    r @ Flow::Return(_) => return Ok(r),
                }
            }
        }
        StmtKind::While(c, body) => loop {
            let c = eval(func, c, frame)?;
            if !truthy(&c)? {
                break;
            }
            match exec_block(func, body, frame)? {
                Flow::Normal | Flow::Continue => {}
                Flow::Break => break,
                r @ Flow::Return(_) => return Ok(r),
            }
        },
        StmtKind::With {
            ctx,
            enter,
            exit,
            body,
        } => {
            let c = eval(func, ctx, frame)?;
            if let Some(enter) = enter {
                call(&*target(enter)?, smallvec::smallvec![c.clone()])?;
            }
            let r = exec_block(func, body, frame);
            if let Some(exit) = exit {
                let none = Value::None;
                call(
                    &*target(exit)?,
                    smallvec::smallvec![c, none.clone(), none.clone(), none],
                )?;
            }
            return r;
        }
        StmtKind::Return(e) => return Ok(Flow::Return(eval(func, e, frame)?)),
        StmtKind::Break => return Ok(Flow::Break),
        StmtKind::Continue => return Ok(Flow::Continue),
        StmtKind::Pass => {}
    }
    Ok(Flow::Normal)
}

fn unpack(v: &Value, n: usize) -> RtResult<Vec<Value>> {
    let items = v.sequence_items().ok_or_else(|| {
        RuntimeError::new(format!("cannot unpack a {} into {n} values", v.kind_name()))
    })?;
    if items.len() != n {
        return Err(RuntimeError::exception(
            "ValueError",
            format!("expected {n} values to unpack, got {}", items.len()),
        ));
    }
    Ok(items)
}

/// Evaluates arguments into a buffer owned by the caller's stack frame (returning the
/// buffer by value would copy ~1 KB per call).
#[inline(always)]
fn eval_into(
    func: &Function,
    args: &[Expr],
    frame: &mut [Value],
    out: &mut SmallVec<[Value; 8]>,
) -> RtResult<()> {
    for a in args {
        out.push(eval(func, a, frame)?);
    }
    Ok(())
}

fn eval_args(func: &Function, args: &[Expr], frame: &mut [Value]) -> RtResult<Vec<Value>> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        out.push(eval(func, a, frame)?);
    }
    Ok(out)
}

/// Whether an operator takes or returns tensors.
fn involves_tensors(op: &crate::ops::OpDef) -> bool {
    fn has(t: &crate::types::Type) -> bool {
        use crate::types::Type;
        match t {
            Type::Tensor => true,
            Type::Optional(e) | Type::List(e) => has(e),
            Type::Tuple(ts) => ts.iter().any(has),
            _ => false,
        }
    }
    op.schema.args.iter().any(|a| has(&a.ty)) || op.schema.returns.iter().any(has)
}

/// Tensor kernels' errors are generic, so they get the op's name; the language ops (lists,
/// dicts, str, scalars) already give PyTorch's exact message.
pub(crate) fn name_op_in_error(op: &crate::ops::OpDef, mut err: RuntimeError) -> RuntimeError {
    if err.class == "RuntimeError" && involves_tensors(op) && !err.message.contains(&op.schema.name)
    {
        err.message = format!("{}: {}", op.schema.full_name(), err.message);
    }
    err
}

fn eval(func: &Function, e: &Expr, frame: &mut [Value]) -> RtResult<Value> {
    Ok(match e {
        Expr::Local(slot) => frame
            .get(*slot as usize)
            .cloned()
            .ok_or_else(|| RuntimeError::new("internal error: local slot out of range"))?,
        Expr::Move(slot) => frame
            .get_mut(*slot as usize)
            .map(std::mem::take)
            .ok_or_else(|| RuntimeError::new("internal error: local slot out of range"))?,
        Expr::Const(v) => v.clone(),
        Expr::Op(op, args) => {
            let mut a = SmallVec::new();
            eval_into(func, args, frame, &mut a)?;
            (op.kernel)(&mut a).map_err(|err| name_op_in_error(op, err))?
        }
        Expr::Call(f, args) => {
            let f = target(f)?;
            let mut a = SmallVec::new();
            eval_into(func, args, frame, &mut a)?;
            call_slice(&f, &mut a)?
        }
        Expr::CallVirtual { name, args } => {
            let mut a = SmallVec::new();
            eval_into(func, args, frame, &mut a)?;
            let target = match a.first() {
                Some(Value::Object(o)) => o.class.method(name),
                _ => None,
            }
            .ok_or_else(|| RuntimeError::new(format!("object has no method '{name}'")))?;
            call_slice(&target, &mut a)?
        }
        Expr::GetAttr(obj, slot) => match eval(func, obj, frame)? {
            Value::Object(o) => o
                .slots
                .read()
                .get(*slot as usize)
                .cloned()
                .ok_or_else(|| RuntimeError::new("attribute slot out of range"))?,
            Value::Tuple(t) => t
                .get(*slot as usize)
                .cloned()
                .ok_or_else(|| RuntimeError::new("tuple field out of range"))?,
            other => {
                return Err(RuntimeError::new(format!(
                    "cannot read an attribute of a {}",
                    other.kind_name()
                )))
            }
        },
        Expr::TupleIndex(t, i) => match eval(func, t, frame)? {
            Value::Tuple(t) => t
                .get(*i)
                .cloned()
                .ok_or_else(|| RuntimeError::exception("IndexError", "tuple index out of range"))?,
            other => {
                return Err(RuntimeError::new(format!(
                    "cannot index a {} as a tuple",
                    other.kind_name()
                )))
            }
        },
        Expr::MakeTuple(items) => Value::Tuple(eval_args(func, items, frame)?.into()),
        Expr::MakeList(elem, items) => {
            Value::new_list(elem.clone(), eval_args(func, items, frame)?)
        }
        Expr::MakeDict(k, v, items) => {
            let mut entries = Vec::with_capacity(items.len());
            for (ke, ve) in items.iter() {
                entries.push((eval(func, ke, frame)?, eval(func, ve, frame)?));
            }
            Value::new_dict(k.clone(), v.clone(), entries)
        }
        Expr::NewObject(class) => Value::Object(Arc::new(Object {
            class: class.clone(),
            slots: RwLock::new(vec![Value::None; class.body().attributes.len()]),
        })),
        Expr::NewNamedTuple(_, args) => Value::Tuple(eval_args(func, args, frame)?.into()),
        Expr::IntToFloat(x) => match eval(func, x, frame)? {
            Value::Int(i) => Value::Float(i as f64),
            other => other,
        },
        Expr::IsInstance(x, ty) => {
            let v = eval(func, x, frame)?;
            Value::Bool(crate::typecheck::value_has_type(&v, ty))
        }
        Expr::Print(args) => {
            let a = eval_args(func, args, frame)?;
            let parts: Vec<String> = a.iter().map(crate::display::python_str).collect();
            println!("{}", parts.join(" "));
            Value::None
        }
        Expr::Format(args) => {
            let a = eval_args(func, args, frame)?;
            Value::str(&crate::display::format_args(&a)?)
        }
        Expr::BoolOp(is_and, l, r) => {
            let lv = eval(func, l, frame)?;
            let lt = truthy(&lv)?;
            if lt != *is_and {
                lv
            } else {
                eval(func, r, frame)?
            }
        }
        Expr::IfExp(c, a, b) => {
            let c = eval(func, c, frame)?;
            if truthy(&c)? {
                eval(func, a, frame)?
            } else {
                eval(func, b, frame)?
            }
        }
    })
}
