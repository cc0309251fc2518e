//! Machine tests on hand-assembled pickles (opcodes written byte by byte).

use std::sync::Arc;

use super::*;
use crate::ArchiveError;

/// A tiny pickle assembler.
#[derive(Clone)]
struct P(Vec<u8>);

impl P {
    fn new() -> Self {
        P(vec![0x80, 2])
    }
    fn op(mut self, b: u8) -> Self {
        self.0.push(b);
        self
    }
    fn raw(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }
    fn global(self, module: &str, name: &str) -> Self {
        self.op(b'c')
            .raw(module.as_bytes())
            .op(b'\n')
            .raw(name.as_bytes())
            .op(b'\n')
    }
    fn str(self, s: &str) -> Self {
        self.op(b'X')
            .raw(&(s.len() as u32).to_le_bytes())
            .raw(s.as_bytes())
    }
    fn int(self, i: i64) -> Self {
        if (0..256).contains(&i) {
            self.op(b'K').op(i as u8)
        } else if (0..65536).contains(&i) {
            self.op(b'M').raw(&(i as u16).to_le_bytes())
        } else if i32::try_from(i).is_ok() {
            self.op(b'J').raw(&(i as i32).to_le_bytes())
        } else {
            self.op(0x8a).op(8).raw(&i.to_le_bytes())
        }
    }
    fn put(self, i: u8) -> Self {
        self.op(b'q').op(i)
    }
    fn get(self, i: u8) -> Self {
        self.op(b'h').op(i)
    }
    fn mark(self) -> Self {
        self.op(b'(')
    }
    fn tuple(self) -> Self {
        self.op(b't')
    }
    fn persid(self, class: &str, key: &str, numel: i64) -> Self {
        self.mark()
            .str("storage")
            .global("torch", class)
            .str(key)
            .str("cpu")
            .int(numel)
            .tuple()
            .op(b'Q')
    }
    /// `_rebuild_tensor_v2(<storage pushed by f>, offset, sizes, strides, rg, OrderedDict())`.
    fn tensor(
        self,
        storage: impl FnOnce(P) -> P,
        offset: i64,
        sizes: &[i64],
        strides: &[i64],
    ) -> Self {
        let mut p = storage(self.global("torch._utils", "_rebuild_tensor_v2").mark());
        p = p.int(offset).mark();
        for &s in sizes {
            p = p.int(s);
        }
        p = p.tuple().mark();
        for &s in strides {
            p = p.int(s);
        }
        p.tuple()
            .op(0x89)
            .global("collections", "OrderedDict")
            .op(b')')
            .op(b'R')
            .tuple()
            .op(b'R')
    }
    fn stop(self) -> Vec<u8> {
        self.op(b'.').0
    }
}

fn parse(p: P) -> Result<PickleValue, ArchiveError> {
    parse_pickle(&p.stop(), "data")
}

fn ok(p: P) -> PickleValue {
    match parse(p) {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn err(p: P) -> String {
    match parse(p) {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "multi-line message: {s:?}");
            s
        }
    }
}

fn tuple(v: &PickleValue) -> &[PickleValue] {
    v.as_tuple().expect("a tuple")
}

#[test]
fn scalars() {
    let v = ok(P::new()
        .mark()
        .op(b'N')
        .op(0x88)
        .op(0x89)
        .int(7)
        .int(300)
        .int(-300)
        .int(70000)
        .op(0x8a)
        .op(6)
        .raw(&[0, 0, 0, 0, 0, 1])
        .op(0x8a)
        .op(1)
        .op(0xff)
        .op(0x8a)
        .op(0)
        .op(b'G')
        .raw(&1.5f64.to_be_bytes())
        .str("café")
        .op(0x8c)
        .op(2)
        .raw(b"hi")
        .tuple());
    let t = tuple(&v);
    assert_eq!(t[0], PickleValue::None);
    assert_eq!(t[1], PickleValue::Bool(true));
    assert_eq!(t[2], PickleValue::Bool(false));
    assert_eq!(t[3], PickleValue::Int(7));
    assert_eq!(t[4], PickleValue::Int(300));
    assert_eq!(t[5], PickleValue::Int(-300));
    assert_eq!(t[6], PickleValue::Int(70000));
    assert_eq!(t[7], PickleValue::Int(1 << 40));
    assert_eq!(t[8], PickleValue::Int(-1));
    assert_eq!(t[9], PickleValue::Int(0));
    assert_eq!(t[10], PickleValue::Float(1.5));
    assert_eq!(t[11].as_str(), Some("café"));
    assert_eq!(t[12].as_str(), Some("hi"));
}

#[test]
fn long1_limits() {
    // i64::MIN and i64::MAX with a redundant sign-extension byte are fine.
    let mut b = i64::MAX.to_le_bytes().to_vec();
    b.push(0);
    let v = ok(P::new().op(0x8a).op(9).raw(&b));
    assert_eq!(v, PickleValue::Int(i64::MAX));
    let mut b = i64::MIN.to_le_bytes().to_vec();
    b.push(0xff);
    assert_eq!(
        ok(P::new().op(0x8a).op(9).raw(&b)),
        PickleValue::Int(i64::MIN)
    );
    // 2^63 does not fit.
    let mut b = vec![0u8; 7];
    b.push(0x80);
    b.push(0);
    assert!(err(P::new().op(0x8a).op(9).raw(&b)).contains("64 bits"));
    // LONG4 as well.
    let e = err(P::new().op(0x8b).raw(&12u32.to_le_bytes()).raw(&[1; 12]));
    assert!(e.contains("64 bits"), "{e}");
}

#[test]
fn containers() {
    let v = ok(P::new()
        .mark()
        .op(b')')
        .op(b'N')
        .op(0x85)
        .int(1)
        .int(2)
        .op(0x86)
        .int(1)
        .int(2)
        .int(3)
        .op(0x87)
        .op(b']')
        .mark()
        .int(1)
        .int(2)
        .op(b'e')
        .mark()
        .int(3)
        .op(b'l')
        .op(b']')
        .int(4)
        .op(b'a')
        .op(b'}')
        .mark()
        .str("b")
        .int(1)
        .str("a")
        .int(2)
        .op(b'u')
        .mark()
        .str("k")
        .op(b'N')
        .op(b'd')
        .op(b'}')
        .str("z")
        .int(0)
        .op(b's')
        .tuple());
    let t = tuple(&v);
    assert_eq!(t.len(), 10);
    assert!(tuple(&t[0]).is_empty());
    assert_eq!(tuple(&t[1]), &[PickleValue::None]);
    assert_eq!(tuple(&t[2]).len(), 2);
    assert_eq!(tuple(&t[3]).len(), 3);
    let l = t[4].as_list().unwrap();
    assert_eq!(l.items, vec![PickleValue::Int(1), PickleValue::Int(2)]);
    assert_eq!(l.elem, ListTag::Untagged);
    assert_eq!(t[5].as_list().unwrap().items, vec![PickleValue::Int(3)]);
    assert_eq!(t[6].as_list().unwrap().items, vec![PickleValue::Int(4)]);
    let d = t[7].as_dict().unwrap();
    let keys: Vec<_> = d.items.iter().map(|(k, _)| k.as_str().unwrap()).collect();
    assert_eq!(keys, ["b", "a"], "insertion order");
    assert_eq!(d.get("a"), Some(&PickleValue::Int(2)));
    assert_eq!(d.type_tag, None);
    assert_eq!(t[8].as_dict().unwrap().get("k"), Some(&PickleValue::None));
    assert_eq!(t[9].as_dict().unwrap().get("z"), Some(&PickleValue::Int(0)));
}

#[test]
fn pop_dup_memoize_frame() {
    let v = ok(P::new()
        .op(0x95)
        .raw(&[0; 8])
        .mark()
        .int(1)
        .int(2)
        .op(b'0')
        .op(b'2')
        .op(0x94)
        .mark()
        .int(9)
        .op(b'1')
        .get(0)
        .tuple());
    assert_eq!(
        tuple(&v),
        &[
            PickleValue::Int(1),
            PickleValue::Int(1),
            PickleValue::Int(1)
        ]
    );
}

#[test]
fn memo_aliasing_is_ptr_eq() {
    // list memoized before being filled; BINGET twice; tuple memoized too.
    let v = ok(P::new()
        .op(b']')
        .put(0)
        .mark()
        .int(1)
        .op(b'e')
        .op(0x85)
        .put(1)
        .get(0)
        .get(1)
        .op(0x87));
    let t = tuple(&v);
    let (PickleValue::Tuple(inner), PickleValue::List(a), PickleValue::Tuple(inner2)) =
        (&t[0], &t[1], &t[2])
    else {
        panic!("{v:?}")
    };
    assert!(Arc::ptr_eq(inner, inner2));
    let PickleValue::List(b) = &inner[0] else {
        panic!()
    };
    assert!(Arc::ptr_eq(a, b));
    assert_eq!(a.items, vec![PickleValue::Int(1)]);
}

#[test]
fn object_memoized_before_build_is_the_built_object() {
    let v = ok(P::new()
        .global("__torch__", "Cell")
        .op(b')')
        .op(0x81)
        .put(0)
        .op(b'}')
        .str("training")
        .op(0x88)
        .op(b's')
        .op(b'b')
        .get(0)
        .op(0x86));
    let t = tuple(&v);
    let (PickleValue::Object(a), PickleValue::Object(b)) = (&t[0], &t[1]) else {
        panic!("{v:?}")
    };
    assert!(Arc::ptr_eq(a, b));
    assert_eq!(&*a.class, "__torch__.Cell");
    assert_eq!(
        a.state.as_dict().unwrap().get("training"),
        Some(&PickleValue::Bool(true))
    );
}

#[test]
fn tensors_share_storage_and_identity() {
    let v = ok(P::new()
        .mark()
        .tensor(|p| p.persid("FloatStorage", "0", 24).put(7), 0, &[24], &[1])
        .put(9)
        .tensor(|p| p.get(7), 4, &[6], &[1])
        .tensor(|p| p.get(7), 0, &[4, 3], &[1, 4])
        .tensor(|p| p.persid("FloatStorage", "0", 24), 0, &[5], &[5])
        .tensor(|p| p.persid("LongStorage", "1", 1), 0, &[], &[])
        .tensor(|p| p.persid("FloatStorage", "2", 0), 0, &[0, 3], &[3, 1])
        .get(9)
        .tuple());
    let t: Vec<_> = tuple(&v).iter().map(|x| x.as_tensor().unwrap()).collect();
    assert!(Arc::ptr_eq(&t[0].storage, &t[1].storage));
    assert!(Arc::ptr_eq(&t[0].storage, &t[2].storage));
    assert!(
        Arc::ptr_eq(&t[0].storage, &t[3].storage),
        "same key, same Arc"
    );
    assert!(
        Arc::ptr_eq(t[0], t[6]),
        "memoized tensor is the same tensor"
    );
    assert!(!Arc::ptr_eq(t[0], t[1]));
    assert_eq!(t[1].offset, 4);
    assert_eq!(t[2].sizes, vec![4, 3]);
    assert_eq!(t[2].strides, vec![1, 4]);
    let s = &t[0].storage;
    assert_eq!(
        (
            s.key.as_str(),
            s.dtype,
            s.numel,
            s.location.as_str(),
            s.folder.as_str()
        ),
        ("0", StorageDType::F32, 24, "cpu", "data")
    );
    assert_eq!(s.record_name(), "data/0");
    assert_eq!(t[4].storage.dtype, StorageDType::I64);
    assert!(t[4].sizes.is_empty());
    assert_eq!(t[5].sizes, vec![0, 3]);
    assert!(!t[0].requires_grad);
}

#[test]
fn storage_folder_comes_from_the_caller() {
    let b = P::new()
        .tensor(|p| p.persid("HalfStorage", "0", 2), 0, &[2], &[1])
        .stop();
    let v = parse_pickle(&b, "constants").unwrap();
    assert_eq!(v.as_tensor().unwrap().storage.folder, "constants");
    assert_eq!(v.as_tensor().unwrap().storage.dtype.itemsize(), 2);
}

#[test]
fn rebuild_with_empty_metadata_dict() {
    let p = P::new()
        .global("torch._utils", "_rebuild_tensor_v2")
        .mark()
        .persid("FloatStorage", "0", 1)
        .int(0)
        .op(b')')
        .op(b')')
        .op(0x88)
        .global("collections", "OrderedDict")
        .op(b')')
        .op(b'R');
    let good = p.clone().op(b'}').tuple().op(b'R');
    assert!(ok(good).as_tensor().unwrap().requires_grad);
    let bad = p.op(b'}').str("x").int(1).op(b's').tuple().op(b'R');
    assert!(err(bad).contains("metadata"));
}

#[test]
fn enum_and_device() {
    let v = ok(P::new()
        .global("__torch__", "Color")
        .int(2)
        .op(b'R')
        .global("torch", "device")
        .str("cpu")
        .op(0x85)
        .op(b'R')
        .op(0x86));
    let t = tuple(&v);
    let PickleValue::Enum(e) = &t[0] else {
        panic!()
    };
    assert_eq!(&*e.class, "__torch__.Color");
    assert_eq!(e.value, PickleValue::Int(2));
    assert_eq!(t[1], PickleValue::Device(Arc::from("cpu")));
    // A tuple argument is a constructor call, not an enum.
    let e = err(P::new()
        .global("__torch__", "Color")
        .int(2)
        .op(0x85)
        .op(b'R'));
    assert!(e.contains("only enum values"), "{e}");
}

#[test]
fn setstate_tuple_build() {
    let v = ok(P::new()
        .global("__torch__", "GetSetState")
        .op(b')')
        .op(0x81)
        .op(b'G')
        .raw(&2.0f64.to_be_bytes())
        .tensor(|p| p.persid("FloatStorage", "0", 3), 0, &[3], &[1])
        .op(0x88)
        .op(0x87)
        .op(b'b'));
    let o = v.as_object().unwrap();
    assert_eq!(&*o.class, "__torch__.GetSetState");
    let s = tuple(&o.state);
    assert_eq!(s[0], PickleValue::Float(2.0));
    assert!(s[1].as_tensor().is_some());
    assert_eq!(s[2], PickleValue::Bool(true));
}

fn typed(builder: &str, items: impl FnOnce(P) -> P) -> P {
    items(
        P::new()
            .global("torch.jit._pickle", builder)
            .mark()
            .op(b']')
            .mark(),
    )
    .op(b'e')
    .tuple()
    .op(b'R')
}

#[test]
fn typed_lists() {
    let l = ok(typed("build_intlist", |p| p.int(1).int(2)));
    assert_eq!(l.as_list().unwrap().elem, ListTag::Int);
    let l = ok(typed("build_intlist", |p| p));
    assert!(l.as_list().unwrap().items.is_empty());
    let l = ok(typed("build_doublelist", |p| {
        p.op(b'G').raw(&0.5f64.to_be_bytes())
    }));
    assert_eq!(l.as_list().unwrap().elem, ListTag::Float);
    let l = ok(typed("build_boollist", |p| p.op(0x88)));
    assert_eq!(l.as_list().unwrap().elem, ListTag::Bool);
    let l = ok(typed("build_tensorlist", |p| {
        p.tensor(|p| p.persid("FloatStorage", "0", 1), 0, &[1], &[1])
            .put(3)
            .get(3)
    }));
    let l = l.as_list().unwrap();
    assert_eq!(l.elem, ListTag::Tensor);
    let (PickleValue::Tensor(a), PickleValue::Tensor(b)) = (&l.items[0], &l.items[1]) else {
        panic!()
    };
    assert!(Arc::ptr_eq(a, b));

    assert!(err(typed("build_intlist", |p| p.str("x"))).contains("wrong type"));
    assert!(err(typed("build_boollist", |p| p.int(1))).contains("wrong type"));
    // Appending a wrong element after tagging is caught at the end.
    let e = err(typed("build_intlist", |p| p.int(1)).str("x").op(b'a'));
    assert!(e.contains("another type"), "{e}");
}

#[test]
fn restore_type_tag() {
    let v = ok(P::new()
        .global("torch.jit._pickle", "restore_type_tag")
        .put(0)
        .op(b'}')
        .mark()
        .str("x")
        .int(1)
        .op(b'u')
        .str("Dict[str, int]")
        .op(0x86)
        .op(b'R')
        .get(0)
        .op(b']')
        .mark()
        .str("a")
        .op(b'e')
        .str("List[str]")
        .op(0x86)
        .op(b'R')
        .op(0x86));
    let t = tuple(&v);
    assert_eq!(
        t[0].as_dict().unwrap().type_tag.as_deref(),
        Some("Dict[str, int]")
    );
    assert_eq!(
        t[1].as_list().unwrap().elem,
        ListTag::Tagged(Arc::from("List[str]"))
    );
    let e = err(P::new()
        .global("torch.jit._pickle", "restore_type_tag")
        .int(1)
        .str("int")
        .op(0x86)
        .op(b'R'));
    assert!(e.contains("only lists and dicts"), "{e}");
}

// ---------------- hostile input ----------------

#[test]
fn os_system_is_refused_by_name() {
    let b = P::new()
        .global("posix", "system")
        .str("ls")
        .op(0x85)
        .op(b'R')
        .stop();
    let e = parse_pickle(&b, "data").unwrap_err();
    assert!(matches!(
        e,
        ArchiveError::UnsupportedGlobal { offset: 2, .. }
    ));
    assert_eq!(
        e.to_string(),
        "unsupported pickle global 'posix.system' at byte 2 of data.pkl"
    );
    for (m, n) in [
        ("builtins", "eval"),
        ("torch", "load"),
        ("torch._utils", "_rebuild_parameter"),
        ("__builtin__", "getattr"),
        ("torch", "Tensor"),
    ] {
        assert!(err(P::new().global(m, n)).contains("unsupported pickle global"));
    }
    // Control characters in a global name stay on one line.
    let e = err(P::new().global("evil\rmod", "x"));
    assert!(e.contains("evil\\rmod"), "{e}");
}

#[test]
fn quantized_is_refused_with_a_reason() {
    let e = err(P::new().global(
        "__torch__.torch.classes.quantized",
        "LinearPackedParamsBase",
    ));
    assert!(
        e.contains("quantized model (torchbind class __torch__.torch.classes.quantized.LinearPackedParamsBase) not supported"),
        "{e}"
    );
    assert!(err(P::new().global("torch._utils", "_rebuild_qtensor")).contains("quantized"));
}

#[test]
fn memo_miss_and_underflow() {
    assert!(err(P::new().get(3)).contains("memo index 3 is not set"));
    assert!(err(P::new().op(b'j').raw(&u32::MAX.to_le_bytes())).contains("not set"));
    assert!(err(P::new().put(0)).contains("underflow"));
    assert!(err(P::new().op(0x86)).contains("underflow"));
    assert!(
        err(P::new().int(1).mark().op(0x85)).contains("underflow"),
        "pop below mark"
    );
    assert!(err(P::new().op(b't')).contains("MARK"));
    assert!(err(P::new().op(b'R')).contains("underflow"));
}

#[test]
fn wrong_types() {
    assert!(err(P::new().int(1).int(2).op(b'a')).contains("APPEND"));
    assert!(err(P::new().op(b'}').int(2).op(b'a')).contains("not a list"));
    assert!(err(P::new().op(b']').int(1).int(2).op(b's')).contains("not a dict"));
    assert!(err(P::new().op(b'}').mark().int(1).op(b'u')).contains("odd"));
    assert!(err(P::new().int(1).op(b')').op(b'R')).contains("REDUCE of a int"));
    assert!(err(P::new().op(b'}').op(b'}').op(b'b')).contains("not an object"));
    assert!(
        err(P::new().global("__torch__", "A").int(1).op(0x85).op(0x81)).contains("with arguments")
    );
    assert!(err(P::new()
        .global("collections", "OrderedDict")
        .op(b')')
        .op(0x81))
    .contains("only __torch__"));
    assert!(err(P::new()
        .global("collections", "OrderedDict")
        .int(1)
        .op(0x85)
        .op(b'R'))
    .contains("arguments"));
    assert!(
        err(P::new().global("torch", "FloatStorage").op(b')').op(b'R')).contains("persistent id")
    );
    assert!(err(P::new().global("torch", "FloatStorage")).contains("used as a plain value"));
    assert!(err(P::new().persid("FloatStorage", "0", 1)).contains("outside a tensor"));
    let built_twice = P::new()
        .global("__torch__", "A")
        .op(b')')
        .op(0x81)
        .op(b'}')
        .op(b'b')
        .op(b'}')
        .op(b'b');
    assert!(err(built_twice).contains("already built"));
    assert!(err(P::new().global("__torch__", "A").op(b')').op(0x81)).contains("never built"));
    assert!(err(P::new().op(b'I')).contains("unsupported pickle opcode 0x49"));
    assert!(err(P::new().op(b'c').raw(b"os\nsystem\n")).contains("os.system"));
}

#[test]
fn persistent_id_shape() {
    let four = P::new()
        .mark()
        .str("storage")
        .global("torch", "FloatStorage")
        .str("0")
        .str("cpu")
        .tuple()
        .op(b'Q');
    assert!(err(four).contains("persistent id"));
    let not_storage = P::new()
        .mark()
        .str("module")
        .global("torch", "FloatStorage")
        .str("0")
        .str("cpu")
        .int(1)
        .tuple()
        .op(b'Q');
    assert!(err(not_storage).contains("'storage'"));
    assert!(err(P::new().str("x").op(b'Q')).contains("must be a tuple"));
    assert!(err(P::new().persid("FloatStorage", "../0", 1)).contains("not a decimal"));
    assert!(err(P::new().persid("FloatStorage", "0", -1)).contains(">= 0"));
    let clash = P::new()
        .persid("FloatStorage", "0", 4)
        .persid("FloatStorage", "0", 5)
        .op(0x86);
    assert!(err(clash).contains("described twice"));
}

#[test]
fn huge_numel() {
    // 2^62 float32 elements overflow a 64-bit byte count.
    let e = err(P::new().tensor(|p| p.persid("FloatStorage", "0", 1 << 62), 0, &[1], &[1]));
    assert!(e.contains("overflow"), "{e}");
    // 2^62 bytes does not overflow: the pickle parses; Archive::read_storage
    // refuses it against the record size (tested in tests/small_archive.rs).
    let v = ok(P::new().tensor(|p| p.persid("ByteStorage", "0", 1 << 62), 0, &[1], &[1]));
    assert_eq!(v.as_tensor().unwrap().storage.numel, 1 << 62);
}

#[test]
fn view_bounds() {
    let t = |offset, sizes: &[i64], strides: &[i64]| {
        P::new().tensor(
            |p| p.persid("FloatStorage", "0", 24),
            offset,
            sizes,
            strides,
        )
    };
    ok(t(0, &[24], &[1]));
    ok(t(23, &[1], &[1]));
    ok(t(0, &[4, 6], &[6, 1]));
    ok(t(24, &[0], &[1])); // an empty view addresses nothing
    ok(t(0, &[0, 1000], &[1000, 1]));
    // ... but an offset beyond the storage is refused even for an empty view.
    assert!(err(t(100, &[0], &[1])).contains("out of bounds"));
}

#[test]
fn view_bounds_errors() {
    let t = |offset, sizes: &[i64], strides: &[i64]| {
        P::new().tensor(
            |p| p.persid("FloatStorage", "0", 24),
            offset,
            sizes,
            strides,
        )
    };
    assert!(err(t(0, &[25], &[1])).contains("out of bounds"));
    assert!(err(t(1, &[24], &[1])).contains("out of bounds"));
    assert!(err(t(0, &[4, 6], &[6, 2])).contains("out of bounds"));
    assert!(err(t(0, &[2, 2], &[1])).contains("sizes but"));
    assert!(err(t(0, &[2], &[-1])).contains(">= 0"));
    assert!(err(t(-1, &[2], &[1])).contains(">= 0"));
    assert!(err(t(0, &[2, 2], &[i64::MAX, i64::MAX])).contains("out of bounds"));
    assert!(err(t(i64::MAX, &[2], &[i64::MAX])).contains("out of bounds"));
}

#[test]
fn stop_trailing_and_truncated() {
    let mut b = P::new().op(b'N').stop();
    b.push(b'N');
    let e = parse_pickle(&b, "data").unwrap_err().to_string();
    assert!(e.contains("1 trailing bytes after STOP at byte 3"), "{e}");
    assert!(err(P::new().mark().op(b'N')).contains("open MARK"));
    assert!(err(P::new().op(b'N').op(b'N')).contains("extra values"));
    assert!(err(P::new()).contains("underflow"));
    assert!(parse_pickle(&[], "data")
        .unwrap_err()
        .to_string()
        .contains("no STOP"));
    // Every prefix of a real-looking pickle fails cleanly.
    let full = P::new()
        .global("__torch__", "M")
        .op(b')')
        .op(0x81)
        .op(b'}')
        .mark()
        .str("w")
        .tensor(|p| p.persid("FloatStorage", "0", 4), 0, &[2, 2], &[2, 1])
        .op(b'u')
        .op(b'b')
        .stop();
    assert!(parse_pickle(&full, "data").is_ok());
    for n in 0..full.len() {
        assert!(parse_pickle(&full[..n], "data").is_err(), "prefix {n}");
    }
    // BINUNICODE claiming more than what is left.
    let e = err(P::new().op(b'X').raw(&u32::MAX.to_le_bytes()).raw(b"abc"));
    assert!(e.contains("exceeds"), "{e}");
    assert!(err(P::new()
        .op(b'X')
        .raw(&2u32.to_le_bytes())
        .raw(&[0xff, 0xfe]))
    .contains("UTF-8"));
    assert!(err(P::new().op(b'c').raw(b"no newline")).contains("newline"));
    assert!(err(P::new().op(0x80).op(9)).contains("protocol"));
}

#[test]
fn deep_nesting_is_refused_without_stack_overflow() {
    let n = 100_000;
    // 100k MARKs.
    let mut p = P::new();
    p.0.extend(std::iter::repeat_n(b'(', n));
    assert!(err(p).contains("nested MARKs"));
    // 100k nested 1-tuples.
    let mut p = P::new().op(b'N');
    p.0.extend(std::iter::repeat_n(0x85, n));
    assert!(err(p).contains("nesting deeper"));
    // 100k nested lists built through the memo-free APPEND chain.
    let mut p = P::new();
    p.0.extend(std::iter::repeat_n(b']', n));
    p.0.extend(std::iter::repeat_n(b'a', n - 1));
    assert!(err(p).contains("nesting deeper"));
    // 100k nested dicts via MARK/SETITEMS would hit the MARK cap; via SETITEM:
    let mut p = P::new();
    for _ in 0..n {
        p = p.op(b'}').op(b'N');
    }
    p = p.op(b'N');
    p.0.extend(std::iter::repeat_n(b's', n - 1));
    assert!(parse(p).is_err());
}

#[test]
fn cycles_are_refused() {
    // l = []; l.append(l)
    let e = err(P::new().op(b']').put(0).get(0).op(b'a'));
    assert!(e.contains("cycle"), "{e}");
    // an object whose state holds itself
    let e = err(P::new()
        .global("__torch__", "A")
        .op(b')')
        .op(0x81)
        .put(0)
        .op(b'}')
        .str("me")
        .get(0)
        .op(b's')
        .op(b'b'));
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn shared_subtrees_are_not_copied() {
    // t0 = (); t_{i+1} = (t_i, t_i): 2^60 nodes if expanded.
    let mut p = P::new().op(b')').put(0).op(b'0');
    for _ in 0..60 {
        p = p.get(0).get(0).op(0x86).put(0).op(b'0');
    }
    let v = ok(p.get(0));
    let t = tuple(&v);
    let (PickleValue::Tuple(a), PickleValue::Tuple(b)) = (&t[0], &t[1]) else {
        panic!()
    };
    assert!(Arc::ptr_eq(a, b));
    // Same with lists (mutable nodes).
    let mut p = P::new().op(b']').put(0).op(b'0');
    for _ in 0..60 {
        p = p.op(b']').mark().get(0).get(0).op(b'e').put(0).op(b'0');
    }
    assert!(ok(p.get(0)).as_list().is_some());
}

#[test]
fn mutation_fuzz_never_panics() {
    let seed = P::new()
        .global("__torch__", "M")
        .put(0)
        .op(b')')
        .op(0x81)
        .op(b'}')
        .mark()
        .str("w")
        .tensor(
            |p| p.persid("FloatStorage", "0", 4).put(1),
            0,
            &[2, 2],
            &[2, 1],
        )
        .put(2)
        .str("v")
        .tensor(|p| p.get(1), 1, &[3], &[1])
        .str("l")
        .global("torch.jit._pickle", "build_intlist")
        .mark()
        .op(b']')
        .mark()
        .int(1)
        .int(300)
        .op(b'e')
        .tuple()
        .op(b'R')
        .str("a")
        .get(2)
        .op(b'u')
        .op(b'b')
        .stop();
    assert!(parse_pickle(&seed, "data").is_ok());
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut b = seed.clone();
        for _ in 0..(next() % 4 + 1) {
            let i = (next() as usize) % b.len();
            match next() % 3 {
                0 => b[i] = next() as u8,
                1 => {
                    b.remove(i);
                }
                _ => b.insert(i, next() as u8),
            }
            if b.is_empty() {
                break;
            }
        }
        let _ = parse_pickle(&b, "data");
    }
}
