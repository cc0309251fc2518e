//! Recursive-descent parser: tokens to [`crate::ast`].
//!
//! One token of lookahead (`tok`) plus an optional second (`peek`). Every
//! loop consumes a token or fails, and recursion is bounded by
//! [`MAX_EXPR_DEPTH`] and [`MAX_BLOCK_DEPTH`] (CPython's own limits: 200
//! nested parentheses, 100 indentation levels). Left-nested chains
//! (`a + b + c`, `a.b.c`, `f()()`, `elif`) count towards the same limits,
//! so the tree depth is bounded too and dropping it cannot overflow.
//!
//! Worst-case stack use, with both limits reached at once (the
//! `maximum_nesting_fits_the_stack` test): under 512 KiB in release builds
//! and under 2 MiB (the default size of spawned threads) in debug builds.

mod class;
mod expr;
mod stmt;

use crate::ast::{File, Item};
use crate::error::{PResult, ParseError};
use crate::lexer::Lexer;
use crate::span::Span;
use crate::token::{Kw, Tok, Token};

/// Deepest accepted nesting of expressions (parentheses, brackets, calls,
/// unary operators...).
pub const MAX_EXPR_DEPTH: u32 = 200;
/// Deepest accepted nesting of statement blocks.
pub const MAX_BLOCK_DEPTH: u32 = 100;

pub(crate) struct Parser<'a> {
    path: &'a str,
    lexer: Lexer<'a>,
    /// The current token.
    tok: Token,
    /// The token after `tok`, if already lexed.
    peeked: Option<Token>,
    /// End offset of the last consumed real token.
    last_end: u32,
    expr_depth: u32,
    block_depth: u32,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(path: &'a str, text: &'a str) -> PResult<Parser<'a>> {
        let mut lexer = Lexer::new(path, text);
        let tok = lexer.next_token()?;
        Ok(Parser {
            path,
            lexer,
            tok,
            peeked: None,
            last_end: 0,
            expr_depth: 0,
            block_depth: 0,
        })
    }

    /// An error at `span`.
    fn err_at(&self, span: Span, msg: impl Into<String>) -> ParseError {
        ParseError::at(self.path, span, msg)
    }

    /// An error at the current token.
    fn err(&self, msg: impl Into<String>) -> ParseError {
        self.err_at(self.tok.span, msg)
    }

    /// "expected X but found <current token>".
    fn expected(&self, what: &str) -> ParseError {
        self.err(format!("expected {what} but found {}", self.tok.tok))
    }

    /// Consumes the current token and returns it.
    fn bump(&mut self) -> PResult<Token> {
        let next = match self.peeked.take() {
            Some(t) => t,
            None => self.lexer.next_token()?,
        };
        let old = std::mem::replace(&mut self.tok, next);
        if !matches!(old.tok, Tok::Newline | Tok::Indent | Tok::Dedent | Tok::Eof) {
            self.last_end = old.span.end;
        }
        Ok(old)
    }

    /// The token after the current one.
    fn peek(&mut self) -> PResult<&Tok> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lexer.next_token()?);
        }
        match &self.peeked {
            Some(t) => Ok(&t.tok),
            None => Ok(&Tok::Eof),
        }
    }

    fn at(&self, t: &Tok) -> bool {
        &self.tok.tok == t
    }

    fn at_kw(&self, k: Kw) -> bool {
        self.tok.tok == Tok::Kw(k)
    }

    /// Consumes the current token if it is `t`.
    fn eat(&mut self, t: &Tok) -> PResult<bool> {
        if self.at(t) {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes `t` or fails with "expected 't' but found ...".
    fn expect(&mut self, t: &Tok) -> PResult<Token> {
        if self.at(t) {
            self.bump()
        } else {
            Err(self.expected(&t.to_string()))
        }
    }

    fn expect_kw(&mut self, k: Kw) -> PResult<Token> {
        self.expect(&Tok::Kw(k))
    }

    /// Consumes an identifier.
    fn expect_name(&mut self) -> PResult<(String, Span)> {
        if let Tok::Name(_) = &self.tok.tok {
            let t = self.bump()?;
            if let Tok::Name(n) = t.tok {
                return Ok((n, t.span));
            }
        }
        Err(self.expected("a name"))
    }

    /// A span from `start` to the end of the last consumed token.
    fn span_from(&self, start: Span) -> Span {
        start.to_end(self.last_end)
    }

    /// Enters one more level of expression nesting (undo with
    /// `self.expr_depth -= 1`).
    fn enter_expr(&mut self) -> PResult<()> {
        if self.expr_depth >= MAX_EXPR_DEPTH {
            return Err(self.err("nesting too deep (expression)"));
        }
        self.expr_depth += 1;
        Ok(())
    }

    /// `file := (classdef | funcdef)*`
    pub(crate) fn parse_file(&mut self) -> PResult<File> {
        let mut items = Vec::new();
        loop {
            match &self.tok.tok {
                Tok::Eof => break,
                Tok::Newline => {
                    self.bump()?;
                }
                Tok::Kw(Kw::Class) => items.push(Item::Class(self.parse_class()?)),
                Tok::Kw(Kw::Def) => items.push(Item::Function(self.parse_funcdef()?)),
                Tok::Indent => return Err(self.err("unexpected indent")),
                _ => return Err(self.expected("'class' or 'def'")),
            }
        }
        Ok(File {
            path: self.path.to_string(),
            items,
        })
    }

    /// Parses a whole input as one expression (for tests and tools).
    pub(crate) fn parse_single_expr(&mut self) -> PResult<crate::ast::Expr> {
        let e = self.parse_expr_list()?;
        self.eat(&Tok::Newline)?;
        if !self.at(&Tok::Eof) {
            return Err(self.expected("end of input"));
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests;
