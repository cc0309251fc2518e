//! Source positions.

/// A range of source text: byte offsets `start..end` into the file, plus the
/// 1-based line and column (in characters) of `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column (in characters) of `start`.
    pub col: u32,
}

impl Span {
    /// A span starting where `self` starts and ending at `end` (a byte
    /// offset); `end` is clamped so that the span is never inverted.
    pub fn to_end(self, end: u32) -> Span {
        Span {
            end: end.max(self.start),
            ..self
        }
    }

    /// The smallest span covering `self` and `other`, assuming `self` starts
    /// first.
    pub fn cover(self, other: Span) -> Span {
        self.to_end(other.end.max(self.end))
    }
}
