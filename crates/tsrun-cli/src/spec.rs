//! The `--input SPEC` syntax and turning a spec into a [`Value`].
//!
//! A SPEC is, in this order of precedence:
//!
//! * a path ending in `.npy` (any case): a tensor with the file's dtype and shape;
//! * `zeros:DIMS`, `ones:DIMS`, `rand:DIMS`, `randn:DIMS` with `DIMS` comma-separated sizes
//!   (`rand:2,3`): a float32 tensor (see [`crate::fill`]); an empty `DIMS` (`zeros:`) is a 0-d
//!   tensor, and `zeros:0` an empty one;
//! * `nan`, `inf`, `-inf` (any case): a float, since JSON has no spelling for them;
//! * a JSON literal: an integer is an `int` (it must fit int64), a number with a `.` or an
//!   exponent a `float`, `true`/`false` a `bool`, a string a `str`, `null` `None`, and a list a
//!   TorchScript list typed from its elements: all ints `List[int]`; floats, with ints allowed
//!   among them (converted), `List[float]`; `List[bool]`; `List[str]`; lists of lists likewise
//!   (`List[List[int]]`). An empty list is a `List[int]` unless the method's signature says
//!   otherwise (see [`crate::coerce`]). JSON objects and `null` inside lists are not accepted.
//!
//! Relative `.npy` paths are resolved against a base directory (the current one for the CLI,
//! `fixtures/` for the conformance manifests).

use std::fmt;
use std::path::{Path, PathBuf};

use tsrun::{Type, Value};

use crate::coerce::coerce;
use crate::fill::{fill, FillKind};
use crate::npy_io::read_npy;

/// A parsed input spec.
#[derive(Debug, Clone)]
pub enum Spec {
    /// A `.npy` file (as written; resolved against a base directory when loaded).
    Npy(PathBuf),
    /// A generated float32 tensor.
    Fill {
        /// What it is filled with.
        kind: FillKind,
        /// Its shape; empty for 0-d.
        shape: Vec<usize>,
    },
    /// A non-tensor value given as a JSON literal.
    Literal(Value),
}

/// A spec that does not parse: a usage error (exit code 2).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// The spec as given.
    pub spec: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad input spec `{}`: {}", self.spec, self.reason)
    }
}

impl std::error::Error for SpecError {}

/// Why an input could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum InputError {
    /// The spec's syntax is wrong (a usage error).
    Spec(SpecError),
    /// The spec is fine but its input could not be made (unreadable `.npy`, bad dtype...).
    Load(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Spec(e) => e.fmt(f),
            InputError::Load(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for InputError {}

/// Parses one spec (see the module docs for the syntax).
pub fn parse(text: &str) -> Result<Spec, SpecError> {
    let fail = |reason: String| SpecError {
        spec: text.to_string(),
        reason,
    };
    let trimmed = text.trim();
    if trimmed.to_ascii_lowercase().ends_with(".npy") {
        return Ok(Spec::Npy(PathBuf::from(text)));
    }
    if let Some((prefix, dims)) = trimmed.split_once(':') {
        if let Some(kind) = FillKind::from_name(prefix.trim()) {
            return Ok(Spec::Fill {
                kind,
                shape: parse_dims(dims).map_err(fail)?,
            });
        }
        if is_identifier(prefix.trim()) {
            return Err(fail(format!(
                "unknown generator `{}:` (use zeros:, ones:, rand: or randn: followed by sizes, e.g. rand:2,3)",
                prefix.trim()
            )));
        }
    }
    match trimmed.to_ascii_lowercase().as_str() {
        "nan" | "+nan" | "-nan" => return Ok(Spec::Literal(Value::Float(f64::NAN))),
        "inf" | "+inf" | "infinity" | "+infinity" => {
            return Ok(Spec::Literal(Value::Float(f64::INFINITY)))
        }
        "-inf" | "-infinity" => return Ok(Spec::Literal(Value::Float(f64::NEG_INFINITY))),
        _ => {}
    }
    let json: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| {
        let hint = if is_identifier(trimmed) {
            format!(" (a string needs JSON quotes: '\"{trimmed}\"')")
        } else if trimmed.to_ascii_lowercase().ends_with(".npz") {
            " (tensor inputs are single .npy files)".to_string()
        } else {
            String::new()
        };
        fail(format!(
            "not a .npy path, a zeros:/ones:/rand:/randn: generator, or a JSON literal: {e}{hint}"
        ))
    })?;
    check_integer_tokens(trimmed).map_err(fail)?;
    literal(&json).map(Spec::Literal).map_err(fail)
}

/// Parses `2,3` into `[2, 3]`; empty means 0-d; one trailing comma is allowed (`4,`).
fn parse_dims(dims: &str) -> Result<Vec<usize>, String> {
    let dims = dims.trim();
    if dims.is_empty() {
        return Ok(Vec::new());
    }
    let dims = dims.strip_suffix(',').unwrap_or(dims);
    dims.split(',')
        .map(|d| {
            let d = d.trim();
            d.parse::<usize>()
                .map_err(|_| format!("bad dimension `{d}` (expected sizes like 2,3)"))
        })
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// serde_json reads an integer too large for 64 bits as a float; TorchScript would not, so
/// such a literal is an error rather than a silently rounded float.
fn check_integer_tokens(text: &str) -> Result<(), String> {
    let mut in_string = false;
    let mut escaped = false;
    let mut token = String::new();
    let check = |token: &str| -> Result<(), String> {
        let digits = token.strip_prefix('-').unwrap_or(token);
        if !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && token.parse::<i64>().is_err()
        {
            return Err(format!(
                "integer {token} does not fit in int64 (write {token}.0 for a float)"
            ));
        }
        Ok(())
    };
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E') {
            token.push(c);
            continue;
        }
        check(&token)?;
        token.clear();
        in_string = c == '"';
    }
    check(&token)
}

/// The static type of a JSON literal, as far as its elements tell.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Int,
    Float,
    Bool,
    Str,
    List(Box<Kind>),
    /// The element kind of an empty list: fits anything.
    Unknown,
}

impl Kind {
    fn name(&self) -> String {
        match self {
            Kind::Int => "int".into(),
            Kind::Float => "float".into(),
            Kind::Bool => "bool".into(),
            Kind::Str => "str".into(),
            Kind::List(k) => format!("List[{}]", k.name()),
            Kind::Unknown => "int".into(),
        }
    }

    fn to_type(&self) -> Type {
        match self {
            Kind::Int | Kind::Unknown => Type::Int,
            Kind::Float => Type::Float,
            Kind::Bool => Type::Bool,
            Kind::Str => Type::Str,
            Kind::List(k) => Type::list(k.to_type()),
        }
    }
}

/// The common kind of two list elements: ints widen to floats, empty lists fit any list.
fn unify(a: &Kind, b: &Kind) -> Option<Kind> {
    match (a, b) {
        (Kind::Unknown, k) | (k, Kind::Unknown) => Some(k.clone()),
        (Kind::Int, Kind::Float) | (Kind::Float, Kind::Int) => Some(Kind::Float),
        (Kind::List(x), Kind::List(y)) => unify(x, y).map(|k| Kind::List(Box::new(k))),
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

fn kind_of(json: &serde_json::Value) -> Result<Kind, String> {
    use serde_json::Value as J;
    Ok(match json {
        J::Bool(_) => Kind::Bool,
        J::Number(n) if n.is_f64() => Kind::Float,
        J::Number(n) => {
            if n.as_i64().is_none() {
                return Err(format!("integer {n} does not fit in int64"));
            }
            Kind::Int
        }
        J::String(_) => Kind::Str,
        J::Array(items) => {
            let mut elem = Kind::Unknown;
            for item in items {
                let k = kind_of(item)?;
                elem = unify(&elem, &k).ok_or_else(|| {
                    format!(
                        "a list mixes {} and {} elements (TorchScript lists have one element type)",
                        elem.name(),
                        k.name()
                    )
                })?;
            }
            Kind::List(Box::new(elem))
        }
        J::Null => return Err("null inside a list is not supported".into()),
        J::Object(_) => return Err("JSON objects (dicts) are not supported as inputs".into()),
    })
}

/// Builds the value of `json` as `kind` (which [`kind_of`] found for it or a list around it).
fn build(json: &serde_json::Value, kind: &Kind) -> Result<Value, String> {
    use serde_json::Value as J;
    match (json, kind) {
        (J::Bool(b), _) => Ok(Value::Bool(*b)),
        (J::Number(n), Kind::Float) => n
            .as_f64()
            .map(Value::Float)
            .ok_or_else(|| format!("number {n} is not a float")),
        (J::Number(n), _) => n
            .as_i64()
            .map(Value::Int)
            .ok_or_else(|| format!("integer {n} does not fit in int64")),
        (J::String(s), _) => Ok(Value::str(s)),
        (J::Array(items), Kind::List(elem)) => {
            let items = items
                .iter()
                .map(|item| build(item, elem))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::new_list(elem.to_type(), items))
        }
        _ => Err(format!("cannot build {json} as {}", kind.name())),
    }
}

/// The value of a JSON literal (see the module docs).
pub fn literal(json: &serde_json::Value) -> Result<Value, String> {
    if json.is_null() {
        return Ok(Value::None);
    }
    let kind = kind_of(json)?;
    build(json, &kind)
}

impl Spec {
    /// Makes the input. `base` resolves relative `.npy` paths; `position` (the input's index)
    /// seeds `rand`/`randn`.
    pub fn load(&self, base: &Path, position: usize) -> Result<Value, String> {
        match self {
            Spec::Npy(path) => {
                let array = read_npy(&base.join(path)).map_err(|e| e.to_string())?;
                let tensor = array
                    .to_tensor()
                    .map_err(|e| format!("`{}`: {e}", path.display()))?;
                Ok(Value::Tensor(tensor))
            }
            Spec::Fill { kind, shape } => {
                let array = fill(*kind, shape, position as u64)?;
                let tensor = array.to_tensor().map_err(|e| e.to_string())?;
                Ok(Value::Tensor(tensor))
            }
            Spec::Literal(v) => Ok(v.clone()),
        }
    }
}

/// Parses every spec, in order; the first bad one is the error.
pub fn parse_all(specs: &[String]) -> Result<Vec<Spec>, SpecError> {
    specs.iter().map(|s| parse(s)).collect()
}

/// Loads parsed specs, in order, then adjusts literals to `param_types` (the method's declared
/// parameter types, when known; see [`crate::coerce`]).
pub fn load_all(specs: &[Spec], base: &Path, param_types: &[String]) -> Result<Vec<Value>, String> {
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let value = spec.load(base, i)?;
            Ok(match (spec, param_types.get(i)) {
                (Spec::Literal(_), Some(ty)) => coerce(value, ty),
                _ => value,
            })
        })
        .collect()
}

/// [`parse_all`] then [`load_all`]: every spec is parsed before any file is read, so a usage
/// error is reported as one even when a file is also missing.
pub fn load_inputs(
    specs: &[String],
    base: &Path,
    param_types: &[String],
) -> Result<Vec<Value>, InputError> {
    let parsed = parse_all(specs).map_err(InputError::Spec)?;
    load_all(&parsed, base, param_types).map_err(InputError::Load)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str) -> Value {
        match parse(text) {
            Ok(Spec::Literal(v)) => v,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn list(v: &Value) -> (String, Vec<Value>) {
        match v {
            Value::List(l) => (
                format!("{}", l.elem),
                v.sequence_items().unwrap_or_default(),
            ),
            other => panic!("not a list: {other:?}"),
        }
    }

    #[test]
    fn npy_paths() {
        assert!(matches!(parse("x.npy"), Ok(Spec::Npy(p)) if p == Path::new("x.npy")));
        assert!(matches!(parse("dir/A B.NPY"), Ok(Spec::Npy(_))));
    }

    #[test]
    fn generators() {
        let Ok(Spec::Fill { kind, shape }) = parse("rand:2,3") else {
            panic!()
        };
        assert_eq!((kind, shape), (FillKind::Rand, vec![2, 3]));
        let Ok(Spec::Fill { kind, shape }) = parse("zeros:") else {
            panic!()
        };
        assert_eq!((kind, shape), (FillKind::Zeros, vec![]));
        let Ok(Spec::Fill { shape, .. }) = parse(" randn: 4 , 5 ") else {
            panic!()
        };
        assert_eq!(shape, vec![4, 5]);
        let Ok(Spec::Fill { shape, .. }) = parse("ones:7,") else {
            panic!()
        };
        assert_eq!(shape, vec![7]);
        let Ok(Spec::Fill { shape, .. }) = parse("ones:0") else {
            panic!()
        };
        assert_eq!(shape, vec![0]);
        assert!(parse("zeros:2,x")
            .unwrap_err()
            .reason
            .contains("bad dimension `x`"));
        assert!(parse("zeros:-1").is_err());
        assert!(parse("zeros:2,,3").is_err());
    }

    #[test]
    fn unknown_generator_is_named() {
        let e = parse("foo:1,2").unwrap_err();
        assert!(e.to_string().contains("unknown generator `foo:`"), "{e}");
        assert!(e.to_string().starts_with("bad input spec `foo:1,2`"), "{e}");
    }

    #[test]
    fn scalars() {
        assert!(matches!(lit("3"), Value::Int(3)));
        assert!(matches!(lit("-7"), Value::Int(-7)));
        assert!(matches!(lit("3.0"), Value::Float(f) if f == 3.0));
        assert!(matches!(lit("1e3"), Value::Float(f) if f == 1000.0));
        assert!(matches!(lit("true"), Value::Bool(true)));
        assert!(matches!(lit("false"), Value::Bool(false)));
        assert!(matches!(lit("null"), Value::None));
        assert!(matches!(lit("\"hi\""), Value::Str(s) if &*s == "hi"));
        assert!(matches!(lit("inf"), Value::Float(f) if f == f64::INFINITY));
        assert!(matches!(lit("-Inf"), Value::Float(f) if f == f64::NEG_INFINITY));
        assert!(matches!(lit("nan"), Value::Float(f) if f.is_nan()));
        assert!(matches!(lit("9223372036854775807"), Value::Int(i64::MAX)));
        assert!(matches!(lit("-9223372036854775808"), Value::Int(i64::MIN)));
    }

    #[test]
    fn out_of_range_integers_are_errors() {
        for text in [
            "9223372036854775808",
            "18446744073709551616",
            "[1, 99999999999999999999]",
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.reason.contains("int64"), "{text}: {e}");
        }
        // Digits inside strings are not integers.
        assert!(matches!(lit("\"99999999999999999999\""), Value::Str(_)));
        assert!(matches!(
            lit("[\"a\\\"99999999999999999999\"]"),
            Value::List(_)
        ));
    }

    #[test]
    fn lists_are_typed_from_their_elements() {
        let (ty, items) = list(&lit("[1, 2, 3]"));
        assert_eq!(ty, format!("{}", Type::Int));
        assert!(matches!(
            items[..],
            [Value::Int(1), Value::Int(2), Value::Int(3)]
        ));

        let (ty, items) = list(&lit("[1.5, 2, 3]"));
        assert_eq!(ty, format!("{}", Type::Float));
        assert!(items.iter().all(|v| matches!(v, Value::Float(_))));
        assert!(matches!(items[1], Value::Float(f) if f == 2.0));

        let (ty, _) = list(&lit("[true, false]"));
        assert_eq!(ty, format!("{}", Type::Bool));
        let (ty, _) = list(&lit("[\"a\", \"b\"]"));
        assert_eq!(ty, format!("{}", Type::Str));
        let (ty, _) = list(&lit("[]"));
        assert_eq!(ty, format!("{}", Type::Int));
        let (ty, items) = list(&lit("[[1], [], [2.5]]"));
        assert_eq!(ty, format!("{}", Type::list(Type::Float)));
        assert_eq!(items.len(), 3);
    }

    #[test]
    fn bad_literals() {
        for text in [
            "[1, true]",
            "[1, \"a\"]",
            "[null]",
            "{\"a\": 1}",
            "[[1], 2]",
            "abc",
            "1,2",
            "x.npz",
            "",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
        assert!(parse("abc").unwrap_err().reason.contains("JSON quotes"));
    }

    #[test]
    fn load_inputs_separates_usage_and_load_errors() {
        let base = std::env::temp_dir();
        let specs = vec![
            "missing-file-for-tsrun-test.npy".to_string(),
            "bogus:1".to_string(),
        ];
        assert!(matches!(
            load_inputs(&specs, &base, &[]),
            Err(InputError::Spec(_))
        ));
        let e = load_inputs(&specs[..1], &base, &[]).unwrap_err();
        assert!(
            matches!(&e, InputError::Load(m) if m.contains("missing-file-for-tsrun-test.npy")),
            "{e}"
        );
    }

    #[test]
    fn load_inputs_makes_values_and_coerces_literals() {
        let base = std::env::temp_dir();
        let specs: Vec<String> = ["zeros:2,3", "1", "[]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let types: Vec<String> = ["Tensor", "float", "List[float]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let values = load_inputs(&specs, &base, &types).unwrap();
        match &values[0] {
            Value::Tensor(t) => assert_eq!(t.shape(), &[2, 3]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(values[1], Value::Float(f) if f == 1.0));
        assert_eq!(list(&values[2]).0, format!("{}", Type::Float));
    }
}
