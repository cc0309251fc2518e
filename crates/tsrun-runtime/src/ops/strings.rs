//! String operators: `+`, comparisons, `len`, `str()`, indexing and slicing, and the `str`
//! methods TorchScript supports (`split`, `join`, `strip`, `find`, `replace`, `lower`...).
//!
//! PyTorch strings are C++ `std::string`s: lengths, indices and slices count **bytes**, and
//! the character classes (`isalpha`, `upper`...) are the C locale's, on ASCII only. The
//! kernels below follow `register_prim_ops.cpp` statement by statement, including its error
//! messages; results that cut a multi-byte character are repaired lossily (`U+FFFD`), since a
//! `str` value here must be valid UTF-8.

use super::args::{bool, int, opt_int, opt_str, str};
use super::containers::slice_indices;
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::types::Type;
use crate::value::Value;

/// The default `chars` of `strip`/`lstrip`/`rstrip` in PyTorch's schemas.
const STRIP_CHARS: &str = " \\n\\t\\f\\v";

fn bytes_value(b: &[u8]) -> Value {
    Value::str(&String::from_utf8_lossy(b))
}

fn str_list(items: Vec<Vec<u8>>) -> Value {
    Value::new_list(Type::Str, items.iter().map(|s| bytes_value(s)).collect())
}

/// `std::string::find` from `from`.
fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    if needle.is_empty() {
        return Some(from);
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// PyTorch's `stringFindImpl`: `start`/`end` like Python's, but `end = -1` means the end.
fn find_impl(s: &[u8], sub: &[u8], start: i64, end: i64, reverse: bool) -> i64 {
    let size = s.len() as i64;
    let start = if start < 0 {
        (size + start).max(0)
    } else {
        start
    };
    let end = if end < 0 {
        (size + end + 1).max(0)
    } else {
        end
    };
    let (start_u, end_u) = (start.min(size) as usize, end.min(size) as usize);
    let hay: &[u8] = if end > start {
        &s[start_u..end_u.max(start_u)]
    } else {
        &[]
    };
    if hay.len() < sub.len() {
        return -1;
    }
    let mut pos = find_from(hay, sub, 0);
    if reverse {
        let mut next = pos;
        while let Some(p) = next {
            pos = Some(p);
            next = find_from(hay, sub, p + 1);
        }
    }
    pos.map_or(-1, |p| p as i64 + start)
}

/// C `isspace`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn strip_chars(a: &[Value], i: usize) -> RtResult<Vec<u8>> {
    // The schema default is printed with escapes; PyTorch's parser turns them into the
    // characters, so do the same for the default (an explicit argument is already decoded).
    let chars = str(a, i)?;
    Ok(if chars == STRIP_CHARS {
        b" \n\t\x0c\x0b".to_vec()
    } else {
        chars.as_bytes().to_vec()
    })
}

fn lstrip_bytes<'s>(s: &'s [u8], chars: &[u8]) -> &'s [u8] {
    match s.iter().position(|c| !chars.contains(c)) {
        Some(i) => &s[i..],
        None => &[],
    }
}

fn rstrip_bytes<'s>(s: &'s [u8], chars: &[u8]) -> &'s [u8] {
    match s.iter().rposition(|c| !chars.contains(c)) {
        Some(i) => &s[..=i],
        None => &[],
    }
}

fn map_bytes(s: &str, f: impl Fn(u8) -> u8) -> Value {
    bytes_value(&s.bytes().map(f).collect::<Vec<u8>>())
}

fn is_op(s: &str, pred: fn(&u8) -> bool) -> Value {
    Value::Bool(!s.is_empty() && s.as_bytes().iter().all(pred))
}

fn fill_char(a: &[Value], i: usize) -> RtResult<u8> {
    match str(a, i)?.as_bytes() {
        [c] => Ok(*c),
        _ => Err(RuntimeError::new(
            "TypeError: The fill character must be exactly one character long",
        )),
    }
}

/// Widest padding result (`zfill`, `center`...): a guard against a model asking for more
/// memory than any machine has, far above what real code uses.
const MAX_WIDTH: i64 = 1 << 30;

fn checked_width(width: i64) -> RtResult<i64> {
    if width > MAX_WIDTH {
        return Err(RuntimeError::new(format!(
            "string width {width} is too large"
        )));
    }
    Ok(width)
}

fn split_whitespace(s: &[u8]) -> Vec<Vec<u8>> {
    // PyTorch's `splitNoneSeparator`: any of these bytes separates; empty pieces are dropped.
    const WS: &[u8] = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x85";
    s.split(|c| WS.contains(c))
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::add.str(str a, str b) -> str", |a| {
        Ok(Value::str(&format!("{}{}", str(a, 0)?, str(a, 1)?)))
    });
    b.op("aten::eq.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)? == str(a, 1)?))
    });
    b.op("aten::ne.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)? != str(a, 1)?))
    });
    b.op("aten::lt.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)?.as_bytes() < str(a, 1)?.as_bytes()))
    });
    b.op("aten::le.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)?.as_bytes() <= str(a, 1)?.as_bytes()))
    });
    b.op("aten::gt.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)?.as_bytes() > str(a, 1)?.as_bytes()))
    });
    b.op("aten::ge.str(str a, str b) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)?.as_bytes() >= str(a, 1)?.as_bytes()))
    });
    b.op("aten::len.str(str s) -> int", |a| {
        Ok(Value::Int(str(a, 0)?.len() as i64))
    });
    b.op("aten::str(t elem) -> str", |a| {
        Ok(Value::str(&crate::display::python_str(&a[0])))
    });
    b.op("aten::__getitem__.str(str s, int index) -> str", |a| {
        let s = str(a, 0)?.as_bytes();
        let idx = int(a, 1)?;
        let n = if idx < 0 {
            idx.wrapping_add(s.len() as i64)
        } else {
            idx
        };
        match usize::try_from(n).ok().and_then(|i| s.get(i)) {
            Some(c) => Ok(bytes_value(&[*c])),
            // std::string::at's message, with the index as a size_t.
            None => Err(RuntimeError::new(format!(
                "basic_string::at: __n (which is {}) >= this->size() (which is {})",
                n as u64,
                s.len()
            ))),
        }
    });
    b.op(
        "aten::slice.str(str string, int? start=None, int? end=None, int step=1) -> str",
        |a| {
            let s = str(a, 0)?.as_bytes();
            let idx = slice_indices(s.len(), opt_int(a, 1)?, opt_int(a, 2)?, int(a, 3)?)?;
            Ok(bytes_value(
                &idx.into_iter().map(|i| s[i]).collect::<Vec<u8>>(),
            ))
        },
    );
    b.op("aten::list(str t) -> str[]", |a| {
        Ok(str_list(str(a, 0)?.bytes().map(|c| vec![c]).collect()))
    });
    b.op("aten::ord(str string) -> int", |a| {
        match str(a, 0)?.as_bytes() {
            [c] => Ok(Value::Int(*c as i64)),
            s => Err(RuntimeError::new(format!(
                "String for ord() must be 1 character, found {}",
                s.len()
            ))),
        }
    });
    b.op("aten::chr(int i) -> str", |a| {
        let i = int(a, 0)?;
        if !(0..=0x10FFFF).contains(&i) {
            return Err(RuntimeError::new(format!(
                "chr() arg not in range(0x110000), found {i}"
            )));
        }
        let c = char::from_u32(i as u32).unwrap_or('\u{FFFD}');
        Ok(Value::str(&c.to_string()))
    });
    // Printed as `torch.percentFormat(fmt, args)`: a tuple of arguments, or one value.
    b.op("aten::percentFormat(str self, Any args) -> str", |a| {
        let fmt = str(a, 0)?.to_string();
        let args = a.get(1).cloned().unwrap_or(Value::tuple(Vec::new()));
        Ok(Value::str(&crate::display::percent_format(&fmt, &args)?))
    });

    // Case and character classes (C locale).
    b.op("aten::lower(str self) -> str", |a| {
        Ok(map_bytes(str(a, 0)?, |c| c.to_ascii_lowercase()))
    });
    b.op("aten::upper(str self) -> str", |a| {
        Ok(map_bytes(str(a, 0)?, |c| c.to_ascii_uppercase()))
    });
    b.op("aten::swapcase(str self) -> str", |a| {
        Ok(map_bytes(str(a, 0)?, |c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        }))
    });
    b.op("aten::capitalize(str self) -> str", |a| {
        let s = str(a, 0)?.as_bytes();
        let out: Vec<u8> = s
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        Ok(bytes_value(&out))
    });
    b.op("aten::title(str self) -> str", |a| {
        let mut prev_nonalpha = true;
        let out: Vec<u8> = str(a, 0)?
            .bytes()
            .map(|c| {
                let o = if prev_nonalpha {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
                prev_nonalpha = !c.is_ascii_alphabetic();
                o
            })
            .collect();
        Ok(bytes_value(&out))
    });
    b.op("aten::isdigit(str self) -> bool", |a| {
        Ok(is_op(str(a, 0)?, u8::is_ascii_digit))
    });
    b.op("aten::isspace(str self) -> bool", |a| {
        Ok(is_op(str(a, 0)?, |c| is_space(*c)))
    });
    b.op("aten::isalnum(str self) -> bool", |a| {
        Ok(is_op(str(a, 0)?, u8::is_ascii_alphanumeric))
    });
    b.op("aten::isalpha(str self) -> bool", |a| {
        Ok(is_op(str(a, 0)?, u8::is_ascii_alphabetic))
    });
    b.op("aten::isdecimal(str self) -> bool", |a| {
        Ok(is_op(str(a, 0)?, u8::is_ascii_digit))
    });
    b.op("aten::isnumeric(str self) -> bool", |a| {
        Ok(is_op(str(a, 0)?, u8::is_ascii_digit))
    });
    b.op("aten::isupper(str self) -> bool", |a| {
        let s = str(a, 0)?.as_bytes();
        let alpha = s.iter().any(u8::is_ascii_alphabetic);
        Ok(Value::Bool(
            alpha
                && s.iter()
                    .all(|c| !c.is_ascii_alphabetic() || c.is_ascii_uppercase()),
        ))
    });
    b.op("aten::islower(str self) -> bool", |a| {
        let s = str(a, 0)?.as_bytes();
        let alpha = s.iter().any(u8::is_ascii_alphabetic);
        Ok(Value::Bool(
            alpha
                && s.iter()
                    .all(|c| !c.is_ascii_alphabetic() || c.is_ascii_lowercase()),
        ))
    });

    b.op("aten::istitle(str self) -> bool", |a| {
        // PyTorch's loop: uppercase after a non-letter, lowercase after a letter, and at least
        // one letter that starts a word.
        let mut result = false;
        let mut prev_alpha = false;
        for c in str(a, 0)?.bytes() {
            if prev_alpha {
                if c != c.to_ascii_lowercase() {
                    result = false;
                    break;
                }
            } else {
                if c != c.to_ascii_uppercase() {
                    result = false;
                    break;
                }
                if c.is_ascii_alphabetic() {
                    result = true;
                }
            }
            prev_alpha = c.is_ascii_alphabetic();
        }
        Ok(Value::Bool(result))
    });
    b.op("aten::isidentifier(str self) -> bool", |a| {
        // Python 2's rule, as PyTorch implements it: alphanumerics only, no leading digit.
        let s = str(a, 0)?.as_bytes();
        Ok(Value::Bool(
            !s.is_empty() && !s[0].is_ascii_digit() && s.iter().all(u8::is_ascii_alphanumeric),
        ))
    });
    b.op("aten::isprintable(str self) -> bool", |a| {
        Ok(Value::Bool(str(a, 0)?.bytes().all(|c| {
            c.is_ascii_alphanumeric() || c.is_ascii_punctuation() || c == b' '
        })))
    });

    // Stripping and padding.
    b.op(
        "aten::strip(str self, str chars=' \\n\\t\\f\\v') -> str",
        |a| {
            let chars = strip_chars(a, 1)?;
            Ok(bytes_value(lstrip_bytes(
                rstrip_bytes(str(a, 0)?.as_bytes(), &chars),
                &chars,
            )))
        },
    );
    b.op(
        "aten::lstrip(str self, str chars=' \\n\\t\\f\\v') -> str",
        |a| {
            let chars = strip_chars(a, 1)?;
            Ok(bytes_value(lstrip_bytes(str(a, 0)?.as_bytes(), &chars)))
        },
    );
    b.op(
        "aten::rstrip(str self, str chars=' \\n\\t\\f\\v') -> str",
        |a| {
            let chars = strip_chars(a, 1)?;
            Ok(bytes_value(rstrip_bytes(str(a, 0)?.as_bytes(), &chars)))
        },
    );
    b.op(
        "aten::center(str self, int width, str fillchar=' ') -> str",
        |a| {
            let fill = fill_char(a, 2)?;
            let width = checked_width(int(a, 1)?)?;
            let s = str(a, 0)?.as_bytes();
            if s.len() as i64 > width {
                return Ok(bytes_value(s));
            }
            let full = (width - s.len() as i64) as usize;
            let (mut l, mut r) = (full / 2, full.div_ceil(2));
            if width % 2 != 0 {
                std::mem::swap(&mut l, &mut r);
            }
            let mut out = vec![fill; l];
            out.extend_from_slice(s);
            out.extend(std::iter::repeat_n(fill, r));
            Ok(bytes_value(&out))
        },
    );
    b.op(
        "aten::ljust(str self, int width, str fillchar=' ') -> str",
        |a| {
            let fill = fill_char(a, 2)?;
            let s = str(a, 0)?.as_bytes();
            let pad = (checked_width(int(a, 1)?)? - s.len() as i64).max(0) as usize;
            let mut out = s.to_vec();
            out.extend(std::iter::repeat_n(fill, pad));
            Ok(bytes_value(&out))
        },
    );
    b.op(
        "aten::rjust(str self, int width, str fillchar=' ') -> str",
        |a| {
            let fill = fill_char(a, 2)?;
            let s = str(a, 0)?.as_bytes();
            let pad = (checked_width(int(a, 1)?)? - s.len() as i64).max(0) as usize;
            let mut out = vec![fill; pad];
            out.extend_from_slice(s);
            Ok(bytes_value(&out))
        },
    );
    b.op("aten::zfill(str self, int width) -> str", |a| {
        let s = str(a, 0)?.as_bytes();
        let pad = (checked_width(int(a, 1)?)? - s.len() as i64).max(0) as usize;
        let mut out = vec![b'0'; pad];
        out.extend_from_slice(s);
        Ok(bytes_value(&out))
    });
    b.op("aten::expandtabs(str self, int tabsize=8) -> str", |a| {
        let tab = checked_width(int(a, 1)?)?;
        let mut out = Vec::new();
        for c in str(a, 0)?.bytes() {
            if c != b'\t' {
                out.push(c);
            } else if tab > 0 {
                loop {
                    out.push(b' ');
                    if out.len() as i64 % tab == 0 {
                        break;
                    }
                }
            }
        }
        Ok(bytes_value(&out))
    });

    // Searching.
    b.op(
        "aten::find(str self, str substr, int start=0, int end=-1) -> int",
        |a| {
            Ok(Value::Int(find_impl(
                str(a, 0)?.as_bytes(),
                str(a, 1)?.as_bytes(),
                int(a, 2)?,
                int(a, 3)?,
                false,
            )))
        },
    );
    b.op(
        "aten::rfind(str self, str substr, int start=0, int end=-1) -> int",
        |a| {
            Ok(Value::Int(find_impl(
                str(a, 0)?.as_bytes(),
                str(a, 1)?.as_bytes(),
                int(a, 2)?,
                int(a, 3)?,
                true,
            )))
        },
    );
    b.op(
        "aten::index.str(str self, str substr, int start=0, int end=-1) -> int",
        |a| match find_impl(
            str(a, 0)?.as_bytes(),
            str(a, 1)?.as_bytes(),
            int(a, 2)?,
            int(a, 3)?,
            false,
        ) {
            r if r < 0 => Err(RuntimeError::new("ValueError: substring not found")),
            r => Ok(Value::Int(r)),
        },
    );
    b.op(
        "aten::rindex(str self, str substr, int start=0, int end=-1) -> int",
        |a| match find_impl(
            str(a, 0)?.as_bytes(),
            str(a, 1)?.as_bytes(),
            int(a, 2)?,
            int(a, 3)?,
            true,
        ) {
            r if r < 0 => Err(RuntimeError::new("ValueError: substring not found")),
            r => Ok(Value::Int(r)),
        },
    );
    b.op(
        "aten::count(str self, str substr, int start=0, int end=-1) -> int",
        |a| {
            let s = str(a, 0)?.as_bytes();
            let sub = str(a, 1)?.as_bytes();
            let size = s.len() as i64;
            let (mut start, mut end) = (int(a, 2)?, int(a, 3)?);
            if start > size {
                return Ok(Value::Int(0));
            }
            if start < 0 {
                start = (size + start).max(0);
            }
            if end < 0 {
                end = (size + end + 1).max(0);
            }
            let mut n = 0;
            let mut pos = start as usize;
            while let Some(p) = find_from(s, sub, pos) {
                if (p as i64) < end {
                    n += 1;
                } else {
                    break;
                }
                // An empty substring matches at every position (and would not advance).
                pos = p + sub.len().max(1);
            }
            Ok(Value::Int(n))
        },
    );
    b.op(
        "aten::startswith(str self, str substr, int start=0, int end=-1) -> bool",
        |a| Ok(Value::Bool(affix(a, |s, sub| s.starts_with(sub))?)),
    );
    b.op(
        "aten::endswith(str self, str substr, int start=0, int end=-1) -> bool",
        |a| Ok(Value::Bool(affix(a, |s, sub| s.ends_with(sub))?)),
    );

    // Splitting, joining, replacing.
    b.op(
        "aten::split.str(str self, str? separator=None, int max=-1) -> str[]",
        |a| {
            let s = str(a, 0)?.as_bytes();
            let max = int(a, 2)?;
            let Some(sep) = opt_str(a, 1)? else {
                return Ok(str_list(split_whitespace(s)));
            };
            let sep = sep.as_bytes();
            if sep.is_empty() {
                return Err(RuntimeError::new("ValueError: empty separator"));
            }
            let mut out = Vec::new();
            let (mut prev, mut count) = (0usize, 0i64);
            let mut pos = 0usize;
            while let Some(p) = find_from(s, sep, pos) {
                count += 1;
                if max >= 0 && count > max {
                    break;
                }
                out.push(s[prev..p].to_vec());
                pos = p + sep.len();
                prev = pos;
            }
            out.push(s[prev..].to_vec());
            Ok(str_list(out))
        },
    );
    b.op(
        "aten::rsplit(str self, str separator=' ', int max=-1) -> str[]",
        |a| {
            let s: Vec<u8> = str(a, 0)?.bytes().rev().collect();
            let sep: Vec<u8> = str(a, 1)?.bytes().rev().collect();
            if sep.is_empty() {
                return Err(RuntimeError::new("ValueError: empty separator"));
            }
            let max = int(a, 2)?;
            let mut out: Vec<Vec<u8>> = Vec::new();
            let (mut prev, mut pos, mut count) = (0usize, 0usize, 0i64);
            while let Some(p) = find_from(&s, &sep, pos) {
                count += 1;
                if max >= 0 && count > max {
                    break;
                }
                out.insert(0, s[prev..p].iter().rev().copied().collect());
                pos = p + sep.len();
                prev = pos;
            }
            out.insert(0, s[prev..].iter().rev().copied().collect());
            Ok(str_list(out))
        },
    );
    b.op(
        "aten::splitlines(str self, bool keepends=False) -> str[]",
        |a| {
            let keep = bool(a, 1)?;
            let s = str(a, 0)?.as_bytes();
            const DELIMS: &[u8] = b"\n\r\x0b\x0c\x1c\x1d\x1e\x85";
            let mut out = Vec::new();
            let mut prev = 0usize;
            for (i, c) in s.iter().enumerate() {
                if DELIMS.contains(c) {
                    out.push(s[prev..i].to_vec());
                    if keep {
                        out.push(vec![*c]);
                    }
                    prev = i + 1;
                }
            }
            if prev != s.len() {
                out.push(s[prev..].to_vec());
            }
            Ok(str_list(out))
        },
    );
    b.op("aten::join(str self, str[] values) -> str", |a| {
        let sep = str(a, 0)?.to_string();
        let items = a[1].sequence_items().unwrap_or_default();
        let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
        Ok(Value::str(&parts.join(&sep)))
    });
    b.op(
        "aten::replace(str self, str old, str new, int max=-1) -> str",
        |a| {
            let mut s = str(a, 0)?.as_bytes().to_vec();
            let old = str(a, 1)?.as_bytes();
            let new = str(a, 2)?.as_bytes();
            let max = int(a, 3)?;
            let (mut pos, mut n) = (0usize, 0i64);
            while let Some(p) = find_from(&s, old, pos) {
                n += 1;
                if max >= 0 && n > max {
                    break;
                }
                s.splice(p..p + old.len(), new.iter().copied());
                pos = p + new.len();
                if old.is_empty() {
                    // std::string::find("") matches at every position; step past one byte.
                    pos += 1;
                    if pos > s.len() {
                        break;
                    }
                }
            }
            Ok(bytes_value(&s))
        },
    );
    b.op(
        "aten::partition(str self, str separator) -> (str, str, str)",
        |a| {
            let s = str(a, 0)?.as_bytes();
            let sep = str(a, 1)?.as_bytes();
            Ok(match find_from(s, sep, 0) {
                Some(p) => Value::tuple(vec![
                    bytes_value(&s[..p]),
                    bytes_value(sep),
                    bytes_value(&s[p + sep.len()..]),
                ]),
                None => Value::tuple(vec![bytes_value(s), Value::str(""), Value::str("")]),
            })
        },
    );
    b.op(
        "aten::rpartition(str self, str separator) -> (str, str, str)",
        |a| {
            let s = str(a, 0)?.as_bytes();
            let sep = str(a, 1)?.as_bytes();
            let mut pos = find_from(s, sep, 0);
            let mut next = pos;
            while let Some(p) = next {
                pos = Some(p);
                next = find_from(s, sep, p + 1);
            }
            Ok(match pos {
                Some(p) => Value::tuple(vec![
                    bytes_value(&s[..p]),
                    bytes_value(sep),
                    bytes_value(&s[p + sep.len()..]),
                ]),
                None => Value::tuple(vec![Value::str(""), Value::str(""), bytes_value(s)]),
            })
        },
    );
}

/// `startswith`/`endswith` on `s[start:end]` with PyTorch's bound handling.
fn affix(a: &[Value], test: fn(&[u8], &[u8]) -> bool) -> RtResult<bool> {
    let s = str(a, 0)?.as_bytes();
    let sub = str(a, 1)?.as_bytes();
    let size = s.len() as i64;
    let (mut start, mut end) = (int(a, 2)?, int(a, 3)?);
    if start < 0 {
        start = (size + start).max(0);
    }
    if end < 0 {
        end = (size + end + 1).max(0);
    }
    let start = start.min(size) as usize;
    let end = (end.min(size) as usize).max(start);
    Ok(test(&s[start..end], sub))
}
