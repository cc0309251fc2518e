//! Per-call time of the seed MLP (2->8->8->1, ReLU) through the library API, batch 1.
//!
//! `cargo bench -p tsrun --bench mlp`. Compare with PyTorch in the same run with
//! `python3 scripts/bench_mlp.py` (see docs/performance.md).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use tsrun::{Module, Tensor, Value};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/seed")
        .join(name)
}

fn bench_mlp(c: &mut Criterion) {
    for name in ["mlp_traced", "mlp_scripted"] {
        let module = match Module::load(fixture(&format!("{name}.pt"))) {
            Ok(m) => m,
            Err(e) => panic!("loading {name}: {e}"),
        };
        let x = match Tensor::from_vec(vec![0.25f32, -0.75], &[2]) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        // A fresh input `Vec` per call, as before `forward` took any iterator.
        c.bench_function(&format!("{name}/forward_[2]"), |b| {
            b.iter(|| module.forward(vec![Value::Tensor(x.clone())]))
        });
        // The input as an array: no allocation at all in steady state (criterion drops each
        // result before the next call, so its buffer is reused).
        c.bench_function(&format!("{name}/forward_[2]_array"), |b| {
            b.iter(|| module.forward([Value::Tensor(x.clone())]))
        });
    }
}

criterion_group!(benches, bench_mlp);
criterion_main!(benches);
