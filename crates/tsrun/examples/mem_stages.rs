//! Prints the process's resident memory (VmRSS, and the high-water mark VmHWM, from
//! `/proc/self/status`) after each stage of a model's life: start, load, first call, more
//! calls, drop. Linux only; a target for `heaptrack` when looking at where memory goes.
//!
//! `cargo run --release -p tsrun --example mem_stages -- fixtures/.cache/zoo/resnet18_traced.pt 1,3,224,224 5`

use tsrun::{Module, Tensor, Value};

/// `(VmRSS, VmHWM)` in MiB, or zeros where `/proc` is not available.
fn rss() -> (f64, f64) {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn report(stage: &str) {
    let (now, peak) = rss();
    println!("{stage:<14} VmRSS {now:7.1} MiB   VmHWM {peak:7.1} MiB");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("fixtures/seed/mlp_traced.pt");
    let shape: Vec<usize> = args
        .get(2)
        .map(String::as_str)
        .unwrap_or("2")
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let calls: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    report("start");
    let module = Module::load(path)?;
    report("loaded");
    let n: usize = shape.iter().product();
    // A fixed, non-trivial input: memory does not depend on the values.
    let data: Vec<f32> = (0..n).map(|i| ((i % 97) as f32 - 48.0) / 48.0).collect();
    let x = Tensor::from_vec(data, &shape)?;
    for i in 0..calls {
        let y = module.forward(vec![Value::Tensor(x.clone())])?;
        drop(y);
        if i == 0 {
            report("first call");
        }
    }
    report(&format!("{calls} calls"));
    drop(module);
    report("dropped");
    Ok(())
}
