//! Loading: archive -> parsed code -> compiled program; data.pkl -> module object tree.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use tsrun_archive::{Archive, ListTag, PickleValue, StorageDType, StorageRef, TensorRef};
use tsrun_tensor::{DType, Storage, Tensor};

use crate::class::{ClassKind, ClassType};
use crate::compile::{compile_program, Program, SourceFile};
use crate::debug_info::SourceMap;
use crate::error::{CompileError, RtResult, RuntimeError};
use crate::function::{Block, Callee, Expr, FunctionRef, StmtKind};
use crate::typecheck::value_has_type;
use crate::types::Type;
use crate::value::{Dict, EnumValue, List, Object, Value};

/// A method signature in printable form.
pub struct SignatureText {
    /// `(name, type)` of each parameter after `self`.
    pub params: Vec<(String, String)>,
    /// Return type.
    pub ret: String,
}

/// A loaded archive: its compiled program and its root module object.
pub struct LoadedModule {
    program: Program,
    root: Arc<Object>,
    /// Printed code -> original Python source, for error messages.
    sources: SourceMap,
    /// The root's methods, specialised for this module tree (see `optimize`), in class order.
    entries: Vec<Arc<FunctionRef>>,
    /// `forward`, looked up once so the common call does no search by name.
    forward: Option<Arc<FunctionRef>>,
    /// Owns the specialised functions that `entries` call (call sites only refer to them).
    _specialized: Vec<Arc<FunctionRef>>,
}

impl LoadedModule {
    /// Loads and compiles everything; fails if a method of the root module (or anything it
    /// calls) cannot be compiled.
    pub fn load(archive: &Archive) -> Result<LoadedModule, CompileError> {
        let mut files = Vec::new();
        let mut texts = Vec::new();
        for cf in archive.code_files()? {
            let parsed = tsrun_script::parse_file(&cf.path, &cf.text)?;
            let path: Arc<str> = cf.path.as_str().into();
            files.push(SourceFile {
                path: path.clone(),
                prefix: cf.qualified_prefix.clone(),
                file: parsed,
            });
            texts.push((path, Arc::from(cf.text.as_str())));
        }
        let sources = SourceMap::read(archive, &texts);
        let mut builder = ValueBuilder {
            archive,
            classes: None,
            storages: HashMap::new(),
            tensors: HashMap::new(),
            objects: HashMap::new(),
            lists: HashMap::new(),
            dicts: HashMap::new(),
            setstate: Vec::new(),
            converted: 0,
        };
        // Kept alive for the whole load: the builder's memos are keyed by the addresses of
        // pickle nodes, which must not be freed (and reused by the data.pkl parse) meanwhile.
        let constants_pickle = archive.constants_pickle()?;
        let constants = match &constants_pickle {
            PickleValue::Tuple(items) => items
                .iter()
                .map(|v| builder.convert(v, None))
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(CompileError::new("constants.pkl does not hold a tuple")),
        };
        let program = compile_program(&files, constants, archive.version())?;
        builder.classes = Some(&program.classes);
        let data = archive.data_pickle()?;
        let root = match builder.convert(&data, None)? {
            Value::Object(o) => o,
            other => {
                return Err(CompileError::new(format!(
                    "data.pkl holds a {}, not a module object",
                    other.kind_name()
                )))
            }
        };
        // Objects pickled with __getstate__ get their state through the compiled __setstate__.
        for (obj, state) in std::mem::take(&mut builder.setstate) {
            let m = obj.class.method("__setstate__").ok_or_else(|| {
                CompileError::new(format!(
                    "class {} was pickled with a custom state but has no __setstate__",
                    obj.class.name
                ))
            })?;
            crate::interp::call(&m, smallvec::smallvec![Value::Object(obj.clone()), state])
                .map_err(|e| CompileError::new(format!("running {}: {e}", m.qualified_name)))?;
        }
        check_compiled(&root.class)?;
        let (entries, specialized) = specialize_entries(&program, &root);
        let forward = entries.iter().find(|m| m.name == "forward").cloned();
        Ok(LoadedModule {
            program,
            root,
            sources,
            entries,
            forward,
            _specialized: specialized,
        })
    }

    fn method(&self, name: &str) -> Option<&Arc<FunctionRef>> {
        if name == "forward" {
            return self.forward.as_ref();
        }
        self.entries.iter().find(|m| m.name == name)
    }

    /// Runs a method of the root module with positional inputs (moved, not cloned: a tensor
    /// the caller gave up stays solely owned). A method that runs as a plan gets its inputs
    /// moved straight into its frame; otherwise up to seven are gathered on the stack. Either
    /// way, passing an array or an iterator costs no allocation.
    pub fn run_method(
        &self,
        name: &str,
        inputs: impl IntoIterator<Item = Value>,
    ) -> RtResult<Value> {
        let m = self.method(name).ok_or_else(|| {
            RuntimeError::new(format!(
                "the module has no method '{name}' (methods: {})",
                self.method_names().join(", ")
            ))
        })?;
        let plan = m
            .compiled()
            .ok()
            .and_then(|f| f.plan.as_ref())
            .filter(|p| p.num_params() == m.params.len());
        let result = match plan {
            // A plan makes no calls, so it needs no call-depth accounting (`call_slice`).
            Some(plan) => crate::plan::run_with(plan, |params| {
                self.bind(m, params, inputs, plan.reads_receiver())
            }),
            None => {
                let mut args: smallvec::SmallVec<[Value; 8]> = smallvec::SmallVec::new();
                args.resize(m.params.len(), Value::None);
                self.bind(m, &mut args, inputs, true)?;
                crate::interp::call_slice(m, &mut args)
            }
        };
        result.map_err(|e| self.sources.annotate(e))
    }

    /// Moves the receiver (when `receiver`: code that never reads `self` is spared its
    /// reference count) and `inputs` into `cells` (one per parameter of `m`, `self` first),
    /// fills in defaults and checks the count and types against `m`'s signature, as PyTorch
    /// does (`TypeError` naming the signature).
    fn bind(
        &self,
        m: &FunctionRef,
        cells: &mut [Value],
        inputs: impl IntoIterator<Item = Value>,
        receiver: bool,
    ) -> RtResult<()> {
        let (Some((this, cells)), Some((_, params))) =
            (cells.split_first_mut(), m.params.split_first())
        else {
            return Err(RuntimeError::new(format!(
                "{} has no receiver parameter",
                m.qualified_name
            )));
        };
        if receiver {
            *this = Value::Object(self.root.clone());
        }
        let mut inputs = inputs.into_iter();
        let mut given = 0;
        for cell in cells.iter_mut() {
            match inputs.next() {
                Some(v) => *cell = v,
                None => break,
            }
            given += 1;
        }
        let given = given + inputs.count();
        if given > params.len() || given < params.iter().filter(|p| p.default.is_none()).count() {
            return Err(RuntimeError::exception(
                "TypeError",
                format!(
                    "{} expects {} input(s) but {} were given",
                    m.signature_text(),
                    params.len(),
                    given
                ),
            ));
        }
        for (i, (p, v)) in params.iter().zip(cells).enumerate() {
            if i >= given {
                *v = p.default.clone().unwrap_or_default();
            }
            if let (Type::Float, Value::Int(x)) = (&p.ty, &*v) {
                *v = Value::Float(*x as f64);
            }
            if !value_has_type(v, &p.ty) {
                return Err(RuntimeError::exception(
                    "TypeError",
                    format!(
                        "{}: argument '{}' must be {} but got a {}",
                        m.signature_text(),
                        p.name,
                        p.ty,
                        v.kind_name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The printable signature of a method.
    pub fn signature(&self, name: &str) -> Option<SignatureText> {
        let m = self.root.class.method(name)?;
        Some(SignatureText {
            params: m.params[1..]
                .iter()
                .map(|p| (p.name.clone(), p.ty.to_string()))
                .collect(),
            ret: m.ret.to_string(),
        })
    }

    /// Names of the root module's methods.
    pub fn method_names(&self) -> Vec<String> {
        self.root
            .class
            .body()
            .methods
            .iter()
            .map(|m| m.name().to_string())
            .collect()
    }

    /// The root module object.
    pub fn root(&self) -> &Arc<Object> {
        &self.root
    }

    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.program
    }
}

/// Specialises every root method for the loaded object tree, unless `TSRUN_NO_OPT` is set
/// (used to check that optimised and plain execution agree). Returns the entries and every
/// specialised function (which the caller must keep alive).
fn specialize_entries(
    program: &Program,
    root: &Arc<Object>,
) -> (Vec<Arc<FunctionRef>>, Vec<Arc<FunctionRef>>) {
    let methods = root.class.methods();
    if std::env::var_os("TSRUN_NO_OPT").is_some() {
        return (methods, Vec::new());
    }
    let mut opt = crate::optimize::Optimizer::new(program);
    let this = Some(Value::Object(root.clone()));
    let dump = std::env::var_os("TSRUN_DUMP_IR");
    let dump_all = dump.as_deref() == Some(std::ffi::OsStr::new("all"));
    let dump = dump.is_some() && !dump_all;
    let entries: Vec<Arc<FunctionRef>> = methods
        .iter()
        .map(|m| {
            let s = opt.specialize(m, std::slice::from_ref(&this));
            if let (true, Ok(f)) = (dump, s.compiled()) {
                eprint!(
                    "{}",
                    crate::function_dump::dump_function(&s.qualified_name, f)
                );
            }
            s
        })
        .collect();
    if dump_all {
        for f in opt.specialized() {
            if let Ok(body) = f.compiled() {
                eprint!(
                    "{}",
                    crate::function_dump::dump_function(&f.qualified_name, body)
                );
            }
        }
    }
    (entries, opt.into_specialized())
}

/// Fails if a root method, or any function it reaches, did not compile.
fn check_compiled(root: &ClassType) -> Result<(), CompileError> {
    let mut seen: Vec<*const FunctionRef> = Vec::new();
    let mut stack: Vec<Arc<FunctionRef>> = root.methods();
    while let Some(f) = stack.pop() {
        if seen.contains(&Arc::as_ptr(&f)) {
            continue;
        }
        seen.push(Arc::as_ptr(&f));
        let func = f.compiled()?;
        collect_calls(&func.body, &mut stack);
    }
    Ok(())
}

fn collect_calls(block: &Block, out: &mut Vec<Arc<FunctionRef>>) {
    for s in block {
        match &s.kind {
            StmtKind::Assign(_, e)
            | StmtKind::Unpack(_, e)
            | StmtKind::Expr(e)
            | StmtKind::Return(e) => expr_calls(e, out),
            StmtKind::SetAttr { obj, value, .. } => {
                expr_calls(obj, out);
                expr_calls(value, out);
            }
            StmtKind::If(c, a, b) => {
                expr_calls(c, out);
                collect_calls(a, out);
                collect_calls(b, out);
            }
            StmtKind::ForRange { count, body, .. } => {
                expr_calls(count, out);
                collect_calls(body, out);
            }
            StmtKind::While(c, body) => {
                expr_calls(c, out);
                collect_calls(body, out);
            }
            StmtKind::With {
                ctx,
                enter,
                exit,
                body,
            } => {
                expr_calls(ctx, out);
                out.extend(enter.iter().chain(exit).filter_map(Callee::get));
                collect_calls(body, out);
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => {}
        }
    }
}

fn expr_calls(e: &Expr, out: &mut Vec<Arc<FunctionRef>>) {
    let mut each = |xs: &[Expr]| xs.iter().for_each(|x| expr_calls(x, out));
    match e {
        Expr::Call(f, args) => {
            out.extend(f.get());
            args.iter().for_each(|x| expr_calls(x, out));
        }
        Expr::Op(_, args)
        | Expr::CallVirtual { args, .. }
        | Expr::MakeTuple(args)
        | Expr::MakeList(_, args)
        | Expr::NewNamedTuple(_, args)
        | Expr::Print(args)
        | Expr::Format(args) => each(args),
        Expr::GetAttr(x, _)
        | Expr::TupleIndex(x, _)
        | Expr::IntToFloat(x)
        | Expr::IsInstance(x, _) => expr_calls(x, out),
        Expr::MakeDict(_, _, items) => items.iter().for_each(|(k, v)| {
            expr_calls(k, out);
            expr_calls(v, out);
        }),
        Expr::BoolOp(_, a, b) => {
            expr_calls(a, out);
            expr_calls(b, out);
        }
        Expr::IfExp(c, a, b) => {
            expr_calls(c, out);
            expr_calls(a, out);
            expr_calls(b, out);
        }
        Expr::Local(_) | Expr::Move(_) | Expr::Const(_) | Expr::NewObject(_) => {}
    }
}

/// Turns pickle values into run-time values, keeping identity: one tensor per pickled tensor
/// object, one buffer per storage, one object, list and dict per pickled object, list and
/// dict (a list stored in two attributes is one list, as in PyTorch: appending through one
/// name shows through the other). Tuples are immutable, so they are converted as trees.
struct ValueBuilder<'a> {
    archive: &'a Archive,
    classes: Option<&'a HashMap<String, Arc<ClassType>>>,
    storages: HashMap<*const StorageRef, Arc<Storage>>,
    tensors: HashMap<*const TensorRef, Tensor>,
    objects: HashMap<*const tsrun_archive::PickleObject, Arc<Object>>,
    lists: HashMap<*const tsrun_archive::PickleList, Arc<List>>,
    dicts: HashMap<*const tsrun_archive::PickleDict, Arc<Dict>>,
    setstate: Vec<(Arc<Object>, Value)>,
    /// Values converted so far, against [`MAX_LOADED_VALUES`].
    converted: usize,
}

/// Most values the pickles may expand to. Tuples, lists and dicts are converted as trees, so a
/// pickle whose memo shares one tuple twice per level (60 levels in 123 bytes) would otherwise
/// expand to 2^60 values and never finish loading. Real pickles are trees of at most a few
/// million values (one per pickled item).
const MAX_LOADED_VALUES: usize = 1 << 24;

fn storage_dtype(d: StorageDType) -> Result<DType, CompileError> {
    Ok(match d {
        StorageDType::U8 => DType::U8,
        StorageDType::I8 => DType::I8,
        StorageDType::I16 => DType::I16,
        StorageDType::I32 => DType::I32,
        StorageDType::I64 => DType::I64,
        StorageDType::F16 => DType::F16,
        StorageDType::BF16 => DType::BF16,
        StorageDType::F32 => DType::F32,
        StorageDType::F64 => DType::F64,
        StorageDType::Bool => DType::Bool,
        other => {
            return Err(CompileError::new(format!(
                "tensors of dtype {} are not supported",
                other.name()
            )))
        }
    })
}

impl ValueBuilder<'_> {
    fn tensor(&mut self, t: &Arc<TensorRef>) -> Result<Tensor, CompileError> {
        if let Some(x) = self.tensors.get(&Arc::as_ptr(t)) {
            return Ok(x.clone());
        }
        let sref = &t.storage;
        let storage = match self.storages.get(&Arc::as_ptr(sref)) {
            Some(s) => s.clone(),
            None => {
                let dtype = storage_dtype(sref.dtype)?;
                // Sizes are checked against the record before the buffer is allocated.
                self.archive.storage_len(sref)?;
                let archive = self.archive;
                let s = Storage::from_le_fill(dtype, sref.numel, |bytes| {
                    archive.read_storage_into(sref, bytes)
                })
                .map_err(|e| {
                    CompileError::new(format!("storage {}/{}: {e}", sref.folder, sref.key))
                })??;
                let s = Arc::new(s);
                self.storages.insert(Arc::as_ptr(sref), s.clone());
                s
            }
        };
        let strides: Vec<isize> = t.strides.iter().map(|&s| s as isize).collect();
        let tensor = Tensor::from_storage(storage, t.offset, &t.sizes, &strides).map_err(|e| {
            CompileError::new(format!(
                "tensor on storage {}/{}: {e}",
                sref.folder, sref.key
            ))
        })?;
        self.tensors.insert(Arc::as_ptr(t), tensor.clone());
        Ok(tensor)
    }

    fn class(&self, name: &str) -> Result<Arc<ClassType>, CompileError> {
        self.classes
            .and_then(|c| c.get(name))
            .cloned()
            .ok_or_else(|| {
                CompileError::new(format!(
                    "data.pkl uses class '{name}', which code/ does not define"
                ))
            })
    }

    fn convert(&mut self, v: &PickleValue, expected: Option<&Type>) -> Result<Value, CompileError> {
        self.converted += 1;
        if self.converted > MAX_LOADED_VALUES {
            return Err(CompileError::new(format!(
                "the pickles expand to more than {MAX_LOADED_VALUES} values (shared sub-values \
                 repeated in a loop?)"
            )));
        }
        let elem_of = |t: Option<&Type>| match t.map(Type::unwrap_optional) {
            Some(Type::List(e)) => Some((**e).clone()),
            _ => None,
        };
        Ok(match v {
            PickleValue::None => Value::None,
            PickleValue::Bool(b) => Value::Bool(*b),
            PickleValue::Int(i) => match expected.map(Type::unwrap_optional) {
                Some(Type::Float) => Value::Float(*i as f64),
                _ => Value::Int(*i),
            },
            PickleValue::Float(f) => Value::Float(*f),
            PickleValue::Str(s) => Value::Str(s.clone()),
            PickleValue::Device(d) => Value::Device(d.clone()),
            PickleValue::Tensor(t) => Value::Tensor(self.tensor(t)?),
            PickleValue::Tuple(items) => {
                let types: Option<Vec<Type>> = match expected.map(Type::unwrap_optional) {
                    Some(Type::Tuple(ts)) if ts.len() == items.len() => Some(ts.to_vec()),
                    _ => None,
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.iter().enumerate() {
                    out.push(self.convert(x, types.as_ref().and_then(|t| t.get(i)))?);
                }
                Value::tuple(out)
            }
            PickleValue::List(l) => {
                if let Some(x) = self.lists.get(&Arc::as_ptr(l)) {
                    return Ok(Value::List(x.clone()));
                }
                let elem = match &l.elem {
                    ListTag::Int => Type::Int,
                    ListTag::Float => Type::Float,
                    ListTag::Bool => Type::Bool,
                    ListTag::Tensor => Type::Tensor,
                    _ => elem_of(expected).unwrap_or(Type::Any),
                };
                let mut out = Vec::with_capacity(l.items.len());
                for x in &l.items {
                    out.push(self.convert(x, Some(&elem))?);
                }
                let list = Arc::new(List {
                    elem,
                    items: Mutex::new(out),
                });
                self.lists.insert(Arc::as_ptr(l), list.clone());
                Value::List(list)
            }
            PickleValue::Dict(d) => {
                if let Some(x) = self.dicts.get(&Arc::as_ptr(d)) {
                    return Ok(Value::Dict(x.clone()));
                }
                let (kt, vt) = match expected.map(Type::unwrap_optional) {
                    Some(Type::Dict(k, v)) => ((**k).clone(), (**v).clone()),
                    _ => (Type::Any, Type::Any),
                };
                let mut out = Vec::with_capacity(d.items.len());
                for (k, x) in &d.items {
                    out.push((self.convert(k, Some(&kt))?, self.convert(x, Some(&vt))?));
                }
                let dict = Arc::new(Dict {
                    key: kt,
                    value: vt,
                    items: Mutex::new(out),
                });
                self.dicts.insert(Arc::as_ptr(d), dict.clone());
                Value::Dict(dict)
            }
            PickleValue::Enum(e) => {
                let class = self.class(&e.class)?;
                let raw = self.convert(&e.value, None)?;
                let member = class
                    .body()
                    .enum_members
                    .iter()
                    .find(|(_, mv)| crate::ops::values_equal(mv, &raw))
                    .map(|(n, _)| n.clone())
                    .ok_or_else(|| {
                        CompileError::new(format!(
                            "enum {} has no member with value {raw}",
                            class.name
                        ))
                    })?;
                Value::Enum(Arc::new(EnumValue {
                    class,
                    name: member.into(),
                    value: raw,
                }))
            }
            PickleValue::Object(o) => {
                if let Some(x) = self.objects.get(&Arc::as_ptr(o)) {
                    return Ok(Value::Object(x.clone()));
                }
                let class = self.class(&o.class)?;
                let n = class.body().attributes.len();
                let obj = Arc::new(Object {
                    class: class.clone(),
                    slots: RwLock::new(vec![Value::None; n]),
                });
                self.objects.insert(Arc::as_ptr(o), obj.clone());
                match &o.state {
                    PickleValue::Dict(d) if class.method("__setstate__").is_none() => {
                        let mut slots = vec![Value::None; n];
                        for (k, x) in &d.items {
                            let PickleValue::Str(key) = k else {
                                return Err(CompileError::new(format!(
                                    "{}: attribute name is not a string",
                                    class.name
                                )));
                            };
                            let i = class.attribute_index(key).ok_or_else(|| {
                                CompileError::new(format!(
                                    "data.pkl sets '{key}' but class {} does not declare it",
                                    class.name
                                ))
                            })?;
                            let ty = class.body().attributes[i].ty.clone();
                            slots[i] = self.convert(x, Some(&ty))?;
                        }
                        *obj.slots.write() = slots;
                    }
                    state => {
                        let st = self.convert(state, None)?;
                        self.setstate.push((obj.clone(), st));
                    }
                }
                if class.kind == ClassKind::Interface {
                    return Err(CompileError::new(format!(
                        "cannot instantiate interface {}",
                        class.name
                    )));
                }
                Value::Object(obj)
            }
        })
    }
}
