//! A readable dump of compiled IR (`TSRUN_DUMP_IR=1` prints each specialised entry point at
//! load), to see what the optimizer made of a method.

use std::fmt::Write;

use crate::function::{Block, Expr, Function, StmtKind};

/// Renders a compiled function body.
pub fn dump_function(name: &str, f: &Function) -> String {
    let plan = match &f.plan {
        Some(p) => format!(", plan: {} steps", p.len()),
        None => String::new(),
    };
    let mut out = format!("fn {name} (slots: {}{plan})\n", f.num_slots);
    dump_block(&mut out, &f.body, 1);
    out
}

fn dump_block(out: &mut String, block: &Block, depth: usize) {
    let pad = "  ".repeat(depth);
    for s in block {
        let _ = match &s.kind {
            StmtKind::Assign(slot, e) => writeln!(out, "{pad}%{slot} = {}", expr(e)),
            StmtKind::Unpack(slots, e) => {
                let names: Vec<String> = slots.iter().map(|s| format!("%{s}")).collect();
                writeln!(out, "{pad}{} = {}", names.join(", "), expr(e))
            }
            StmtKind::SetAttr { obj, slot, value } => {
                writeln!(out, "{pad}{}.[{slot}] = {}", expr(obj), expr(value))
            }
            StmtKind::Expr(e) => writeln!(out, "{pad}{}", expr(e)),
            StmtKind::Return(e) => writeln!(out, "{pad}return {}", expr(e)),
            StmtKind::If(c, a, b) => {
                let _ = writeln!(out, "{pad}if {}:", expr(c));
                dump_block(out, a, depth + 1);
                let _ = writeln!(out, "{pad}else:");
                dump_block(out, b, depth + 1);
                Ok(())
            }
            StmtKind::ForRange { var, count, body } => {
                let _ = writeln!(out, "{pad}for %{var} in range({}):", expr(count));
                dump_block(out, body, depth + 1);
                Ok(())
            }
            StmtKind::While(c, body) => {
                let _ = writeln!(out, "{pad}while {}:", expr(c));
                dump_block(out, body, depth + 1);
                Ok(())
            }
            StmtKind::With { ctx, body, .. } => {
                let _ = writeln!(out, "{pad}with {}:", expr(ctx));
                dump_block(out, body, depth + 1);
                Ok(())
            }
            StmtKind::Break => writeln!(out, "{pad}break"),
            StmtKind::Continue => writeln!(out, "{pad}continue"),
            StmtKind::Pass => writeln!(out, "{pad}pass"),
        };
    }
}

fn expr(e: &Expr) -> String {
    let list = |xs: &[Expr]| xs.iter().map(expr).collect::<Vec<_>>().join(", ");
    match e {
        Expr::Local(s) => format!("%{s}"),
        Expr::Move(s) => format!("move %{s}"),
        Expr::Const(v) => match v {
            crate::value::Value::Tensor(t) => format!("const Tensor{:?}", t.shape()),
            crate::value::Value::Object(o) => format!("const <{}>", o.class.short_name()),
            other => format!("const {other}"),
        },
        Expr::Op(op, args) => format!("{}({})", op.schema.full_name(), list(args)),
        Expr::Call(f, args) => format!("call {}({})", f.qualified_name(), list(args)),
        Expr::CallVirtual { name, args } => format!("virtual {name}({})", list(args)),
        Expr::GetAttr(o, slot) => format!("{}.[{slot}]", expr(o)),
        Expr::TupleIndex(t, i) => format!("{}[{i}]", expr(t)),
        Expr::MakeTuple(xs) => format!("({})", list(xs)),
        Expr::MakeList(_, xs) => format!("[{}]", list(xs)),
        Expr::NewNamedTuple(c, xs) => format!("{}({})", c.short_name(), list(xs)),
        Expr::Print(xs) => format!("print({})", list(xs)),
        Expr::Format(xs) => format!("format({})", list(xs)),
        other => {
            let mut c = other.clone();
            let kids: Vec<String> = c.children_mut().map(|x| expr(x)).collect();
            format!("<expr>({})", kids.join(", "))
        }
    }
}
