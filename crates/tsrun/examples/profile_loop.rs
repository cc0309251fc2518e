//! Calls a model's `forward` many times on one `[2]` input: a target for `perf` and
//! `valgrind --tool=callgrind` when looking for per-call overhead.
//!
//! `cargo run --release -p tsrun --example profile_loop -- fixtures/seed/mlp_traced.pt 1000000`

use std::time::Instant;

use tsrun::{Module, Tensor, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("fixtures/seed/mlp_traced.pt");
    let n: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let module = Module::load(path)?;
    let x = Tensor::from_vec(vec![0.25f32, -0.75], &[2])?;
    let start = Instant::now();
    let mut last = Value::None;
    for _ in 0..n {
        last = module.forward(vec![Value::Tensor(x.clone())])?;
    }
    let per_call = start.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!("{n} calls, {per_call:.3} us/call, last = {last}");
    Ok(())
}
