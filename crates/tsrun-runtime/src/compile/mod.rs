//! The compiler: parsed printed code -> class types with compiled methods.
//!
//! Three passes, so that classes and functions can refer to each other in any order:
//! 1. declare every class and free function by qualified name;
//! 2. fill in class members (attributes, constants, method signatures);
//! 3. compile every method and function body to IR, resolving names, attributes, methods
//!    and operator overloads.

mod body;
mod resolve;
mod types;
mod unknown_op;
mod upgraders;

use std::collections::HashMap;
use std::sync::Arc;

use tsrun_script::{ClassDef, FuncDef, Item};

use crate::class::{Attribute, ClassBody, ClassKind, ClassType};
use crate::error::{CompileError, Location};
use crate::function::{Callee, FunctionRef, Param};
use crate::types::Type;
use crate::value::Value;

pub use resolve::TypedExpr;

/// One parsed `code/` file with its qualified-name prefix (`__torch__.torch.nn.modules.linear`).
pub struct SourceFile {
    /// Archive path, for messages.
    pub path: Arc<str>,
    /// Prefix of the names it defines.
    pub prefix: String,
    /// The parsed file.
    pub file: tsrun_script::File,
}

/// Everything compiled from an archive's code.
pub struct Program {
    /// Classes by qualified name.
    pub classes: HashMap<String, Arc<ClassType>>,
    /// Free functions by qualified name.
    pub functions: HashMap<String, Arc<FunctionRef>>,
    /// Every class method, in declaration order: the program owns them (class method tables
    /// and call sites only refer to them, see [`crate::function::Callee`]).
    pub methods: Vec<Arc<FunctionRef>>,
    /// `CONSTANTS.cN` values.
    pub constants: Vec<Value>,
    /// Archive format version (drives operator upgraders).
    pub version: u64,
}

/// Where a function's source is, for pass 3.
struct PendingBody<'a> {
    func: Arc<FunctionRef>,
    def: &'a FuncDef,
    file: Arc<str>,
    class: Option<Arc<ClassType>>,
}

/// Compiles all files into a [`Program`].
pub fn compile_program(
    files: &[SourceFile],
    constants: Vec<Value>,
    version: u64,
) -> Result<Program, CompileError> {
    let mut program = Program {
        classes: HashMap::new(),
        functions: HashMap::new(),
        methods: Vec::new(),
        constants,
        version,
    };
    // Pass 1: names.
    for f in files {
        for item in &f.file.items {
            if let Item::Class(c) = item {
                let qual = format!("{}.{}", f.prefix, c.name);
                let kind = match c.base.as_deref() {
                    Some("Module") => ClassKind::Module,
                    Some("NamedTuple") => ClassKind::NamedTuple,
                    Some("Enum") => ClassKind::Enum,
                    Some("ModuleInterface") | Some("Interface") => ClassKind::Interface,
                    _ => ClassKind::Class,
                };
                program
                    .classes
                    .insert(qual.clone(), Arc::new(ClassType::new(qual, kind)));
            }
        }
    }
    // Pass 2: members and signatures.
    let mut pending = Vec::new();
    for f in files {
        for item in &f.file.items {
            match item {
                Item::Class(c) => {
                    let qual = format!("{}.{}", f.prefix, c.name);
                    let class = program.classes.get(&qual).cloned().ok_or_else(|| {
                        CompileError::new(format!("internal error: class {qual} vanished"))
                    })?;
                    let (body, methods) = program.class_body(c, &class, &f.path, &mut pending)?;
                    program.methods.extend(methods);
                    class.set_body(body);
                }
                Item::Function(d) => {
                    let qual = format!("{}.{}", f.prefix, d.name);
                    let func = Arc::new(program.signature(d, &qual, &f.path, None)?);
                    program.functions.insert(qual, func.clone());
                    pending.push(PendingBody {
                        func,
                        def: d,
                        file: f.path.clone(),
                        class: None,
                    });
                }
            }
        }
    }
    // Pass 3: bodies. A failing method body is kept as an error on its FunctionRef and
    // reported when (and only if) it is called or the load requires it.
    for p in pending {
        let result = body::compile_function(&program, &p.func, p.def, &p.file, p.class.as_ref());
        let _ = p.func.body.set(result.map(Arc::new));
    }
    Ok(program)
}

fn loc(file: &Arc<str>, span: &tsrun_script::Span) -> Location {
    Location {
        file: file.clone(),
        line: span.line,
        col: span.col,
    }
}

impl Program {
    /// The members of a class, and its methods (which the caller must keep: the body only
    /// refers to them).
    fn class_body<'a>(
        &self,
        c: &'a ClassDef,
        class: &Arc<ClassType>,
        file: &Arc<str>,
        pending: &mut Vec<PendingBody<'a>>,
    ) -> Result<(ClassBody, Vec<Arc<FunctionRef>>), CompileError> {
        let mut attributes = Vec::new();
        for a in &c.attributes {
            let ty = self
                .type_of(&a.ty)
                .map_err(|m| CompileError::at(loc(file, &a.span), m))?;
            attributes.push(Attribute {
                name: a.name.clone(),
                ty,
                is_parameter: c.parameters.contains(&a.name),
                is_buffer: c.buffers.contains(&a.name),
            });
        }
        let mut constants = Vec::new();
        for k in &c.constants {
            let ty = self
                .type_of(&k.ty)
                .map_err(|m| CompileError::at(loc(file, &k.span), m))?;
            let v = body::literal_value(&k.value)
                .ok_or_else(|| CompileError::at(loc(file, &k.span), "constant is not a literal"))?;
            constants.push((k.name.clone(), v, ty));
        }
        let mut enum_members = Vec::new();
        for (name, e) in &c.enum_members {
            let v = body::literal_value(e).ok_or_else(|| {
                CompileError::at(loc(file, &e.span), "enum value is not a literal")
            })?;
            enum_members.push((name.clone(), v));
        }
        let mut methods = Vec::new();
        for m in &c.methods {
            let qual = format!("{}.{}", class.name, m.name);
            let func = Arc::new(self.signature(m, &qual, file, Some(class))?);
            methods.push(func.clone());
            if class.kind != ClassKind::Interface {
                pending.push(PendingBody {
                    func,
                    def: m,
                    file: file.clone(),
                    class: Some(class.clone()),
                });
            }
        }
        let body = ClassBody {
            attributes,
            constants,
            enum_members,
            methods: methods.iter().map(Callee::new).collect(),
        };
        Ok((body, methods))
    }

    fn signature(
        &self,
        d: &FuncDef,
        qual: &str,
        file: &Arc<str>,
        class: Option<&Arc<ClassType>>,
    ) -> Result<FunctionRef, CompileError> {
        let mut params = Vec::with_capacity(d.params.len());
        for (i, p) in d.params.iter().enumerate() {
            let ty = match (&p.ty, class) {
                (_, Some(c)) if i == 0 && p.name == "self" => Type::Class(c.clone()),
                (Some(t), _) => self
                    .type_of(t)
                    .map_err(|m| CompileError::at(loc(file, &p.span), m))?,
                (None, _) => Type::Tensor, // TorchScript's default for unannotated parameters
            };
            let default = match &p.default {
                Some(e) => Some(body::literal_value(e).ok_or_else(|| {
                    CompileError::at(loc(file, &p.span), "default value is not a literal")
                })?),
                None => None,
            };
            params.push(Param {
                name: p.name.clone(),
                ty,
                default,
            });
        }
        let ret = match &d.ret {
            Some(t) => self
                .type_of(t)
                .map_err(|m| CompileError::at(loc(file, &d.span), m))?,
            None => Type::None,
        };
        Ok(FunctionRef::new(
            d.name.clone(),
            qual.to_string(),
            params,
            ret,
        ))
    }
}
