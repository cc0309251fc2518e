//! Lexer, parser and AST for the TorchScript source that PyTorch prints into
//! the `code/**.py` files of `.pt` archives.
//!
//! The accepted language is the printed subset described in
//! `docs/printed-code.md` (classes, functions, assignments, `if`/`for`/
//! `while`/`with`, calls, attributes, subscripts, literals) plus defensive
//! Python forms other producers may use (operators with Python precedence,
//! `elif`, augmented assignment, `break`/`continue`, `raise`, `assert`,
//! conditional expressions, slices). Nothing is evaluated or resolved.
//!
//! Input is untrusted: the parser never panics, stops at the first error
//! with its position, and bounds file size ([`MAX_FILE_SIZE`]), expression
//! nesting ([`MAX_EXPR_DEPTH`]) and block nesting ([`MAX_BLOCK_DEPTH`]).
//!
//! ```
//! let f = tsrun_script::parse_file("code/__torch__.py", "def f(x: Tensor) -> Tensor:\n  return x\n").unwrap();
//! assert_eq!(f.items.len(), 1);
//! ```

pub mod ast;
pub mod error;
mod lexer;
mod parser;
pub mod span;
mod token;
pub mod types;

pub use ast::*;
pub use error::ParseError;
pub use parser::{MAX_BLOCK_DEPTH, MAX_EXPR_DEPTH};
pub use span::Span;
pub use types::{expr_to_type, TypeExpr};

/// Largest accepted source file, in bytes (16 MiB).
pub const MAX_FILE_SIZE: usize = 16 << 20;

fn check_size(path: &str, text: &str) -> Result<(), ParseError> {
    if text.len() > MAX_FILE_SIZE {
        return Err(ParseError {
            path: path.to_string(),
            line: 1,
            col: 1,
            message: format!(
                "file too large ({} bytes, limit {MAX_FILE_SIZE})",
                text.len()
            ),
        });
    }
    Ok(())
}

/// Parses one printed source file. `path` (e.g. `code/__torch__.py`) is
/// recorded in the result and in errors.
pub fn parse_file(path: &str, text: &str) -> Result<File, ParseError> {
    check_size(path, text)?;
    parser::Parser::new(path, text)?.parse_file()
}

/// Parses `text` as a single expression (or unparenthesised tuple), e.g. a
/// type string `"List[Tuple[int, str]]"` to pass to [`expr_to_type`].
pub fn parse_expr(path: &str, text: &str) -> Result<Expr, ParseError> {
    check_size(path, text)?;
    parser::Parser::new(path, text)?.parse_single_expr()
}
