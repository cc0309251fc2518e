//! Per-call cost of the flagship workload (a 2->8->8->1 MLP at batch 1).
//! Ignored by default; run with
//! `cargo test --release -p tsrun-tensor --test mlp_overhead -- --ignored --nocapture`.

use std::time::Instant;

use tsrun_tensor::ops::{linalg, unary};
use tsrun_tensor::{Result, Tensor};

fn forward(x: &Tensor, p: &[Tensor; 6]) -> Result<Tensor> {
    let h = unary::relu(&linalg::linear(x, &p[0], Some(&p[1]))?)?;
    let h = unary::tanh(&linalg::linear(&h, &p[2], Some(&p[3]))?)?;
    unary::sigmoid(&linalg::linear(&h, &p[4], Some(&p[5]))?)
}

#[test]
#[ignore]
fn mlp_forward_overhead() {
    let t = |n: usize, shape: &[usize]| {
        Tensor::from_vec(
            (0..n)
                .map(|i| (i as f32 * 0.37).sin())
                .collect::<Vec<f32>>(),
            shape,
        )
        .unwrap()
    };
    let p = [
        t(16, &[8, 2]),
        t(8, &[8]),
        t(64, &[8, 8]),
        t(8, &[8]),
        t(8, &[1, 8]),
        t(1, &[1]),
    ];
    let x = t(2, &[1, 2]);
    for _ in 0..10_000 {
        forward(&x, &p).unwrap();
    }
    let n = 200_000;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(forward(std::hint::black_box(&x), &p).unwrap());
    }
    let per = start.elapsed().as_nanos() as f64 / n as f64;
    eprintln!("MLP forward: {per:.0} ns/call (6 kernels)");
}
