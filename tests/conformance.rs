//! Conformance: every case of every `fixtures/*/manifest.json` must give PyTorch's output.
//!
//! Each case (written by `fixtures/gen_seed.py` from real PyTorch) names an archive, a method,
//! input specs in the CLI's `--input` syntax (paths relative to `fixtures/`) and an `.npz` of
//! the expected result leaves. Each case runs twice: (a) through the library API with inputs
//! built by the CLI's own spec code, and (b) through the `tsrun` binary with `--output`. All
//! failing cases are reported together, with leaf index and max abs diff.
//!
//! A case with `"error": {"class", "message"}` instead of `expected` is one where PyTorch raised:
//! tsrun must fail with a run-time error of that class and exactly that message (the library's
//! `RuntimeError` fields; the CLI's one-line stderr `error: CLASS: MESSAGE ...` and exit code 1).
//! With `"origin": "file.py:N"` the error must also name that original-source line (from the
//! archive's `.debug_pkl`), as PyTorch's traceback does.
//!
//! `TSRUN_CASES=substr` runs only the cases whose name contains `substr`.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/compare.rs"]
mod compare;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use compare::{compare_leaves, describe};
use tsrun_cli::array::{ArrayData, NdArray};
use tsrun_cli::{npy_io, output, spec};

/// One case of a manifest.
#[derive(Debug, Clone)]
struct Case {
    name: String,
    model: PathBuf,
    method: String,
    inputs: Vec<String>,
    expected: PathBuf,
    atol: f64,
    rtol: f64,
    /// PyTorch raised: `(class, message)` of the error tsrun must raise too.
    error: Option<(String, String)>,
    /// PyTorch's original-source `file:line` for that error, when the manifest has one.
    origin: Option<String>,
}

/// What running a case gave: the leaves, or a run-time error's class and message.
enum Outcome {
    Leaves(Vec<NdArray>),
    /// Class, message and the original-source `file:line` tsrun named, if any.
    Raised(String, String, Option<String>),
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every `fixtures/*/manifest.json`, sorted.
fn manifests() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path().join("manifest.json"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn parse_case(entry: &serde_json::Value) -> Result<Case, String> {
    let text = |key: &str| -> Result<String, String> {
        entry[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("missing string `{key}` in {entry}"))
    };
    let inputs = entry["inputs"]
        .as_array()
        .ok_or_else(|| format!("missing `inputs` in {entry}"))?
        .iter()
        .map(|v| match v {
            // A spec string exactly as for `--input`.
            serde_json::Value::String(s) => s.clone(),
            // A bare JSON literal is its own spec.
            other => other.to_string(),
        })
        .collect();
    Ok(Case {
        name: text("name")?,
        model: PathBuf::from(text("model")?),
        method: entry["method"].as_str().unwrap_or("forward").to_string(),
        inputs,
        expected: PathBuf::from(entry["expected"].as_str().unwrap_or_default()),
        error: match &entry["error"] {
            serde_json::Value::Null => None,
            e => Some((
                e["class"]
                    .as_str()
                    .ok_or("error without `class`")?
                    .to_string(),
                e["message"]
                    .as_str()
                    .ok_or("error without `message`")?
                    .to_string(),
            )),
        },
        origin: entry["error"]["origin"].as_str().map(str::to_string),
        atol: entry["atol"].as_f64().unwrap_or(1e-6),
        rtol: entry["rtol"].as_f64().unwrap_or(0.0),
    })
}

/// All cases (filtered by `TSRUN_CASES`).
fn cases() -> Vec<Case> {
    let filter = std::env::var("TSRUN_CASES").unwrap_or_default();
    all_cases()
        .into_iter()
        .filter(|case| case.name.contains(&filter))
        .collect()
}

/// Every case in the manifests, ignoring `TSRUN_CASES` (the comparator's own test needs a real
/// float output whatever the filter selects).
fn all_cases() -> Vec<Case> {
    let mut all = Vec::new();
    for path in manifests() {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()));
        let entries = json
            .as_array()
            .unwrap_or_else(|| panic!("{} is not a JSON list", path.display()));
        for entry in entries {
            let case = parse_case(entry).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            all.push(case);
        }
    }
    all
}

fn expected_leaves(case: &Case) -> Result<Vec<NdArray>, String> {
    let arrays =
        npy_io::read_npz(&fixtures_dir().join(&case.expected)).map_err(|e| e.to_string())?;
    // np.savez order is arr_0, arr_1, ...: check instead of trusting the member order.
    for (i, (name, _)) in arrays.iter().enumerate() {
        if *name != format!("arr_{i}") {
            return Err(format!(
                "expected npz member #{i} is `{name}`, not `arr_{i}`"
            ));
        }
    }
    Ok(arrays.into_iter().map(|(_, a)| a).collect())
}

/// (a) Through the library, with the CLI's input code.
fn run_library(case: &Case) -> Result<Outcome, String> {
    let dir = fixtures_dir();
    let module = tsrun::Module::load(dir.join(&case.model)).map_err(|e| format!("load: {e}"))?;
    let param_types: Vec<String> = module
        .method_signature(&case.method)
        .map(|s| s.params.into_iter().map(|(_, t)| t).collect())
        .unwrap_or_default();
    let inputs =
        spec::load_inputs(&case.inputs, &dir, &param_types).map_err(|e| format!("inputs: {e}"))?;
    let result = match module.run_method(&case.method, inputs) {
        Ok(v) => v,
        Err(tsrun::Error::Runtime(e)) => return Ok(Outcome::Raised(e.class, e.message, e.origin)),
        Err(e) => return Err(format!("run: {e}")),
    };
    output::leaves(&result)
        .map(Outcome::Leaves)
        .map_err(|e| format!("output: {e}"))
}

/// (b) Through the binary, reading `--output` back.
fn run_cli(case: &Case, bin: &Path, scratch: &Path) -> Result<Outcome, String> {
    let out = scratch.join(format!("{}.npz", case.name));
    let mut cmd = Command::new(bin);
    cmd.current_dir(fixtures_dir()).arg(&case.model);
    for input in &case.inputs {
        cmd.arg("--input").arg(input);
    }
    cmd.arg("--method")
        .arg(&case.method)
        .arg("--output")
        .arg(&out);
    let done = cli::run_with_timeout(cmd, Duration::from_secs(120))?;
    if !done.status.success() {
        let stderr = String::from_utf8_lossy(&done.stderr);
        if let (Some(1), Some((class, message))) = (done.status.code(), &case.error) {
            // One line: `error: CLASS: MESSAGE (at LOCATION)`; report it as raised when it
            // carries the expected text, and otherwise hand back the whole line.
            // The CLI joins a multi-line message's lines with " | " (as its `one_line`).
            let want = format!("error: {class}: {message}")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" | ");
            if stderr.trim_end().starts_with(&want) {
                let origin = case
                    .origin
                    .as_ref()
                    .filter(|o| stderr.contains(&format!("from {o})")))
                    .cloned();
                return Ok(Outcome::Raised(class.clone(), message.clone(), origin));
            }
        }
        return Err(format!(
            "exit {:?}: {}",
            done.status.code(),
            String::from_utf8_lossy(&done.stderr).trim()
        ));
    }
    let arrays = npy_io::read_npz(&out).map_err(|e| e.to_string())?;
    Ok(Outcome::Leaves(
        arrays.into_iter().map(|(_, a)| a).collect(),
    ))
}

/// Compares an outcome with what PyTorch did.
fn check_outcome(case: &Case, got: Outcome) -> Result<(), String> {
    match (&case.error, got) {
        (Some((class, message)), Outcome::Raised(c, m, origin)) => {
            if (&c, &m) != (class, message) {
                Err(format!("raised {c}: {m:?}, expected {class}: {message:?}"))
            } else if case.origin.is_some() && origin != case.origin {
                Err(format!(
                    "raised the right error but from {origin:?}, expected from {:?}",
                    case.origin
                ))
            } else {
                Ok(())
            }
        }
        (Some((class, message)), Outcome::Leaves(l)) => Err(format!(
            "returned {} but PyTorch raised {class}: {message:?}",
            describe(&l)
        )),
        (None, Outcome::Raised(c, m, _)) => Err(format!("raised {c}: {m}")),
        (None, Outcome::Leaves(got)) => {
            let want = expected_leaves(case)?;
            let problems = compare_leaves(&got, &want, case.atol, case.rtol);
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("; "))
            }
        }
    }
}

/// Runs every case through `run`, comparing with the expected leaves; panics with all failures.
fn check_all(how: &str, mut run: impl FnMut(&Case) -> Result<Outcome, String>) {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no conformance cases found under {}",
        fixtures_dir().display()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = run(case).and_then(|got| check_outcome(case, got));
        match outcome {
            Ok(()) => eprintln!("ok    {how} {}", case.name),
            Err(e) => {
                let e = e.lines().collect::<Vec<_>>().join(" | ");
                eprintln!("FAIL  {how} {}: {e}", case.name);
                failures.push(format!("{}: {e}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{how}: {} of {} cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

#[test]
fn conformance_library() {
    check_all("library", run_library);
}

#[test]
fn conformance_cli() {
    let bin = cli::tsrun_bin().unwrap_or_else(|e| panic!("{e}"));
    let scratch = std::env::temp_dir().join(format!("tsrun-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap_or_else(|e| panic!("{}: {e}", scratch.display()));
    let result =
        std::panic::catch_unwind(|| check_all("cli", |case| run_cli(case, &bin, &scratch)));
    let _ = std::fs::remove_dir_all(&scratch);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// The manifests point at files that exist, and every expected output parses.
#[test]
fn manifests_are_consistent() {
    let cases = cases();
    let dir = fixtures_dir();
    for case in &cases {
        assert!(
            dir.join(&case.model).is_file(),
            "{}: no {}",
            case.name,
            case.model.display()
        );
        assert!(
            case.error.is_some() || expected_leaves(case).is_ok(),
            "{}: bad expected npz",
            case.name
        );
        let parsed = spec::parse_all(&case.inputs);
        assert!(parsed.is_ok(), "{}: {:?}", case.name, parsed.err());
        for parsed_spec in parsed.unwrap_or_default() {
            if let spec::Spec::Npy(path) = parsed_spec {
                assert!(
                    dir.join(&path).is_file(),
                    "{}: no {}",
                    case.name,
                    path.display()
                );
            }
        }
        assert!(
            case.atol >= 0.0 && case.rtol >= 0.0,
            "{}: negative tolerance",
            case.name
        );
    }
    if std::env::var("TSRUN_CASES").is_err() {
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        for must in [
            "mycell_traced",
            "gatedcell_scripted_neg",
            "rnnloop_scripted",
            "mlp_traced_b1000",
        ] {
            assert!(names.contains(&must), "seed case {must} missing: {names:?}");
        }
    }
}

/// The comparison can fail: a perturbed, retyped or reshaped expected leaf is reported.
#[test]
fn comparison_reports_mismatches() {
    let case = all_cases().into_iter().find(|c| c.name == "mycell_traced");
    let Some(case) = case else {
        panic!("no cases to take a real expected output from");
    };
    let want = expected_leaves(&case).unwrap_or_else(|e| panic!("{e}"));
    assert!(compare_leaves(&want, &want, 0.0, 0.0).is_empty());

    // One float element off by 1e-3 (far above atol 1e-6).
    let mut got = want.clone();
    let leaf = got
        .iter()
        .rposition(|a| a.data.is_float() && !a.data.is_empty())
        .unwrap_or_else(|| panic!("{}: no float leaf", case.name));
    match &mut got[leaf].data {
        ArrayData::F32(v) => v[0] += 1e-3,
        ArrayData::F64(v) => v[0] += 1e-3,
        other => panic!("unexpected float leaf {other:?}"),
    }
    let problems = compare_leaves(&got, &want, 1e-6, 0.0);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("leaf {leaf}:")),
        "{problems:?}"
    );
    assert!(problems[0].contains("max abs diff 1.0"), "{problems:?}");
    // ... but within a loose enough tolerance it passes.
    assert!(compare_leaves(&got, &want, 2e-3, 0.0).is_empty());
    assert!(compare_leaves(&got, &want, 0.0, 1.0).is_empty());

    // NaN never matches a number.
    let mut nan = want.clone();
    if let ArrayData::F32(v) = &mut nan[leaf].data {
        v[0] = f32::NAN;
        assert_eq!(compare_leaves(&nan, &want, 1.0, 1.0).len(), 1);
    }

    // Wrong dtype, wrong shape, missing leaf, wrong int.
    let mut retyped = want.clone();
    retyped[0] = NdArray {
        shape: want[0].shape.clone(),
        data: ArrayData::F64(want[0].data.to_f64().unwrap_or_default()),
    };
    assert!(compare_leaves(&retyped, &want, 1.0, 0.0)[0].contains("dtype float64"));
    let mut reshaped = want.clone();
    reshaped[0].shape = vec![want[0].data.len()];
    assert!(compare_leaves(&reshaped, &want, 1.0, 0.0)[0].contains("shape"));
    assert!(compare_leaves(&want[1..], &want, 1.0, 0.0)[0].contains("leaves, expected"));
    let ints = [NdArray::scalar(ArrayData::I64(vec![i64::MAX]))];
    let off = [NdArray::scalar(ArrayData::I64(vec![i64::MAX - 1]))];
    assert_eq!(
        compare_leaves(&off, &ints, 10.0, 10.0).len(),
        1,
        "ints are exact"
    );
    eprintln!("expected leaves of {}: {}", case.name, describe(&want));
}

/// The operator overloads the fixtures exercise (`fixtures/ops_matrix/coverage.txt`, counted by
/// `fixtures/op_coverage.py` from the archives' own graphs): at least 300 tensor operators, and
/// tsrun registers every overload listed, so the count is of overloads tsrun really runs.
#[test]
fn operator_coverage() {
    let path = fixtures_dir().join("ops_matrix/coverage.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let registered: std::collections::HashSet<String> = tsrun::inspect::op_schemas()
        .iter()
        .map(|s| s.split('(').next().unwrap_or_default().to_string())
        .collect();
    let mut tensor_ops = 0;
    let mut all = 0;
    let mut missing = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (kind, name) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("bad coverage line {line:?}"));
        all += 1;
        if kind == "T" {
            tensor_ops += 1;
        }
        // `str.format` is compiled to an expression of its own, not an operator call.
        if !registered.contains(name) && name != "aten::format" {
            missing.push(name.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "coverage.txt lists overloads tsrun does not register: {missing:?}"
    );
    assert!(
        tensor_ops >= 300,
        "only {tensor_ops} tensor operator overloads covered (of {all} overloads)"
    );
    eprintln!("{all} operator overloads covered by fixtures, {tensor_ops} tensor operators");
}
