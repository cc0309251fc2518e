//! Per-kernel times for the operators that dominate the benchmark models: `cargo bench -p
//! tsrun-tensor --bench kernels`. Inputs are deterministic; sizes are those of resnet18,
//! mobilenet_v2 and the seed MLP layers.

use criterion::{criterion_group, criterion_main, Criterion};
use tsrun_tensor::ops::fixed_linear::FixedLinear;
use tsrun_tensor::ops::nn::conv::{convolution, ConvParams};
use tsrun_tensor::ops::{binary, linalg, reduce, unary};
use tsrun_tensor::{Scalar, Tensor};

fn filled(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0)
        .collect();
    match Tensor::from_vec(v, shape) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    }
}

fn conv_params(stride: i64, padding: i64, groups: i64) -> ConvParams {
    ConvParams {
        stride: vec![stride],
        padding: vec![padding],
        dilation: vec![1],
        transposed: false,
        output_padding: vec![0],
        groups,
    }
}

fn bench_linear(c: &mut Criterion) {
    let x = filled(&[8]);
    let w = filled(&[8, 8]);
    let b = filled(&[8]);
    c.bench_function("linear/general 1x8x8", |bn| {
        bn.iter(|| linalg::linear(&x, &w, Some(&b)))
    });
    let fixed = FixedLinear::new(w.clone(), Some(b.clone()));
    let mut out = Tensor::placeholder();
    c.bench_function("linear/fixed+relu 1x8x8 (recycled output)", |bn| {
        bn.iter(|| fixed.run_into(&x, &mut out, true))
    });
    let x = filled(&[64, 512]);
    let w = filled(&[1000, 512]);
    c.bench_function("linear/64x512x1000", |bn| {
        bn.iter(|| linalg::linear(&x, &w, None))
    });
    let a = filled(&[256, 256]);
    c.bench_function("matmul/256x256x256", |bn| {
        bn.iter(|| linalg::matmul(&a, &a))
    });
}

fn bench_conv(c: &mut Criterion) {
    let x = filled(&[1, 64, 56, 56]);
    let w = filled(&[64, 64, 3, 3]);
    let p = conv_params(1, 1, 1);
    c.bench_function("conv2d/3x3 64->64 56x56", |bn| {
        bn.iter(|| convolution(&x, &w, None, &p))
    });
    let x = filled(&[1, 96, 56, 56]);
    let w = filled(&[96, 1, 3, 3]);
    let p = conv_params(1, 1, 96);
    c.bench_function("conv2d/depthwise 3x3 96ch 56x56", |bn| {
        bn.iter(|| convolution(&x, &w, None, &p))
    });
}

fn bench_elementwise(c: &mut Criterion) {
    let a = filled(&[1, 64, 56, 56]);
    let b = filled(&[1, 64, 1, 1]);
    c.bench_function("add/broadcast [1,64,56,56]+[1,64,1,1]", |bn| {
        bn.iter(|| binary::add(&a, &b, Scalar::Int(1)))
    });
    c.bench_function("relu/[1,64,56,56]", |bn| bn.iter(|| unary::relu(&a)));
}

/// The transcendental functions of the LSTM gates and attention's softmax (vectorised f32).
fn bench_transcendental(c: &mut Criterion) {
    let gates = filled(&[4, 4096]);
    c.bench_function("exp/16k", |bn| bn.iter(|| unary::exp(&gates)));
    c.bench_function("sigmoid/16k", |bn| bn.iter(|| unary::sigmoid(&gates)));
    c.bench_function("tanh/16k", |bn| bn.iter(|| unary::tanh(&gates)));
    let scores = filled(&[4, 128, 128]);
    c.bench_function("softmax/[4,128,128] last dim", |bn| {
        bn.iter(|| reduce::softmax(&scores, -1, None))
    });
}

criterion_group!(
    benches,
    bench_linear,
    bench_conv,
    bench_elementwise,
    bench_transcendental
);
criterion_main!(benches);
