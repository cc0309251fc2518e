//! Finding (and building) the `tsrun` binary for tests that run the CLI.
//!
//! The binary belongs to the `tsrun-cli` package, so cargo does not build it for this package's
//! tests and `CARGO_BIN_EXE_tsrun` does not exist here. It lives next to this test executable's
//! `deps/` folder (`target/<profile>/tsrun`); it is (re)built once per test process with
//! `cargo build -p tsrun-cli` so that a stale binary is never tested. `TSRUN_BIN=/path/to/tsrun`
//! skips all of that.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The `tsrun` binary to test, or why there is none.
pub fn tsrun_bin() -> Result<PathBuf, String> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(locate).clone()
}

fn locate() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("TSRUN_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    // target/<profile>/deps/<test-exe>  ->  target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected test executable path {}", exe.display()))?;
    let bin = profile_dir.join(format!("tsrun{}", std::env::consts::EXE_SUFFIX));

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "-p", "tsrun-cli", "--bin", "tsrun"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    // Build the binary of the profile the test runs under (`--profile quick` too: building the
    // dev profile there would leave a stale target/quick/tsrun to be tested).
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some(profile) => {
            cmd.arg("--profile").arg(profile);
        }
    }
    if let Some(target_dir) = profile_dir.parent() {
        cmd.arg("--target-dir").arg(target_dir);
    }
    let built = run_with_timeout(cmd, Duration::from_secs(1200));
    match built {
        Ok(out) if out.status.success() && bin.exists() => Ok(bin),
        Ok(out) if bin.exists() => {
            eprintln!(
                "warning: `cargo build -p tsrun-cli` failed; testing the existing {}:\n{}",
                bin.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(bin)
        }
        Ok(out) => Err(format!(
            "cannot build the tsrun binary:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) => Err(format!("cannot run cargo to build tsrun: {e}")),
    }
}

/// Runs `cmd` to completion (stdin closed, stdout/stderr captured), killing it after `limit`:
/// a CLI that hangs is a failure, not a stuck test run.
pub fn run_with_timeout(mut cmd: Command, limit: Duration) -> Result<Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    wait_with_timeout(child, limit)
}

fn wait_with_timeout(mut child: Child, limit: Duration) -> Result<Output, String> {
    // Drain the pipes on threads so a chatty child cannot block on a full pipe while we poll.
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_thread = read(stdout.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let err_thread = read(stderr.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {limit:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("wait failed: {e}")),
        }
    };
    Ok(Output {
        status,
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
    })
}
