//! Plans reuse the buffer of the tensor they returned on the previous call once the caller has
//! dropped it (`docs/architecture.md`, plans). These tests hold results across calls and check
//! that none is overwritten or shared, that results stay correct (against the committed PyTorch
//! outputs) when buffers are recycled, and that a steady-state call allocates nothing.
//!
//! Models: the seed MLP, traced and scripted (three `linear` layers chained into one step,
//! `relu` fused on the first two), and `lang/module_nested_sequential` (`linear`+`relu` then a
//! `linear` without one, chained, then `tanh`).

#[path = "support/compare.rs"]
mod compare;

use std::path::{Path, PathBuf};

use compare::compare_leaves;
use tsrun::{Module, Tensor, Value};
use tsrun_cli::{npy_io, output};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn load(rel: &str) -> Module {
    Module::load(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A committed input and PyTorch's output for it.
struct Case {
    name: String,
    input: Tensor,
    expected: Vec<tsrun_cli::array::NdArray>,
}

fn case(dir: &str, name: &str) -> Case {
    let input = npy_io::read_npy(&fixture(&format!("{dir}/{name}.in0.npy")))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = npy_io::read_npz(&fixture(&format!("{dir}/{name}.expected.npz")))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    Case {
        name: name.to_string(),
        input: input.to_tensor().unwrap_or_else(|e| panic!("{name}: {e}")),
        expected: expected.into_iter().map(|(_, a)| a).collect(),
    }
}

/// Panics unless `got` matches the case's expected output (the manifests' tolerance).
fn check(c: &Case, got: &Value, what: &str) {
    let leaves = output::leaves(got).unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let problems = compare_leaves(&leaves, &c.expected, 1e-6, 0.0);
    assert!(problems.is_empty(), "{} ({what}): {problems:?}", c.name);
}

fn run(module: &Module, c: &Case) -> Value {
    module
        .forward([Value::Tensor(c.input.clone())])
        .unwrap_or_else(|e| panic!("{}: {e}", c.name))
}

fn tensor(v: &Value) -> &Tensor {
    v.as_tensor().expect("a tensor result")
}

/// The address of a result's storage, to see whether a buffer was reused.
fn buffer(v: &Value) -> *const () {
    std::sync::Arc::as_ptr(tensor(v).storage()) as *const ()
}

/// Every result of `calls` calls, all held, stays correct and owns its own buffer; with inputs
/// of different shapes interleaved, each result keeps its own shape and values.
fn held_results_are_never_overwritten(model: &str, cases: &[Case]) {
    let module = load(model);
    let mut held: Vec<(usize, Value)> = Vec::new();
    for i in 0..12 {
        let which = i % cases.len();
        let v = run(&module, &cases[which]);
        check(&cases[which], &v, "fresh");
        held.push((which, v));
    }
    for (which, v) in &held {
        check(&cases[*which], v, "held across later calls");
    }
    for (i, (_, a)) in held.iter().enumerate() {
        for (_, b) in &held[i + 1..] {
            assert!(
                !tensor(a).same_storage(tensor(b)),
                "{model}: two results share a buffer"
            );
        }
    }
}

/// Results dropped before the next call stay correct when their buffers are recycled, also
/// when the input shape changes between calls. With `expect_reuse` (single-row inputs of one
/// element count), the next call must return the dropped result's buffer.
fn dropped_results_are_recycled(model: &str, cases: &[Case], expect_reuse: bool) {
    let module = load(model);
    // Warm up: the frame and its kept result exist after the first call.
    drop(run(&module, &cases[0]));
    let mut last = None;
    for i in 0..8 {
        let c = &cases[i % cases.len()];
        let v = run(&module, c);
        check(c, &v, "recycled");
        if let (true, Some(prev)) = (expect_reuse, last) {
            assert_eq!(
                buffer(&v),
                prev,
                "{model}: the dropped result's buffer is reused"
            );
        }
        last = Some(buffer(&v));
        // `v` is dropped here, before the next call.
    }
    // Holding one result while calling again: a fresh buffer, the held one untouched.
    let held = run(&module, &cases[0]);
    let next = run(&module, &cases[cases.len() - 1]);
    assert!(!tensor(&held).same_storage(tensor(&next)));
    check(&cases[0], &held, "held while the next call ran");
    check(&cases[cases.len() - 1], &next, "next");
}

fn mlp_cases(model: &str) -> Vec<Case> {
    // `bare` is a `[2]` input, `b1` a `[1, 2]` one: one output element each.
    ["bare", "b1"]
        .iter()
        .map(|s| case("seed", &format!("{model}_{s}")))
        .collect()
}

#[test]
fn mlp_traced_results_are_held_and_recycled() {
    let cases = mlp_cases("mlp_traced");
    held_results_are_never_overwritten("seed/mlp_traced.pt", &cases);
    dropped_results_are_recycled("seed/mlp_traced.pt", &cases, true);
}

#[test]
fn mlp_scripted_results_are_held_and_recycled() {
    let cases = mlp_cases("mlp_scripted");
    held_results_are_never_overwritten("seed/mlp_scripted.pt", &cases);
    dropped_results_are_recycled("seed/mlp_scripted.pt", &cases, true);
}

#[test]
fn batched_mlp_results_are_held_and_recycled() {
    // 1000 rows: the chained step runs its layers one by one (the batch path).
    for model in ["mlp_traced", "mlp_scripted"] {
        let mut cases = mlp_cases(model);
        cases.push(case("seed", &format!("{model}_b1000")));
        held_results_are_never_overwritten(&format!("seed/{model}.pt"), &cases);
        dropped_results_are_recycled(&format!("seed/{model}.pt"), &cases, false);
    }
}

#[test]
fn chain_with_and_without_relu_then_tanh() {
    let cases = [case("lang", "module_nested_sequential")];
    held_results_are_never_overwritten("lang/module_nested_sequential.pt", &cases);
    // A batch of two rows: the chain runs layer by layer, `tanh` allocates its result.
    dropped_results_are_recycled("lang/module_nested_sequential.pt", &cases, false);
}

#[test]
fn steady_state_mlp_call_allocates_nothing() {
    for model in ["mlp_traced", "mlp_scripted"] {
        let module = load(&format!("seed/{model}.pt"));
        let cases = mlp_cases(model);
        let x = cases[0].input.clone();
        for _ in 0..3 {
            drop(run(&module, &cases[0]));
        }
        let before = allocations();
        for _ in 0..100 {
            let y = module.forward([Value::Tensor(x.clone())]);
            assert!(y.is_ok());
        }
        let per_call = (allocations() - before) as f64 / 100.0;
        assert_eq!(per_call, 0.0, "{model}: allocations per steady-state call");
        check(
            &cases[0],
            &run(&module, &cases[0]),
            "after the steady-state calls",
        );
    }
}
