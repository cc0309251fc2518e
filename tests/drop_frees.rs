//! Dropping a `Module` frees its compiled program: every class, method, free function and module
//! object it loaded is gone once the module (and anything it returned) is dropped. Compiled code
//! calls functions through non-owning references (`tsrun_runtime::function::Callee`), so
//! recursion, submodule calls and a method's `self: ThisClass` parameter make no `Arc` cycles.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use tsrun::{Module, Tensor, Value};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Weak references to everything a loaded module owns, by name.
struct Watch(Vec<(String, Box<dyn Fn() -> bool>)>);

impl Watch {
    fn add<T: 'static>(&mut self, name: String, strong: &Arc<T>) {
        let weak: Weak<T> = Arc::downgrade(strong);
        self.0
            .push((name, Box::new(move || weak.strong_count() > 0)));
    }

    /// Classes, methods and free functions of the program, and every module object reachable
    /// from the root.
    fn of(module: &Module) -> Watch {
        let mut w = Watch(Vec::new());
        let rt = module.runtime();
        let program = rt.program();
        for (name, class) in &program.classes {
            w.add(format!("class {name}"), class);
        }
        for f in &program.methods {
            w.add(format!("method {}", f.qualified_name), f);
        }
        for (name, f) in &program.functions {
            w.add(format!("function {name}"), f);
        }
        let mut stack = vec![(String::from("root"), rt.root().clone())];
        while let Some((path, obj)) = stack.pop() {
            for (i, v) in obj.slots.read().iter().enumerate() {
                if let Value::Object(child) = v {
                    stack.push((format!("{path}.{i}"), child.clone()));
                }
            }
            w.add(format!("object {path}"), &obj);
        }
        w
    }

    fn assert_all_freed(&self, what: &str) {
        assert!(!self.0.is_empty(), "{what}: nothing to watch");
        let alive: Vec<&str> = self
            .0
            .iter()
            .filter(|(_, alive)| alive())
            .map(|(name, _)| name.as_str())
            .collect();
        assert!(
            alive.is_empty(),
            "{what}: still alive after the module was dropped: {alive:?}"
        );
    }

    fn assert_all_alive(&self, what: &str) {
        let dead: Vec<&str> = self
            .0
            .iter()
            .filter(|(_, alive)| !alive())
            .map(|(name, _)| name.as_str())
            .collect();
        assert!(dead.is_empty(), "{what}: freed while loaded: {dead:?}");
    }
}

fn rand(shape: &[usize]) -> Value {
    let n: usize = shape.iter().product();
    let data: Vec<f32> = (0..n)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
        .collect();
    Value::Tensor(Tensor::from_vec(data, shape).expect("tensor"))
}

/// Loads `rel`, runs `forward(inputs)` `calls` times, drops the module and checks that
/// everything it loaded was freed.
fn check(rel: &str, inputs: &[Value], calls: usize) -> Option<Value> {
    let module = Module::load(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let watch = Watch::of(&module);
    let mut last = None;
    for _ in 0..calls {
        last = Some(module.forward(inputs.to_vec()).map_err(|e| e.to_string()));
    }
    watch.assert_all_alive(rel);
    drop(module);
    watch.assert_all_freed(rel);
    last.map(|r| r.unwrap_or_else(|e| Value::from(e.as_str())))
}

#[test]
fn submodule_calls_in_a_loop_are_freed() {
    // `MyRNNLoop`: a scripted `for` loop calling a traced cell with a `MyDecisionGate`
    // submodule: method calls across three classes, specialised at load.
    let out = check("seed/rnnloop_scripted.pt", &[rand(&[10, 3, 4])], 3);
    assert!(matches!(out, Some(Value::Tuple(_))), "{out:?}");
    let out = check("seed/wraprnn_traced.pt", &[rand(&[10, 3, 4])], 3);
    assert!(matches!(out, Some(Value::Tensor(_))), "{out:?}");
    let out = check(
        "seed/gatedcell_scripted.pt",
        &[rand(&[3, 4]), rand(&[3, 4])],
        3,
    );
    assert!(matches!(out, Some(Value::Tuple(_))), "{out:?}");
}

#[test]
fn recursive_method_is_freed() {
    // `forward` calls itself until the interpreter's RecursionError: the call site refers to
    // its own function.
    let out = check("bad/recursive_forward.pt", &[rand(&[2])], 1);
    match out {
        Some(Value::Str(s)) => assert!(s.contains("RecursionError"), "{s}"),
        other => panic!("expected a RecursionError, got {other:?}"),
    }
}

#[test]
fn plan_model_is_freed() {
    // The MLP runs as a straight-line plan with prepared (packed) weights and per-thread frames.
    let out = check("seed/mlp_traced.pt", &[rand(&[4, 2])], 5);
    assert!(matches!(out, Some(Value::Tensor(_))), "{out:?}");
}

#[test]
fn every_language_fixture_is_freed() {
    // Script classes, enums, interfaces, NamedTuples, `with` blocks, free functions calling
    // each other: every archive of the language groups, loaded and dropped.
    let mut n = 0;
    for group in ["lang", "lang113", "seed"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture(group))
            .unwrap_or_else(|e| panic!("{group}: {e}"))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "pt"))
            .collect();
        paths.sort();
        for p in paths {
            let rel = format!("{group}/{}", p.file_name().unwrap().to_string_lossy());
            let Ok(module) = Module::load(&p) else {
                continue; // archives that must fail to load are checked elsewhere
            };
            let watch = Watch::of(&module);
            drop(module);
            watch.assert_all_freed(&rel);
            n += 1;
        }
    }
    assert!(n > 100, "only {n} archives loaded");
}

#[test]
fn returned_object_keeps_its_class_until_dropped() {
    // A value the module returned may outlive it; what it holds stays valid, and everything is
    // freed once it is dropped too.
    let module = Module::load(fixture("seed/mlp_traced.pt")).expect("load");
    let watch = Watch::of(&module);
    let root = Value::Object(module.runtime().root().clone());
    let shown = root.to_string();
    drop(module);
    assert_eq!(root.to_string(), shown);
    drop(root);
    watch.assert_all_freed("mlp_traced after its root object");
}
