//! Class definitions and their bodies (printed-code.md §2).

use super::Parser;
use crate::ast::{AttrDecl, ClassDef, ConstDecl, Expr, ExprKind};
use crate::error::PResult;
use crate::token::{Kw, Tok};
use crate::types::{self, TypeExpr};

impl Parser<'_> {
    /// `class NAME ['(' [base] ')'] ':' NEWLINE INDENT classitem+ DEDENT`.
    pub(crate) fn parse_class(&mut self) -> PResult<ClassDef> {
        let start = self.expect_kw(Kw::Class)?.span;
        let (name, _) = self.expect_name()?;
        let mut base = None;
        if self.eat(&Tok::LParen)? {
            if !self.at(&Tok::RParen) {
                let e = self.parse_expr()?;
                let Some(b) = types::dotted_name(&e) else {
                    return Err(self.err_at(e.span, "a class base must be a (dotted) name"));
                };
                base = Some(b);
                self.eat(&Tok::Comma)?;
                if !self.at(&Tok::RParen) {
                    return Err(self.err("only one base class is supported"));
                }
            }
            self.expect(&Tok::RParen)?;
        }
        self.expect(&Tok::Colon)?;
        self.expect(&Tok::Newline)?;
        if !self.at(&Tok::Indent) {
            return Err(self.expected("an indented class body"));
        }
        let mut cd = ClassDef {
            name,
            base,
            parameters: Vec::new(),
            buffers: Vec::new(),
            attributes: Vec::new(),
            constants: Vec::new(),
            enum_members: Vec::new(),
            methods: Vec::new(),
            span: start,
        };
        // A class is always at top level: no depth accounting needed.
        self.bump()?;
        while !self.at(&Tok::Dedent) {
            if self.at(&Tok::Eof) {
                return Err(self.expected("a class body item"));
            }
            self.parse_class_item(&mut cd)?;
        }
        self.bump()?;
        cd.span = self.span_from(start);
        Ok(cd)
    }

    /// One line (or method) of a class body.
    fn parse_class_item(&mut self, cd: &mut ClassDef) -> PResult<()> {
        match self.tok.tok {
            Tok::Kw(Kw::Def) => {
                cd.methods.push(self.parse_funcdef()?);
                return Ok(());
            }
            Tok::Kw(Kw::Pass) => {
                self.bump()?;
                self.expect(&Tok::Newline)?;
                return Ok(());
            }
            Tok::Kw(Kw::Class) => return Err(self.err("nested classes are not supported")),
            Tok::At => return Err(self.err("decorators are not supported")),
            Tok::Indent => return Err(self.err("unexpected indent")),
            _ => {}
        }
        let start = self.tok.span;
        let target = self.parse_expr()?;
        match self.tok.tok {
            Tok::Colon => {
                let ExprKind::Name(name) = target.kind else {
                    return Err(self.err_at(target.span, "only a simple name can be annotated"));
                };
                self.bump()?;
                let ty = self.parse_type()?;
                if self.eat(&Tok::Assign)? {
                    let value = self.parse_expr_list()?;
                    let ty = match ty {
                        TypeExpr::Generic { name, mut args }
                            if name == "Final" && args.len() == 1 =>
                        {
                            args.pop().unwrap_or(TypeExpr::Name(name))
                        }
                        other => other,
                    };
                    cd.constants.push(ConstDecl {
                        name,
                        ty,
                        value,
                        span: self.span_from(start),
                    });
                } else {
                    cd.attributes.push(AttrDecl {
                        name,
                        ty,
                        span: self.span_from(start),
                    });
                }
            }
            Tok::Assign => {
                self.bump()?;
                let value = self.parse_expr_list()?;
                self.class_assign(cd, target, value, start)?;
            }
            _ => return Err(self.expected("':' or '=' in class body")),
        }
        self.expect(&Tok::Newline)?;
        Ok(())
    }

    /// `NAME = value` or `__annotations__["k"] = T` in a class body.
    fn class_assign(
        &self,
        cd: &mut ClassDef,
        target: Expr,
        value: Expr,
        start: crate::span::Span,
    ) -> PResult<()> {
        let span = self.span_from(start);
        match target.kind {
            ExprKind::Name(n) if n == "__parameters__" || n == "__buffers__" => {
                let names = self.string_list(&value)?;
                if n == "__parameters__" {
                    cd.parameters = names;
                } else {
                    cd.buffers = names;
                }
            }
            ExprKind::Name(n) if n == "__annotations__" => {
                let empty = match &value.kind {
                    ExprKind::List(v) => v.is_empty(),
                    ExprKind::Dict(v) => v.is_empty(),
                    _ => false,
                };
                if !empty {
                    return Err(self.err_at(value.span, "expected '[]' for '__annotations__'"));
                }
            }
            ExprKind::Name(n) => cd.enum_members.push((n, value)),
            ExprKind::Subscript {
                value: subject,
                index,
            } => {
                let is_annotations =
                    matches!(&subject.kind, ExprKind::Name(n) if n == "__annotations__");
                let ExprKind::Str(name) = index.kind else {
                    return Err(self.err_at(index.span, "expected a string key"));
                };
                if !is_annotations {
                    return Err(self.err_at(subject.span, "unsupported class body assignment"));
                }
                let ty = types::to_type(&value, self.path)?;
                cd.attributes.push(AttrDecl { name, ty, span });
            }
            _ => return Err(self.err_at(target.span, "unsupported class body assignment")),
        }
        Ok(())
    }

    /// `["a", "b", ]` as strings.
    fn string_list(&self, value: &Expr) -> PResult<Vec<String>> {
        let ExprKind::List(items) = &value.kind else {
            return Err(self.err_at(value.span, "expected a list of strings"));
        };
        items
            .iter()
            .map(|e| match &e.kind {
                ExprKind::Str(s) => Ok(s.clone()),
                _ => Err(self.err_at(e.span, "expected a string")),
            })
            .collect()
    }
}
