//! Loads an archive `N` times and prints the median load time: a target for `perf` and
//! `valgrind --tool=callgrind` when looking at where `Module::load` spends its time.
//!
//! `cargo run --release -p tsrun --example load_loop -- fixtures/.cache/zoo/resnet18_frozen.pt 10`

use std::time::Instant;

use tsrun::Module;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("fixtures/seed/mlp_traced.pt");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let module = Module::load(path)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        drop(module);
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!("{n} loads, median {median:.2} ms, all {times:.1?}");
    Ok(())
}
