//! The CLI's failure contract: exactly one `error: ...` line on stderr, exit code 1 for load/run
//! failures and 2 for a malformed command line, never a panic's 101, never a hang.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A real archive from the seed fixtures: `forward(x, h)` of the tutorial's MyCell.
fn model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seed/mycell_traced.pt")
}

fn input(i: usize) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("fixtures/seed/mycell_traced.in{i}.npy"))
        .display()
        .to_string()
}

/// Runs `tsrun ARGS...`; returns the exit code and stderr.
fn tsrun(args: &[&str]) -> (i32, String) {
    let bin = cli::tsrun_bin().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new(bin);
    cmd.args(args);
    let out = cli::run_with_timeout(cmd, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("tsrun {args:?}: {e}"));
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Asserts the failure shape and returns the message (lowercased) for keyword checks.
fn expect_error(args: &[&str], code: i32) -> String {
    let (got, stderr) = tsrun(args);
    assert_eq!(got, code, "tsrun {args:?}: exit {got}, stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "tsrun {args:?}: want one stderr line, got {stderr:?}"
    );
    assert!(
        lines[0].starts_with("error: "),
        "tsrun {args:?}: {stderr:?}"
    );
    assert!(
        !lines[0].contains("internal error"),
        "tsrun {args:?} panicked: {stderr:?}"
    );
    lines[0].to_lowercase()
}

fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tsrun-cli-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

#[test]
fn missing_model_file() {
    let msg = expect_error(&["/nonexistent/dir/model.pt"], 1);
    assert!(
        msg.contains("not found") && msg.contains("model.pt"),
        "{msg}"
    );
}

#[test]
fn text_file_as_model() {
    let path = scratch_file("notes.pt", b"this is not a zip archive\n");
    let msg = expect_error(&[&path.display().to_string()], 1);
    assert!(
        msg.contains("cannot load") && msg.contains("notes.pt"),
        "{msg}"
    );
}

#[test]
fn truncated_archive() {
    let bytes = std::fs::read(model()).unwrap_or_else(|e| panic!("{e}"));
    let path = scratch_file("truncated.pt", &bytes[..bytes.len() / 2]);
    let msg = expect_error(&[&path.display().to_string()], 1);
    assert!(msg.contains("cannot load"), "{msg}");
}

#[test]
fn bad_spec_is_a_usage_error() {
    let m = model().display().to_string();
    let msg = expect_error(&[&m, "--input", "foo:1,2"], 2);
    assert!(
        msg.contains("bad input spec") && msg.contains("foo"),
        "{msg}"
    );
    let msg = expect_error(&[&m, "--input", "zeros:2,x"], 2);
    assert!(msg.contains("bad dimension"), "{msg}");
    let msg = expect_error(&[&m, "--input", "[1, \"a\"]"], 2);
    assert!(msg.contains("bad input spec"), "{msg}");
    // A bad spec is reported even when the model is missing too: usage comes first.
    expect_error(&["/nonexistent.pt", "--input", "foo:1"], 2);
}

#[test]
fn clap_usage_errors_are_one_line() {
    let m = model().display().to_string();
    let msg = expect_error(&[&m, "--bogus-flag"], 2);
    assert!(msg.contains("--bogus-flag"), "{msg}");
    expect_error(&[], 2);
    expect_error(&[&m, "--input"], 2);
}

#[test]
fn wrong_number_of_inputs() {
    let m = model().display().to_string();
    let (x, h) = (input(0), input(1));
    let msg = expect_error(&[&m, "--input", &x], 1);
    assert!(
        msg.contains("takes 2 input") && msg.contains("got 1"),
        "{msg}"
    );
    let msg = expect_error(&[&m, "--input", &x, "--input", &h, "--input", "3"], 1);
    assert!(
        msg.contains("takes 2 input") && msg.contains("got 3"),
        "{msg}"
    );
}

#[test]
fn missing_input_file() {
    let m = model().display().to_string();
    let msg = expect_error(
        &[&m, "--input", "/nonexistent/x.npy", "--input", "zeros:3,4"],
        1,
    );
    assert!(msg.contains("/nonexistent/x.npy"), "{msg}");
}

#[test]
fn unknown_method() {
    let m = model().display().to_string();
    let msg = expect_error(&[&m, "--method", "no_such_method"], 1);
    assert!(
        msg.contains("no method") && msg.contains("no_such_method"),
        "{msg}"
    );
}

#[test]
fn shape_mismatch_is_a_run_error() {
    // Linear(4, 4) on a [3, 5] input cannot work.
    let m = model().display().to_string();
    expect_error(&[&m, "--input", "zeros:3,5", "--input", "zeros:3,4"], 1);
}

#[test]
fn unwritable_output() {
    let m = model().display().to_string();
    let (x, h) = (input(0), input(1));
    let msg = expect_error(
        &[
            &m,
            "--input",
            &x,
            "--input",
            &h,
            "--output",
            "/nonexistent/dir/out.npz",
        ],
        1,
    );
    assert!(msg.contains("out.npz"), "{msg}");
}
