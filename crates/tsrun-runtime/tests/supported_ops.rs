//! Regenerates `docs/supported-ops.md` from the operator registry, so the document always
//! lists exactly the overloads `tsrun_runtime::ops::registry()` holds (the same list the
//! `tsrun ops` command prints). Running the tests rewrites the file when it is out of date;
//! commit the result.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// One line per overload: `name.overload(type name=default, ...) -> returns`.
fn signature(s: &tsrun_runtime::ops::Schema) -> String {
    let mut out = format!("{}(", s.full_name());
    let mut kw = false;
    for (i, a) in s.args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if a.kwarg_only && !kw {
            out.push_str("*, ");
            kw = true;
        }
        let _ = write!(out, "{} {}", a.ty, a.name);
        if a.default.is_some() {
            out.push_str("=…");
        }
    }
    out.push_str(") -> ");
    let rets: Vec<String> = s.returns.iter().map(|t| t.to_string()).collect();
    if s.returns_tuple || rets.len() != 1 {
        let _ = write!(out, "({})", rets.join(", "));
    } else {
        out.push_str(&rets[0]);
    }
    out
}

fn render() -> String {
    let reg = tsrun_runtime::ops::registry();
    let mut by_ns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in reg.all() {
        let ns = op.schema.name.split("::").next().unwrap_or("").to_string();
        by_ns.entry(ns).or_default().push(signature(&op.schema));
    }
    let mut md = String::new();
    md.push_str("# Supported operators\n\n");
    md.push_str(
        "Generated from `tsrun_runtime::ops::registry()` by `crates/tsrun-runtime/tests/supported_ops.rs`\n\
         (running `cargo test` rewrites this file when it is out of date). Types are tsrun's static\n\
         types (`ScalarType`, `Layout`, `MemoryFormat` and `SymInt` appear as `int`); `=…` marks a\n\
         default. Overloads are listed in preference order within each operator.\n\n",
    );
    let _ = writeln!(md, "{} overloads in total.\n", reg.all().len());
    md.push_str(include_str!("../../../docs/supported-ops.notes.md"));
    for (ns, mut ops) in by_ns {
        let _ = writeln!(md, "\n## `{ns}` ({} overloads)\n", ops.len());
        // Stable: overloads of one operator keep their preference order.
        ops.sort_by_key(|o| o.split(['.', '(']).next().unwrap_or("").to_string());
        md.push_str("```\n");
        for o in ops {
            md.push_str(&o);
            md.push('\n');
        }
        md.push_str("```\n");
    }
    md
}

#[test]
fn supported_ops_doc_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/supported-ops.md");
    let want = render();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        std::fs::write(&path, &want).expect("cannot write docs/supported-ops.md");
        eprintln!("docs/supported-ops.md regenerated; commit it");
    }
    assert!(want.contains("aten::_convolution"));
}
