//! `tsrun MODEL.pt [--input SPEC]... [--method NAME] [--output OUT.npz] [--threads N] [--quiet]`
//! `tsrun inspect MODEL.pt [--json]`
//! `tsrun ops [FILTER]`
//!
//! Runs one method of a TorchScript archive and prints the result, describes an archive, or
//! lists the supported operators. This file is only the command line and exit codes; the work
//! is in the `tsrun_cli` library and the `tsrun` crate.
//!
//! `inspect` and `ops` are recognised only as the first argument, so every run command line
//! that worked before still works; a model file literally named `inspect` or `ops` is run
//! as `tsrun ./inspect`.
//!
//! Exit codes: 0 success; 1 any failure to load or run (missing or corrupt archive, unreadable
//! input file, unknown method, wrong inputs, an error raised by the model, unwritable output,
//! a model `inspect` could describe but not load, and, as a last resort, an internal panic);
//! 2 a malformed command line (unknown flag, missing argument, bad SPEC syntax). Every failure
//! prints exactly one line, `error: ...`, on stderr.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use tsrun_cli::{inspect_view, npy_io, output, spec};

/// The accepted SPEC forms, in one line, for the error of a spec that does not parse.
const SPEC_FORMS: &str = "accepted: PATH.npy | zeros:2,3 ones:2,3 rand:2,3 randn:2,3 | \
JSON literals 3 2.5 true null '\"text\"' '[1, 2]' | nan inf -inf";

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

--threads N sets the size of rayon's global thread pool, which the tensor kernels (matmul,
large elementwise ops) use; the default is one thread per CPU (or RAYON_NUM_THREADS).

Other commands (first argument only; run a model file named `inspect` as ./inspect):
  tsrun inspect MODEL.pt [--json]   describe an archive: version, module tree, parameters,
                                    buffers, methods, the ops its code calls, extra files
  tsrun ops [FILTER]                list every supported operator overload's schema

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

    /// Size of the thread pool the tensor kernels use (default: one per CPU).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// Do not print the result (still written to --output; errors still reported).
    #[arg(short, long)]
    quiet: bool,

    /// Time N further calls of the method after a warm-up and print, as the last line of
    /// stdout, `{"bench": {"calls": N, "median_us": ..., "p10_us": ..., "p90_us": ..., "load_ms": ...}}`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    bench: Option<u64>,
}

/// Describe a TorchScript archive: format version, module tree, parameters and buffers,
/// methods, the operators its code calls (and whether tsrun supports each), extra files.
#[derive(Parser, Debug)]
#[command(name = "tsrun inspect", bin_name = "tsrun inspect")]
struct InspectArgs {
    /// The TorchScript archive.
    #[arg(value_name = "MODEL.pt")]
    model: PathBuf,

    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// List the schema of every operator overload tsrun implements, one per line.
#[derive(Parser, Debug)]
#[command(name = "tsrun ops", bin_name = "tsrun ops")]
struct OpsArgs {
    /// Only schemas containing this text (e.g. `aten::add`).
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
}

/// A failure and its exit code.
enum Failure {
    /// The command line is malformed: exit code 2.
    Usage(String),
    /// Anything else: exit code 1.
    Run(String),
    /// Already reported (clap's help or error): exit with this code.
    Exit(ExitCode),
}

fn main() -> ExitCode {
    install_panic_hook();
    let argv: Vec<OsString> = std::env::args_os().collect();
    let result = match argv.get(1).and_then(|a| a.to_str()) {
        Some("inspect") => parse::<InspectArgs>(&argv[1..]).and_then(|a| inspect(&a)),
        Some("ops") => parse::<OpsArgs>(&argv[1..]).and_then(|a| ops(&a)),
        _ => parse::<Args>(&argv).and_then(|a| run(&a)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Exit(code)) => code,
        Err(Failure::Usage(msg)) => report(&msg, 2),
        Err(Failure::Run(msg)) => report(&msg, 1),
    }
}

/// Parses a command line (`argv[0]` is the program or subcommand name).
fn parse<P: Parser>(argv: &[OsString]) -> Result<P, Failure> {
    P::try_parse_from(argv).map_err(|e| Failure::Exit(clap_failure(&e)))
}

fn inspect(args: &InspectArgs) -> Result<(), Failure> {
    let model = &args.model;
    check_exists(model)?;
    let info = tsrun::inspect(model)
        .map_err(|e| Failure::Run(format!("cannot read `{}`: {e}", model.display())))?;
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&inspect_view::to_json(&info))
            .map_err(|e| Failure::Run(e.to_string()))?;
        s.push('\n');
        s
    } else {
        inspect_view::to_text(&info)
    };
    print_text(&text)?;
    // The report says what the model needs; the exit code still tells a script it cannot run.
    match &info.load_error {
        Some(e) => Err(Failure::Run(format!(
            "cannot load `{}`: {e}",
            model.display()
        ))),
        None => Ok(()),
    }
}

fn ops(args: &OpsArgs) -> Result<(), Failure> {
    let mut text = String::new();
    for schema in tsrun::inspect::op_schemas() {
        if args
            .filter
            .as_ref()
            .is_none_or(|f| schema.contains(f.as_str()))
        {
            text.push_str(&schema);
            text.push('\n');
        }
    }
    print_text(&text)
}

fn check_exists(model: &Path) -> Result<(), Failure> {
    if matches!(model.try_exists(), Ok(false)) {
        return Err(Failure::Run(format!(
            "model file `{}` not found",
            model.display()
        )));
    }
    Ok(())
}

fn run(args: &Args) -> Result<(), Failure> {
    // Spec syntax first: a typo is a usage error whatever the state of the model file.
    let specs =
        spec::parse_all(&args.inputs).map_err(|e| Failure::Usage(format!("{e} ({SPEC_FORMS})")))?;
    if let Some(n) = args.threads {
        // Only fails if the pool was already built, which nothing in this process does first.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.into())
            .build_global()
            .map_err(|e| Failure::Run(format!("cannot set --threads {n}: {e}")))?;
    }

    let model = &args.model;
    check_exists(model)?;
    let load_start = std::time::Instant::now();
    let module = tsrun::Module::load(model)
        .map_err(|e| Failure::Run(format!("cannot load `{}`: {e}", model.display())))?;
    let load_ms = load_start.elapsed().as_secs_f64() * 1e3;

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
    let bench_inputs = args.bench.map(|_| inputs.clone());
    let result = module.run_method(method, inputs).map_err(|e| {
        let msg = e.to_string();
        if given == expected {
            Failure::Run(msg)
        } else if msg.contains(" expects ") {
            // The runtime's own count error: ours says the same with the parameter list.
            Failure::Run(arity())
        } else {
            Failure::Run(format!("{}: {e}", arity()))
        }
    })?;

    if !args.quiet {
        print_text(&format!("{result}\n"))?;
    }
    if let Some(path) = &args.output {
        let leaves = output::leaves(&result).map_err(|e| Failure::Run(e.to_string()))?;
        npy_io::write_npz(path, &leaves).map_err(|e| Failure::Run(e.to_string()))?;
    }
    if let (Some(calls), Some(inputs)) = (args.bench, bench_inputs) {
        let report = tsrun_cli::bench::measure(calls as usize, load_ms, || {
            // Cloned from the slice: no input `Vec` per call, as a library caller would.
            module.run_method(method, inputs.iter().cloned()).map(drop)
        })
        .map_err(|e| Failure::Run(e.to_string()))?;
        print_text(&format!("{}\n", report.to_json_line()))?;
    }
    Ok(())
}

fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
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
    // The message is the paragraph before clap's blank line and usage; keep all of it
    // (a missing argument's name is on its second line), in one line.
    let message: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let command = e
        .get(clap::error::ContextKind::Usage)
        .and_then(|u| {
            let u = u.to_string();
            let words: Vec<&str> = u.split_whitespace().take(3).collect();
            // `Usage: tsrun inspect <MODEL.pt>` -> `tsrun inspect`.
            let cmd: Vec<&str> = words
                .into_iter()
                .skip_while(|w| w.ends_with(':'))
                .take_while(|w| !w.starts_with(['<', '[', '-']))
                .collect();
            (!cmd.is_empty()).then(|| cmd.join(" "))
        })
        .unwrap_or_else(|| "tsrun".to_string());
    report(&format!("{message} (see {command} --help)"), 2)
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
