//! Calls a model's `forward` many times on one `[2]` input: a target for `perf` and
//! `valgrind --tool=callgrind` when looking for per-call overhead. Each result is dropped
//! before the next call, as a caller that consumes its results would; the input is passed
//! as an array (no `Vec`). Prints the time and the heap allocations per call (a counting
//! global allocator).
//!
//! `cargo run --release -p tsrun --example profile_loop -- fixtures/seed/mlp_traced.pt 1000000`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Instant;

use tsrun::{Module, Tensor, Value};

/// The system allocator, counting allocations made on this thread.
struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the counter may be gone.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches no heap memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    let allocs_before = ALLOCS.with(Cell::get);
    let start = Instant::now();
    for _ in 0..n {
        let y = module.forward([Value::Tensor(x.clone())])?;
        std::hint::black_box(&y);
    }
    let per_call = start.elapsed().as_secs_f64() / n as f64 * 1e6;
    let allocs = ALLOCS.with(Cell::get) - allocs_before;
    let last = module.forward([Value::Tensor(x)])?;
    println!(
        "{n} calls, {per_call:.3} us/call, {:.3} allocations/call, last = {last}",
        allocs as f64 / n.max(1) as f64
    );
    Ok(())
}
