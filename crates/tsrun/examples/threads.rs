//! One loaded model shared by several threads: `Module` is `Send + Sync`, so an
//! `Arc<Module>` is all it takes; each call has its own frame, and the weights are shared.
//!
//! ```sh
//! cargo run --release -p tsrun --example threads -- fixtures/seed/mlp_traced.pt 4
//! ```

use std::sync::Arc;
use std::thread;

use tsrun::{Module, Tensor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "fixtures/seed/mlp_traced.pt".to_string());
    let workers: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4);

    let module = Arc::new(Module::load(&path)?);

    // The answer for one input, computed on this thread, to check the others against.
    let input = |i: usize| Tensor::from_vec(vec![i as f32 * 0.1, -1.0], &[1, 2]);
    let expected: Vec<f32> = (0..workers)
        .map(|i| -> Result<f32, Box<dyn std::error::Error>> {
            let y: Tensor = module.forward(vec![input(i)?.into()])?.try_into()?;
            Ok(y.to_vec::<f32>()[0])
        })
        .collect::<Result<_, _>>()?;

    let handles: Vec<_> = (0..workers)
        .map(|i| {
            let module = Arc::clone(&module);
            thread::spawn(move || -> Result<(f32, usize), String> {
                let x = input(i).map_err(|e| e.to_string())?;
                let mut last = 0.0;
                for _ in 0..1000 {
                    let y = module
                        .forward(vec![x.clone().into()])
                        .map_err(|e| e.to_string())?;
                    let y: Tensor = y
                        .try_into()
                        .map_err(|e: tsrun::ConversionError| e.to_string())?;
                    last = y.to_vec::<f32>()[0];
                }
                Ok((last, 1000))
            })
        })
        .collect();

    for (i, handle) in handles.into_iter().enumerate() {
        let (y, calls) = handle.join().map_err(|_| "a worker panicked")??;
        assert_eq!(y, expected[i], "thread {i} disagrees with the main thread");
        println!(
            "thread {i}: {calls} calls, forward([{:.1}, -1.0]) = {y}",
            i as f32 * 0.1
        );
    }
    Ok(())
}
