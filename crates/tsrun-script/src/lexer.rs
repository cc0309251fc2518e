//! The lexer: source text to tokens, on demand.
//!
//! Follows Python's tokenizer for the subset used: INDENT/DEDENT from a
//! stack of indentation widths (any consistent width; tabs are compared
//! Python's way, at tab size 8 and 1, and an ambiguous mix is an error),
//! NEWLINE at the end of each non-blank logical line, no NEWLINE/INDENT
//! inside brackets (implicit line joining), `\` line continuation,
//! comments and blank lines skipped. `\r` outside strings is whitespace.

use std::collections::VecDeque;

use crate::ast::BinOp;
use crate::error::{PResult, ParseError};
use crate::span::Span;
use crate::token::{Kw, Tok, Token};

/// Longest accepted identifier, in bytes.
pub(crate) const MAX_NAME_LEN: usize = 4096;
/// Most indentation levels the lexer tracks.
const MAX_INDENT_LEVELS: usize = 1024;

/// A pull lexer over one file.
pub(crate) struct Lexer<'a> {
    path: &'a str,
    text: &'a str,
    src: &'a [u8],
    pos: usize,
    line: u32,
    col: u32,
    at_line_start: bool,
    line_has_tokens: bool,
    depth: u32,
    /// Indentation widths: (tab size 8, tab size 1).
    indents: Vec<(u32, u32)>,
    pending: VecDeque<Token>,
}

/// Where a token starts.
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    line: u32,
    col: u32,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    /// A lexer over `text`; `path` is used in errors.
    pub(crate) fn new(path: &'a str, text: &'a str) -> Lexer<'a> {
        Lexer {
            path,
            text,
            src: text.as_bytes(),
            pos: 0,
            line: 1,
            col: 1,
            at_line_start: true,
            line_has_tokens: false,
            depth: 0,
            indents: vec![(0, 0)],
            pending: VecDeque::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, off: usize) -> Option<u8> {
        self.src.get(self.pos.saturating_add(off)).copied()
    }

    /// Moves past one byte, keeping line and (character) column.
    fn advance(&mut self) {
        if let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                self.col = self.col.saturating_add(1);
            }
        }
    }

    fn advance_n(&mut self, n: usize) {
        for _ in 0..n {
            self.advance();
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            line: self.line,
            col: self.col,
        }
    }

    fn span_from(&self, m: Mark) -> Span {
        Span {
            start: m.pos as u32,
            end: self.pos as u32,
            line: m.line,
            col: m.col,
        }
    }

    fn err_at(&self, m: Mark, msg: impl Into<String>) -> ParseError {
        ParseError::at(self.path, self.span_from(m), msg)
    }

    fn token(&self, tok: Tok, m: Mark) -> Token {
        Token {
            tok,
            span: self.span_from(m),
        }
    }

    /// The character at the current position (for messages).
    fn cur_char(&self) -> char {
        self.text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{FFFD}')
    }

    /// The next token. After the end of input, returns `Eof` forever.
    pub(crate) fn next_token(&mut self) -> PResult<Token> {
        loop {
            if let Some(t) = self.pending.pop_front() {
                return Ok(t);
            }
            if self.at_line_start && self.depth == 0 {
                self.at_line_start = false;
                self.indentation()?;
                continue;
            }
            let Some(b) = self.peek() else {
                return Ok(self.eof());
            };
            match b {
                b' ' | b'\t' | b'\x0c' | b'\r' => self.advance(),
                b'#' => self.skip_comment(),
                b'\\' => {
                    let m = self.mark();
                    self.advance();
                    if self.peek() == Some(b'\r') {
                        self.advance();
                    }
                    if self.peek() != Some(b'\n') {
                        return Err(self.err_at(m, "unexpected character after line continuation"));
                    }
                    self.advance();
                }
                b'\n' => {
                    let m = self.mark();
                    self.advance();
                    if self.depth > 0 {
                        continue;
                    }
                    self.at_line_start = true;
                    if self.line_has_tokens {
                        self.line_has_tokens = false;
                        let mut t = self.token(Tok::Newline, m);
                        t.span.end = m.pos as u32 + 1;
                        return Ok(t);
                    }
                }
                _ => {
                    let t = self.lex_token()?;
                    self.line_has_tokens = true;
                    return Ok(t);
                }
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'\n' {
                break;
            }
            self.advance();
        }
    }

    /// At the end of input: a final NEWLINE if the last line lacks one, then
    /// DEDENTs back to column 0, then EOF.
    fn eof(&mut self) -> Token {
        let m = self.mark();
        if self.depth == 0 {
            if self.line_has_tokens {
                self.line_has_tokens = false;
                return self.token(Tok::Newline, m);
            }
            while self.indents.len() > 1 {
                self.indents.pop();
                self.pending.push_back(self.token(Tok::Dedent, m));
            }
            if let Some(t) = self.pending.pop_front() {
                return t;
            }
        }
        self.token(Tok::Eof, m)
    }

    /// Measures the indentation of a new line and queues INDENT/DEDENTs.
    fn indentation(&mut self) -> PResult<()> {
        let (mut w8, mut w1) = (0u32, 0u32);
        loop {
            match self.peek() {
                Some(b' ') => {
                    w8 = w8.saturating_add(1);
                    w1 = w1.saturating_add(1);
                }
                Some(b'\t') => {
                    w8 = (w8 / 8).saturating_add(1).saturating_mul(8);
                    w1 = w1.saturating_add(1);
                }
                Some(b'\x0c') => {
                    w8 = 0;
                    w1 = 0;
                }
                Some(b'\r') => {}
                _ => break,
            }
            self.advance();
        }
        if matches!(self.peek(), None | Some(b'\n') | Some(b'#')) {
            return Ok(()); // blank or comment-only line
        }
        let m = self.mark();
        let inconsistent = "inconsistent use of tabs and spaces in indentation";
        let top = self.indents.last().copied().unwrap_or((0, 0));
        if w8 == top.0 {
            if w1 != top.1 {
                return Err(self.err_at(m, inconsistent));
            }
        } else if w8 > top.0 {
            if w1 <= top.1 {
                return Err(self.err_at(m, inconsistent));
            }
            if self.indents.len() >= MAX_INDENT_LEVELS {
                return Err(self.err_at(m, "nesting too deep (indentation)"));
            }
            self.indents.push((w8, w1));
            self.pending.push_back(self.token(Tok::Indent, m));
        } else {
            while let Some(&(t8, _)) = self.indents.last() {
                if w8 >= t8 || self.indents.len() <= 1 {
                    break;
                }
                self.indents.pop();
                self.pending.push_back(self.token(Tok::Dedent, m));
            }
            let top = self.indents.last().copied().unwrap_or((0, 0));
            if w8 != top.0 {
                return Err(self.err_at(m, "unindent does not match any outer indentation level"));
            }
            if w1 != top.1 {
                return Err(self.err_at(m, inconsistent));
            }
        }
        Ok(())
    }

    /// Lexes one token starting at a non-space byte.
    fn lex_token(&mut self) -> PResult<Token> {
        let m = self.mark();
        let Some(b) = self.peek() else {
            return Ok(self.token(Tok::Eof, m));
        };
        if is_name_start(b) {
            return self.lex_name_or_prefixed_string(m);
        }
        if b.is_ascii_digit() || (b == b'.' && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()))
        {
            return self.lex_number(m);
        }
        if b == b'"' || b == b'\'' {
            let s = self.lex_string(m, false)?;
            return Ok(self.token(Tok::Str(s), m));
        }
        if b >= 0x80 {
            let c = self.cur_char();
            return Err(self.err_at(m, format!("unexpected character '{c}'")));
        }
        let b1 = self.peek_at(1);
        let b2 = self.peek_at(2);
        let aug = |op| (Tok::AugAssign(op), 2usize);
        let (tok, len) = match (b, b1, b2) {
            (b'(', _, _) => (Tok::LParen, 1),
            (b'[', _, _) => (Tok::LBracket, 1),
            (b'{', _, _) => (Tok::LBrace, 1),
            (b')', _, _) => (Tok::RParen, 1),
            (b']', _, _) => (Tok::RBracket, 1),
            (b'}', _, _) => (Tok::RBrace, 1),
            (b'.', Some(b'.'), Some(b'.')) => (Tok::Ellipsis, 3),
            (b'*', Some(b'*'), Some(b'=')) => (Tok::AugAssign(BinOp::Pow), 3),
            (b'/', Some(b'/'), Some(b'=')) => (Tok::AugAssign(BinOp::FloorDiv), 3),
            (b'<', Some(b'<'), Some(b'=')) => (Tok::AugAssign(BinOp::LShift), 3),
            (b'>', Some(b'>'), Some(b'=')) => (Tok::AugAssign(BinOp::RShift), 3),
            (b'-', Some(b'>'), _) => (Tok::Arrow, 2),
            (b'*', Some(b'*'), _) => (Tok::DoubleStar, 2),
            (b'/', Some(b'/'), _) => (Tok::DoubleSlash, 2),
            (b'<', Some(b'<'), _) => (Tok::LShift, 2),
            (b'>', Some(b'>'), _) => (Tok::RShift, 2),
            (b'<', Some(b'='), _) => (Tok::Le, 2),
            (b'>', Some(b'='), _) => (Tok::Ge, 2),
            (b'=', Some(b'='), _) => (Tok::EqEq, 2),
            (b'!', Some(b'='), _) => (Tok::NotEq, 2),
            (b'+', Some(b'='), _) => aug(BinOp::Add),
            (b'-', Some(b'='), _) => aug(BinOp::Sub),
            (b'*', Some(b'='), _) => aug(BinOp::Mul),
            (b'/', Some(b'='), _) => aug(BinOp::Div),
            (b'%', Some(b'='), _) => aug(BinOp::Mod),
            (b'@', Some(b'='), _) => aug(BinOp::MatMul),
            (b'&', Some(b'='), _) => aug(BinOp::BitAnd),
            (b'|', Some(b'='), _) => aug(BinOp::BitOr),
            (b'^', Some(b'='), _) => aug(BinOp::BitXor),
            (b',', _, _) => (Tok::Comma, 1),
            (b':', Some(b'='), _) => {
                return Err(self.err_at(m, "assignment expressions (':=') are not supported"))
            }
            (b':', _, _) => (Tok::Colon, 1),
            (b'.', _, _) => (Tok::Dot, 1),
            (b';', _, _) => (Tok::Semi, 1),
            (b'=', _, _) => (Tok::Assign, 1),
            (b'+', _, _) => (Tok::Plus, 1),
            (b'-', _, _) => (Tok::Minus, 1),
            (b'*', _, _) => (Tok::Star, 1),
            (b'/', _, _) => (Tok::Slash, 1),
            (b'%', _, _) => (Tok::Percent, 1),
            (b'@', _, _) => (Tok::At, 1),
            (b'&', _, _) => (Tok::Amp, 1),
            (b'|', _, _) => (Tok::Pipe, 1),
            (b'^', _, _) => (Tok::Caret, 1),
            (b'~', _, _) => (Tok::Tilde, 1),
            (b'<', _, _) => (Tok::Lt, 1),
            (b'>', _, _) => (Tok::Gt, 1),
            _ => {
                let c = self.cur_char();
                return Err(self.err_at(m, format!("unexpected character {c:?}")));
            }
        };
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                self.depth = self.depth.saturating_add(1);
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                if self.depth == 0 {
                    return Err(self.err_at(m, format!("unmatched {tok}")));
                }
                self.depth -= 1;
            }
            _ => {}
        }
        self.advance_n(len);
        Ok(self.token(tok, m))
    }

    fn lex_name_or_prefixed_string(&mut self, m: Mark) -> PResult<Token> {
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.advance();
        }
        let name = self.text.get(start..self.pos).unwrap_or("");
        if matches!(self.peek(), Some(b'"') | Some(b'\'')) {
            let lower = name.to_ascii_lowercase();
            match lower.as_str() {
                "r" | "u" => {
                    let s = self.lex_string(m, lower == "r")?;
                    return Ok(self.token(Tok::Str(s), m));
                }
                "b" | "f" | "rb" | "br" | "fr" | "rf" => {
                    return Err(self.err_at(m, "bytes and f-string literals are not supported"));
                }
                _ => {}
            }
        }
        if name.len() > MAX_NAME_LEN {
            return Err(self.err_at(m, "identifier too long"));
        }
        let tok = match Kw::from_str(name) {
            Some(k) => Tok::Kw(k),
            None => Tok::Name(name.to_string()),
        };
        Ok(self.token(tok, m))
    }

    /// Reads digits of `radix` into `out`, skipping single underscores
    /// that sit between two digits.
    fn digits(&mut self, out: &mut String, radix: u32) {
        while let Some(b) = self.peek() {
            let is_digit = |c: u8| (c as char).is_digit(radix);
            if is_digit(b) {
                out.push(b as char);
            } else if !(b == b'_' && self.peek_at(1).is_some_and(is_digit)) {
                break;
            }
            self.advance();
        }
    }

    fn lex_number(&mut self, m: Mark) -> PResult<Token> {
        let radix = match (self.peek(), self.peek_at(1)) {
            (Some(b'0'), Some(b'x' | b'X')) => 16,
            (Some(b'0'), Some(b'o' | b'O')) => 8,
            (Some(b'0'), Some(b'b' | b'B')) => 2,
            _ => 10,
        };
        let too_large = "integer literal too large";
        if radix != 10 {
            self.advance_n(2);
            if self.peek() == Some(b'_') {
                self.advance();
            }
            let mut digits = String::new();
            self.digits(&mut digits, radix);
            if digits.is_empty() || self.peek().is_some_and(is_name_char) {
                return Err(self.err_at(m, "invalid number literal"));
            }
            let v = u64::from_str_radix(&digits, radix).map_err(|_| self.err_at(m, too_large))?;
            return Ok(self.token(Tok::Int(v), m));
        }
        let mut int_part = String::new();
        self.digits(&mut int_part, 10);
        let mut frac: Option<String> = None;
        let mut exp: Option<String> = None;
        if self.peek() == Some(b'.') {
            self.advance();
            let mut f = String::new();
            self.digits(&mut f, 10);
            frac = Some(f);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let sign = matches!(self.peek_at(1), Some(b'+' | b'-'));
            let first = self.peek_at(if sign { 2 } else { 1 });
            if first.is_some_and(|c| c.is_ascii_digit()) {
                let mut e = String::new();
                self.advance();
                if sign {
                    if self.peek() == Some(b'-') {
                        e.push('-');
                    }
                    self.advance();
                }
                self.digits(&mut e, 10);
                exp = Some(e);
            }
        }
        if self.peek().is_some_and(is_name_char) {
            return Err(self.err_at(m, "invalid number literal"));
        }
        if frac.is_none() && exp.is_none() {
            let v: u64 = int_part.parse().map_err(|_| self.err_at(m, too_large))?;
            return Ok(self.token(Tok::Int(v), m));
        }
        let mut norm = if int_part.is_empty() {
            "0".to_string()
        } else {
            int_part
        };
        norm.push('.');
        match frac {
            Some(f) if !f.is_empty() => norm.push_str(&f),
            _ => norm.push('0'),
        }
        if let Some(e) = exp {
            norm.push('e');
            norm.push_str(&e);
        }
        let v: f64 = norm
            .parse()
            .map_err(|_| self.err_at(m, "invalid float literal"))?;
        Ok(self.token(Tok::Float(v), m))
    }

    /// Reads exactly `n` hex digits.
    fn hex(&mut self, n: usize) -> Option<u32> {
        let mut v: u32 = 0;
        for _ in 0..n {
            let d = (self.peek()? as char).to_digit(16)?;
            v = v.checked_mul(16)?.checked_add(d)?;
            self.advance();
        }
        Some(v)
    }

    /// Lexes a quoted string starting at the quote (prefix already eaten).
    fn lex_string(&mut self, m: Mark, raw: bool) -> PResult<String> {
        let Some(q) = self.peek() else {
            return Err(self.err_at(m, "unterminated string literal"));
        };
        let triple = self.peek_at(1) == Some(q) && self.peek_at(2) == Some(q);
        self.advance_n(if triple { 3 } else { 1 });
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err_at(m, "unterminated string literal"));
            };
            if b == q {
                if !triple {
                    self.advance();
                    break;
                }
                if self.peek_at(1) == Some(q) && self.peek_at(2) == Some(q) {
                    self.advance_n(3);
                    break;
                }
                out.push(q as char);
                self.advance();
            } else if b == b'\n' {
                if !triple {
                    return Err(self.err_at(m, "unterminated string literal"));
                }
                out.push('\n');
                self.advance();
            } else if b == b'\\' {
                if raw {
                    out.push('\\');
                    self.advance();
                    if let Some(c) = self.peek() {
                        if c < 0x80 {
                            out.push(c as char);
                            self.advance();
                        }
                    }
                } else {
                    self.escape(&mut out)?;
                }
            } else if b < 0x80 {
                out.push(b as char);
                self.advance();
            } else {
                let c = self.cur_char();
                out.push(c);
                self.advance_n(c.len_utf8());
            }
        }
        Ok(out)
    }

    /// Decodes one escape sequence at a backslash.
    fn escape(&mut self, out: &mut String) -> PResult<()> {
        let m = self.mark();
        self.advance();
        let Some(e) = self.peek() else {
            return Err(self.err_at(m, "unterminated string literal"));
        };
        let simple = match e {
            b'\n' => {
                self.advance();
                return Ok(());
            }
            b'\\' => Some('\\'),
            b'\'' => Some('\''),
            b'"' => Some('"'),
            b'a' => Some('\x07'),
            b'b' => Some('\x08'),
            b'f' => Some('\x0c'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            self.advance();
            return Ok(());
        }
        let code = match e {
            b'0'..=b'7' => {
                let mut v = 0u32;
                for _ in 0..3 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.advance();
                        }
                        _ => break,
                    }
                }
                Some(v)
            }
            b'x' | b'u' | b'U' => {
                self.advance();
                let n = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                match self.hex(n) {
                    Some(v) => Some(v),
                    None => {
                        let kind = if e == b'x' { "\\x" } else { "unicode" };
                        return Err(self.err_at(m, format!("truncated {kind} escape")));
                    }
                }
            }
            _ => None,
        };
        match code {
            Some(v) => match char::from_u32(v) {
                Some(c) => {
                    out.push(c);
                    Ok(())
                }
                None => Err(self.err_at(m, "invalid unicode escape")),
            },
            None => {
                let c = self.cur_char();
                Err(self.err_at(m, format!("unknown escape sequence '\\{c}'")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let mut lx = Lexer::new("t.py", s);
        let mut v = Vec::new();
        for _ in 0..10_000 {
            let t = lx.next_token().unwrap();
            if t.tok == Tok::Eof {
                return v;
            }
            v.push(t.tok);
        }
        panic!("no EOF");
    }

    fn lex_err(s: &str) -> ParseError {
        let mut lx = Lexer::new("t.py", s);
        for _ in 0..10_000 {
            match lx.next_token() {
                Err(e) => return e,
                Ok(t) if t.tok == Tok::Eof => panic!("no error for {s:?}"),
                Ok(_) => {}
            }
        }
        panic!("no EOF");
    }

    fn name(s: &str) -> Tok {
        Tok::Name(s.to_string())
    }

    #[test]
    fn indentation_and_newlines() {
        use Tok::*;
        let t = toks("class A:\n  x : int\n  def f(self,\n    y: int):\n    pass\n");
        assert_eq!(
            t,
            vec![
                Kw(super::Kw::Class),
                name("A"),
                Colon,
                Newline,
                Indent,
                name("x"),
                Colon,
                name("int"),
                Newline,
                Kw(super::Kw::Def),
                name("f"),
                LParen,
                name("self"),
                Comma,
                name("y"),
                Colon,
                name("int"),
                RParen,
                Colon,
                Newline,
                Indent,
                Kw(super::Kw::Pass),
                Newline,
                Dedent,
                Dedent
            ]
        );
    }

    #[test]
    fn missing_final_newline_and_blank_lines() {
        use Tok::*;
        let t = toks("a\n\n   # c\nif x:\n    b");
        assert_eq!(
            t,
            vec![
                name("a"),
                Newline,
                Kw(super::Kw::If),
                name("x"),
                Colon,
                Newline,
                Indent,
                name("b"),
                Newline,
                Dedent
            ]
        );
        assert_eq!(toks(""), vec![]);
        assert_eq!(toks("\n\n"), vec![]);
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("1.")[0], Tok::Float(1.0));
        assert_eq!(toks(".5")[0], Tok::Float(0.5));
        assert_eq!(toks("0.10000000000000001")[0], Tok::Float(0.1));
        assert_eq!(toks("1.0000000000000001e-05")[0], Tok::Float(1e-5));
        assert_eq!(toks("1e-05")[0], Tok::Float(1e-5));
        assert_eq!(toks("9.9999999999999998e-13")[0], Tok::Float(1e-12));
        assert_eq!(
            toks("3.1415926535897931")[0],
            Tok::Float(std::f64::consts::PI)
        );
        assert_eq!(toks("1_000")[0], Tok::Int(1000));
        assert_eq!(toks("0x1F")[0], Tok::Int(31));
        assert_eq!(toks("9223372036854775808")[0], Tok::Int(1 << 63));
        assert!(lex_err("99999999999999999999")
            .message
            .contains("too large"));
        assert!(lex_err("1abc").message.contains("invalid number"));
        assert!(lex_err("1j").message.contains("invalid number"));
    }

    #[test]
    fn strings() {
        assert_eq!(
            toks(r#""q\"uote\" \'s\' b\\s\n\ttab \a\b\v\f ctl\001\033\177\0""#)[0],
            Tok::Str("q\"uote\" 's' b\\s\n\ttab \x07\x08\x0b\x0c ctl\x01\x1b\x7f\0".into())
        );
        assert_eq!(toks(r#"'it"s' "\x41\u00e9""#)[0], Tok::Str("it\"s".into()));
        assert_eq!(
            toks(r#""\x41\u00e9\U0001F600""#)[0],
            Tok::Str("Aé😀".into())
        );
        assert_eq!(toks("\"caf\u{e9}\"")[0], Tok::Str("café".into()));
        assert_eq!(toks(r#"r"a\n""#)[0], Tok::Str("a\\n".into()));
        assert_eq!(
            toks("\"\"\"a\n\"b\" \"\"\"")[0],
            Tok::Str("a\n\"b\" ".into())
        );
        let e = lex_err("x = \"a\\qb\"");
        assert_eq!((e.line, e.col), (1, 7));
        assert!(e.message.contains("unknown escape"), "{}", e.message);
        let e = lex_err("x = \"abc\ny\"");
        assert_eq!((e.line, e.col), (1, 5));
        assert!(lex_err("\"\\x4\"").message.contains("truncated"));
        assert!(lex_err("\"\\ud800\"").message.contains("invalid unicode"));
        assert!(lex_err("b\"x\"").message.contains("not supported"));
    }

    #[test]
    fn brackets_join_lines() {
        use Tok::*;
        assert_eq!(
            toks("f(a,\n      b)\n"),
            vec![
                name("f"),
                LParen,
                name("a"),
                Comma,
                name("b"),
                RParen,
                Newline
            ]
        );
        assert!(lex_err("a)\n").message.contains("unmatched"));
    }

    #[test]
    fn indentation_errors() {
        let e = lex_err("if a:\n    b\n  c\n");
        assert_eq!((e.line, e.col), (3, 3));
        assert!(e.message.contains("unindent"));
        let e = lex_err("if a:\n        b\n\tc\n");
        assert!(e.message.contains("inconsistent"), "{}", e.message);
        // Consistent tabs are fine.
        assert_eq!(toks("if a:\n\tb\n").len(), 8);
    }

    #[test]
    fn columns_count_characters() {
        let mut lx = Lexer::new("t.py", "\"é\" x");
        lx.next_token().unwrap();
        let t = lx.next_token().unwrap();
        assert_eq!((t.span.line, t.span.col, t.span.start), (1, 5, 5));
    }

    #[test]
    fn crlf_and_continuation() {
        use Tok::*;
        assert_eq!(toks("a \\\n  b\r\n"), vec![name("a"), name("b"), Newline]);
        assert_eq!(
            lex_err("a \\ b").message,
            "unexpected character after line continuation"
        );
    }
}
