//! Tokens produced by the lexer.

use std::fmt;

use crate::ast::BinOp;
use crate::span::Span;

/// Reserved words of Python. Those the grammar does not use are still
/// reserved so that they give a clear error instead of being read as names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    False,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    None,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    True,
    Try,
    While,
    With,
    Yield,
}

impl Kw {
    /// The keyword spelled `s`, if any.
    pub(crate) fn from_str(s: &str) -> Option<Kw> {
        Some(match s {
            "and" => Kw::And,
            "as" => Kw::As,
            "assert" => Kw::Assert,
            "async" => Kw::Async,
            "await" => Kw::Await,
            "break" => Kw::Break,
            "class" => Kw::Class,
            "continue" => Kw::Continue,
            "def" => Kw::Def,
            "del" => Kw::Del,
            "elif" => Kw::Elif,
            "else" => Kw::Else,
            "except" => Kw::Except,
            "False" => Kw::False,
            "finally" => Kw::Finally,
            "for" => Kw::For,
            "from" => Kw::From,
            "global" => Kw::Global,
            "if" => Kw::If,
            "import" => Kw::Import,
            "in" => Kw::In,
            "is" => Kw::Is,
            "lambda" => Kw::Lambda,
            "None" => Kw::None,
            "nonlocal" => Kw::Nonlocal,
            "not" => Kw::Not,
            "or" => Kw::Or,
            "pass" => Kw::Pass,
            "raise" => Kw::Raise,
            "return" => Kw::Return,
            "True" => Kw::True,
            "try" => Kw::Try,
            "while" => Kw::While,
            "with" => Kw::With,
            "yield" => Kw::Yield,
            _ => return None,
        })
    }

    /// The source spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kw::And => "and",
            Kw::As => "as",
            Kw::Assert => "assert",
            Kw::Async => "async",
            Kw::Await => "await",
            Kw::Break => "break",
            Kw::Class => "class",
            Kw::Continue => "continue",
            Kw::Def => "def",
            Kw::Del => "del",
            Kw::Elif => "elif",
            Kw::Else => "else",
            Kw::Except => "except",
            Kw::False => "False",
            Kw::Finally => "finally",
            Kw::For => "for",
            Kw::From => "from",
            Kw::Global => "global",
            Kw::If => "if",
            Kw::Import => "import",
            Kw::In => "in",
            Kw::Is => "is",
            Kw::Lambda => "lambda",
            Kw::None => "None",
            Kw::Nonlocal => "nonlocal",
            Kw::Not => "not",
            Kw::Or => "or",
            Kw::Pass => "pass",
            Kw::Raise => "raise",
            Kw::Return => "return",
            Kw::True => "True",
            Kw::Try => "try",
            Kw::While => "while",
            Kw::With => "with",
            Kw::Yield => "yield",
        }
    }
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// Identifier (not a keyword).
    Name(String),
    /// Integer literal; may exceed `i64::MAX` (checked by the parser).
    Int(u64),
    /// Float literal.
    Float(f64),
    /// String literal, escapes decoded.
    Str(String),
    /// Keyword.
    Kw(Kw),
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Dot,
    Semi,
    Assign,
    Arrow,
    Ellipsis,
    Plus,
    Minus,
    Star,
    Slash,
    DoubleSlash,
    Percent,
    DoubleStar,
    At,
    Amp,
    Pipe,
    Caret,
    Tilde,
    LShift,
    RShift,
    Lt,
    Gt,
    Le,
    Ge,
    EqEq,
    NotEq,
    /// `+=`, `-=`...
    AugAssign(BinOp),
    /// End of a logical line.
    Newline,
    /// Indentation increased.
    Indent,
    /// Indentation decreased by one level.
    Dedent,
    /// End of input (repeated forever).
    Eof,
}

/// A token and its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) span: Span,
}

fn binop_str(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "**",
        BinOp::MatMul => "@",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
    }
}

/// Describes a token for error messages (`'x'`, `newline`, `end of file`...).
impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self {
            Tok::Name(n) => return write!(f, "name '{n}'"),
            Tok::Int(v) => return write!(f, "integer {v}"),
            Tok::Float(v) => return write!(f, "float {v:?}"),
            Tok::Str(s) => {
                let short: String = s.chars().take(20).collect();
                let more = if s.chars().nth(20).is_some() {
                    "..."
                } else {
                    ""
                };
                return write!(f, "string {short:?}{more}");
            }
            Tok::Kw(k) => return write!(f, "'{}'", k.as_str()),
            Tok::AugAssign(op) => return write!(f, "'{}='", binop_str(*op)),
            Tok::Newline => return f.write_str("newline"),
            Tok::Indent => return f.write_str("indent"),
            Tok::Dedent => return f.write_str("dedent"),
            Tok::Eof => return f.write_str("end of file"),
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Dot => ".",
            Tok::Semi => ";",
            Tok::Assign => "=",
            Tok::Arrow => "->",
            Tok::Ellipsis => "...",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::DoubleSlash => "//",
            Tok::Percent => "%",
            Tok::DoubleStar => "**",
            Tok::At => "@",
            Tok::Amp => "&",
            Tok::Pipe => "|",
            Tok::Caret => "^",
            Tok::Tilde => "~",
            Tok::LShift => "<<",
            Tok::RShift => ">>",
            Tok::Lt => "<",
            Tok::Gt => ">",
            Tok::Le => "<=",
            Tok::Ge => ">=",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
        };
        write!(f, "'{p}'")
    }
}
