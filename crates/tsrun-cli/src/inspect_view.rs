//! Rendering a [`tsrun::inspect::Inspection`] for `tsrun inspect`: a human-readable report
//! ([`to_text`]) or JSON ([`to_json`]) with the same facts.

use serde_json::{json, Value as Json};
use tsrun::inspect::{Inspection, TensorInfo};

/// The JSON form (`tsrun inspect --json`). Field names are stable; see `tests/inspect.rs`.
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
/// let json = tsrun_cli::inspect_view::to_json(&tsrun::inspect(path)?);
/// assert_eq!(json["parameters"][0]["name"], "a.weight");
/// assert_eq!(json["methods"][0]["signature"], "forward(x: Tensor) -> Tensor");
/// # Ok::<(), tsrun::Error>(())
/// ```
pub fn to_json(info: &Inspection) -> Json {
    let a = &info.archive;
    json!({
        "archive": {
            "root": a.root,
            "version": a.version,
            "byteorder": a.byteorder,
            "serialization_id": a.serialization_id,
            "has_traced_inputs": a.has_traced_inputs,
            "has_debug_info": a.has_debug_info,
            "records": a.records,
            "code_files": a.code_files,
        },
        "load_error": info.load_error,
        "modules": info.modules.iter().map(|m| json!({
            "name": m.name,
            "qualified_type": m.qualified_type,
            "original_name": m.original_name,
            "methods": m.methods,
        })).collect::<Vec<_>>(),
        "parameters": tensors_json(&info.parameters),
        "buffers": tensors_json(&info.buffers),
        "totals": {
            "parameters": totals_json(&info.parameters),
            "buffers": totals_json(&info.buffers),
        },
        "methods": info.methods.iter().map(|m| json!({
            "name": m.name,
            "params": m.params.iter().map(|(n, t)| json!({"name": n, "type": t})).collect::<Vec<_>>(),
            "returns": m.ret,
            "signature": m.to_string(),
        })).collect::<Vec<_>>(),
        "ops": info.ops.iter().map(|o| json!({"name": o.name, "supported": o.supported})).collect::<Vec<_>>(),
        "extra_files": info.extra_files.iter().map(|f| json!({"name": f.name, "size": f.size})).collect::<Vec<_>>(),
    })
}

fn tensors_json(ts: &[TensorInfo]) -> Vec<Json> {
    ts.iter()
        .map(|t| {
            json!({
                "name": t.name,
                "shape": t.shape,
                "dtype": t.dtype.name(),
                "numel": t.numel(),
                "bytes": t.bytes(),
            })
        })
        .collect()
}

fn totals_json(ts: &[TensorInfo]) -> Json {
    json!({
        "count": ts.len(),
        "numel": ts.iter().map(TensorInfo::numel).sum::<usize>(),
        "bytes": ts.iter().map(TensorInfo::bytes).sum::<usize>(),
    })
}

/// The human-readable report (`tsrun inspect`).
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
/// let text = tsrun_cli::inspect_view::to_text(&tsrun::inspect(path)?);
/// assert!(text.contains("a.weight"));
/// assert!(text.contains("forward(x: Tensor) -> Tensor"));
/// # Ok::<(), tsrun::Error>(())
/// ```
pub fn to_text(info: &Inspection) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let a = &info.archive;
    let mut facts = vec![format!("format version {}", a.version)];
    if let Some(order) = &a.byteorder {
        facts.push(format!("byteorder {order}"));
    }
    facts.push(format!(
        "{} records, {} code files",
        a.records,
        a.code_files.len()
    ));
    if a.has_debug_info {
        facts.push("debug info".into());
    }
    if a.has_traced_inputs {
        facts.push("traced inputs".into());
    }
    line(format!("archive: {} ({})", a.root, facts.join(", ")));
    if let Some(e) = &info.load_error {
        line(format!("load error: {}", e.lines().next().unwrap_or("")));
    }

    if !info.modules.is_empty() {
        line("modules:".into());
        for m in &info.modules {
            let depth = if m.name.is_empty() {
                0
            } else {
                m.name.matches('.').count() + 1
            };
            let name = if m.name.is_empty() { "(root)" } else { &m.name };
            line(format!(
                "  {}{name}: {} ({})",
                "  ".repeat(depth),
                m.original_name,
                m.qualified_type
            ));
        }
    }
    for (title, ts) in [("parameters", &info.parameters), ("buffers", &info.buffers)] {
        if info.load_error.is_some() {
            break;
        }
        let numel: usize = ts.iter().map(TensorInfo::numel).sum();
        let bytes: usize = ts.iter().map(TensorInfo::bytes).sum();
        line(format!(
            "{title}: {} ({numel} elements, {})",
            ts.len(),
            human_bytes(bytes)
        ));
        let width = ts.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for t in ts.iter() {
            line(format!(
                "  {:width$}  {:<8}  {:?}",
                t.name,
                t.dtype.name(),
                t.shape
            ));
        }
    }
    if !info.methods.is_empty() {
        line("methods:".into());
        for m in &info.methods {
            line(format!("  {m}"));
        }
    }
    let missing = info.ops.iter().filter(|o| !o.supported).count();
    line(format!(
        "ops called by name: {} ({})",
        info.ops.len(),
        if missing == 0 {
            "all supported".to_string()
        } else {
            format!("{missing} not supported")
        }
    ));
    for op in &info.ops {
        let mark = if op.supported { "" } else { "  NOT SUPPORTED" };
        line(format!("  {}{mark}", op.name));
    }
    line(format!("extra files: {}", info.extra_files.len()));
    for f in &info.extra_files {
        line(format!("  {} ({})", f.name, human_bytes(f.size)));
    }
    out
}

fn human_bytes(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}
