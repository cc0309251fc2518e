//! Expressions, with Python precedence:
//! ternary < or < and < not < comparison < | < ^ < & < shifts < + - <
//! * / // % @ < unary < ** < postfix (`.`, call, subscript) < atoms.
//!
//! Binary-like operators share one precedence-climbing function
//! ([`Parser::parse_infix`]) so that each level of source nesting costs few
//! stack frames; rarely used forms live in separate `#[inline(never)]`
//! functions to keep the recursive frames small.

use super::Parser;
use crate::ast::{BinOp, BoolOpKind, CmpOp, Expr, ExprKind, UnaryOp};
use crate::error::PResult;
use crate::span::Span;
use crate::token::{Kw, Tok};

const P_OR: u8 = 1;
const P_AND: u8 = 2;
const P_NOT: u8 = 3;
const P_CMP: u8 = 4;

/// What an infix token does.
enum Infix {
    Bool(BoolOpKind),
    Cmp,
    Bin(BinOp),
}

/// Infix role and precedence (higher binds tighter) of a token.
fn infix_info(t: &Tok) -> Option<(Infix, u8)> {
    Some(match t {
        Tok::Kw(Kw::Or) => (Infix::Bool(BoolOpKind::Or), P_OR),
        Tok::Kw(Kw::And) => (Infix::Bool(BoolOpKind::And), P_AND),
        Tok::EqEq
        | Tok::NotEq
        | Tok::Lt
        | Tok::Le
        | Tok::Gt
        | Tok::Ge
        | Tok::Kw(Kw::In | Kw::Is | Kw::Not) => (Infix::Cmp, P_CMP),
        Tok::Pipe => (Infix::Bin(BinOp::BitOr), 5),
        Tok::Caret => (Infix::Bin(BinOp::BitXor), 6),
        Tok::Amp => (Infix::Bin(BinOp::BitAnd), 7),
        Tok::LShift => (Infix::Bin(BinOp::LShift), 8),
        Tok::RShift => (Infix::Bin(BinOp::RShift), 8),
        Tok::Plus => (Infix::Bin(BinOp::Add), 9),
        Tok::Minus => (Infix::Bin(BinOp::Sub), 9),
        Tok::Star => (Infix::Bin(BinOp::Mul), 10),
        Tok::Slash => (Infix::Bin(BinOp::Div), 10),
        Tok::DoubleSlash => (Infix::Bin(BinOp::FloorDiv), 10),
        Tok::Percent => (Infix::Bin(BinOp::Mod), 10),
        Tok::At => (Infix::Bin(BinOp::MatMul), 10),
        _ => return None,
    })
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

#[inline(never)]
fn make_binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.cover(right.span);
    Expr::new(
        ExprKind::Binary {
            op,
            left: boxed(left),
            right: boxed(right),
        },
        span,
    )
}

#[inline(never)]
fn make_bool(op: BoolOpKind, left: Expr, right: Expr) -> Expr {
    let span = left.span.cover(right.span);
    Expr::new(
        ExprKind::BoolOp {
            op,
            left: boxed(left),
            right: boxed(right),
        },
        span,
    )
}

impl Parser<'_> {
    /// Deepens the expression depth by one for a left-nested chain
    /// (`a + b + c`, `a.b.c`, `f()()`), counting in `extra`.
    fn grow(&mut self, extra: &mut u32) -> PResult<()> {
        self.enter_expr()?;
        *extra += 1;
        Ok(())
    }

    /// Parses a full expression (no unparenthesised tuple).
    pub(crate) fn parse_expr(&mut self) -> PResult<Expr> {
        self.enter_expr()?;
        let mut r = self.parse_infix(0);
        if let Ok(e) = r {
            r = if self.at_kw(Kw::If) {
                self.parse_ternary_tail(e)
            } else {
                Ok(e)
            };
        }
        self.expr_depth -= 1;
        r
    }

    /// Whether the current token can start an expression.
    pub(crate) fn starts_expr(&self) -> bool {
        matches!(
            self.tok.tok,
            Tok::Name(_)
                | Tok::Int(_)
                | Tok::Float(_)
                | Tok::Str(_)
                | Tok::Kw(Kw::True | Kw::False | Kw::None | Kw::Not)
                | Tok::LParen
                | Tok::LBracket
                | Tok::LBrace
                | Tok::Minus
                | Tok::Plus
                | Tok::Tilde
                | Tok::Ellipsis
        )
    }

    /// `expr (',' expr)* [',']`: a `Tuple` when there is a comma.
    pub(crate) fn parse_expr_list(&mut self) -> PResult<Expr> {
        let first = self.parse_expr()?;
        if !self.at(&Tok::Comma) {
            return Ok(first);
        }
        let start = first.span;
        let mut elts = vec![first];
        while self.eat(&Tok::Comma)? {
            if !self.starts_expr() {
                break;
            }
            elts.push(self.parse_expr()?);
        }
        Ok(Expr::new(ExprKind::Tuple(elts), self.span_from(start)))
    }

    /// `then 'if' cond 'else' expr`, at the `if`.
    #[inline(never)]
    fn parse_ternary_tail(&mut self, then: Expr) -> PResult<Expr> {
        self.expect_kw(Kw::If)?;
        let cond = self.parse_infix(0)?;
        self.expect_kw(Kw::Else)?;
        let else_ = self.parse_expr()?;
        let span = then.span.cover(else_.span);
        Ok(Expr::new(
            ExprKind::IfExp {
                cond: boxed(cond),
                then: boxed(then),
                else_: boxed(else_),
            },
            span,
        ))
    }

    /// Binary-like operators of precedence `min` and above, plus prefix
    /// `not` when `min` allows it.
    fn parse_infix(&mut self, min: u8) -> PResult<Expr> {
        let mut left = if min <= P_NOT && self.at_kw(Kw::Not) {
            self.parse_not()?
        } else {
            self.parse_unary()?
        };
        let mut extra = 0;
        let r = loop {
            let Some((kind, prec)) = infix_info(&self.tok.tok) else {
                break Ok(left);
            };
            if prec < min {
                break Ok(left);
            }
            if let Err(err) = self.grow(&mut extra) {
                break Err(err);
            }
            let next = match kind {
                Infix::Cmp => self.parse_cmp_chain(left),
                Infix::Bool(op) => self.parse_bool_rhs(op, prec, left),
                Infix::Bin(op) => self.parse_bin_rhs(op, prec, left),
            };
            match next {
                Ok(e) => left = e,
                Err(err) => break Err(err),
            }
        };
        self.expr_depth -= extra;
        r
    }

    #[inline(never)]
    fn parse_bool_rhs(&mut self, op: BoolOpKind, prec: u8, left: Expr) -> PResult<Expr> {
        self.bump()?;
        let right = self.parse_infix(prec + 1)?;
        Ok(make_bool(op, left, right))
    }

    #[inline(never)]
    fn parse_bin_rhs(&mut self, op: BinOp, prec: u8, left: Expr) -> PResult<Expr> {
        self.bump()?;
        let right = self.parse_infix(prec + 1)?;
        Ok(make_binary(op, left, right))
    }

    /// `not operand`.
    #[inline(never)]
    fn parse_not(&mut self) -> PResult<Expr> {
        self.enter_expr()?;
        let start = self.bump()?.span;
        let operand = self.parse_infix(P_NOT);
        self.expr_depth -= 1;
        let operand = operand?;
        Ok(Expr::new(
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand: boxed(operand),
            },
            self.span_from(start),
        ))
    }

    /// Consumes a comparison operator.
    fn cmp_op(&mut self) -> PResult<CmpOp> {
        let op = match &self.tok.tok {
            Tok::EqEq => CmpOp::Eq,
            Tok::NotEq => CmpOp::NotEq,
            Tok::Lt => CmpOp::Lt,
            Tok::Le => CmpOp::LtE,
            Tok::Gt => CmpOp::Gt,
            Tok::Ge => CmpOp::GtE,
            Tok::Kw(Kw::In) => CmpOp::In,
            Tok::Kw(Kw::Is) => {
                self.bump()?;
                return Ok(if self.eat(&Tok::Kw(Kw::Not))? {
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                });
            }
            Tok::Kw(Kw::Not) => {
                if self.peek()? != &Tok::Kw(Kw::In) {
                    return Err(self.expected("'in' after 'not'"));
                }
                self.bump()?;
                CmpOp::NotIn
            }
            _ => return Err(self.expected("a comparison operator")),
        };
        self.bump()?;
        Ok(op)
    }

    /// A comparison chain starting at an operator: `a < b < c` becomes
    /// `a < b and b < c`.
    #[inline(never)]
    fn parse_cmp_chain(&mut self, first: Expr) -> PResult<Expr> {
        let mut extra = 0;
        let r = self.parse_cmp_chain_inner(first, &mut extra);
        self.expr_depth -= extra;
        r
    }

    fn parse_cmp_chain_inner(&mut self, first: Expr, extra: &mut u32) -> PResult<Expr> {
        let mut result: Option<Expr> = None;
        let mut left = first;
        while matches!(infix_info(&self.tok.tok), Some((Infix::Cmp, _))) {
            self.grow(extra)?;
            let op = self.cmp_op()?;
            let right = self.parse_infix(P_CMP + 1)?;
            let span = left.span.cover(right.span);
            let cmp = Expr::new(
                ExprKind::Compare {
                    op,
                    left: boxed(left),
                    right: boxed(right.clone()),
                },
                span,
            );
            result = Some(match result {
                None => cmp,
                Some(prev) => make_bool(BoolOpKind::And, prev, cmp),
            });
            left = right;
        }
        Ok(result.unwrap_or(left))
    }

    /// Unary prefix operators, then `postfix ['**' unary]`.
    fn parse_unary(&mut self) -> PResult<Expr> {
        if matches!(self.tok.tok, Tok::Minus | Tok::Plus | Tok::Tilde) {
            return self.parse_prefix();
        }
        let base = self.parse_postfix()?;
        if self.at(&Tok::DoubleStar) {
            return self.parse_pow_tail(base);
        }
        Ok(base)
    }

    /// `base '**' unary` (right associative).
    #[inline(never)]
    fn parse_pow_tail(&mut self, base: Expr) -> PResult<Expr> {
        self.enter_expr()?;
        let r = self.bump().and_then(|_| self.parse_unary());
        self.expr_depth -= 1;
        Ok(make_binary(BinOp::Pow, base, r?))
    }

    /// `-x`, `+x`, `~x`; `-` on a numeric literal or `inf` is folded.
    #[inline(never)]
    fn parse_prefix(&mut self) -> PResult<Expr> {
        self.enter_expr()?;
        let r = self.parse_prefix_inner();
        self.expr_depth -= 1;
        r
    }

    fn parse_prefix_inner(&mut self) -> PResult<Expr> {
        let op = match self.tok.tok {
            Tok::Minus => UnaryOp::Neg,
            Tok::Plus => UnaryOp::Pos,
            _ => UnaryOp::Invert,
        };
        let start = self.bump()?.span;
        if op == UnaryOp::Neg {
            if let Tok::Int(v) = self.tok.tok {
                if v > i64::MAX as u64 {
                    let next = self.peek()?;
                    if !matches!(
                        next,
                        Tok::DoubleStar | Tok::Dot | Tok::LParen | Tok::LBracket
                    ) {
                        let lit = self.bump()?;
                        if v != 1u64 << 63 {
                            return Err(self.err_at(lit.span, "integer literal too large"));
                        }
                        return Ok(Expr::new(ExprKind::Int(i64::MIN), self.span_from(start)));
                    }
                }
            }
        }
        let operand = self.parse_unary()?;
        let span = self.span_from(start);
        let folded = match (&operand.kind, op) {
            (ExprKind::Int(n), UnaryOp::Neg) => n.checked_neg().map(ExprKind::Int),
            (ExprKind::Float(f), UnaryOp::Neg) => Some(ExprKind::Float(-f)),
            (ExprKind::Name(n), UnaryOp::Neg) if n == "inf" => {
                Some(ExprKind::Float(f64::NEG_INFINITY))
            }
            _ => None,
        };
        Ok(match folded {
            Some(kind) => Expr::new(kind, span),
            None => Expr::new(
                ExprKind::Unary {
                    op,
                    operand: boxed(operand),
                },
                span,
            ),
        })
    }

    /// An atom followed by `.name`, `(args)` and `[index]` trailers.
    fn parse_postfix(&mut self) -> PResult<Expr> {
        let mut e = self.parse_atom()?;
        let mut extra = 0;
        let r = loop {
            if !matches!(self.tok.tok, Tok::Dot | Tok::LParen | Tok::LBracket) {
                break Ok(e);
            }
            if let Err(err) = self.grow(&mut extra) {
                break Err(err);
            }
            match self.parse_trailer(e) {
                Ok(next) => e = next,
                Err(err) => break Err(err),
            }
        };
        self.expr_depth -= extra;
        r
    }

    /// One `.name`, `(args)` or `[index]` applied to `e`.
    #[inline(never)]
    fn parse_trailer(&mut self, e: Expr) -> PResult<Expr> {
        match self.tok.tok {
            Tok::LParen => self.parse_call(e),
            Tok::LBracket => self.parse_subscript(e),
            _ => {
                self.expect(&Tok::Dot)?;
                let (attr, _) = self.expect_name()?;
                let span = self.span_from(e.span);
                Ok(Expr::new(
                    ExprKind::Attribute {
                        value: boxed(e),
                        attr,
                    },
                    span,
                ))
            }
        }
    }

    /// `func '(' [arg (',' arg)* [',']] ')'`, `arg := expr | NAME '=' expr`.
    fn parse_call(&mut self, func: Expr) -> PResult<Expr> {
        self.expect(&Tok::LParen)?;
        let mut args = Vec::new();
        let mut kwargs: Vec<(String, Expr)> = Vec::new();
        while !self.at(&Tok::RParen) {
            if matches!(self.tok.tok, Tok::Star | Tok::DoubleStar) {
                return Err(self.err("'*' and '**' arguments are not supported"));
            }
            let e = self.parse_expr()?;
            if self.at(&Tok::Assign) {
                let ExprKind::Name(name) = e.kind else {
                    return Err(self.err_at(e.span, "keyword argument name must be a name"));
                };
                self.bump()?;
                let value = self.parse_expr()?;
                kwargs.push((name, value));
            } else {
                if !kwargs.is_empty() {
                    return Err(self.err_at(e.span, "positional argument follows keyword argument"));
                }
                args.push(e);
            }
            if !self.eat(&Tok::Comma)? {
                break;
            }
        }
        self.expect(&Tok::RParen)?;
        let span = self.span_from(func.span);
        Ok(Expr::new(
            ExprKind::Call {
                func: boxed(func),
                args,
                kwargs,
            },
            span,
        ))
    }

    /// `value '[' item (',' item)* [','] ']'`; several items give a `Tuple`.
    fn parse_subscript(&mut self, value: Expr) -> PResult<Expr> {
        let open = self.expect(&Tok::LBracket)?.span;
        let mut items = Vec::new();
        let mut trailing_comma = false;
        loop {
            if self.at(&Tok::RBracket) && !items.is_empty() {
                break;
            }
            items.push(self.parse_slice_item()?);
            trailing_comma = self.eat(&Tok::Comma)?;
            if !trailing_comma {
                break;
            }
        }
        self.expect(&Tok::RBracket)?;
        let index = if items.len() == 1 && !trailing_comma {
            items.pop()
        } else {
            None
        };
        let index = match index {
            Some(i) => i,
            None => {
                let start = items.first().map_or(open, |e| e.span);
                let end = items.last().map_or(open.end, |e| e.span.end);
                Expr::new(ExprKind::Tuple(items), start.to_end(end))
            }
        };
        let span = self.span_from(value.span);
        Ok(Expr::new(
            ExprKind::Subscript {
                value: boxed(value),
                index: boxed(index),
            },
            span,
        ))
    }

    /// An index expression or a slice `[lower]:[upper][:[step]]`.
    fn parse_slice_item(&mut self) -> PResult<Expr> {
        let start = self.tok.span;
        let lower = if self.at(&Tok::Colon) {
            None
        } else {
            let e = self.parse_expr()?;
            if !self.at(&Tok::Colon) {
                return Ok(e);
            }
            Some(boxed(e))
        };
        self.expect(&Tok::Colon)?;
        let ends = |p: &Self| matches!(p.tok.tok, Tok::Colon | Tok::Comma | Tok::RBracket);
        let upper = if ends(self) {
            None
        } else {
            Some(boxed(self.parse_expr()?))
        };
        let step = if self.eat(&Tok::Colon)? && !ends(self) {
            Some(boxed(self.parse_expr()?))
        } else {
            None
        };
        Ok(Expr::new(
            ExprKind::Slice { lower, upper, step },
            self.span_from(start),
        ))
    }

    /// Names, literals, parenthesised expressions and displays.
    fn parse_atom(&mut self) -> PResult<Expr> {
        match &self.tok.tok {
            Tok::LParen => self.parse_paren(),
            Tok::LBracket => self.parse_list(),
            Tok::LBrace => self.parse_dict(),
            Tok::Str(_) => self.parse_strings(),
            _ => self.parse_literal(),
        }
    }

    /// A name, number, `True`/`False`/`None` or `...`.
    #[inline(never)]
    fn parse_literal(&mut self) -> PResult<Expr> {
        let span = self.tok.span;
        if !matches!(
            self.tok.tok,
            Tok::Name(_)
                | Tok::Int(_)
                | Tok::Float(_)
                | Tok::Ellipsis
                | Tok::Kw(Kw::True | Kw::False | Kw::None)
        ) {
            return Err(self.expected("an expression"));
        }
        let kind = match self.bump()?.tok {
            Tok::Name(n) => ExprKind::Name(n),
            Tok::Int(v) => match i64::try_from(v) {
                Ok(v) => ExprKind::Int(v),
                Err(_) => return Err(self.err_at(span, "integer literal too large")),
            },
            Tok::Float(f) => ExprKind::Float(f),
            Tok::Kw(Kw::True) => ExprKind::Bool(true),
            Tok::Kw(Kw::False) => ExprKind::Bool(false),
            Tok::Kw(Kw::None) => ExprKind::NoneLit,
            _ => ExprKind::Ellipsis,
        };
        Ok(Expr::new(kind, span))
    }

    /// One or more adjacent string literals, joined.
    #[inline(never)]
    fn parse_strings(&mut self) -> PResult<Expr> {
        let span = self.tok.span;
        let mut s = String::new();
        while let Tok::Str(_) = self.tok.tok {
            if let Tok::Str(part) = self.bump()?.tok {
                s.push_str(&part);
            }
        }
        Ok(Expr::new(ExprKind::Str(s), self.span_from(span)))
    }

    /// `()`, `(e)`, `(e,)`, `(a, b, ...)`.
    fn parse_paren(&mut self) -> PResult<Expr> {
        let open = self.expect(&Tok::LParen)?.span;
        if self.eat(&Tok::RParen)? {
            return Ok(Expr::new(ExprKind::Tuple(Vec::new()), self.span_from(open)));
        }
        let first = self.parse_expr()?;
        if self.at(&Tok::Comma) {
            return self.parse_tuple_rest(open, first);
        }
        self.expect(&Tok::RParen)?;
        Ok(Expr::new(first.kind, self.span_from(open)))
    }

    /// The rest of a parenthesised tuple after its first element.
    #[inline(never)]
    fn parse_tuple_rest(&mut self, open: Span, first: Expr) -> PResult<Expr> {
        let mut elts = vec![first];
        while self.eat(&Tok::Comma)? {
            if self.at(&Tok::RParen) {
                break;
            }
            elts.push(self.parse_expr()?);
        }
        self.expect(&Tok::RParen)?;
        Ok(Expr::new(ExprKind::Tuple(elts), self.span_from(open)))
    }

    /// `[a, b, ...]` with optional trailing comma.
    fn parse_list(&mut self) -> PResult<Expr> {
        let open = self.expect(&Tok::LBracket)?.span;
        let mut elts = Vec::new();
        while !self.at(&Tok::RBracket) {
            elts.push(self.parse_expr()?);
            if !self.eat(&Tok::Comma)? {
                break;
            }
        }
        self.expect(&Tok::RBracket)?;
        Ok(Expr::new(ExprKind::List(elts), self.span_from(open)))
    }

    /// `{}` or `{k: v, ...}`.
    fn parse_dict(&mut self) -> PResult<Expr> {
        let open: Span = self.expect(&Tok::LBrace)?.span;
        let mut pairs = Vec::new();
        while !self.at(&Tok::RBrace) {
            let k = self.parse_expr()?;
            if !self.at(&Tok::Colon) {
                if matches!(self.tok.tok, Tok::Comma | Tok::RBrace) {
                    return Err(self.err_at(k.span, "set displays are not supported"));
                }
                return Err(self.expected("':'"));
            }
            self.bump()?;
            let v = self.parse_expr()?;
            pairs.push((k, v));
            if !self.eat(&Tok::Comma)? {
                break;
            }
        }
        self.expect(&Tok::RBrace)?;
        Ok(Expr::new(ExprKind::Dict(pairs), self.span_from(open)))
    }
}
