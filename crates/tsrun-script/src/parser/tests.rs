//! Parser unit tests: precedence, literals, statements, errors, limits.

use crate::ast::*;
use crate::types::TypeExpr;
use crate::{parse_expr, parse_file, ParseError};

fn expr(s: &str) -> Expr {
    parse_expr("t.py", s).unwrap_or_else(|e| panic!("{e}"))
}

fn expr_err(s: &str) -> ParseError {
    match parse_expr("t.py", s) {
        Ok(e) => panic!("parsed {s:?} as {e:?}"),
        Err(e) => e,
    }
}

fn file_err(s: &str) -> ParseError {
    match parse_file("code/__torch__.py", s) {
        Ok(f) => panic!("parsed {s:?} as {f:?}"),
        Err(e) => e,
    }
}

/// Renders an expression in fully parenthesised prefix form.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::NoneLit => "None".into(),
        ExprKind::Ellipsis => "...".into(),
        ExprKind::Attribute { value, attr } => format!("{}.{attr}", show(value)),
        ExprKind::Call { func, args, kwargs } => {
            let mut parts: Vec<String> = args.iter().map(show).collect();
            parts.extend(kwargs.iter().map(|(k, v)| format!("{k}={}", show(v))));
            format!("{}({})", show(func), parts.join(", "))
        }
        ExprKind::Subscript { value, index } => format!("{}[{}]", show(value), show(index)),
        ExprKind::Slice { lower, upper, step } => {
            let o = |x: &Option<Box<Expr>>| x.as_deref().map(show).unwrap_or_default();
            format!("{}:{}:{}", o(lower), o(upper), o(step))
        }
        ExprKind::Tuple(v) => format!(
            "tuple({})",
            v.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::List(v) => format!("[{}]", v.iter().map(show).collect::<Vec<_>>().join(", ")),
        ExprKind::Dict(v) => format!(
            "{{{}}}",
            v.iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Unary { op, operand } => format!("({op:?} {})", show(operand)),
        ExprKind::Binary { op, left, right } => format!("({op:?} {} {})", show(left), show(right)),
        ExprKind::Compare { op, left, right } => format!("({op:?} {} {})", show(left), show(right)),
        ExprKind::BoolOp { op, left, right } => format!("({op:?} {} {})", show(left), show(right)),
        ExprKind::IfExp { cond, then, else_ } => {
            format!("(if {} {} {})", show(cond), show(then), show(else_))
        }
    }
}

fn check(s: &str, want: &str) {
    assert_eq!(show(&expr(s)), want, "for {s:?}");
}

#[test]
fn printed_forms() {
    check("torch.add(x, 1)", "torch.add(x, 1)");
    check("(linear).forward(x, )", "linear.forward(x)");
    check("(torch.size(x))[0]", "torch.size(x)[0]");
    check("annotate(List[int], [])", "annotate(List[int], [])");
    check(
        "annotate(Dict[str, Tensor], {})",
        "annotate(Dict[tuple(str, Tensor)], {})",
    );
    check(
        "torch.zeros([2, 3], dtype=4, layout=None, device=_1)",
        "torch.zeros([2, 3], dtype=4, layout=None, device=_1)",
    );
    check("(1, 2.)", "tuple(1, 2.0)");
    check("(8,)", "tuple(8)");
    check("()", "tuple()");
    check("-9223372036854775808", "-9223372036854775808");
    check("-1", "-1");
    check("-inf", "-inf");
    check("inf", "inf");
    check("- 2.5", "-2.5");
    check("-.5", "-0.5");
    check("1.", "1.0");
    check("\"a\" 'b'", "\"ab\"");
    check("a, b,", "tuple(a, b)");
    check("CONSTANTS.c0", "CONSTANTS.c0");
    check("x[1:2, ::3, :]", "x[tuple(1:2:, ::3, ::)]");
    check("x[a,]", "x[tuple(a)]");
    check("Tuple[()]", "Tuple[tuple()]");
    check("...", "...");
}

#[test]
fn operator_precedence() {
    check("a + b * c", "(Add a (Mul b c))");
    check("a - b - c", "(Sub (Sub a b) c)");
    check("-2 ** 2", "(Neg (Pow 2 2))");
    check("2 ** -1", "(Pow 2 -1)");
    check("2 ** 3 ** 2", "(Pow 2 (Pow 3 2))");
    check(
        "a | b ^ c & d << e + f",
        "(BitOr a (BitXor b (BitAnd c (LShift d (Add e f)))))",
    );
    check(
        "a @ b // c % d / e",
        "(Div (Mod (FloorDiv (MatMul a b) c) d) e)",
    );
    check("not a == b", "(Not (Eq a b))");
    check("a or b and not c", "(Or a (And b (Not c)))");
    check("a < b < c", "(And (Lt a b) (Lt b c))");
    check("a is not None", "(IsNot a None)");
    check("a not in b", "(NotIn a b)");
    check("a if c else b if d else e", "(if c a (if d b e))");
    check("~x + +y", "(Add (Invert x) (Pos y))");
    check("-x.y", "(Neg x.y)");
    check("-(1)", "-1");
    check("- -1", "1");
}

#[test]
fn literal_errors() {
    let e = expr_err("x + 9223372036854775808");
    assert_eq!((e.line, e.col), (1, 5));
    assert_eq!(e.message, "integer literal too large");
    let e = expr_err("-9223372036854775809");
    assert_eq!((e.line, e.col), (1, 2));
    assert!(expr_err("-9223372036854775808 ** 2")
        .message
        .contains("too large"));
    assert!(expr_err("{a}").message.contains("set displays"));
    assert!(expr_err("f(a=1, b)")
        .message
        .contains("positional argument"));
    assert!(expr_err("f(*a)").message.contains("not supported"));
    assert!(expr_err("lambda: 1")
        .message
        .contains("expected an expression"));
    assert!(expr_err("[x for x in y]").message.contains("expected ']'"));
}

#[test]
fn types() {
    let t = |s: &str| crate::expr_to_type(&expr(s)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t("None"), TypeExpr::Name("NoneType".into()));
    assert_eq!(t("__torch__.a.B"), TypeExpr::Name("__torch__.a.B".into()));
    assert_eq!(
        t("Tuple[()]"),
        TypeExpr::Generic {
            name: "Tuple".into(),
            args: vec![]
        }
    );
    for s in [
        "List[Tuple[str, List[float]]]",
        "Optional[List[int]]",
        "Tuple[int, Tuple[float, str], NoneType]",
        "Dict[str, __torch__.a.B]",
        "Tuple[()]",
    ] {
        assert_eq!(t(s).to_string(), s);
    }
    let e = crate::expr_to_type(&expr("List[1]")).unwrap_err();
    assert_eq!((e.line, e.col, e.path.as_str()), (1, 6, ""));
    assert_eq!(e.to_string(), "1:6: invalid type expression");
}

const SAMPLE: &str = "\
class M(Module):
  __parameters__ = [\"w\", ]
  __buffers__ = []
  w : Tensor
  k : Final[int] = -3
  scale : float = 2.
  def forward(self: __torch__.M,
    x: Tensor,
    k: int=2) -> Tuple[Tensor, int]:
    a, b, = (self).helper(x, )
    c = -1
    if torch.gt(k, 0):
      pass
    elif k:
      c = 1
    elif b:
      c = 2
    else:
      c = 3
    self.w = x
    x[0] = 1; x += 2
    v : Optional[int] = None
    for i in range(k):
      if i: break
      continue
    assert c, \"msg\"
    raise ValueError(\"e\")
    return (x, c)
";

#[test]
fn statements() {
    let f = parse_file("t.py", SAMPLE).unwrap_or_else(|e| panic!("{e}"));
    let Item::Class(c) = &f.items[0] else {
        panic!()
    };
    assert_eq!(c.parameters, ["w"]);
    assert_eq!(c.constants.len(), 2);
    assert_eq!(c.constants[0].ty, TypeExpr::Name("int".into()));
    assert_eq!(c.constants[0].value.kind, ExprKind::Int(-3));
    assert_eq!(c.constants[1].ty, TypeExpr::Name("float".into()));
    let m = &c.methods[0];
    assert_eq!(m.params.len(), 3);
    assert_eq!(
        m.params[2].default.as_ref().map(|d| &d.kind),
        Some(&ExprKind::Int(2))
    );
    let kinds: Vec<&StmtKind> = m.body.iter().map(|s| &s.kind).collect();
    assert!(
        matches!(kinds[0], StmtKind::Assign { targets, unpack: true, .. } if targets.len() == 2)
    );
    assert!(matches!(
        kinds[1],
        StmtKind::Assign {
            unpack: false,
            value: Expr {
                kind: ExprKind::Int(-1),
                ..
            },
            ..
        }
    ));
    // elif chain nests.
    let StmtKind::If { else_body, .. } = kinds[2] else {
        panic!()
    };
    let StmtKind::If { else_body: e2, .. } = &else_body[0].kind else {
        panic!()
    };
    let StmtKind::If { else_body: e3, .. } = &e2[0].kind else {
        panic!()
    };
    assert!(matches!(e3[0].kind, StmtKind::Assign { .. }));
    assert_eq!((else_body[0].span.line, else_body[0].span.col), (14, 5));
    assert_eq!(m.body[2].span.line, 12);
    assert!(
        matches!(kinds[3], StmtKind::Assign { targets, .. } if matches!(targets[0].kind, ExprKind::Attribute { .. }))
    );
    assert!(
        matches!(kinds[4], StmtKind::Assign { targets, .. } if matches!(targets[0].kind, ExprKind::Subscript { .. }))
    );
    assert!(matches!(
        kinds[5],
        StmtKind::AugAssign { op: BinOp::Add, .. }
    ));
    assert!(matches!(kinds[6], StmtKind::AnnAssign { target, .. } if target == "v"));
    let StmtKind::For { var, body, .. } = kinds[7] else {
        panic!()
    };
    assert_eq!(var, "i");
    assert!(
        matches!(&body[0].kind, StmtKind::If { then_body, .. } if then_body[0].kind == StmtKind::Break)
    );
    assert_eq!(body[1].kind, StmtKind::Continue);
    assert!(matches!(kinds[8], StmtKind::Assert { msg: Some(_), .. }));
    assert!(matches!(kinds[9], StmtKind::Raise(Some(_))));
    assert!(matches!(
        kinds[10],
        StmtKind::Return(Some(Expr {
            kind: ExprKind::Tuple(_),
            ..
        }))
    ));
    // Statement span covers the line without the newline.
    let s = &m.body[1];
    assert_eq!(
        &SAMPLE[s.span.start as usize..s.span.end as usize],
        "c = -1"
    );
    // Method span covers the whole def.
    assert!(SAMPLE[m.span.start as usize..m.span.end as usize].ends_with("return (x, c)"));
}

#[test]
fn file_edge_cases() {
    assert!(parse_file("t.py", "").unwrap().items.is_empty());
    assert!(parse_file("t.py", "\n\n").unwrap().items.is_empty());
    let f = parse_file("t.py", "def f() -> int:\n  return 1").unwrap();
    assert_eq!(f.items.len(), 1);
    // Four-space and tab indentation.
    parse_file(
        "t.py",
        "class A:\n    x : int\n    def f(self):\n        return 1\n",
    )
    .unwrap();
    parse_file("t.py", "def f():\n\tif x:\n\t\treturn 1\n\treturn 2\n").unwrap();
    // CRLF line endings.
    parse_file("t.py", "def f():\r\n  return 1\r\n").unwrap();
    // Continuation lines at any indentation inside brackets.
    parse_file(
        "t.py",
        "def f(a: int,\n b: int,\n         c: int) -> int:\n  return a\n",
    )
    .unwrap();
    let f = parse_file("t.py", "class E(Enum):\n  pass\n").unwrap();
    assert!(matches!(&f.items[0], Item::Class(c) if c.methods.is_empty()));
}

#[test]
fn syntax_errors_have_positions() {
    let e = file_err("class A(Module):\n  x : int\n  def f(self):\n    y = (a b)\n    return y\n");
    assert_eq!(
        e.to_string(),
        "code/__torch__.py:4:12: expected ')' but found name 'b'"
    );
    let e = file_err("def f(x: Tensor) -> Tensor:\n  return torch.add(x, 1\n");
    assert_eq!((e.line, e.col), (3, 1));
    assert_eq!(e.message, "expected ')' but found end of file");
    let e = file_err("def f():\nreturn 1\n");
    assert_eq!((e.line, e.col), (2, 1));
    assert!(e.message.contains("indented block"));
    let e = file_err("x = 1\n");
    assert_eq!(e.message, "expected 'class' or 'def' but found name 'x'");
    let e = file_err("def f():\n  return 1\n    return 2\n");
    assert_eq!(
        (e.line, e.col, e.message.as_str()),
        (3, 5, "unexpected indent")
    );
    let e = file_err("def f():\n  1 = x\n");
    assert_eq!((e.line, e.col), (2, 3));
    let e = file_err("def f():\n  a = b = c\n");
    assert!(e.message.contains("chained"));
    let e = file_err("class A:\n  x\n");
    assert_eq!((e.line, e.col), (2, 4));
    let e = file_err("class A:\n  __parameters__ = [1]\n");
    assert_eq!((e.line, e.col), (2, 21));
    let e = file_err("def f():\n  s = \"a\\qb\"\n");
    assert_eq!((e.line, e.col), (2, 9));
    let e = file_err("def f():\n  with a as b:\n    pass\n");
    assert!(e.message.contains("as"));
    let e = file_err("def f():\n  import os\n");
    assert_eq!((e.line, e.col), (2, 3));
}

#[test]
fn deep_nesting_is_an_error() {
    let n = 100_000;
    let cases = [
        format!("{}x{}", "(".repeat(n), ")".repeat(n)),
        format!("{}x{}", "[".repeat(n), "]".repeat(n)),
        format!("{}x", "-".repeat(n)),
        format!("{}x", "not ".repeat(n)),
        format!("x{}", ".a".repeat(n)),
        format!("x{}", "()".repeat(n)),
        format!("x{}", "[0]".repeat(n)),
        format!("x{}", " + x".repeat(n)),
        format!("x{}", " and x".repeat(n)),
        format!("x{}", " < x".repeat(n)),
        format!("x{}", " ** x".repeat(n)),
        format!("{}x", "x if x else ".repeat(n)),
        format!("{}1{}", "f(".repeat(n), ")".repeat(n)),
        format!("{}1{}", "{1: ".repeat(n), "}".repeat(n)),
    ];
    for c in &cases {
        let e = expr_err(c);
        assert!(
            e.message.contains("nesting too deep"),
            "{}: {}",
            &c[..20],
            e.message
        );
    }
    // Blocks.
    let mut s = String::from("def f():\n");
    for i in 1..2000 {
        s.push_str(&" ".repeat(i));
        s.push_str("if x:\n");
    }
    s.push_str(&" ".repeat(2000));
    s.push_str("pass\n");
    assert!(file_err(&s).message.contains("nesting too deep"));
    // elif chains.
    let mut s = String::from("def f():\n  if x:\n    pass\n");
    for _ in 0..10_000 {
        s.push_str("  elif x:\n    pass\n");
    }
    assert!(file_err(&s).message.contains("nesting too deep"));
}

#[test]
fn maximum_nesting_fits_the_stack() {
    // The deepest accepted programs: blocks at their limit and, inside,
    // each kind of expression nesting at its limit. Runs on a 2 MiB thread
    // (the default test thread size) in debug builds.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let blocks = crate::MAX_BLOCK_DEPTH as usize - 1;
            let mut head = String::from("def f():\n");
            for i in 1..=blocks {
                head.push_str(&" ".repeat(i));
                head.push_str(if i % 2 == 0 { "while x:\n" } else { "if x:\n" });
            }
            let indent = " ".repeat(blocks + 1);
            let patterns: [(&str, &str); 9] = [
                ("(", ")"),
                ("[", "]"),
                ("f(", ")"),
                ("x[", "]"),
                ("{1: ", "}"),
                ("-", ""),
                ("not ", ""),
                ("2 ** ", ""),
                ("x if x else ", ""),
            ];
            for (open, close) in patterns {
                let mut deepest = 0;
                for n in (1..=crate::MAX_EXPR_DEPTH as usize).rev() {
                    let s = format!("{head}{indent}y = {}x{}\n", open.repeat(n), close.repeat(n));
                    if parse_file("t.py", &s).is_ok() {
                        deepest = n;
                        break;
                    }
                }
                assert!(
                    deepest >= crate::MAX_EXPR_DEPTH as usize / 2 - 1,
                    "{open}: {deepest}"
                );
            }
        })
        .expect("spawn");
    assert!(handle.join().is_ok());
}

#[test]
fn file_too_large() {
    let big = " ".repeat(crate::MAX_FILE_SIZE + 1);
    assert!(file_err(&big).message.contains("too large"));
}

/// Truncations and byte mutations of a real file never panic.
#[test]
fn garbage_never_panics() {
    let text = include_str!("../../tests/corpus/control____torch__.py");
    for end in (0..text.len()).step_by(7) {
        if let Some(prefix) = text.get(..end) {
            let _ = parse_file("t.py", prefix);
        }
    }
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let alphabet = b"()[]{}:,.=-+*\"'\\\n \t#abc012e_";
    for _ in 0..300 {
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..8 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let pos = (seed >> 33) as usize % bytes.len();
            let ch = alphabet[(seed >> 20) as usize % alphabet.len()];
            bytes[pos] = ch;
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = parse_file("t.py", s);
        }
    }
}
