//! One loaded `Module` shared by many threads: it is `Send + Sync` (checked at compile time), and
//! 8 threads × 1000 `forward` calls each give results bitwise equal to a single-thread call.

use std::path::{Path, PathBuf};

use tsrun::{Module, Value};
use tsrun_cli::array::{ArrayData, NdArray};
use tsrun_cli::{npy_io, output};

const THREADS: usize = 8;
const CALLS: usize = 1000;

/// Fails to compile if `Module` stops being shareable across threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Module>();
};

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/seed")
        .join(name)
}

fn npy(name: &str) -> Value {
    let array = npy_io::read_npy(&seed(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Value::Tensor(array.to_tensor().unwrap_or_else(|e| panic!("{name}: {e}")))
}

/// A result's leaves with floats as their bit patterns, so `==` is bitwise (NaN payloads and the
/// sign of zero count).
#[derive(Debug, PartialEq)]
enum Bits {
    F32(Vec<usize>, Vec<u32>),
    F64(Vec<usize>, Vec<u64>),
    Other(NdArray),
}

fn bits(result: &Value) -> Vec<Bits> {
    let leaves = output::leaves(result).unwrap_or_else(|e| panic!("leaves: {e}"));
    leaves
        .into_iter()
        .map(|a| match &a.data {
            ArrayData::F32(v) => {
                Bits::F32(a.shape.clone(), v.iter().map(|x| x.to_bits()).collect())
            }
            ArrayData::F64(v) => {
                Bits::F64(a.shape.clone(), v.iter().map(|x| x.to_bits()).collect())
            }
            _ => Bits::Other(a),
        })
        .collect()
}

/// Runs `forward(inputs)` once on this thread, then `CALLS` times on each of `THREADS` threads
/// sharing the one module, and checks every result against the first.
fn hammer(model: &str, inputs: Vec<Value>) {
    let module = Module::load(seed(model)).unwrap_or_else(|e| panic!("{model}: {e}"));
    let want = bits(
        &module
            .forward(inputs.clone())
            .unwrap_or_else(|e| panic!("{model}: {e}")),
    );
    let mismatches: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (module, inputs, want) = (&module, &inputs, &want);
                s.spawn(move || {
                    (0..CALLS)
                        .filter(|_| match module.forward(inputs.clone()) {
                            Ok(v) => bits(&v) != *want,
                            Err(_) => true,
                        })
                        .count()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker panicked"))
            .sum()
    });
    assert_eq!(
        mismatches,
        0,
        "{model}: {mismatches} of {} calls differ from the single-thread result",
        THREADS * CALLS
    );
}

#[test]
fn mlp_traced_shared_by_8_threads() {
    hammer("mlp_traced.pt", vec![npy("mlp_traced_b1000.in0.npy")]);
}

#[test]
fn mycell_scripted_shared_by_8_threads() {
    hammer(
        "mycell_scripted.pt",
        vec![
            npy("mycell_scripted.in0.npy"),
            npy("mycell_scripted.in1.npy"),
        ],
    );
}
