//! [`inspect`]: what an archive holds (format version, module tree, parameters and buffers,
//! methods, the operators its code calls, extra files), for `tsrun inspect` and for callers
//! that want to check a model before running it.
//!
//! The archive-level facts (version, code, operators, extra files) are read even when the
//! module does not load, so `tsrun inspect` can say *which* operators a model needs that
//! tsrun lacks; the module tree, tensors and methods need a successful load.

use std::path::Path;
use std::sync::Arc;

use tsrun_archive::Archive;
use tsrun_runtime::class::ClassKind;
use tsrun_runtime::value::Object;
use tsrun_runtime::{LoadedModule, Value};

use crate::{DType, Error, MethodSignature};

mod ops_scan;

pub use ops_scan::called_ops;

/// Everything [`inspect`] found out about an archive.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Records of the archive itself.
    pub archive: ArchiveInfo,
    /// Why the module did not load, if it did not (then `modules`, `parameters`, `buffers`
    /// and `methods` are empty).
    pub load_error: Option<String>,
    /// The root module and every submodule, depth first (the root first, named `""`).
    pub modules: Vec<ModuleInfo>,
    /// Every parameter, with its dotted name (`fc1.weight`), depth first.
    pub parameters: Vec<TensorInfo>,
    /// Every buffer (`bn.running_mean`), depth first.
    pub buffers: Vec<TensorInfo>,
    /// The root module's methods.
    pub methods: Vec<MethodSignature>,
    /// Operators named in the printed code (`torch.add(...)` is `aten::add`), sorted.
    pub ops: Vec<OpUse>,
    /// The user's extra files (`_extra_files` of `torch.jit.save`).
    pub extra_files: Vec<ExtraFile>,
}

/// Facts recorded in the archive's own records.
///
/// A TorchScript archive does not record which PyTorch version wrote it; the closest facts
/// are the file format version and which optional records are present.
#[derive(Debug, Clone)]
pub struct ArchiveInfo {
    /// The archive's root folder (the file stem at save time).
    pub root: String,
    /// The file format version (`.data/version` or `version`).
    pub version: u64,
    /// The `byteorder` record, if present (PyTorch 1.11 and later write `little`).
    pub byteorder: Option<String>,
    /// The `.data/serialization_id` record, if present.
    pub serialization_id: Option<String>,
    /// `true` if the archive has a `traced_inputs.pkl` record (written for traced modules by
    /// recent PyTorch versions).
    pub has_traced_inputs: bool,
    /// `true` if the code has `.debug_pkl` source maps.
    pub has_debug_info: bool,
    /// The printed-code files (`code/__torch__.py`...).
    pub code_files: Vec<String>,
    /// Number of records (files) in the archive.
    pub records: usize,
}

/// One module of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Dotted path from the root (`""` for the root, `layers.0` for a child of a child).
    pub name: String,
    /// Qualified TorchScript type (`__torch__.torch.nn.modules.linear.___torch_mangle_2.Linear`).
    pub qualified_type: String,
    /// The Python class name, as PyTorch's `original_name` (`Linear`).
    pub original_name: String,
    /// Names of the module's methods.
    pub methods: Vec<String>,
}

/// A parameter or buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// Dotted name (`fc1.weight`).
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: DType,
}

impl TensorInfo {
    /// Number of elements.
    ///
    /// ```
    /// let t = tsrun::inspect::TensorInfo { name: "w".into(), shape: vec![2, 3], dtype: tsrun::DType::F32 };
    /// assert_eq!((t.numel(), t.bytes()), (6, 24));
    /// ```
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Size of the elements in bytes.
    pub fn bytes(&self) -> usize {
        self.numel() * self.dtype.itemsize()
    }
}

/// An operator the code calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpUse {
    /// `aten::add`, `prim::NumToTensor`.
    pub name: String,
    /// `true` if tsrun can compile a call to it (see
    /// [`tsrun_runtime::introspect::is_op_supported`]).
    pub supported: bool,
}

/// An extra file stored with `torch.jit.save(..., _extra_files=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFile {
    /// Name as given at save time.
    pub name: String,
    /// Size in bytes.
    pub size: usize,
}

/// Describes the archive at `path`. Fails only if the file is not a readable TorchScript
/// archive; a module that does not load is reported in [`Inspection::load_error`].
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seed/mlp_traced.pt");
/// let info = tsrun::inspect(path)?;
/// assert_eq!(info.modules[1].name, "a");
/// assert_eq!(info.modules[1].original_name, "Linear");
/// assert_eq!(info.parameters[0].name, "a.weight");
/// assert_eq!(info.parameters[0].shape, [8, 2]);
/// assert!(info.ops.iter().any(|op| op.name == "aten::relu" && op.supported));
/// # Ok::<(), tsrun::Error>(())
/// ```
pub fn inspect(path: impl AsRef<Path>) -> Result<Inspection, Error> {
    inspect_archive(&Archive::open(path)?)
}

/// [`inspect`] for an archive held in memory.
///
/// ```
/// let err = tsrun::inspect::inspect_bytes(b"PK".to_vec()).unwrap_err();
/// assert!(matches!(err, tsrun::Error::Archive(_)));
/// ```
pub fn inspect_bytes(bytes: Vec<u8>) -> Result<Inspection, Error> {
    inspect_archive(&Archive::from_bytes(bytes)?)
}

fn inspect_archive(archive: &Archive) -> Result<Inspection, Error> {
    let code = archive.code_files()?;
    let mut info = Inspection {
        archive: archive_info(archive, &code),
        load_error: None,
        modules: Vec::new(),
        parameters: Vec::new(),
        buffers: Vec::new(),
        methods: Vec::new(),
        ops: called_ops(code.iter().map(|f| f.text.as_str()))
            .into_iter()
            .map(|name| OpUse {
                supported: tsrun_runtime::introspect::is_op_supported(&name),
                name,
            })
            .collect(),
        extra_files: archive
            .extra_files()
            .into_iter()
            .map(|name| ExtraFile {
                size: archive
                    .read_record(&format!("extra/{name}"))
                    .map_or(0, |b| b.len()),
                name,
            })
            .collect(),
    };
    match LoadedModule::load(archive) {
        Ok(module) => {
            walk(&module.root().clone(), "", &mut info);
            info.methods = module
                .method_names()
                .iter()
                .filter_map(|name| {
                    module.signature(name).map(|s| MethodSignature {
                        name: name.clone(),
                        params: s.params,
                        ret: s.ret,
                    })
                })
                .collect();
        }
        Err(e) => info.load_error = Some(e.to_string()),
    }
    Ok(info)
}

fn archive_info(archive: &Archive, code: &[tsrun_archive::CodeFile]) -> ArchiveInfo {
    let text = |name: &str| {
        archive
            .has_record(name)
            .then(|| archive.read_record(name).ok())
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
    };
    let records = archive.record_names();
    ArchiveInfo {
        root: archive.root().to_string(),
        version: archive.version(),
        byteorder: text("byteorder"),
        serialization_id: text(".data/serialization_id"),
        has_traced_inputs: archive.has_record("traced_inputs.pkl"),
        has_debug_info: records.iter().any(|r| r.ends_with(".debug_pkl")),
        code_files: code.iter().map(|f| f.path.clone()).collect(),
        records: records.len(),
    }
}

/// Depth first like PyTorch's `named_modules` / `named_parameters`: a module's own
/// parameters and buffers (in attribute order), then each child module in attribute order.
fn walk(obj: &Arc<Object>, prefix: &str, info: &mut Inspection) {
    let class = &obj.class;
    info.modules.push(ModuleInfo {
        name: prefix.to_string(),
        qualified_type: class.name.clone(),
        original_name: class.name.rsplit('.').next().unwrap_or("").to_string(),
        methods: class
            .body()
            .methods
            .iter()
            .map(|m| m.name().to_string())
            .collect(),
    });
    let slots = obj.slots.read().clone();
    let dotted = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let attributes = || class.body().attributes.iter().zip(&slots);
    for (attr, value) in attributes() {
        if let Value::Tensor(t) = value {
            let entry = TensorInfo {
                name: dotted(&attr.name),
                shape: t.shape().to_vec(),
                dtype: t.dtype(),
            };
            if attr.is_parameter {
                info.parameters.push(entry);
            } else if attr.is_buffer {
                info.buffers.push(entry);
            }
        }
    }
    for (attr, value) in attributes() {
        if let Value::Object(child) = value {
            if child.class.kind == ClassKind::Module {
                walk(child, &dotted(&attr.name), info);
            }
        }
    }
}

/// The schema of every operator overload tsrun implements, in registration order (what
/// `tsrun ops` prints), e.g. `aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor`.
///
/// ```
/// let schemas = tsrun::inspect::op_schemas();
/// assert!(schemas.iter().any(|s| s.starts_with("aten::linear(")));
/// ```
pub fn op_schemas() -> Vec<String> {
    tsrun_runtime::introspect::op_schemas()
}
