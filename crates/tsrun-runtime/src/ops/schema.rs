//! Parser for PyTorch operator schemas, e.g.
//! `aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor`.
//!
//! Ops are declared with PyTorch's own schema text so that overload resolution and default
//! arguments follow PyTorch exactly; parsing happens once, when the registry is built.

use std::sync::Arc;

use crate::types::Type;
use crate::value::Value;

/// One parameter of a schema.
#[derive(Debug, Clone)]
pub struct SchemaArg {
    /// Parameter name.
    pub name: String,
    /// Its type (`ScalarType`, `Layout`, `MemoryFormat` are `int`; `SymInt` is `int`).
    pub ty: Type,
    /// `int[2]`-style fixed list length: a single int is broadcast to this many.
    pub list_len: Option<usize>,
    /// Default value, if any.
    pub default: Option<Value>,
    /// Declared after `*`: may only be passed by keyword.
    pub kwarg_only: bool,
}

/// A parsed operator schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// `aten::add`.
    pub name: String,
    /// `Tensor` (empty for the default overload).
    pub overload: String,
    /// Parameters in order.
    pub args: Vec<SchemaArg>,
    /// Return types (one element for a single return; several become a tuple).
    pub returns: Vec<Type>,
    /// `-> (Tensor, Tensor)`: returns a tuple even if it has one element.
    pub returns_tuple: bool,
}

impl Schema {
    /// The full name with overload: `aten::add.Tensor`.
    pub fn full_name(&self) -> String {
        if self.overload.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.name, self.overload)
        }
    }

    /// The static return type as the caller sees it.
    pub fn return_type(&self) -> Type {
        if self.returns.len() == 1 && !self.returns_tuple {
            self.returns[0].clone()
        } else if self.returns.is_empty() {
            Type::None
        } else {
            Type::Tuple(self.returns.clone().into())
        }
    }
}

/// Parses a schema string. Panics are impossible; errors name the offending text.
pub fn parse_schema(text: &str) -> Result<Schema, String> {
    let mut p = SchemaParser {
        s: text.as_bytes(),
        pos: 0,
        text,
    };
    p.schema()
}

struct SchemaParser<'a> {
    s: &'a [u8],
    pos: usize,
    text: &'a str,
}

impl SchemaParser<'_> {
    fn err<T>(&self, msg: &str) -> Result<T, String> {
        Err(format!("bad schema `{}` at {}: {msg}", self.text, self.pos))
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            self.err(&format!("expected '{}'", c as char))
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        self.ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || matches!(self.s[self.pos], b'_' | b':'))
        {
            self.pos += 1;
        }
        if start == self.pos {
            return self.err("expected a name");
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn schema(&mut self) -> Result<Schema, String> {
        let full = self.ident()?;
        let (name, overload) = if self.eat(b'.') {
            (full, self.ident()?)
        } else {
            (full, String::new())
        };
        self.expect(b'(')?;
        let mut args = Vec::new();
        let mut kwarg_only = false;
        if !self.eat(b')') {
            loop {
                if self.eat(b'*') {
                    kwarg_only = true;
                } else {
                    let mut a = self.arg(true)?;
                    a.kwarg_only = kwarg_only;
                    args.push(a);
                }
                if self.eat(b')') {
                    break;
                }
                self.expect(b',')?;
            }
        }
        self.ws();
        if !self.text[self.pos..].starts_with("->") {
            return self.err("expected '->'");
        }
        self.pos += 2;
        let (returns, returns_tuple) = if self.eat(b'(') {
            let mut rets = Vec::new();
            if !self.eat(b')') {
                loop {
                    rets.push(self.arg(false)?.ty);
                    if self.eat(b')') {
                        break;
                    }
                    self.expect(b',')?;
                }
            }
            // `-> ((str, t)[])` is one return in parentheses, not a 1-tuple: PyTorch's
            // returns are a list, and a single one is the value itself.
            let tuple = rets.len() != 1;
            (rets, tuple)
        } else {
            (vec![self.arg(false)?.ty], false)
        };
        self.ws();
        if self.pos != self.s.len() {
            return self.err("trailing text");
        }
        Ok(Schema {
            name,
            overload,
            args,
            returns,
            returns_tuple,
        })
    }

    /// `Type[(alias)][?][[]..] name[=default]`; for returns the name is optional.
    fn arg(&mut self, needs_name: bool) -> Result<SchemaArg, String> {
        let (ty, list_len) = self.ty()?;
        let name = match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.ident()?,
            _ if needs_name => return self.err("expected parameter name"),
            _ => String::new(),
        };
        let default = if self.eat(b'=') {
            Some(self.default_value(&ty)?)
        } else {
            None
        };
        Ok(SchemaArg {
            name,
            ty,
            list_len,
            default,
            kwarg_only: false,
        })
    }

    fn ty(&mut self) -> Result<(Type, Option<usize>), String> {
        let mut ty = if self.eat(b'(') {
            let mut items = Vec::new();
            if !self.eat(b')') {
                loop {
                    items.push(self.ty()?.0);
                    if self.eat(b')') {
                        break;
                    }
                    self.expect(b',')?;
                }
            }
            Type::Tuple(items.into())
        } else {
            let base = self.ident()?;
            match base.as_str() {
                "Dict" | "Future" | "List" | "Optional" => {
                    self.expect(b'(')?;
                    let a = self.ty()?.0;
                    let t = if base == "Dict" {
                        self.expect(b',')?;
                        let b = self.ty()?.0;
                        Type::Dict(Arc::new(a), Arc::new(b))
                    } else if base == "Future" {
                        Type::Future(Arc::new(a))
                    } else if base == "List" {
                        Type::list(a)
                    } else {
                        Type::optional(a)
                    };
                    self.expect(b')')?;
                    t
                }
                _ => base_type(&base),
            }
        };
        let mut list_len = None;
        loop {
            self.ws();
            match self.s.get(self.pos) {
                Some(b'(') => {
                    // alias annotation: skip to the matching ')'
                    while self.pos < self.s.len() && self.s[self.pos] != b')' {
                        self.pos += 1;
                    }
                    self.expect(b')')?;
                }
                Some(b'?') => {
                    self.pos += 1;
                    ty = Type::optional(ty);
                }
                Some(b'[') => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                        self.pos += 1;
                    }
                    if self.pos > start {
                        list_len = self.text[start..self.pos].parse().ok();
                    }
                    self.expect(b']')?;
                    ty = Type::list(ty);
                }
                _ => break,
            }
        }
        Ok((ty, list_len))
    }

    fn default_value(&mut self, ty: &Type) -> Result<Value, String> {
        self.ws();
        let start = self.pos;
        let mut depth = 0i32;
        let mut in_str: Option<u8> = None;
        while self.pos < self.s.len() {
            let c = self.s[self.pos];
            if let Some(q) = in_str {
                if c == q {
                    in_str = None;
                }
            } else if c == b'"' || c == b'\'' {
                in_str = Some(c);
            } else if c == b'[' {
                depth += 1;
            } else if c == b']' {
                depth -= 1;
            } else if depth == 0 && (c == b',' || c == b')') {
                break;
            }
            self.pos += 1;
        }
        let raw = self.text[start..self.pos].trim();
        parse_default(raw, ty).ok_or_else(|| format!("bad default `{raw}` in `{}`", self.text))
    }
}

fn base_type(name: &str) -> Type {
    match name {
        "Tensor" => Type::Tensor,
        "int" | "SymInt" | "ScalarType" | "Layout" | "MemoryFormat" => Type::Int,
        "float" => Type::Float,
        "bool" => Type::Bool,
        "str" => Type::Str,
        "Scalar" | "number" => Type::Number,
        "Device" => Type::Device,
        "Any" => Type::Any,
        "NoneType" => Type::None,
        "Generator" => Type::None,
        other => Type::Var(other.into()),
    }
}

fn parse_default(raw: &str, ty: &Type) -> Option<Value> {
    let inner = ty.unwrap_optional();
    if raw == "None" {
        return Some(Value::None);
    }
    if raw == "True" || raw == "False" {
        return Some(Value::Bool(raw == "True"));
    }
    if let Some(list) = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        let elem = match inner {
            Type::List(e) => (**e).clone(),
            _ => Type::Int,
        };
        let items = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_default(s, &elem))
            .collect::<Option<Vec<_>>>()?;
        return Some(Value::new_list(elem, items));
    }
    if (raw.starts_with('"') && raw.ends_with('"'))
        || (raw.starts_with('\'') && raw.ends_with('\''))
    {
        return Some(Value::str(&raw[1..raw.len() - 1]));
    }
    match raw {
        "contiguous_format" => return Some(Value::Int(0)),
        "preserve_format" => return Some(Value::Int(1)),
        "long" => return Some(Value::Int(4)),
        "float" => return Some(Value::Int(6)),
        "strided" => return Some(Value::Int(0)),
        "Mean" => return Some(Value::Int(1)),
        "Sum" => return Some(Value::Int(2)),
        _ => {}
    }
    if let Ok(i) = raw.parse::<i64>() {
        return Some(match inner {
            Type::Float => Value::Float(i as f64),
            Type::List(_) => Value::new_list(Type::Int, vec![Value::Int(i)]),
            _ => Value::Int(i),
        });
    }
    raw.parse::<f64>().ok().map(Value::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_add_tensor() {
        let s = parse_schema(
            "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
        )
        .unwrap();
        assert_eq!(s.full_name(), "aten::add.Tensor");
        assert_eq!(s.args.len(), 3);
        assert!(s.args[2].kwarg_only);
        assert!(matches!(s.args[2].default, Some(Value::Int(1))));
    }

    #[test]
    fn parses_lists_aliases_and_tuple_returns() {
        let s = parse_schema(
            "aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
        )
        .unwrap();
        assert_eq!(s.returns.len(), 2);
        let s = parse_schema("aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)").unwrap();
        assert!(matches!(s.args[0].ty, Type::List(_)));
        let s = parse_schema("aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor").unwrap();
        assert_eq!(s.args[1].list_len, Some(1));
        assert!(matches!(s.args[1].ty, Type::Optional(_)));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_schema("aten::add(Tensor self").is_err());
        assert!(parse_schema("aten::add(Tensor self) Tensor").is_err());
    }
}
