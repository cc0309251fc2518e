//! Finding the operators printed code calls, without compiling it (so that it also works
//! for code that does not compile because an operator is missing).

/// The operator names of the explicit operator calls in printed TorchScript, sorted and
/// unique, spelled as the compiler resolves them: `torch.NAME(...)` is `aten::NAME`,
/// `ops.NS.NAME(...)` is `NS::NAME`.
///
/// Operators reached through Python syntax (`a + b`, `x[0]`) or tensor methods are resolved
/// by the compiler and are not listed; string literals are skipped.
///
/// ```
/// let ops = tsrun::inspect::called_ops(["y = torch.relu(torch.add(x, 1))\nz = ops.prim.NumToTensor(n)"]);
/// assert_eq!(ops, ["aten::add", "aten::relu", "prim::NumToTensor"]);
/// ```
pub fn called_ops<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for src in sources {
        scan(src, &mut out);
    }
    out.into_iter().collect()
}

fn scan(src: &str, out: &mut std::collections::BTreeSet<String>) {
    let bytes = src.as_bytes();
    let mut i = 0;
    // The byte before a dotted name must not make it part of a longer expression
    // (`self.torch.x(` or `a.ops.b(`): only a name that starts fresh is a module path.
    let mut prev = b' ';
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            i = skip_string(bytes, i);
            prev = b'"';
            continue;
        }
        if is_ident_start(c) {
            let start = i;
            while i < bytes.len() && (is_ident_char(bytes[i]) || bytes[i] == b'.') {
                i += 1;
            }
            let name = src[start..i].trim_end_matches('.');
            let mut j = i;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if prev != b'.' && bytes.get(j) == Some(&b'(') {
                if let Some(op) = op_name(name) {
                    out.insert(op);
                }
            }
            prev = b'a';
            continue;
        }
        prev = c;
        i += 1;
    }
}

/// The compiler's mapping from a dotted callee to an operator name (compile/body.rs).
fn op_name(dotted: &str) -> Option<String> {
    if let Some(op) = dotted.strip_prefix("torch.") {
        return Some(format!("aten::{op}"));
    }
    let (ns, op) = dotted.strip_prefix("ops.")?.split_once('.')?;
    Some(format!("{ns}::{op}"))
}

fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_attributes_are_not_calls() {
        let src =
            "s = \"torch.fake(\"\nt = self.torch.nope(x)\nu = torch.neg (x)\nv = torch.float32";
        assert_eq!(called_ops([src]), ["aten::neg"]);
    }
}
