//! Parse errors.

use crate::span::Span;

/// A lexical or syntax error, located at the offending token.
///
/// Displays as `path:line:col: message`, e.g.
/// `code/__torch__.py:12:5: expected ')' but found newline`. When `path` is
/// empty (errors from [`crate::expr_to_type`]) the path and its colon are
/// omitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{line}:{col}: {message}", if path.is_empty() { String::new() } else { format!("{path}:") })]
pub struct ParseError {
    /// Path of the file being parsed, as given to [`crate::parse_file`].
    pub path: String,
    /// 1-based line of the error.
    pub line: u32,
    /// 1-based column (in characters) of the error.
    pub col: u32,
    /// Human-readable description.
    pub message: String,
}

impl ParseError {
    /// An error at the start of `span`.
    pub(crate) fn at(path: &str, span: Span, message: impl Into<String>) -> ParseError {
        ParseError {
            path: path.to_string(),
            line: span.line,
            col: span.col,
            message: message.into(),
        }
    }
}

/// Result type used throughout the crate.
pub(crate) type PResult<T> = Result<T, ParseError>;
