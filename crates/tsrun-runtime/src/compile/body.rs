//! Compiles one function body: every local gets a slot, every expression a static type,
//! every call a resolved target.

use std::collections::HashMap;
use std::sync::Arc;

use tsrun_script::{
    expr_to_type, BinOp, BoolOpKind, CmpOp, Expr as AExpr, ExprKind, FuncDef, Span, Stmt as AStmt,
    StmtKind as AStmtKind, UnaryOp,
};

use super::resolve::{resolve, TypedExpr};
use super::{loc, Program};
use crate::class::{ClassKind, ClassType};
use crate::error::CompileError;
use crate::function::{Block, Callee, Expr, Function, FunctionRef, Stmt, StmtKind};
use crate::ops::registry;
use crate::types::Type;
use crate::value::{EnumValue, Value};

type CResult<T> = Result<T, CompileError>;

/// Compiles a function or method body.
pub(super) fn compile_function(
    program: &Program,
    func: &FunctionRef,
    def: &FuncDef,
    file: &Arc<str>,
    _class: Option<&Arc<ClassType>>,
) -> CResult<Function> {
    let mut c = FnCompiler {
        program,
        file: file.clone(),
        locals: HashMap::new(),
        num_slots: 0,
        ret: func.ret.clone(),
        closures: HashMap::new(),
    };
    for p in &func.params {
        c.declare(&p.name, p.ty.clone());
    }
    let body = c.block(&def.body)?;
    Ok(Function {
        num_slots: c.num_slots as usize,
        body,
        file: file.clone(),
        // Plans are made from specialised bodies (`optimize::specialize`).
        plan: None,
    })
}

/// The value of a literal expression (defaults, constants, enum members).
pub(super) fn literal_value(e: &AExpr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::Str(s) => Value::str(s),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::NoneLit => Value::None,
        ExprKind::Name(n) if n == "inf" => Value::Float(f64::INFINITY),
        ExprKind::Name(n) if n == "nan" => Value::Float(f64::NAN),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => match literal_value(operand)? {
            Value::Int(i) => Value::Int(i.wrapping_neg()),
            Value::Float(f) => Value::Float(-f),
            _ => return None,
        },
        ExprKind::Tuple(items) => {
            Value::tuple(items.iter().map(literal_value).collect::<Option<_>>()?)
        }
        ExprKind::List(items) => {
            let vals: Vec<Value> = items.iter().map(literal_value).collect::<Option<_>>()?;
            let elem = vals.first().map(value_type).unwrap_or(Type::Any);
            Value::new_list(elem, vals)
        }
        _ => return None,
    })
}

fn value_type(v: &Value) -> Type {
    match v {
        Value::Int(_) => Type::Int,
        Value::Float(_) => Type::Float,
        Value::Bool(_) => Type::Bool,
        Value::Str(_) => Type::Str,
        Value::Tensor(_) => Type::Tensor,
        Value::None => Type::None,
        Value::Device(_) => Type::Device,
        Value::Tuple(items) => Type::Tuple(items.iter().map(value_type).collect()),
        Value::List(l) => Type::list(l.elem.clone()),
        Value::Dict(d) => Type::Dict(Arc::new(d.key.clone()), Arc::new(d.value.clone())),
        Value::Object(o) => Type::Class(o.class.clone()),
        Value::Enum(e) => Type::Class(e.class.clone()),
        Value::Function(f) => Type::Function(f.clone()),
        Value::Future(v) => Type::Future(Arc::new(value_type(v))),
    }
}

struct FnCompiler<'p> {
    program: &'p Program,
    file: Arc<str>,
    locals: HashMap<String, (u32, Type)>,
    num_slots: u32,
    ret: Type,
    /// Argument-less nested `def`s (fork closures) by name, compiled where `fork` runs them.
    closures: HashMap<String, FuncDef>,
}

/// Whether a type mentions `Any` (an untyped empty container display).
fn mentions_any(t: &Type) -> bool {
    match t {
        Type::Any => true,
        Type::List(e) | Type::Optional(e) | Type::Future(e) => mentions_any(e),
        Type::Dict(k, v) => mentions_any(k) || mentions_any(v),
        Type::Tuple(ts) | Type::Union(ts) => ts.iter().any(mentions_any),
        _ => false,
    }
}

fn typed(expr: Expr, ty: Type) -> TypedExpr {
    TypedExpr { expr, ty }
}

/// `a.b.c` as a dotted name, if the expression is a chain of names.
fn dotted(e: &AExpr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Attribute { value, attr } => Some(format!("{}.{attr}", dotted(value)?)),
        _ => None,
    }
}

impl FnCompiler<'_> {
    fn err(&self, span: &Span, msg: impl Into<String>) -> CompileError {
        CompileError::at(loc(&self.file, span), msg)
    }

    fn declare(&mut self, name: &str, ty: Type) -> u32 {
        if let Some((slot, t)) = self.locals.get_mut(name) {
            // A name assigned on several paths (a phi of the printed SSA form) keeps the wider
            // type: `v : Union[int, str] = "s"` in one branch, `v = v0` (Union[int]) in the other.
            if !ty.is_subtype_of(t) || mentions_any(t) {
                *t = ty;
            }
            return *slot;
        }
        let slot = self.num_slots;
        self.num_slots += 1;
        self.locals.insert(name.to_string(), (slot, ty));
        slot
    }

    fn block(&mut self, stmts: &[AStmt]) -> CResult<Block> {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, s: &AStmt) -> CResult<Stmt> {
        let kind = match &s.kind {
            AStmtKind::Assign {
                targets,
                unpack,
                value,
            } => self.assign(targets, *unpack, value, &s.span)?,
            AStmtKind::AnnAssign { target, ty, value } => {
                let ty = self.program.type_of(ty).map_err(|m| self.err(&s.span, m))?;
                let v = self.expr(value)?;
                let e = self.coerce(v, &ty, &value.span)?;
                let slot = self.declare(target, ty);
                StmtKind::Assign(slot, e)
            }
            AStmtKind::AugAssign { target, op, value } => {
                let combined = AExpr {
                    kind: ExprKind::Binary {
                        op: *op,
                        left: Box::new(target.clone()),
                        right: Box::new(value.clone()),
                    },
                    span: s.span,
                };
                self.assign(std::slice::from_ref(target), false, &combined, &s.span)?
            }
            AStmtKind::Expr(e) => StmtKind::Expr(self.expr(e)?.expr),
            AStmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.expr(cond)?;
                StmtKind::If(c.expr, self.block(then_body)?, self.block(else_body)?)
            }
            AStmtKind::For { var, iter, body } => self.for_loop(var, iter, body, &s.span)?,
            AStmtKind::While { cond, body } => {
                let c = self.expr(cond)?;
                StmtKind::While(c.expr, self.block(body)?)
            }
            AStmtKind::With { ctx, body } => {
                let c = self.expr(ctx)?;
                let (enter, exit) = match &c.ty {
                    Type::Class(cls) => (
                        cls.method("__enter__").as_ref().map(Callee::new),
                        cls.method("__exit__").as_ref().map(Callee::new),
                    ),
                    _ => (None, None),
                };
                StmtKind::With {
                    ctx: c.expr,
                    enter,
                    exit,
                    body: self.block(body)?,
                }
            }
            AStmtKind::Return(e) => {
                let v = match e {
                    Some(e) => {
                        let v = self.expr(e)?;
                        let ret = self.ret.clone();
                        self.coerce(v, &ret, &e.span)?
                    }
                    None => Expr::Const(Value::None),
                };
                StmtKind::Return(v)
            }
            AStmtKind::Pass => StmtKind::Pass,
            AStmtKind::Break => StmtKind::Break,
            AStmtKind::Continue => StmtKind::Continue,
            AStmtKind::Raise(_) | AStmtKind::Assert { .. } => {
                return Err(self.err(&s.span, "`raise`/`assert` statements are not supported (PyTorch prints ops.prim.RaiseException)"))
            }
            AStmtKind::FuncDef(d) => {
                if !d.params.is_empty() {
                    return Err(self.err(&s.span, format!(
                        "nested function '{}' with parameters is not supported (PyTorch prints only argument-less fork closures)",
                        d.name
                    )));
                }
                self.closures.insert(d.name.clone(), (**d).clone());
                StmtKind::Pass
            }
        };
        Ok(Stmt {
            kind,
            line: s.span.line,
            col: s.span.col,
        })
    }

    fn assign(
        &mut self,
        targets: &[AExpr],
        unpack: bool,
        value: &AExpr,
        span: &Span,
    ) -> CResult<StmtKind> {
        if let [AExpr {
            kind: ExprKind::Name(n),
            ..
        }] = targets
        {
            if let Some(k) = self.fork_assign(n, value)? {
                return Ok(k);
            }
        }
        let v = self.expr(value)?;
        if unpack {
            let elem_types: Vec<Type> = match &v.ty {
                Type::Tuple(ts) if ts.len() == targets.len() => ts.to_vec(),
                Type::Class(c) if c.kind == ClassKind::NamedTuple => {
                    c.body().attributes.iter().map(|a| a.ty.clone()).collect()
                }
                Type::List(e) => vec![(**e).clone(); targets.len()],
                other => {
                    return Err(self.err(
                        span,
                        format!(
                            "cannot unpack a value of type {other} into {} names",
                            targets.len()
                        ),
                    ))
                }
            };
            if elem_types.len() != targets.len() {
                return Err(self.err(
                    span,
                    format!(
                        "cannot unpack {} values into {} names",
                        elem_types.len(),
                        targets.len()
                    ),
                ));
            }
            let mut slots = Vec::with_capacity(targets.len());
            for (t, ty) in targets.iter().zip(elem_types) {
                match &t.kind {
                    ExprKind::Name(n) => slots.push(self.declare(n, ty)),
                    _ => return Err(self.err(&t.span, "only names can be unpacked into")),
                }
            }
            return Ok(StmtKind::Unpack(slots.into(), v.expr));
        }
        let target = targets
            .first()
            .ok_or_else(|| self.err(span, "assignment without a target"))?;
        match &target.kind {
            ExprKind::Name(n) => {
                let slot = self.declare(n, v.ty);
                Ok(StmtKind::Assign(slot, v.expr))
            }
            ExprKind::Attribute { value: obj, attr } => {
                let o = self.expr(obj)?;
                let Type::Class(cls) = &o.ty else {
                    return Err(self.err(
                        &target.span,
                        format!("cannot set attribute '{attr}' on a value of type {}", o.ty),
                    ));
                };
                let idx = cls.attribute_index(attr).ok_or_else(|| {
                    self.err(
                        &target.span,
                        format!("class {} has no attribute '{attr}'", cls.name),
                    )
                })?;
                let ty = cls.body().attributes[idx].ty.clone();
                let value = self.coerce(v, &ty, &value.span)?;
                Ok(StmtKind::SetAttr {
                    obj: o.expr,
                    slot: idx as u32,
                    value,
                })
            }
            ExprKind::Subscript { value: obj, index } => {
                let o = self.expr(obj)?;
                let i = self.expr(index)?;
                let r = self.op_call("aten::_set_item", vec![o, i, v], vec![], &target.span)?;
                Ok(StmtKind::Expr(r.expr))
            }
            _ => Err(self.err(&target.span, "unsupported assignment target")),
        }
    }

    fn for_loop(
        &mut self,
        var: &str,
        iter: &AExpr,
        body: &[AStmt],
        span: &Span,
    ) -> CResult<StmtKind> {
        if let ExprKind::Call { func, args, kwargs } = &iter.kind {
            if matches!(&func.kind, ExprKind::Name(n) if n == "range")
                && args.len() == 1
                && kwargs.is_empty()
            {
                let count = self.expr(&args[0])?;
                if !matches!(count.ty, Type::Int) {
                    return Err(self.err(span, format!("range() expects an int, got {}", count.ty)));
                }
                let slot = self.declare(var, Type::Int);
                return Ok(StmtKind::ForRange {
                    var: slot,
                    count: count.expr,
                    body: self.block(body)?,
                });
            }
        }
        Err(self.err(
            span,
            "unsupported for-loop form (PyTorch prints only `for i in range(n)`)",
        ))
    }

    /// Converts an expression to a target type (subtyping, int -> float, typed empty lists).
    fn coerce(&self, v: TypedExpr, target: &Type, span: &Span) -> CResult<Expr> {
        if v.ty.is_subtype_of(target) {
            return Ok(v.expr);
        }
        match (&v.ty, target.unwrap_optional(), v.expr) {
            (Type::Int, Type::Float, e) => Ok(Expr::IntToFloat(Box::new(e))),
            // A 0-dim tensor where a number is expected (`annotate(int, t)` in nn.GRU):
            // PyTorch inserts aten::IntImplicit / FloatImplicit / ScalarImplicit.
            (Type::Tensor, t @ (Type::Int | Type::Float | Type::Number), e) => {
                let name = match t {
                    Type::Int => "aten::IntImplicit",
                    Type::Float => "aten::FloatImplicit",
                    _ => "aten::ScalarImplicit",
                };
                let def = registry()
                    .candidates(name)
                    .first()
                    .cloned()
                    .ok_or_else(|| {
                        self.err(span, format!("internal error: {name} is not registered"))
                    })?;
                Ok(Expr::Op(def, vec![e].into()))
            }
            (Type::List(a), Type::List(t), Expr::MakeList(_, items))
                if matches!(**a, Type::Any) =>
            {
                Ok(Expr::MakeList((**t).clone(), items))
            }
            (Type::Dict(..), Type::Dict(k, val), Expr::MakeDict(_, _, items)) => {
                Ok(Expr::MakeDict((**k).clone(), (**val).clone(), items))
            }
            (Type::Any, _, e) => Ok(e),
            (Type::List(a), Type::List(_), e) if matches!(**a, Type::Any) => Ok(e),
            (from, _, _) => Err(self.err(
                span,
                format!("expected a value of type {target} but got {from}"),
            )),
        }
    }

    fn expr(&mut self, e: &AExpr) -> CResult<TypedExpr> {
        match &e.kind {
            ExprKind::Name(n) => self.name(n, &e.span),
            ExprKind::Int(i) => Ok(typed(Expr::Const(Value::Int(*i)), Type::Int)),
            ExprKind::Float(f) => Ok(typed(Expr::Const(Value::Float(*f)), Type::Float)),
            ExprKind::Str(s) => Ok(typed(Expr::Const(Value::str(s)), Type::Str)),
            ExprKind::Bool(b) => Ok(typed(Expr::Const(Value::Bool(*b)), Type::Bool)),
            ExprKind::NoneLit => Ok(typed(Expr::Const(Value::None), Type::None)),
            ExprKind::Ellipsis => Err(self.err(&e.span, "`...` is not supported here")),
            ExprKind::Attribute { value, attr } => self.attribute(e, value, attr),
            ExprKind::Call { func, args, kwargs } => self.call(e, func, args, kwargs),
            ExprKind::Subscript { value, index } => self.subscript(value, index, &e.span),
            ExprKind::Slice { .. } => {
                Err(self.err(&e.span, "a slice is only allowed inside a subscript"))
            }
            ExprKind::Tuple(items) => {
                let items: Vec<TypedExpr> =
                    items.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?;
                let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
                Ok(typed(
                    Expr::MakeTuple(items.into_iter().map(|x| x.expr).collect()),
                    ty,
                ))
            }
            ExprKind::List(items) => {
                let items: Vec<TypedExpr> =
                    items.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?;
                let elem = unify_elements(items.iter().map(|x| &x.ty))
                    .ok_or_else(|| self.err(&e.span, "list elements have incompatible types"))?;
                let exprs = items
                    .into_iter()
                    .map(|x| {
                        if matches!(elem, Type::Float) && matches!(x.ty, Type::Int) {
                            Expr::IntToFloat(Box::new(x.expr))
                        } else {
                            x.expr
                        }
                    })
                    .collect();
                Ok(typed(Expr::MakeList(elem.clone(), exprs), Type::list(elem)))
            }
            ExprKind::Dict(items) => {
                let mut out = Vec::with_capacity(items.len());
                let (mut kt, mut vt) = (Type::Any, Type::Any);
                for (k, v) in items {
                    let k = self.expr(k)?;
                    let v = self.expr(v)?;
                    kt = k.ty.clone();
                    vt = v.ty.clone();
                    out.push((k.expr, v.expr));
                }
                Ok(typed(
                    Expr::MakeDict(kt.clone(), vt.clone(), out.into()),
                    Type::Dict(Arc::new(kt), Arc::new(vt)),
                ))
            }
            ExprKind::Unary { op, operand } => {
                let x = self.expr(operand)?;
                let name = match op {
                    UnaryOp::Neg => "aten::neg",
                    UnaryOp::Pos => return Ok(x),
                    UnaryOp::Not => "aten::__not__",
                    UnaryOp::Invert => "aten::bitwise_not",
                };
                self.op_call(name, vec![x], vec![], &e.span)
            }
            ExprKind::Binary { op, left, right } => {
                let l = self.expr(left)?;
                let r = self.expr(right)?;
                let name = match op {
                    BinOp::Add => "aten::add",
                    BinOp::Sub => "aten::sub",
                    BinOp::Mul => "aten::mul",
                    BinOp::Div => "aten::div",
                    BinOp::FloorDiv if matches!(l.ty, Type::Tensor) => "aten::floor_divide",
                    BinOp::FloorDiv => "aten::floordiv",
                    BinOp::Mod => "aten::remainder",
                    BinOp::Pow => "aten::pow",
                    BinOp::MatMul => "aten::matmul",
                    BinOp::BitAnd => "aten::__and__",
                    BinOp::BitOr => "aten::__or__",
                    BinOp::BitXor => "aten::__xor__",
                    BinOp::LShift => "aten::__lshift__",
                    BinOp::RShift => "aten::__rshift__",
                };
                self.op_call(name, vec![l, r], vec![], &e.span)
            }
            ExprKind::Compare { op, left, right } => {
                let l = self.expr(left)?;
                let r = self.expr(right)?;
                let (name, swap, negate) = match op {
                    CmpOp::Eq => ("aten::eq", false, false),
                    CmpOp::NotEq => ("aten::ne", false, false),
                    CmpOp::Lt => ("aten::lt", false, false),
                    CmpOp::LtE => ("aten::le", false, false),
                    CmpOp::Gt => ("aten::gt", false, false),
                    CmpOp::GtE => ("aten::ge", false, false),
                    CmpOp::Is => ("aten::__is__", false, false),
                    CmpOp::IsNot => ("aten::__isnot__", false, false),
                    CmpOp::In => ("aten::__contains__", true, false),
                    CmpOp::NotIn => ("aten::__contains__", true, true),
                };
                let args = if swap { vec![r, l] } else { vec![l, r] };
                let res = self.op_call(name, args, vec![], &e.span)?;
                if negate {
                    self.op_call("aten::__not__", vec![res], vec![], &e.span)
                } else {
                    Ok(res)
                }
            }
            ExprKind::BoolOp { op, left, right } => {
                let l = self.expr(left)?;
                let r = self.expr(right)?;
                let ty = if l.ty.same(&r.ty) { l.ty } else { Type::Any };
                Ok(typed(
                    Expr::BoolOp(
                        matches!(op, BoolOpKind::And),
                        Box::new(l.expr),
                        Box::new(r.expr),
                    ),
                    ty,
                ))
            }
            ExprKind::IfExp { cond, then, else_ } => {
                let c = self.expr(cond)?;
                let a = self.expr(then)?;
                let b = self.expr(else_)?;
                let ty = if a.ty.same(&b.ty) { a.ty } else { Type::Any };
                Ok(typed(
                    Expr::IfExp(Box::new(c.expr), Box::new(a.expr), Box::new(b.expr)),
                    ty,
                ))
            }
        }
    }

    fn name(&self, n: &str, span: &Span) -> CResult<TypedExpr> {
        if let Some((slot, ty)) = self.locals.get(n) {
            return Ok(typed(Expr::Local(*slot), ty.clone()));
        }
        match n {
            "inf" => Ok(typed(Expr::Const(Value::Float(f64::INFINITY)), Type::Float)),
            "nan" => Ok(typed(Expr::Const(Value::Float(f64::NAN)), Type::Float)),
            _ => Err(self.err(span, format!("unknown name '{n}'"))),
        }
    }

    /// A qualified `__torch__...` name used as a value: function, enum member.
    fn qualified_value(&self, q: &str, span: &Span) -> Option<CResult<TypedExpr>> {
        if let Some(f) = self.program.functions.get(q) {
            return Some(Ok(typed(
                Expr::Const(Value::Function(f.clone())),
                Type::Function(f.clone()),
            )));
        }
        let (cls_name, member) = q.rsplit_once('.')?;
        let cls = self.program.classes.get(cls_name)?;
        if cls.kind != ClassKind::Enum {
            return None;
        }
        let v = cls.body().enum_members.iter().find(|(n, _)| n == member)?;
        let value = Value::Enum(Arc::new(EnumValue {
            class: cls.clone(),
            name: member.into(),
            value: v.1.clone(),
        }));
        let _ = span;
        Some(Ok(typed(Expr::Const(value), Type::Class(cls.clone()))))
    }

    fn attribute(&mut self, whole: &AExpr, value: &AExpr, attr: &str) -> CResult<TypedExpr> {
        if let Some(q) = dotted(whole) {
            if let Some(idx) = q.strip_prefix("CONSTANTS.c") {
                let i: usize = idx
                    .parse()
                    .map_err(|_| self.err(&whole.span, format!("bad constant '{q}'")))?;
                let v = self.program.constants.get(i).cloned().ok_or_else(|| {
                    self.err(
                        &whole.span,
                        format!(
                            "CONSTANTS.c{i} does not exist (constants.pkl has {})",
                            self.program.constants.len()
                        ),
                    )
                })?;
                let ty = value_type(&v);
                return Ok(typed(Expr::Const(v), ty));
            }
            if q.starts_with("__torch__.") && !self.locals.contains_key("__torch__") {
                if let Some(r) = self.qualified_value(&q, &whole.span) {
                    return r;
                }
                return Err(self.err(&whole.span, format!("unknown name '{q}'")));
            }
        }
        let o = self.expr(value)?;
        match &o.ty {
            Type::Class(cls)
                if cls.kind == ClassKind::Enum && (attr == "value" || attr == "name") =>
            {
                // `(c).value` / `(c).name` of an enum member (prim::EnumValue / prim::EnumName).
                let (op, ty) = if attr == "name" {
                    ("prim::EnumName", Type::Str)
                } else {
                    let ty = cls
                        .body()
                        .enum_members
                        .first()
                        .map(|(_, v)| value_type(v))
                        .unwrap_or(Type::Any);
                    ("prim::EnumValue", ty)
                };
                let def = registry().candidates(op).first().cloned().ok_or_else(|| {
                    self.err(
                        &whole.span,
                        format!("internal error: {op} is not registered"),
                    )
                })?;
                Ok(typed(Expr::Op(def, vec![o.expr].into()), ty))
            }
            Type::Class(cls) => {
                if let Some(i) = cls.attribute_index(attr) {
                    let ty = cls.body().attributes[i].ty.clone();
                    let e = if cls.kind == ClassKind::NamedTuple {
                        Expr::TupleIndex(Box::new(o.expr), i)
                    } else {
                        Expr::GetAttr(Box::new(o.expr), i as u32)
                    };
                    return Ok(typed(e, ty));
                }
                if let Some((v, t)) = cls.constant(attr) {
                    return Ok(typed(Expr::Const(v.clone()), t.clone()));
                }
                Err(self.err(
                    &whole.span,
                    format!("class {} has no attribute '{attr}'", cls.name),
                ))
            }
            other => Err(self.err(
                &whole.span,
                format!("cannot read attribute '{attr}' of a value of type {other}"),
            )),
        }
    }

    fn subscript(&mut self, value: &AExpr, index: &AExpr, span: &Span) -> CResult<TypedExpr> {
        let v = self.expr(value)?;
        match &v.ty {
            Type::Tuple(ts) => {
                let ExprKind::Int(i) = index.kind else {
                    // `((1, 2, 3))[i]`: a run-time index into a tuple whose elements all have
                    // one type (prim::TupleIndex).
                    let elem = unify_elements(ts.iter()).filter(|t| !matches!(t, Type::Any));
                    let Some(elem) = elem.filter(|_| !ts.is_empty()) else {
                        return Err(self.err(span, "a tuple with elements of different types can only be indexed by an integer literal"));
                    };
                    let i = self.expr(index)?;
                    let i = self.coerce(i, &Type::Int, &index.span)?;
                    let def = registry()
                        .candidates("prim::TupleIndex")
                        .first()
                        .cloned()
                        .ok_or_else(|| {
                            self.err(span, "internal error: prim::TupleIndex is not registered")
                        })?;
                    return Ok(typed(Expr::Op(def, vec![v.expr, i].into()), elem));
                };
                let n = ts.len() as i64;
                let i = if i < 0 { i + n } else { i };
                if !(0..n).contains(&i) {
                    return Err(self.err(
                        span,
                        format!("tuple index {i} out of range for a tuple of {n}"),
                    ));
                }
                let ty = ts[i as usize].clone();
                Ok(typed(Expr::TupleIndex(Box::new(v.expr), i as usize), ty))
            }
            Type::Class(c) if c.kind == ClassKind::NamedTuple => {
                let ExprKind::Int(i) = index.kind else {
                    return Err(self.err(span, "a NamedTuple index must be an integer literal"));
                };
                let attrs = &c.body().attributes;
                let a = attrs
                    .get(i as usize)
                    .ok_or_else(|| self.err(span, "NamedTuple index out of range"))?;
                Ok(typed(
                    Expr::TupleIndex(Box::new(v.expr), i as usize),
                    a.ty.clone(),
                ))
            }
            _ => {
                let i = self.expr(index)?;
                self.op_call("aten::__getitem__", vec![v, i], vec![], span)
            }
        }
    }

    fn call(
        &mut self,
        whole: &AExpr,
        func: &AExpr,
        args: &[AExpr],
        kwargs: &[(String, AExpr)],
    ) -> CResult<TypedExpr> {
        let span = &whole.span;
        // Builtins that take types, not values.
        if let ExprKind::Name(n) = &func.kind {
            if !self.locals.contains_key(n) {
                if let Some(r) = self.builtin(n, args, kwargs, span)? {
                    return Ok(r);
                }
            }
        }
        if let Some(q) = dotted(func) {
            let head = q.split('.').next().unwrap_or("");
            if !self.locals.contains_key(head) {
                if let Some(op) = q.strip_prefix("torch.") {
                    return self.op_call_ast(&format!("aten::{op}"), args, kwargs, span);
                }
                if let Some(rest) = q.strip_prefix("ops.") {
                    if let Some((ns, op)) = rest.split_once('.') {
                        return self.op_call_ast(&format!("{ns}::{op}"), args, kwargs, span);
                    }
                }
                if q.starts_with("__torch__.") {
                    return self.qualified_call(&q, args, kwargs, span);
                }
            }
        }
        // A method call `(obj).m(args)` or a call of a function value `_0(args)`.
        match &func.kind {
            ExprKind::Attribute { value, attr } => {
                let recv = self.expr(value)?;
                let Type::Class(cls) = recv.ty.clone() else {
                    return Err(self.err(
                        span,
                        format!("cannot call method '{attr}' on a value of type {}", recv.ty),
                    ));
                };
                let args = self.exprs(args)?;
                if cls.is_interface() {
                    let m = cls.method(attr).ok_or_else(|| {
                        self.err(
                            span,
                            format!("interface {} has no method '{attr}'", cls.name),
                        )
                    })?;
                    let mut all = vec![recv.expr];
                    all.extend(self.call_args(&m, args, span, 1)?);
                    return Ok(typed(
                        Expr::CallVirtual {
                            name: attr.as_str().into(),
                            args: all.into(),
                        },
                        m.ret.clone(),
                    ));
                }
                let m = cls.method(attr).ok_or_else(|| {
                    self.err(span, format!("class {} has no method '{attr}'", cls.name))
                })?;
                let mut all = vec![recv.expr];
                all.extend(self.call_args(&m, args, span, 1)?);
                Ok(typed(
                    Expr::Call(Callee::new(&m), all.into()),
                    m.ret.clone(),
                ))
            }
            _ => {
                let f = self.expr(func)?;
                let Type::Function(fref) = f.ty else {
                    return Err(self.err(span, format!("a value of type {} is not callable", f.ty)));
                };
                let args = self.exprs(args)?;
                let all = self.call_args(&fref, args, span, 0)?;
                Ok(typed(
                    Expr::Call(Callee::new(&fref), all.into()),
                    fref.ret.clone(),
                ))
            }
        }
    }

    fn exprs(&mut self, args: &[AExpr]) -> CResult<Vec<TypedExpr>> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    /// Arguments of a compiled function call: coerced to the parameter types, defaults filled.
    fn call_args(
        &self,
        f: &FunctionRef,
        args: Vec<TypedExpr>,
        span: &Span,
        skip: usize,
    ) -> CResult<Vec<Expr>> {
        let params = &f.params[skip.min(f.params.len())..];
        if args.len() > params.len() {
            return Err(self.err(
                span,
                format!(
                    "{} expects {} argument(s) but {} were given",
                    f.signature_text(),
                    params.len(),
                    args.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(params.len());
        let mut args = args.into_iter();
        for p in params {
            match args.next() {
                Some(a) => out.push(self.coerce(a, &p.ty, span)?),
                None => match &p.default {
                    Some(d) => out.push(Expr::Const(d.clone())),
                    None => {
                        return Err(self.err(
                            span,
                            format!("{}: missing argument '{}'", f.signature_text(), p.name),
                        ))
                    }
                },
            }
        }
        Ok(out)
    }

    fn qualified_call(
        &mut self,
        q: &str,
        args: &[AExpr],
        kwargs: &[(String, AExpr)],
        span: &Span,
    ) -> CResult<TypedExpr> {
        if let Some(cls_name) = q.strip_suffix(".__new__") {
            let cls = self
                .program
                .classes
                .get(cls_name)
                .cloned()
                .ok_or_else(|| self.err(span, format!("unknown class '{cls_name}'")))?;
            return Ok(typed(Expr::NewObject(cls.clone()), Type::Class(cls)));
        }
        if let Some(cls) = self.program.classes.get(q).cloned() {
            if cls.kind == ClassKind::NamedTuple {
                let args = self.exprs(args)?;
                let attrs = cls.body().attributes.clone();
                if args.len() != attrs.len() || !kwargs.is_empty() {
                    return Err(
                        self.err(span, format!("{} expects {} fields", cls.name, attrs.len()))
                    );
                }
                let mut out = Vec::with_capacity(args.len());
                for (a, attr) in args.into_iter().zip(attrs.iter()) {
                    out.push(self.coerce(a, &attr.ty, span)?);
                }
                return Ok(typed(
                    Expr::NewNamedTuple(cls.clone(), out.into()),
                    Type::Class(cls),
                ));
            }
            return Err(self.err(span, format!("class {q} cannot be called directly")));
        }
        if let Some(f) = self.program.functions.get(q).cloned() {
            let args = self.exprs(args)?;
            let all = self.call_args(&f, args, span, 0)?;
            return Ok(typed(
                Expr::Call(Callee::new(&f), all.into()),
                f.ret.clone(),
            ));
        }
        Err(self.err(span, format!("unknown function or class '{q}'")))
    }

    fn type_arg(&self, e: &AExpr) -> CResult<Type> {
        let t = expr_to_type(e).map_err(|pe| self.err(&e.span, pe.message))?;
        self.program.type_of(&t).map_err(|m| self.err(&e.span, m))
    }

    /// The types `isinstance(x, e)` tests for, given `x`'s static type `of`: `e` is a type, or
    /// a tuple of them (`isinstance(boxes, (list, tuple))`, as torchvision prints). The bare
    /// builtins `list` / `tuple` / `dict` stand for any list / tuple / dict: they become the
    /// members of `of` of that kind (a `List[Any]` when `of` is `Any`).
    fn isinstance_targets(&self, e: &AExpr, of: &Type) -> CResult<Vec<Type>> {
        if let ExprKind::Tuple(items) = &e.kind {
            let mut all = Vec::new();
            for item in items {
                all.extend(self.isinstance_targets(item, of)?);
            }
            return Ok(all);
        }
        let kind: fn(&Type) -> bool = match &e.kind {
            ExprKind::Name(n) if n == "list" => |t| matches!(t, Type::List(_)),
            ExprKind::Name(n) if n == "tuple" => |t| matches!(t, Type::Tuple(_)),
            ExprKind::Name(n) if n == "dict" => |t| matches!(t, Type::Dict(..)),
            _ => return Ok(vec![self.type_arg(e)?]),
        };
        if matches!(of, Type::Any) {
            if let ExprKind::Name(n) = &e.kind {
                if n == "list" {
                    return Ok(vec![Type::List(Arc::new(Type::Any))]);
                }
            }
            return Err(self.err(
                &e.span,
                "isinstance() with a bare tuple/dict type needs a typed value",
            ));
        }
        fn members(t: &Type, out: &mut Vec<Type>) {
            match t {
                Type::Union(ms) => ms.iter().for_each(|m| members(m, out)),
                Type::Optional(inner) => members(inner, out),
                other => out.push(other.clone()),
            }
        }
        let mut all = Vec::new();
        members(of, &mut all);
        all.retain(kind);
        Ok(all)
    }

    /// Builtin forms (`annotate`, `uninitialized`, `int(...)`, `print`...). `None` if `n` is
    /// not a builtin.
    fn builtin(
        &mut self,
        n: &str,
        args: &[AExpr],
        kwargs: &[(String, AExpr)],
        span: &Span,
    ) -> CResult<Option<TypedExpr>> {
        let need = |k: usize| -> CResult<()> {
            if args.len() == k {
                Ok(())
            } else {
                Err(self.err(
                    span,
                    format!("{n}() expects {k} argument(s), got {}", args.len()),
                ))
            }
        };
        Ok(Some(match n {
            "annotate" => {
                need(2)?;
                let ty = self.type_arg(&args[0])?;
                if let Some(e) = self.typed_display(&args[1], &ty)? {
                    return Ok(Some(typed(e, ty)));
                }
                let v = self.expr(&args[1])?;
                let e = self.coerce(v, &ty, span)?;
                typed(e, ty)
            }
            "uninitialized" => {
                need(1)?;
                let ty = self.type_arg(&args[0])?;
                typed(Expr::Const(Value::None), ty)
            }
            "unchecked_cast" => {
                need(2)?;
                let ty = self.type_arg(&args[0])?;
                let v = self.expr(&args[1])?;
                typed(v.expr, ty)
            }
            "isinstance" => {
                need(2)?;
                let v = self.expr(&args[0])?;
                let targets = self.isinstance_targets(&args[1], &v.ty)?;
                let dynamic = matches!(v.ty, Type::Any | Type::Union(_) | Type::Optional(_));
                if dynamic {
                    let ty = match <[Type; 1]>::try_from(targets) {
                        Ok([one]) => one,
                        Err(many) => Type::Union(many.into()),
                    };
                    typed(Expr::IsInstance(Box::new(v.expr), ty), Type::Bool)
                } else {
                    let yes = targets.iter().any(|t| v.ty.is_subtype_of(t));
                    typed(Expr::Const(Value::Bool(yes)), Type::Bool)
                }
            }
            "getattr" => {
                need(2)?;
                let ExprKind::Str(attr) = &args[1].kind else {
                    return Err(self.err(span, "getattr() needs a string literal"));
                };
                let whole = AExpr {
                    kind: ExprKind::Attribute {
                        value: Box::new(args[0].clone()),
                        attr: attr.clone(),
                    },
                    span: *span,
                };
                self.attribute(&whole, &args[0], attr)?
            }
            "int" => self.op_call_ast("aten::Int", args, kwargs, span)?,
            "float" => self.op_call_ast("aten::Float", args, kwargs, span)?,
            "bool" => self.op_call_ast("aten::Bool", args, kwargs, span)?,
            "str" => self.op_call_ast("aten::str", args, kwargs, span)?,
            "print" => {
                let a = self.exprs(args)?;
                typed(
                    Expr::Print(a.into_iter().map(|x| x.expr).collect()),
                    Type::None,
                )
            }
            "range" => {
                return Err(self.err(span, "range() is only supported as a for-loop iterable"))
            }
            "fork" => {
                return Err(self.err(span, "fork() is supported only as `name = fork(closure)`"))
            }
            "sorted" => self.op_call_ast("aten::sorted", args, kwargs, span)?,
            _ => return Ok(None),
        }))
    }

    /// A list or dict display built with a known type: `annotate(List[Any], [1, "a"])`,
    /// `annotate(List[Optional[Tensor]], [None, idx])`; also `annotate(List[List[float]],
    /// x.tolist())`, whose result type only the annotation gives. `None` for other expressions.
    fn typed_display(&mut self, e: &AExpr, ty: &Type) -> CResult<Option<Expr>> {
        if let ExprKind::Call { func, args, kwargs } = &e.kind {
            if let ExprKind::Attribute { value, attr } = &func.kind {
                if attr == "tolist" && args.is_empty() && kwargs.is_empty() {
                    return self.tolist(value, ty, &e.span).map(Some);
                }
            }
        }
        match (&e.kind, ty) {
            (ExprKind::List(items), Type::List(elem)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let v = self.expr(item)?;
                    out.push(self.coerce(v, elem, &item.span)?);
                }
                Ok(Some(Expr::MakeList((**elem).clone(), out.into())))
            }
            (ExprKind::Dict(items), Type::Dict(kt, vt)) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items {
                    let kx = self.expr(k)?;
                    let kx = self.coerce(kx, kt, &k.span)?;
                    let vx = self.expr(v)?;
                    let vx = self.coerce(vx, vt, &v.span)?;
                    out.push((kx, vx));
                }
                Ok(Some(Expr::MakeDict(
                    (**kt).clone(),
                    (**vt).clone(),
                    out.into(),
                )))
            }
            _ => Ok(None),
        }
    }

    /// `annotate(List[...[T]], t.tolist())` (`prim::tolist`): the annotation gives the
    /// nesting depth and the element type (int, float or bool), checked at run time.
    fn tolist(&mut self, value: &AExpr, ty: &Type, span: &Span) -> CResult<Expr> {
        let t = self.expr(value)?;
        if !matches!(t.ty, Type::Tensor) {
            return Err(self.err(span, format!("tolist() of a value of type {}", t.ty)));
        }
        let (mut dims, mut elem) = (0i64, ty);
        while let Type::List(e) = elem {
            dims += 1;
            elem = e;
        }
        let code = match elem {
            Type::Int => 0,
            Type::Float => 1,
            Type::Bool => 2,
            other => {
                return Err(self.err(
                    span,
                    format!(
                        "tolist() into a list of {other} is not supported (int, float or bool)"
                    ),
                ))
            }
        };
        let def = registry()
            .candidates("prim::tolist")
            .first()
            .cloned()
            .ok_or_else(|| self.err(span, "internal error: prim::tolist is not registered"))?;
        Ok(Expr::Op(
            def,
            vec![
                t.expr,
                Expr::Const(Value::Int(dims)),
                Expr::Const(Value::Int(code)),
            ]
            .into(),
        ))
    }

    /// `fut = fork(closure)`: the closure (an argument-less nested `def` seen earlier in this
    /// body) runs synchronously, inline in this frame, and its final `return e` becomes
    /// `fut = e`. The local is typed `Future[T]` but holds the `T` itself; `torch.wait` passes
    /// it through. The statements are wrapped in an `if True:` block so that one printed
    /// statement stays one IR statement. `None` if `value` is not a `fork(...)` call.
    fn fork_assign(&mut self, target: &str, value: &AExpr) -> CResult<Option<StmtKind>> {
        let ExprKind::Call { func, args, .. } = &value.kind else {
            return Ok(None);
        };
        if !matches!(&func.kind, ExprKind::Name(n) if n == "fork" && !self.locals.contains_key(n)) {
            return Ok(None);
        }
        let span = &value.span;
        let [callee] = args.as_slice() else {
            return Err(self.err(
                span,
                format!(
                    "fork() with {} arguments is not supported (PyTorch prints fork(closure))",
                    args.len()
                ),
            ));
        };
        let ExprKind::Name(n) = &callee.kind else {
            return Err(self.err(
                span,
                "fork() of something other than a nested closure is not supported",
            ));
        };
        let def = self
            .closures
            .get(n)
            .cloned()
            .ok_or_else(|| self.err(span, format!("fork(): no closure named '{n}'")))?;
        let Some((last, rest)) = def.body.split_last() else {
            return Err(self.err(span, format!("fork(): closure '{n}' is empty")));
        };
        let AStmtKind::Return(Some(ret)) = &last.kind else {
            return Err(self.err(
                &last.span,
                "fork(): the closure must end with `return value`",
            ));
        };
        let mut body = self.block(rest)?;
        let v = self.expr(ret)?;
        let slot = self.declare(target, Type::Future(Arc::new(v.ty)));
        body.push(Stmt {
            kind: StmtKind::Assign(slot, v.expr),
            line: last.span.line,
            col: last.span.col,
        });
        Ok(Some(StmtKind::If(
            Expr::Const(Value::Bool(true)),
            body,
            Vec::new(),
        )))
    }

    fn op_call_ast(
        &mut self,
        name: &str,
        args: &[AExpr],
        kwargs: &[(String, AExpr)],
        span: &Span,
    ) -> CResult<TypedExpr> {
        let a = self.exprs(args)?;
        let mut kw = Vec::with_capacity(kwargs.len());
        for (k, v) in kwargs {
            kw.push((k.clone(), self.expr(v)?));
        }
        self.op_call(name, a, kw, span)
    }

    /// Resolves an operator call to one overload (load time) and emits the kernel call.
    fn op_call(
        &self,
        name: &str,
        args: Vec<TypedExpr>,
        kwargs: Vec<(String, TypedExpr)>,
        span: &Span,
    ) -> CResult<TypedExpr> {
        if name == "aten::format" {
            let exprs = args.into_iter().map(|a| a.expr).collect();
            return Ok(typed(Expr::Format(exprs), Type::Str));
        }
        // PyTorch's graph optimizer folds `x == x` to True and `x != x` to False for non-tensor
        // values (even a NaN float), so the printed `torch.eq(f, f)` never compares at run time.
        if let ("aten::eq" | "aten::ne", [a, b], []) = (name, args.as_slice(), kwargs.as_slice()) {
            let scalar = !matches!(
                a.ty.unwrap_optional(),
                Type::Tensor | Type::Any | Type::Union(_)
            );
            if matches!((&a.expr, &b.expr), (Expr::Local(x), Expr::Local(y)) if x == y) && scalar {
                return Ok(typed(
                    Expr::Const(Value::Bool(name == "aten::eq")),
                    Type::Bool,
                ));
            }
        }
        let candidates = registry().candidates(name);
        if candidates.is_empty() {
            return Err(self.err(span, super::unknown_op::unknown_op_message(name)));
        }
        match resolve(candidates, args, kwargs) {
            Ok(r) => {
                let op = super::upgraders::upgrade(self.program.version, &r.op).unwrap_or(r.op);
                Ok(typed(Expr::Op(op, r.args.into()), r.ret))
            }
            Err((args, kwargs)) => {
                let mut sig: Vec<String> = args.iter().map(|a| a.ty.to_string()).collect();
                sig.extend(kwargs.iter().map(|(k, a)| format!("{k}={}", a.ty)));
                let known: Vec<String> = candidates.iter().map(|c| c.schema.full_name()).collect();
                Err(self.err(
                    span,
                    format!(
                        "no overload of '{name}' accepts ({}); tsrun implements: {}",
                        sig.join(", "),
                        known.join(", ")
                    ),
                ))
            }
        }
    }
}

/// The element type of a list display: all equal, ints widened to floats, None making
/// elements Optional; an empty display is `List[Any]` until context types it.
fn unify_elements<'a>(mut types: impl Iterator<Item = &'a Type>) -> Option<Type> {
    let Some(first) = types.next() else {
        return Some(Type::Any);
    };
    let mut acc = first.clone();
    for t in types {
        acc = match (&acc, t) {
            (a, b) if a.same(b) => acc,
            (Type::Int, Type::Float) | (Type::Float, Type::Int) => Type::Float,
            (Type::None, b) => Type::optional(b.clone()),
            (a, Type::None) => Type::optional(a.clone()),
            (Type::Optional(a), b) if a.same(b) => acc.clone(),
            (a, Type::Optional(b)) if a.same(b) => t.clone(),
            _ => return None,
        };
    }
    Some(acc)
}
