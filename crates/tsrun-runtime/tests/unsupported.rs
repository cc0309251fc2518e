//! Constructs tsrun deliberately does not support fail at load time with a `CompileError`
//! that names the construct and its `code/<file>.py:line:col` (docs/language.md).

use tsrun_runtime::compile::{compile_program, SourceFile};

/// Compiles one printed file defining `def f(...)` and returns `f`'s compile error text.
fn error_of(body: &str) -> String {
    let text = format!("def f(x: int) -> int:\n{body}");
    let file = tsrun_script::parse_file("code/__torch__.py", &text)
        .unwrap_or_else(|e| panic!("parse: {e}"));
    let program = compile_program(
        &[SourceFile {
            path: "code/__torch__.py".into(),
            prefix: "__torch__".into(),
            file,
        }],
        Vec::new(),
        8,
    )
    .unwrap_or_else(|e| panic!("compile: {e}"));
    let f = program.functions.get("__torch__.f").expect("f is declared");
    match f.compiled() {
        Ok(_) => panic!("`{body}` compiled"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn raise_and_assert_statements() {
    let e = error_of("  assert x\n  return x\n");
    assert!(e.starts_with("code/__torch__.py:2:3: "), "{e}");
    assert!(e.contains("`raise`/`assert`"), "{e}");
}

#[test]
fn nested_def_with_parameters() {
    let e = error_of("  def g(y: int):\n    return y\n  return x\n");
    assert!(e.starts_with("code/__torch__.py:2:3: "), "{e}");
    assert!(e.contains("nested function 'g' with parameters"), "{e}");
}

#[test]
fn fork_outside_an_assignment() {
    let e = error_of("  def c():\n    return x\n  return torch.wait(fork(c))\n");
    assert!(e.starts_with("code/__torch__.py:4:"), "{e}");
    assert!(e.contains("fork()"), "{e}");
}

#[test]
fn range_outside_for_and_unknown_types_and_ops() {
    let e = error_of("  r = range(x)\n  return x\n");
    assert!(
        e.contains("code/__torch__.py:2:") && e.contains("range()"),
        "{e}"
    );
    let e = error_of("  c = annotate(complex, x)\n  return x\n");
    assert!(
        e.contains("code/__torch__.py:2:") && e.contains("unknown type 'complex'"),
        "{e}"
    );
    let e = error_of("  return torch.no_such_op(x)\n");
    assert!(
        e.contains("code/__torch__.py:2:") && e.contains("unknown operator 'aten::no_such_op'"),
        "{e}"
    );
}

#[test]
fn for_over_a_list() {
    let e = error_of("  for i in [1, 2]:\n    pass\n  return x\n");
    assert!(e.starts_with("code/__torch__.py:2:3: "), "{e}");
    assert!(e.contains("for-loop"), "{e}");
}
