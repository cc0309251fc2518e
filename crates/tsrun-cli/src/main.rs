//! `tsrun MODEL.pt [--input SPEC]... [--method NAME] [--output OUT.npz]`
//!
//! Runs one method of a TorchScript archive and prints the result. This file is only the
//! command line and exit codes; the work is in the `tsrun_cli` library.
//!
//! Exit codes: 0 success; 1 any failure to load or run (missing or corrupt archive, unreadable
//! input file, unknown method, wrong inputs, an error raised by the model, unwritable output,
//! and, as a last resort, an internal panic); 2 a malformed command line (unknown flag, missing
//! argument, bad SPEC syntax). Every failure prints exactly one line, `error: ...`, on stderr.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use tsrun_cli::{npy_io, output, spec};

const AFTER_HELP: &str = "\
SPEC (one per --input, in the method's parameter order):
  PATH.npy            a tensor with the file's dtype and shape
  zeros:2,3           float32 zeros of shape [2, 3] (also ones:, rand: uniform [0,1), randn:);
                      an empty shape (zeros:) is 0-d; rand/randn are seeded by the input's position
  3  2.5  true  null  int, float, bool, None (JSON literals; 1 is an int, 1.0 a float)
  '\"text\"'            a str (JSON string)
  '[1, 2]'  '[0.5, 1]' List[int], List[float] (element type from the elements; [] is List[int])

--output OUT.npz writes np.savez's layout: arr_0, arr_1, ... are the result's leaves, depth-first
(tuple/list items, dict values); tensors keep dtype and shape; int/float/bool/str become 0-d
int64/float64/bool/<U arrays; None leaves are skipped.

Exit codes: 0 ok, 1 load/run failure, 2 bad command line.";

/// Run a TorchScript archive (a .pt file written by torch.jit.save) on the given inputs.
#[derive(Parser, Debug)]
#[command(name = "tsrun", version, after_help = AFTER_HELP)]
struct Args {
    /// The TorchScript archive.
    #[arg(value_name = "MODEL.pt")]
    model: PathBuf,

    /// The next argument of the method (repeat for each; see SPEC below).
    #[arg(short, long = "input", value_name = "SPEC", allow_hyphen_values = true)]
    inputs: Vec<String>,

    /// The method to run.
    #[arg(short, long, value_name = "NAME", default_value = "forward")]
    method: String,

    /// Also write the result's leaves to this .npz file.
    #[arg(short, long, value_name = "OUT.npz")]
    output: Option<PathBuf>,
}

/// A failure and its exit code.
enum Failure {
    /// The command line is malformed: exit code 2.
    Usage(String),
    /// Anything else: exit code 1.
    Run(String),
}

fn main() -> ExitCode {
    install_panic_hook();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => return clap_failure(&e),
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => report(&msg, 2),
        Err(Failure::Run(msg)) => report(&msg, 1),
    }
}

fn run(args: &Args) -> Result<(), Failure> {
    // Spec syntax first: a typo is a usage error whatever the state of the model file.
    let specs = spec::parse_all(&args.inputs).map_err(|e| Failure::Usage(e.to_string()))?;

    let model = &args.model;
    if matches!(model.try_exists(), Ok(false)) {
        return Err(Failure::Run(format!(
            "model file `{}` not found",
            model.display()
        )));
    }
    let module = tsrun::Module::load(model)
        .map_err(|e| Failure::Run(format!("cannot load `{}`: {e}", model.display())))?;

    let method = &args.method;
    let Some(signature) = module.method_signature(method) else {
        return Err(Failure::Run(format!(
            "the model has no method `{method}` (it has: {})",
            module.method_names().join(", ")
        )));
    };
    let param_types: Vec<String> = signature.params.iter().map(|(_, t)| t.clone()).collect();
    let inputs = spec::load_all(&specs, Path::new(""), &param_types).map_err(Failure::Run)?;

    let given = inputs.len();
    let expected = signature.params.len();
    let arity = || {
        let params: Vec<String> = signature
            .params
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        format!(
            "`{method}` takes {expected} input(s) ({}), got {given}",
            params.join(", ")
        )
    };
    // More inputs than parameters can never work; fewer may (parameters with defaults), so
    // that case is left to the interpreter and only explained if it fails.
    if given > expected {
        return Err(Failure::Run(arity()));
    }
    let result = module.run_method(method, inputs).map_err(|e| {
        if given == expected {
            Failure::Run(e.to_string())
        } else {
            Failure::Run(format!("{}: {e}", arity()))
        }
    })?;

    print_result(&result)?;
    if let Some(path) = &args.output {
        let leaves = output::leaves(&result).map_err(|e| Failure::Run(e.to_string()))?;
        npy_io::write_npz(path, &leaves).map_err(|e| Failure::Run(e.to_string()))?;
    }
    Ok(())
}

fn print_result(result: &tsrun::Value) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match writeln!(out, "{result}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // `tsrun ... | head` closing the pipe early is not the model's failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Run(format!("cannot write the result: {e}"))),
    }
}

/// Prints `error: MSG` as exactly one line and returns `code`.
fn report(msg: &str, code: u8) -> ExitCode {
    eprintln!("error: {}", one_line(msg));
    ExitCode::from(code)
}

/// Joins a multi-line message (a compile error with a source excerpt, say) into one line.
fn one_line(msg: &str) -> String {
    let parts: Vec<&str> = msg
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if parts.is_empty() {
        "unknown error".to_string()
    } else {
        parts.join(" | ")
    }
}

/// clap's errors are several lines (message, tip, usage); keep the first and point to --help.
/// `--help` and `--version` are not failures: print them as clap does.
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        // A closed pipe (`tsrun --help | head`) is no reason to fail.
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("bad command line");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    report(&format!("{first} (see tsrun --help)"), 2)
}

/// A panic is a bug, but it must still look like every other failure: one `error:` line and
/// exit code 1, not Rust's multi-line report and 101.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error: {}{at}", one_line(&msg));
        std::process::exit(1);
    }));
}
