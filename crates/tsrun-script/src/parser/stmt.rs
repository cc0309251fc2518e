//! Statements, blocks and function definitions.

use super::Parser;
use crate::ast::{Expr, ExprKind, FuncDef, Param, Stmt, StmtKind};
use crate::error::PResult;
use crate::span::Span;
use crate::token::{Kw, Tok};
use crate::types::{self, TypeExpr};

/// `if`/`elif` keyword span, condition and body.
type IfBranch = (Span, Expr, Vec<Stmt>);

/// Nests `if`/`elif` branches: each `elif` becomes an `If` alone in the
/// previous branch's `else_body`.
#[inline(never)]
fn build_if(branches: Vec<IfBranch>, mut else_body: Vec<Stmt>, end: u32) -> Stmt {
    let mut stmt = None;
    for (s, cond, then_body) in branches.into_iter().rev() {
        if let Some(inner) = stmt.take() {
            else_body = vec![inner];
        }
        stmt = Some(Stmt {
            kind: StmtKind::If {
                cond,
                then_body,
                else_body: std::mem::take(&mut else_body),
            },
            span: s.to_end(end),
        });
    }
    stmt.unwrap_or(Stmt {
        kind: StmtKind::Pass,
        span: Span::default(),
    })
}

impl Parser<'_> {
    /// A type annotation: an expression converted by [`types::expr_to_type`].
    pub(crate) fn parse_type(&mut self) -> PResult<TypeExpr> {
        let e = self.parse_expr()?;
        types::to_type(&e, self.path)
    }

    /// `block := NEWLINE INDENT stmt+ DEDENT | simple_stmts NEWLINE`.
    ///
    /// The functions on the recursive path (`parse_block`, `parse_stmt`,
    /// `parse_compound`, `parse_if`...) keep few locals: their frames
    /// bound the stack used per level of nesting.
    pub(crate) fn parse_block(&mut self) -> PResult<Vec<Stmt>> {
        if !self.at(&Tok::Newline) {
            return self.parse_inline_block();
        }
        self.bump()?;
        if !self.at(&Tok::Indent) {
            return Err(self.expected("an indented block"));
        }
        if self.block_depth >= super::MAX_BLOCK_DEPTH {
            return Err(self.err("nesting too deep (blocks)"));
        }
        self.block_depth += 1;
        let r = self.parse_block_body();
        self.block_depth -= 1;
        r
    }

    /// `INDENT stmt+ DEDENT`, at the INDENT.
    fn parse_block_body(&mut self) -> PResult<Vec<Stmt>> {
        self.bump()?;
        let mut body = Vec::new();
        while !self.at(&Tok::Dedent) {
            self.parse_stmt(&mut body)?;
        }
        self.bump()?;
        Ok(body)
    }

    /// Simple statements on the line of the `:`.
    #[inline(never)]
    fn parse_inline_block(&mut self) -> PResult<Vec<Stmt>> {
        let mut body = Vec::new();
        self.parse_simple_stmts(&mut body)?;
        Ok(body)
    }

    /// One statement line (or compound statement), appended to `out`.
    fn parse_stmt(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        if matches!(
            self.tok.tok,
            Tok::Kw(Kw::If | Kw::For | Kw::While | Kw::With | Kw::Def)
        ) {
            out.push(self.parse_compound()?);
            Ok(())
        } else {
            self.parse_other_stmt(out)
        }
    }

    /// `if`, `for`, `while`, `with` or `def`.
    fn parse_compound(&mut self) -> PResult<Stmt> {
        match self.tok.tok {
            Tok::Kw(Kw::If) => self.parse_if(),
            Tok::Kw(Kw::For) => self.parse_for(),
            Tok::Kw(Kw::While) => self.parse_while(),
            Tok::Kw(Kw::With) => self.parse_with(),
            _ => self.parse_nested_def(),
        }
    }

    #[inline(never)]
    fn parse_nested_def(&mut self) -> PResult<Stmt> {
        let f = self.parse_funcdef()?;
        let span = f.span;
        Ok(Stmt {
            kind: StmtKind::FuncDef(Box::new(f)),
            span,
        })
    }

    /// Simple statements, or an error for unsupported statements.
    #[inline(never)]
    fn parse_other_stmt(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        match &self.tok.tok {
            Tok::Eof => Err(self.expected("a statement")),
            Tok::Kw(Kw::Class) => Err(self.err("nested classes are not supported")),
            Tok::Indent => Err(self.err("unexpected indent")),
            Tok::At => Err(self.err("decorators are not supported")),
            Tok::Kw(
                k @ (Kw::Try
                | Kw::Except
                | Kw::Finally
                | Kw::Import
                | Kw::From
                | Kw::Global
                | Kw::Nonlocal
                | Kw::Del
                | Kw::Yield
                | Kw::Async
                | Kw::Await
                | Kw::Elif
                | Kw::Else),
            ) => Err(self.err(format!("unexpected '{}' statement", k.as_str()))),
            _ => self.parse_simple_stmts(out),
        }
    }

    /// `simple_stmt (';' simple_stmt)* [';'] NEWLINE`.
    fn parse_simple_stmts(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        loop {
            out.push(self.parse_simple_stmt()?);
            if !self.eat(&Tok::Semi)? || self.at(&Tok::Newline) {
                break;
            }
        }
        self.expect(&Tok::Newline)?;
        Ok(())
    }

    fn at_stmt_end(&self) -> bool {
        matches!(
            self.tok.tok,
            Tok::Newline | Tok::Semi | Tok::Eof | Tok::Dedent
        )
    }

    /// Checks that `e` can be assigned to.
    fn check_target(&self, e: &Expr) -> PResult<()> {
        match e.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
            _ => Err(self.err_at(e.span, "cannot assign to this expression")),
        }
    }

    /// Splits an assignment target into places and the unpack flag.
    fn to_targets(&self, e: Expr) -> PResult<(Vec<Expr>, bool)> {
        match e.kind {
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                if elts.is_empty() {
                    return Err(self.err_at(e.span, "cannot assign to an empty tuple"));
                }
                for t in &elts {
                    self.check_target(t)?;
                }
                Ok((elts, true))
            }
            _ => {
                self.check_target(&e)?;
                Ok((vec![e], false))
            }
        }
    }

    fn parse_simple_stmt(&mut self) -> PResult<Stmt> {
        let start = self.tok.span;
        let kind = match self.tok.tok {
            Tok::Kw(Kw::Pass) => {
                self.bump()?;
                StmtKind::Pass
            }
            Tok::Kw(Kw::Break) => {
                self.bump()?;
                StmtKind::Break
            }
            Tok::Kw(Kw::Continue) => {
                self.bump()?;
                StmtKind::Continue
            }
            Tok::Kw(Kw::Return) => {
                self.bump()?;
                if self.at_stmt_end() {
                    StmtKind::Return(None)
                } else {
                    StmtKind::Return(Some(self.parse_expr_list()?))
                }
            }
            Tok::Kw(Kw::Raise) => {
                self.bump()?;
                let e = if self.at_stmt_end() {
                    None
                } else {
                    Some(self.parse_expr()?)
                };
                if self.at_kw(Kw::From) {
                    return Err(self.err("'raise ... from' is not supported"));
                }
                StmtKind::Raise(e)
            }
            Tok::Kw(Kw::Assert) => {
                self.bump()?;
                let cond = self.parse_expr()?;
                let msg = if self.eat(&Tok::Comma)? {
                    Some(self.parse_expr()?)
                } else {
                    None
                };
                StmtKind::Assert { cond, msg }
            }
            _ => self.parse_expr_stmt()?,
        };
        Ok(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    /// Assignments and expression statements.
    fn parse_expr_stmt(&mut self) -> PResult<StmtKind> {
        let e = self.parse_expr_list()?;
        match self.tok.tok {
            Tok::Colon => {
                let ExprKind::Name(target) = e.kind else {
                    return Err(self.err_at(e.span, "only a simple name can be annotated"));
                };
                self.bump()?;
                let ty = self.parse_type()?;
                if !self.at(&Tok::Assign) {
                    return Err(self.expected("'=' after the annotation"));
                }
                self.bump()?;
                let value = self.parse_expr_list()?;
                Ok(StmtKind::AnnAssign { target, ty, value })
            }
            Tok::Assign => {
                self.bump()?;
                let (targets, unpack) = self.to_targets(e)?;
                let value = self.parse_expr_list()?;
                if self.at(&Tok::Assign) {
                    return Err(self.err("chained assignment is not supported"));
                }
                Ok(StmtKind::Assign {
                    targets,
                    unpack,
                    value,
                })
            }
            Tok::AugAssign(op) => {
                self.check_target(&e)?;
                self.bump()?;
                let value = self.parse_expr_list()?;
                Ok(StmtKind::AugAssign {
                    target: e,
                    op,
                    value,
                })
            }
            _ => Ok(StmtKind::Expr(e)),
        }
    }

    /// `if c: b (elif c: b)* [else: b]`; `elif`s nest in `else_body`.
    fn parse_if(&mut self) -> PResult<Stmt> {
        let start = self.bump()?.span;
        let cond = self.parse_expr()?;
        self.expect(&Tok::Colon)?;
        let then_body = self.parse_block()?;
        let mut branches = vec![(start, cond, then_body)];
        let saved_depth = self.block_depth;
        let r = self.parse_if_rest(&mut branches);
        self.block_depth = saved_depth;
        Ok(build_if(branches, r?, self.last_end))
    }

    /// The `elif` branches (appended to `branches`) and the `else` body.
    fn parse_if_rest(&mut self, branches: &mut Vec<IfBranch>) -> PResult<Vec<Stmt>> {
        while self.at_kw(Kw::Elif) {
            // Each elif becomes one more level of nesting in the tree.
            if self.block_depth >= super::MAX_BLOCK_DEPTH {
                return Err(self.err("nesting too deep (elif chain)"));
            }
            self.block_depth += 1;
            let s = self.bump()?.span;
            let c = self.parse_expr()?;
            self.expect(&Tok::Colon)?;
            let b = self.parse_block()?;
            branches.push((s, c, b));
        }
        if !self.at_kw(Kw::Else) {
            return Ok(Vec::new());
        }
        self.bump()?;
        self.expect(&Tok::Colon)?;
        self.parse_block()
    }

    fn no_loop_else(&self) -> PResult<()> {
        if self.at_kw(Kw::Else) {
            return Err(self.err("'else' on loops is not supported"));
        }
        Ok(())
    }

    /// `for NAME in expr: block`.
    fn parse_for(&mut self) -> PResult<Stmt> {
        let start = self.expect_kw(Kw::For)?.span;
        let (var, _) = self.expect_name()?;
        if self.at(&Tok::Comma) {
            return Err(self.err("only a single name is supported as a for-loop target"));
        }
        self.expect_kw(Kw::In)?;
        let iter = self.parse_expr_list()?;
        self.expect(&Tok::Colon)?;
        let body = self.parse_block()?;
        let span = self.span_from(start);
        self.no_loop_else()?;
        Ok(Stmt {
            kind: StmtKind::For { var, iter, body },
            span,
        })
    }

    /// `while expr: block`.
    fn parse_while(&mut self) -> PResult<Stmt> {
        let start = self.expect_kw(Kw::While)?.span;
        let cond = self.parse_expr()?;
        self.expect(&Tok::Colon)?;
        let body = self.parse_block()?;
        let span = self.span_from(start);
        self.no_loop_else()?;
        Ok(Stmt {
            kind: StmtKind::While { cond, body },
            span,
        })
    }

    /// `with expr: block` (no `as`, one context manager).
    fn parse_with(&mut self) -> PResult<Stmt> {
        let start = self.expect_kw(Kw::With)?.span;
        let ctx = self.parse_expr()?;
        if self.at_kw(Kw::As) {
            return Err(self.err("'with ... as' is not supported"));
        }
        if self.at(&Tok::Comma) {
            return Err(self.err("several context managers in one 'with' are not supported"));
        }
        self.expect(&Tok::Colon)?;
        let body = self.parse_block()?;
        Ok(Stmt {
            kind: StmtKind::With { ctx, body },
            span: self.span_from(start),
        })
    }

    /// `def NAME '(' [param (',' param)* [',']] ')' ['->' type] ':' block`.
    pub(crate) fn parse_funcdef(&mut self) -> PResult<FuncDef> {
        let start = self.expect_kw(Kw::Def)?.span;
        let (name, _) = self.expect_name()?;
        self.expect(&Tok::LParen)?;
        let mut params = Vec::new();
        while !self.at(&Tok::RParen) {
            if matches!(self.tok.tok, Tok::Star | Tok::DoubleStar | Tok::Slash) {
                return Err(self.err("'*', '**' and '/' parameters are not supported"));
            }
            let (pname, pspan) = self.expect_name()?;
            let ty = if self.eat(&Tok::Colon)? {
                Some(self.parse_type()?)
            } else {
                None
            };
            let default = if self.eat(&Tok::Assign)? {
                Some(self.parse_expr()?)
            } else {
                None
            };
            params.push(Param {
                name: pname,
                ty,
                default,
                span: self.span_from(pspan),
            });
            if !self.eat(&Tok::Comma)? {
                break;
            }
        }
        self.expect(&Tok::RParen)?;
        let ret = if self.eat(&Tok::Arrow)? {
            Some(self.parse_type()?)
        } else {
            None
        };
        self.expect(&Tok::Colon)?;
        let body = self.parse_block()?;
        Ok(FuncDef {
            name,
            params,
            ret,
            body,
            span: self.span_from(start),
        })
    }
}
