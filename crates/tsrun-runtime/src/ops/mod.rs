//! The operator registry: every operator is declared once, with PyTorch's schema text and
//! its kernel, in one of the family files below.
//!
//! The compiler looks operators up here by name at load time, picks the overload by matching
//! argument types against the schemas (in registration order), and stores the kernel's function
//! pointer in the IR; nothing is looked up by name when a method runs.

pub mod args;
mod containers;
mod dicts;
mod enums;
mod index_ops;
mod lists;
mod math_ops;
mod nn_activation;
mod nn_attention;
mod nn_conv;
mod nn_norm;
mod nn_rnn;
mod nn_transformer;
mod prim;
mod scalar_extra;
mod scalar_math;
pub mod schema;
mod special_fns;
mod strings;
mod tensor_composite;
mod tensor_more;
mod tensor_ops;
mod tensor_pointwise;
mod tensor_reduce_more;
mod tensor_reorder;
mod tensor_values;
mod torchvision;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::error::RtResult;
use crate::value::Value;
pub(crate) use containers::values_equal;
pub use schema::{parse_schema, Schema, SchemaArg};

/// A kernel: takes the arguments in schema order (defaults filled in) and returns the result
/// (several results as a tuple). Arguments are passed mutably so a kernel may take ownership.
pub type Kernel = fn(&mut [Value]) -> RtResult<Value>;

/// One operator overload: schema plus kernel.
pub struct OpDef {
    /// The parsed schema.
    pub schema: Schema,
    /// The implementation.
    pub kernel: Kernel,
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
        match parse_schema(schema) {
            Ok(schema) => {
                let def = Arc::new(OpDef { schema, kernel });
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
