//! The operator registry: every operator is declared once, with PyTorch's schema text and
//! its kernel, in one of the family files below.
//!
//! The compiler looks operators up here by name at load time, picks the overload by matching
//! argument types against the schemas (in registration order), and stores the kernel's function
//! pointer in the IR; nothing is looked up by name when a method runs.

pub mod args;
mod borrowed_args;
mod containers;
mod dicts;
mod enums;
mod index_ops;
mod lists;
mod math_ops;
mod nn_activation;
mod nn_attention;
mod nn_conv;
mod nn_loss;
mod nn_norm;
mod nn_rnn;
mod nn_transformer;
mod nn_upsample;
mod out_form;
mod prepared;
mod prim;
mod scalar_extra;
mod scalar_math;
pub mod schema;
mod special_fns;
mod strings;
mod tensor_composite;
mod tensor_linalg_more;
mod tensor_more;
mod tensor_ops;
mod tensor_pointwise;
mod tensor_reduce_more;
mod tensor_reorder;
mod tensor_shape_more;
mod tensor_values;
mod torchvision;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::error::RtResult;
use crate::value::Value;
pub(crate) use containers::values_equal;
pub(crate) use prepared::linear_chain;
pub use schema::{parse_schema, Schema, SchemaArg};

/// A kernel: takes the arguments in schema order (defaults filled in) and returns the result
/// (several results as a tuple). Arguments are passed mutably so a kernel may take ownership.
pub type Kernel = fn(&mut [Value]) -> RtResult<Value>;

/// A kernel for straight-line plans (`crate::plan`): borrows its arguments and writes its
/// result into `out`, which holds the value the same step produced on the previous call (or
/// `None`), so a solely-owned buffer of the right size can be overwritten instead of
/// allocating. Must compute exactly what [`Kernel`] computes.
pub type OutKernel = fn(args: &[&Value], out: &mut Value) -> RtResult<()>;

/// An operator call prepared at load time for its constant arguments (e.g. `linear` with
/// packed weights); runs like an [`OutKernel`].
pub trait PreparedOp: Send + Sync {
    /// Runs the call; `args` are all the arguments in schema order, constants included.
    fn run(&self, args: &[&Value], out: &mut Value) -> RtResult<()>;

    /// The fixed `linear` layer this is, with its fused-`relu` flag, so that plans can chain
    /// consecutive layers into one step (`plan/fuse.rs`); `None` for anything else.
    fn as_linear(&self) -> Option<(&tsrun_tensor::ops::fixed_linear::FixedLinear, bool)> {
        None
    }
}

/// Prepares a call whose arguments are partly known at load time (`None` = known only at run
/// time); `then_relu` asks for `relu` to be fused on the result. Returns `None` when the
/// constants do not suit a prepared form, and the plain kernel is used.
pub type PrepareFn = fn(consts: &[Option<&Value>], then_relu: bool) -> Option<Box<dyn PreparedOp>>;

/// One operator overload: schema plus kernel, and optional faster forms for plans.
pub struct OpDef {
    /// The parsed schema.
    pub schema: Schema,
    /// The implementation.
    pub kernel: Kernel,
    /// A borrowing, buffer-recycling form of `kernel`, if the op has one.
    pub out: Option<OutKernel>,
    /// A load-time preparation for constant arguments, if the op has one.
    pub prepare: Option<PrepareFn>,
}

/// All operator overloads, by operator name (`aten::add`), in preference order.
pub struct Registry {
    by_name: HashMap<String, Vec<Arc<OpDef>>>,
    order: Vec<Arc<OpDef>>,
    errors: Vec<String>,
}

impl Registry {
    /// The overloads registered under a name, in preference order.
    pub fn candidates(&self, name: &str) -> &[Arc<OpDef>] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every overload, in registration order (for `tsrun ops` and docs).
    pub fn all(&self) -> &[Arc<OpDef>] {
        &self.order
    }

    /// Schemas that failed to parse (a bug in tsrun; checked by a unit test).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }
}

/// Collects declarations while the registry is built.
pub(crate) struct RegistryBuilder {
    reg: Registry,
}

impl RegistryBuilder {
    /// Declares one overload.
    pub(crate) fn op(&mut self, schema: &str, kernel: Kernel) {
        self.add(schema, kernel, None, None);
    }

    /// Declares one overload that also has a borrowing, buffer-recycling form.
    pub(crate) fn op_with_out(&mut self, schema: &str, kernel: Kernel, out: OutKernel) {
        self.add(schema, kernel, Some(out), None);
    }

    /// Declares one overload that can be prepared for constant arguments at load time.
    pub(crate) fn op_prepared(&mut self, schema: &str, kernel: Kernel, prepare: PrepareFn) {
        self.add(schema, kernel, None, Some(prepare));
    }

    fn add(
        &mut self,
        schema: &str,
        kernel: Kernel,
        out: Option<OutKernel>,
        prepare: Option<PrepareFn>,
    ) {
        match parse_schema(schema) {
            Ok(schema) => {
                let def = Arc::new(OpDef {
                    schema,
                    kernel,
                    out,
                    prepare,
                });
                self.reg
                    .by_name
                    .entry(def.schema.name.clone())
                    .or_default()
                    .push(def.clone());
                self.reg.order.push(def);
            }
            Err(e) => self.reg.errors.push(e),
        }
    }
}

/// The process-wide registry, built on first use.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut b = RegistryBuilder {
            reg: Registry {
                by_name: HashMap::new(),
                order: Vec::new(),
                errors: Vec::new(),
            },
        };
        tensor_ops::register(&mut b);
        tensor_more::register(&mut b);
        tensor_reorder::register(&mut b);
        tensor_pointwise::register(&mut b);
        tensor_reduce_more::register(&mut b);
        tensor_composite::register(&mut b);
        nn_conv::register(&mut b);
        nn_norm::register(&mut b);
        nn_activation::register(&mut b);
        index_ops::register(&mut b);
        nn_attention::register(&mut b);
        nn_rnn::register(&mut b);
        nn_transformer::register(&mut b);
        nn_upsample::register(&mut b);
        nn_loss::register(&mut b);
        tensor_linalg_more::register(&mut b);
        tensor_shape_more::register(&mut b);
        torchvision::register(&mut b);
        // After every tensor kernel file: their overloads win over these.
        tensor_values::register(&mut b);
        scalar_math::register(&mut b);
        prim::register(&mut b);
        containers::register(&mut b);
        lists::register(&mut b);
        dicts::register(&mut b);
        strings::register(&mut b);
        math_ops::register(&mut b);
        // Generic `AnyEnumType` schemas match anything: keep them last.
        enums::register(&mut b);
        b.reg
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_schema_parses() {
        let r = super::registry();
        assert!(r.errors().is_empty(), "{:?}", r.errors());
        assert!(r.all().len() > 50);
    }
}
