//! Load a TorchScript archive and run its `forward` on one input.
//!
//! ```sh
//! cargo run -p tsrun --example run_model -- fixtures/seed/mlp_traced.pt
//! ```
//!
//! The input is a `[1, N]` float32 tensor of `0.5`s, with `N` read from the first parameter's
//! shape; a real program would build it from its own data (see `Tensor::from_vec`,
//! `Tensor::from_array`).

use tsrun::{Module, Tensor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/seed/mlp_traced.pt".to_string());

    let module = Module::load(&path)?;
    let signature = module
        .method_signature("forward")
        .ok_or("the model has no forward method")?;
    println!("{path}: {signature}");

    // The model's first weight matrix tells how many features it takes.
    let info = tsrun::inspect(&path)?;
    let features = info
        .parameters
        .first()
        .and_then(|p| p.shape.last().copied())
        .unwrap_or(1);
    let x = Tensor::from_vec(vec![0.5f32; features], &[1, features])?;

    let y = module.forward([x.into()])?;
    println!("forward(0.5 x {features}) = {y}");

    // Take the result apart: a tensor, viewed as an ndarray without copying.
    if let Some(t) = y.as_tensor() {
        let view = t.as_array_view::<f32>()?;
        println!("as ndarray: shape {:?}, sum {}", view.shape(), view.sum());
    }
    Ok(())
}
