//! `tsrun inspect --json` against what PyTorch itself reports for the same archive
//! (`fixtures/gen_inspect.py` wrote `MODEL.inspect.json` next to each archive from
//! `torch.jit.load`): module tree (names, `original_name`, qualified types, methods),
//! parameters and buffers (names in PyTorch's order, shapes, dtypes), the root's methods,
//! the format version and the extra files.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value as Json;

/// Every archive that has a PyTorch description next to it.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for dir in ["seed", "inspect"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "pt") {
                let want = path.with_extension("inspect.json");
                assert!(
                    want.exists(),
                    "{} has no {} (run fixtures/gen_inspect.py)",
                    path.display(),
                    want.display()
                );
                out.push((path, want));
            }
        }
    }
    out.sort();
    assert!(
        out.len() >= 11,
        "expected the seed and inspect fixtures, got {out:?}"
    );
    out
}

fn tsrun_inspect_json(model: &Path) -> Json {
    let mut cmd = Command::new(cli::tsrun_bin().unwrap_or_else(|e| panic!("{e}")));
    cmd.arg("inspect").arg(model).arg("--json");
    let out = cli::run_with_timeout(cmd, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("tsrun inspect {}: {e}", model.display()));
    assert!(
        out.status.success(),
        "tsrun inspect {}: {:?}: {}",
        model.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("tsrun inspect {} --json: {e}", model.display()))
}

/// Only the listed fields of each object of an array, for comparison.
fn pick(items: &Json, fields: &[&str]) -> Vec<Vec<Json>> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|item| fields.iter().map(|f| item[*f].clone()).collect())
        .collect()
}

#[test]
fn inspect_matches_pytorch() {
    let mut failures = Vec::new();
    for (model, want_path) in cases() {
        let want: Json = serde_json::from_str(&std::fs::read_to_string(&want_path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", want_path.display()));
        let got = tsrun_inspect_json(&model);
        let name = model.file_name().unwrap().to_string_lossy().into_owned();
        let mut check = |what: &str, got: Json, want: Json| {
            if got != want {
                failures.push(format!(
                    "{name}: {what}:\n  tsrun:   {got}\n  PyTorch: {want}"
                ));
            }
        };
        check("load_error", got["load_error"].clone(), Json::Null);
        check(
            "version",
            got["archive"]["version"].clone(),
            want["version"].clone(),
        );
        let module_fields = ["name", "original_name", "qualified_type", "methods"];
        check(
            "modules",
            pick(&got["modules"], &module_fields).into(),
            pick(&want["modules"], &module_fields).into(),
        );
        for kind in ["parameters", "buffers"] {
            let fields = ["name", "shape", "dtype"];
            check(
                kind,
                pick(&got[kind], &fields).into(),
                pick(&want[kind], &fields).into(),
            );
        }
        let got_methods: Vec<Json> = got["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].clone())
            .collect();
        check("methods", got_methods.into(), want["methods"].clone());
        check(
            "extra_files",
            got["extra_files"].clone(),
            want["extra_files"].clone(),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn inspect_text_and_totals() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/inspect/features_scripted.pt");
    let json = tsrun_inspect_json(&model);
    // 4*2 + 4 + 4 + 4 + 3 + 3*4 elements; float64 `head.scale` is 8 bytes a piece.
    assert_eq!(json["totals"]["parameters"]["numel"], 35);
    assert_eq!(json["totals"]["parameters"]["bytes"], 32 * 4 + 3 * 8);
    assert_eq!(json["methods"][1]["signature"], "describe(k: int) -> str");
    let ops = json["ops"].as_array().unwrap();
    assert!(ops.iter().all(|op| op["supported"] == true), "{ops:?}");
    assert!(ops.iter().any(|op| op["name"] == "aten::batch_norm"));

    let mut cmd = Command::new(cli::tsrun_bin().unwrap());
    cmd.arg("inspect").arg(&model);
    let out = cli::run_with_timeout(cmd, Duration::from_secs(60)).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "body.1: BatchNorm1d (__torch__.torch.nn.modules.batchnorm.BatchNorm1d)",
        "body.1.num_batches_tracked",
        "describe(k: int) -> str",
        "meta.json (16 bytes)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

/// A model whose code calls an operator tsrun lacks still gets a report, naming the op,
/// and the exit code says it cannot run.
#[test]
fn inspect_names_unsupported_ops() {
    // mlp_traced.pt with `torch.relu(` renamed `torch.reluX(` (fixtures/gen_inspect.py).
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/inspect/unknown_op.archive");

    let mut cmd = Command::new(cli::tsrun_bin().unwrap());
    cmd.arg("inspect").arg(&model).arg("--json");
    let out = cli::run_with_timeout(cmd, Duration::from_secs(60)).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("aten::reluX"), "{stderr}");
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["load_error"].is_string());
    let ops = json["ops"].as_array().unwrap();
    assert!(
        ops.iter()
            .any(|op| op["name"] == "aten::reluX" && op["supported"] == false),
        "{ops:?}"
    );
}
