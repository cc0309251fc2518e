//! The bad-inputs corpus (`fixtures/bad/`, made by `fixtures/gen_bad.py`): broken, hostile and
//! oversized model files and wrong inputs. Every case must fail cleanly, both through the `tsrun`
//! binary (exit code, one `error:` line with the case's key words, no panic, no hang) and through
//! the library (`Module::from_bytes` / `run_method` return `Err`, never panic, never hang).
//! Hostile pickles must never create the file they would create if executed.
//! The threat model is in `docs/reliability.md`.

#[path = "support/cli.rs"]
mod cli;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use tsrun_cli::spec;

/// A case that takes longer than this is a hang. Generous because every case finishes in well
/// under a second alone, but one took over 20 s on this 2-core machine under a load average of
/// 8 (parallel builds): the limit must catch a hang, not a busy machine.
const LIMIT: Duration = Duration::from_secs(90);

/// The memory limit for one tensor buffer, in the CLI (`TSRUN_MAX_TENSOR_BYTES`) and the
/// library (`alloc::set_max_bytes`): fixed, so that the `alloc_*` cases fail with the same message
/// on any machine instead of depending on its memory (16 GiB, as `gen_bad.py` expects).
const MAX_TENSOR_BYTES: usize = 16 << 30;

/// Key words that only the CLI's wording contains (it adds `cannot load `PATH`:`, checks the
/// input count itself and reports a missing file by name); the library checks the rest.
const CLI_ONLY_WORDS: [&str; 5] = [
    "cannot load",
    "takes 1 input",
    "got 0",
    "got 2",
    "not found",
];

/// One entry of `fixtures/bad/cases.json`.
#[derive(Debug, Clone)]
struct Case {
    name: String,
    /// Relative to `fixtures/`.
    model: String,
    inputs: Vec<String>,
    /// Accepted exit codes of the CLI.
    exit: Vec<i32>,
    /// `load` (must fail to load), `run` (loads, then the call fails) or `any` (no panic is all).
    stage: String,
    /// Lowercase words the error line must contain.
    keywords: Vec<String>,
    /// A file that would exist had the archive executed code.
    must_not_create: Option<String>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_lowercase))
                .collect()
        })
        .unwrap_or_default()
}

fn cases() -> Vec<Case> {
    let path = fixtures_dir().join("bad/cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list = json.as_array().expect("cases.json is a list");
    list.iter()
        .map(|c| Case {
            name: c["name"].as_str().expect("name").to_string(),
            model: c["model"].as_str().expect("model").to_string(),
            // Inputs are specs: keep their case (`"abc"` is a string literal).
            inputs: c["inputs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            exit: c["exit"]
                .as_array()
                .expect("exit")
                .iter()
                .filter_map(|e| e.as_i64().and_then(|e| i32::try_from(e).ok()))
                .collect(),
            stage: c["stage"].as_str().expect("stage").to_string(),
            keywords: strings(c, "keywords"),
            must_not_create: c["must_not_create"].as_str().map(String::from),
        })
        .collect()
}

/// Removes a leftover canary file so that its presence after the run means this run made it.
fn clear_canary(case: &Case) {
    if let Some(path) = &case.must_not_create {
        let _ = std::fs::remove_file(path);
    }
}

fn check_canary(case: &Case, errors: &mut Vec<String>) {
    if let Some(path) = &case.must_not_create {
        if Path::new(path).exists() {
            errors.push(format!(
                "{}: {path} exists: the pickle EXECUTED CODE",
                case.name
            ));
        }
    }
}

/// Runs one case through the binary; `Err` says what was wrong.
fn run_cli(case: &Case, bin: &Path) -> Result<(), String> {
    let mut cmd = Command::new(bin);
    cmd.current_dir(fixtures_dir())
        .env(
            tsrun_tensor::alloc::MAX_BYTES_ENV,
            MAX_TENSOR_BYTES.to_string(),
        )
        .arg(&case.model);
    for input in &case.inputs {
        cmd.arg("--input").arg(input);
    }
    let out = cli::run_with_timeout(cmd, LIMIT)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let Some(code) = out.status.code() else {
        return Err(format!("killed by a signal ({:?}): {stderr}", out.status));
    };
    if code == 101 || stderr.contains("panicked") || stderr.contains("internal error") {
        return Err(format!("panicked (exit {code}): {stderr}"));
    }
    if !case.exit.contains(&code) {
        return Err(format!(
            "exit {code}, want one of {:?}: {stderr}",
            case.exit
        ));
    }
    if code == 0 {
        return Ok(());
    }
    let lines: Vec<&str> = stderr.lines().collect();
    if lines.len() != 1 || !lines[0].starts_with("error: ") {
        return Err(format!("want one `error: ` line on stderr, got {stderr:?}"));
    }
    let line = lines[0].to_lowercase();
    let missing: Vec<&String> = case
        .keywords
        .iter()
        .filter(|k| !line.contains(k.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(format!("message lacks {missing:?}: {}", lines[0]));
    }
    Ok(())
}

#[test]
fn bad_inputs_cli() {
    let bin = cli::tsrun_bin().unwrap_or_else(|e| panic!("{e}"));
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut errors = Vec::new();
    for case in &cases {
        clear_canary(case);
        if let Err(e) = run_cli(case, &bin) {
            errors.push(format!(
                "{} (tsrun {} {:?}): {e}",
                case.name, case.model, case.inputs
            ));
        }
        check_canary(case, &mut errors);
    }
    assert!(
        errors.is_empty(),
        "{} of {} cases failed:\n{}",
        errors.len(),
        cases.len(),
        errors.join("\n")
    );
}

/// Loads and runs one case through the library on this thread; a panic is caught and returned
/// as an error naming the case.
fn run_library(case: &Case) -> Result<(), String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| library_outcome(case)));
    match outcome {
        Ok(result) => result,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("PANICKED: {msg}"))
        }
    }
}

fn library_outcome(case: &Case) -> Result<(), String> {
    let dir = fixtures_dir();
    let path = dir.join(&case.model);
    let loaded = match std::fs::read(&path) {
        Ok(bytes) => tsrun::Module::from_bytes(bytes),
        // The nonexistent-path case: `load` must report it, not panic.
        Err(_) => tsrun::Module::load(&path),
    };
    let module = match (loaded, case.stage.as_str()) {
        (Err(e), "load" | "any") => return check_words(case, &e.to_string()),
        (Err(e), _) => return Err(format!("want a run failure, got a load error: {e}")),
        (Ok(_), "load") => return Err("loaded, want a load error".into()),
        (Ok(m), _) => m,
    };
    let types: Vec<String> = module
        .method_signature("forward")
        .map(|s| s.params.into_iter().map(|(_, t)| t).collect())
        .unwrap_or_default();
    let inputs = spec::load_inputs(&case.inputs, &dir, &types).map_err(|e| e.to_string())?;
    match (module.forward(inputs), case.stage.as_str()) {
        (Err(e), _) => check_words(case, &e.to_string()),
        (Ok(_), "any") => Ok(()),
        (Ok(v), _) => Err(format!("forward returned {v}, want an error")),
    }
}

/// The library's message must hold every key word except the CLI's own wording.
fn check_words(case: &Case, message: &str) -> Result<(), String> {
    if case.stage == "any" {
        return Ok(());
    }
    let lower = message.to_lowercase();
    let missing: Vec<&String> = case
        .keywords
        .iter()
        .filter(|k| !CLI_ONLY_WORDS.contains(&k.as_str()) && !k.ends_with(".pt"))
        .filter(|k| !lower.contains(k.as_str()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("message lacks {missing:?}: {message}"))
    }
}

#[test]
fn bad_inputs_library() {
    // Process-wide; every test in this binary runs bad cases under the same limit.
    tsrun_tensor::alloc::set_max_bytes(MAX_TENSOR_BYTES);
    let cases = cases();
    let mut errors = Vec::new();
    for case in cases {
        clear_canary(&case);
        // On its own thread so that a hang is reported as one (the thread is abandoned).
        let (tx, rx) = mpsc::channel();
        let worker = case.clone();
        std::thread::spawn(move || {
            let _ = tx.send(run_library(&worker));
        });
        match rx.recv_timeout(LIMIT) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(format!("{}: {e}", case.name)),
            Err(_) => errors.push(format!("{}: no result after {LIMIT:?} (hang)", case.name)),
        }
        check_canary(&case, &mut errors);
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The committed corpus is what `gen_bad.py` says: every model file it names exists (except the
/// one that must not), and it stays small.
#[test]
fn corpus_is_consistent() {
    let dir = fixtures_dir();
    let mut total = 0;
    for case in cases() {
        let path = dir.join(&case.model);
        let exists = path.is_file();
        assert_eq!(
            exists,
            !case.name.starts_with("nonexistent"),
            "{}: {}",
            case.name,
            path.display()
        );
        assert!(!case.exit.is_empty(), "{}: no exit code", case.name);
        if case.stage != "any" {
            assert!(!case.keywords.is_empty(), "{}: no key words", case.name);
        }
        total += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    }
    assert!(total < 1 << 20, "fixtures/bad is {total} bytes");
}

/// Runs the CLI on `model` (under `fixtures/`) through `sh -c SCRIPT`, where the script ends in
/// `exec "$0" MODEL --input ones:2,4`; returns the exit code and stderr.
#[cfg(target_os = "linux")]
fn run_cli_in_shell(prefix: &str, model: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let bin = cli::tsrun_bin().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new("sh");
    cmd.current_dir(fixtures_dir())
        .arg("-c")
        .arg(format!("{prefix}exec \"$0\" {model} --input ones:2,4"))
        .arg(&bin);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cli::run_with_timeout(cmd, LIMIT).unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Within the element cap and the memory limit, but refused by the allocator (here a 2 GB
/// address-space limit, as a sandbox would set): the refusal is an error, not an abort.
#[test]
#[cfg(target_os = "linux")]
fn alloc_limit_allocator_refusal_is_an_error() {
    let limit = tsrun_tensor::alloc::MAX_BYTES_ENV;
    let (code, stderr) = run_cli_in_shell(
        "ulimit -v 2000000; ",
        "bad/alloc_scalar_mul.pt",
        &[(limit, "1099511627776")],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for word in [
        "aten::mul",
        "not enough memory",
        "[262144, 262144]",
        "256 GiB",
    ] {
        assert!(stderr.contains(word), "no {word:?} in {stderr}");
    }
}

/// `TSRUN_MAX_TENSOR_BYTES` bounds every kernel buffer: the seed MLP on 1000 rows needs 32 KB
/// for its first layer's output, more than a 1000-byte limit.
#[test]
#[cfg(target_os = "linux")]
fn alloc_limit_env_is_obeyed() {
    let limit = tsrun_tensor::alloc::MAX_BYTES_ENV;
    let bin = cli::tsrun_bin().unwrap_or_else(|e| panic!("{e}"));
    let run = |bytes: &str| {
        let mut cmd = Command::new(&bin);
        cmd.current_dir(fixtures_dir()).env(limit, bytes).args([
            "seed/mlp_traced.pt",
            "--input",
            "zeros:1000,2",
            "--quiet",
        ]);
        cli::run_with_timeout(cmd, LIMIT).unwrap_or_else(|e| panic!("{e}"))
    };
    let out = run("1000");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for word in [
        "over the memory limit",
        "1000 bytes",
        "TSRUN_MAX_TENSOR_BYTES",
    ] {
        assert!(stderr.contains(word), "no {word:?} in {stderr}");
    }
    let out = run("1000000");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
