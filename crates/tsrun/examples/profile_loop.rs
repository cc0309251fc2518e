//! Calls a model's `forward` many times on one `[2]` input: a target for `perf` and
//! `valgrind --tool=callgrind` when looking for per-call overhead. Each result is dropped
//! before the next call, as a caller that consumes its results would; the input is passed
//! as an array (no `Vec`). Prints the time and the heap allocations per call (a counting
//! global allocator).
//!
//! `cargo run --release -p tsrun --example profile_loop -- fixtures/seed/mlp_traced.pt 1000000`

use std::time::Instant;

use tsrun::{Module, Tensor, Value};

#[path = "../../../tests/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;

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
    let allocs_before = allocations();
    let start = Instant::now();
    for _ in 0..n {
        let y = module.forward([Value::Tensor(x.clone())])?;
        std::hint::black_box(&y);
    }
    let per_call = start.elapsed().as_secs_f64() / n as f64 * 1e6;
    let allocs = allocations() - allocs_before;
    let last = module.forward([Value::Tensor(x)])?;
    println!(
        "{n} calls, {per_call:.3} us/call, {:.3} allocations/call, last = {last}",
        allocs as f64 / n.max(1) as f64
    );
    Ok(())
}
