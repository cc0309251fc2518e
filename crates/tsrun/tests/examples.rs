//! Runs every example in `examples/` (cargo builds them for `cargo test`), from the
//! repository root as the README shows, and checks its output, so that no example rots.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/examples/<name>`, next to this test's `deps/` folder.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    profile
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs an example from the repository root and returns its stdout.
fn run(name: &str, args: &[&str]) -> String {
    let bin = example(name);
    assert!(
        bin.exists(),
        "{} not built (cargo test builds examples; run `cargo build --examples -p tsrun`)",
        bin.display()
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(&bin)
        .args(args)
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?}: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn run_model() {
    let out = run("run_model", &["fixtures/seed/mlp_traced.pt"]);
    assert!(out.contains("forward(x: Tensor) -> Tensor"), "{out}");
    assert!(out.contains("shape=[1, 1]"), "{out}");
}

#[test]
fn batch_folder() {
    let out = run("batch_folder", &[]);
    assert!(out.contains("3 file(s) done"), "{out}");
}

#[test]
fn threads() {
    let out = run("threads", &["fixtures/seed/mlp_traced.pt", "3"]);
    assert_eq!(out.lines().count(), 3, "{out}");
}
