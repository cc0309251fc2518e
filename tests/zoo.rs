//! The model zoo: real torchvision CNNs, RNNs and transformers, traced and scripted by
//! PyTorch, must give PyTorch's outputs within per-model tolerances.
//!
//! The archives are too large to commit: `fixtures/gen_zoo.py` writes them on demand into the
//! git-ignored `fixtures/.cache/zoo/`. This test runs the generator when the fixtures venv
//! (`.venv`, created by `bash fixtures/make_venv.sh`) exists; the generator skips models whose
//! files are already cached. Without the venv the cached files are used; with neither, the
//! test FAILS, saying how to create the venv (a skipped zoo must never look like a pass).
//!
//! By default the models listed in `fixtures/zoo_ci.txt` are checked; `TSRUN_ZOO=all` checks
//! every model the generator knows, `TSRUN_ZOO=name1,name2` a selection. Each model's maximum
//! absolute error and run time are printed (`cargo test --test zoo -- --nocapture`).
//!
//! A model PyTorch saves but cannot load itself (`torch.jit.optimize_for_inference` with MKLDNN
//! drops its weights on save) has no expected output; its case file asks instead that tsrun
//! refuse it with an error naming one of the MKLDNN ops it calls.

#[path = "support/compare.rs"]
mod compare;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use compare::{compare_leaves, describe};
use tsrun_cli::array::NdArray;
use tsrun_cli::{npy_io, output, spec};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cache() -> PathBuf {
    root().join("fixtures/.cache/zoo")
}

/// The models this run checks: `None` means every model the generator knows.
fn selection() -> Option<Vec<String>> {
    match std::env::var("TSRUN_ZOO").ok().as_deref() {
        Some("all") => None,
        Some(list) if !list.trim().is_empty() => {
            Some(list.split(',').map(|s| s.trim().to_string()).collect())
        }
        _ => {
            let text = std::fs::read_to_string(root().join("fixtures/zoo_ci.txt"))
                .expect("fixtures/zoo_ci.txt is missing");
            Some(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect(),
            )
        }
    }
}

/// Runs the generator if the venv exists; otherwise checks that the cache has what we need.
fn ensure_generated(names: &Option<Vec<String>>) -> Result<(), String> {
    let python = root().join(".venv/bin/python");
    if python.is_file() {
        let mut cmd = Command::new(&python);
        cmd.arg(root().join("fixtures/gen_zoo.py"));
        match names {
            None => {
                cmd.arg("--all");
            }
            Some(n) => {
                cmd.args(n);
            }
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        if !out.status.success() {
            return Err(format!(
                "fixtures/gen_zoo.py failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        return Ok(());
    }
    let missing: Vec<String> = match names {
        Some(n) => n
            .iter()
            .filter(|m| !cache().join(format!("{m}.case.json")).is_file())
            .cloned()
            .collect(),
        None => vec!["(TSRUN_ZOO=all needs the generator)".to_string()],
    };
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the model zoo is not generated and the fixtures venv is missing.\n\
             Create the venv (torch, torchvision, numpy; pinned in fixtures/requirements.txt) with\n\
             \n    bash fixtures/make_venv.sh\n\n\
             and run the tests again: they generate fixtures/.cache/zoo/ on first use.\n\
             missing models: {missing:?}"
        ))
    }
}

struct Case {
    name: String,
    model: PathBuf,
    inputs: Vec<String>,
    expected: PathBuf,
    atol: f64,
    rtol: f64,
}

/// A model PyTorch saved but cannot load itself (`optimize_for_inference` with MKLDNN):
/// tsrun must refuse it with an error containing `contains` and naming one of `ops`.
struct Refusal {
    name: String,
    model: PathBuf,
    contains: String,
    ops: Vec<String>,
}

/// The refusal a case file asks for, if it is one (`expect_error`, see gen_zoo.py
/// `save_unloadable_case`).
fn model_refusal(json: &serde_json::Value) -> Option<Refusal> {
    let e = json.get("expect_error")?;
    Some(Refusal {
        name: json["name"].as_str()?.to_string(),
        model: PathBuf::from(json["model"].as_str()?),
        contains: e["contains"].as_str()?.to_string(),
        ops: e["names_one_of"]
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    })
}

/// Checks that tsrun refuses the archive with the error the case file asks for.
fn run_refusal(dir: &Path, r: &Refusal) -> Result<String, String> {
    let err = match tsrun::Module::load(dir.join(&r.model)) {
        Ok(_) => return Err("loaded an archive PyTorch cannot load (expected an error)".into()),
        Err(e) => e.to_string(),
    };
    let names_op = r.ops.iter().any(|op| err.contains(&format!("'{op}'")));
    if err.contains(&r.contains) && names_op && !r.ops.is_empty() {
        Ok(err)
    } else {
        Err(format!(
            "error does not contain {:?} and name one of {:?}: {err}",
            r.contains, r.ops
        ))
    }
}

/// The case file of one model as JSON, or `Err(reason)` when PyTorch itself could not export it.
fn case_json(model: &str) -> Result<serde_json::Value, String> {
    let path = cache().join(format!("{model}.case.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if let Some(reason) = json.get("skipped") {
        return Err(format!("not generated: {}", reason.as_str().unwrap_or("?")));
    }
    Ok(json)
}

/// The cases of one model.
fn model_cases(json: &serde_json::Value) -> Result<Vec<Case>, String> {
    let list = json.as_array().ok_or("case file is not a list")?;
    list.iter()
        .map(|c| {
            let s = |k: &str| {
                c[k].as_str()
                    .map(str::to_string)
                    .ok_or(format!("missing {k}"))
            };
            Ok(Case {
                name: s("name")?,
                model: PathBuf::from(s("model")?),
                inputs: c["inputs"]
                    .as_array()
                    .ok_or("missing inputs")?
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect(),
                expected: PathBuf::from(s("expected")?),
                atol: c["atol"].as_f64().unwrap_or(1e-4),
                rtol: c["rtol"].as_f64().unwrap_or(1e-3),
            })
        })
        .collect()
}

/// Every model with a case file in the cache (for `TSRUN_ZOO=all`).
fn cached_models() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(cache())
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(|n| n.strip_suffix(".case.json"))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn max_abs_diff(got: &[NdArray], want: &[NdArray]) -> f64 {
    got.iter()
        .zip(want)
        .filter_map(|(g, w)| Some((g.data.to_f64()?, w.data.to_f64()?)))
        .flat_map(|(g, w)| {
            g.into_iter()
                .zip(w)
                .map(|(a, b)| if a == b { 0.0 } else { (a - b).abs() })
                .collect::<Vec<_>>()
        })
        .fold(0.0, f64::max)
}

/// Runs one case; returns (max abs error, seconds for load, seconds for forward).
fn run_case(dir: &Path, case: &Case) -> Result<(f64, f64, f64), String> {
    let t0 = Instant::now();
    let module = tsrun::Module::load(dir.join(&case.model)).map_err(|e| format!("load: {e}"))?;
    let load = t0.elapsed().as_secs_f64();
    let params: Vec<String> = module
        .method_signature("forward")
        .map(|s| s.params.into_iter().map(|(_, t)| t).collect())
        .unwrap_or_default();
    let inputs =
        spec::load_inputs(&case.inputs, dir, &params).map_err(|e| format!("inputs: {e}"))?;
    let t1 = Instant::now();
    let result = module
        .run_method("forward", inputs)
        .map_err(|e| format!("run: {e}"))?;
    let run = t1.elapsed().as_secs_f64();
    let got = output::leaves(&result).map_err(|e| format!("output: {e}"))?;
    let want: Vec<NdArray> = npy_io::read_npz(&dir.join(&case.expected))
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let problems = compare_leaves(&got, &want, case.atol, case.rtol);
    if !problems.is_empty() {
        return Err(format!(
            "{} (got {}, expected {})",
            problems.join("; "),
            describe(&got),
            describe(&want)
        ));
    }
    Ok((max_abs_diff(&got, &want), load, run))
}

#[test]
fn zoo_matches_pytorch() {
    let names = selection();
    if let Err(e) = ensure_generated(&names) {
        panic!("{e}");
    }
    let models = names.unwrap_or_else(cached_models);
    assert!(!models.is_empty(), "no zoo models selected");
    let dir = cache();
    let mut failures = Vec::new();
    let mut report = vec![format!(
        "{:<40} {:>6} {:>12} {:>9} {:>9}",
        "case", "status", "max |err|", "load s", "run s"
    )];
    for m in &models {
        let json = match case_json(m) {
            Ok(j) => j,
            Err(e) => {
                failures.push(format!("{m}: {e}"));
                report.push(format!("{m:<40} {:>6} {e}", "FAIL"));
                continue;
            }
        };
        if let Some(r) = model_refusal(&json) {
            match run_refusal(&dir, &r) {
                Ok(err) => {
                    let short: String = err.chars().take(100).collect();
                    report.push(format!("{:<40} {:>6} refused: {short}...", r.name, "ok"))
                }
                Err(e) => {
                    report.push(format!("{:<40} {:>6} {e}", r.name, "FAIL"));
                    failures.push(format!("{}: {e}", r.name));
                }
            }
            continue;
        }
        let cases = match model_cases(&json) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{m}: {e}"));
                report.push(format!("{m:<40} {:>6} {e}", "FAIL"));
                continue;
            }
        };
        for c in &cases {
            match run_case(&dir, c) {
                Ok((err, load, run)) => report.push(format!(
                    "{:<40} {:>6} {:>12.3e} {:>9.3} {:>9.3}",
                    c.name, "ok", err, load, run
                )),
                Err(e) => {
                    report.push(format!("{:<40} {:>6} {e}", c.name, "FAIL"));
                    failures.push(format!("{}: {e}", c.name));
                }
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "{} zoo case(s) differ from PyTorch:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
