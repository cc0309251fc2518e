//! What `REDUCE`, `NEWOBJ`, `BUILD` and `BINPERSID` do with the allowed
//! globals: pure data operations (a tensor view, an empty dict, a tagged
//! list, an enum member, a device, an object awaiting its state).

use std::sync::Arc;

use super::globals::Global;
use super::machine::{Machine, Node, TupleNode, V};
use super::value::{ListTag, PickleEnum, PickleValue, StorageRef, TensorRef};
use crate::error::{one_line, ArchiveError};

type R<T> = Result<T, ArchiveError>;

impl Machine<'_> {
    fn expect_tuple(&self, v: &V, what: &str) -> R<Arc<TupleNode>> {
        match v {
            V::Tuple(t) => Ok(t.clone()),
            other => Err(self.err(format!(
                "{what}: expected a tuple, got {}",
                other.kind(&self.nodes)
            ))),
        }
    }

    pub(super) fn reduce(&mut self, func: V, args: V) -> R<V> {
        let V::Global(g) = func else {
            return Err(self.err(format!(
                "REDUCE of a {}, not an allowed global",
                func.kind(&self.nodes)
            )));
        };
        match &g {
            Global::TorchClass(class) => {
                let value = match args {
                    V::Int(i) => PickleValue::Int(i),
                    V::Float(f) => PickleValue::Float(f),
                    V::Str(s) => PickleValue::Str(s),
                    other => {
                        return Err(self.err(format!(
                            "REDUCE of class {class} with a {}: only enum values (int, float, str) are allowed",
                            other.kind(&self.nodes)
                        )))
                    }
                };
                Ok(V::Enum(Arc::new(PickleEnum {
                    class: class.clone(),
                    value,
                })))
            }
            Global::RebuildTensorV2 => self.rebuild_tensor(&args),
            Global::OrderedDict => {
                let t = self.expect_tuple(&args, "collections.OrderedDict")?;
                if !t.items.is_empty() {
                    return Err(self.err("collections.OrderedDict called with arguments"));
                }
                Ok(self.new_node(Node::Dict {
                    items: Vec::new(),
                    tag: None,
                }))
            }
            Global::BuildIntList
            | Global::BuildDoubleList
            | Global::BuildBoolList
            | Global::BuildTensorList => {
                let tag = match g {
                    Global::BuildIntList => ListTag::Int,
                    Global::BuildDoubleList => ListTag::Float,
                    Global::BuildBoolList => ListTag::Bool,
                    _ => ListTag::Tensor,
                };
                let t = self.expect_tuple(&args, &g.describe())?;
                let [list] = t.items.as_slice() else {
                    return Err(self.err(format!("{} expects 1 argument", g.describe())));
                };
                let list = list.clone();
                self.set_list_tag(&list, tag, &g.describe())?;
                Ok(list)
            }
            Global::RestoreTypeTag => {
                let t = self.expect_tuple(&args, "restore_type_tag")?;
                let [value, V::Str(tag)] = t.items.as_slice() else {
                    return Err(self.err("restore_type_tag expects (value, str)"));
                };
                let (value, tag) = (value.clone(), tag.clone());
                match &value {
                    V::Node(i) if matches!(self.nodes.get(*i), Some(Node::Dict { .. })) => {
                        if let Some(Node::Dict { tag: slot, .. }) = self.nodes.get_mut(*i) {
                            if slot.as_ref().is_some_and(|old| *old != tag) {
                                return Err(self.err("dict tagged twice with different types"));
                            }
                            *slot = Some(tag);
                        }
                    }
                    V::Node(_) => {
                        self.set_list_tag(&value, ListTag::Tagged(tag), "restore_type_tag")?
                    }
                    other => {
                        return Err(self.err(format!(
                            "restore_type_tag on a {}: only lists and dicts can be tagged",
                            other.kind(&self.nodes)
                        )))
                    }
                }
                Ok(value)
            }
            Global::Device => {
                let t = self.expect_tuple(&args, "torch.device")?;
                let [V::Str(s)] = t.items.as_slice() else {
                    return Err(self.err("torch.device expects (str,)"));
                };
                Ok(V::Device(s.clone()))
            }
            Global::Storage(_) => {
                Err(self.err("a storage class may only appear inside a persistent id"))
            }
        }
    }

    fn set_list_tag(&mut self, list: &V, tag: ListTag, what: &str) -> R<()> {
        let kind = list.kind(&self.nodes);
        let node = match list {
            V::Node(i) => self.nodes.get_mut(*i),
            _ => None,
        };
        let Some(Node::List { items, tag: slot }) = node else {
            return Err(self.err(format!("{what} of a {kind}, not a list")));
        };
        if *slot != ListTag::Untagged && *slot != tag {
            return Err(self.err(format!("{what}: list tagged twice with different types")));
        }
        let ok = items.iter().all(|v| match tag {
            ListTag::Int => matches!(v, V::Int(_)),
            ListTag::Float => matches!(v, V::Float(_)),
            ListTag::Bool => matches!(v, V::Bool(_)),
            ListTag::Tensor => matches!(v, V::Tensor(_)),
            ListTag::Tagged(_) | ListTag::Untagged => true,
        });
        *slot = tag;
        if !ok {
            return Err(self.err(format!("{what}: list element of the wrong type")));
        }
        Ok(())
    }

    pub(super) fn newobj(&mut self, cls: V, args: V) -> R<V> {
        let V::Global(Global::TorchClass(class)) = cls else {
            let what = match &cls {
                V::Global(g) => g.describe(),
                other => other.kind(&self.nodes).to_string(),
            };
            return Err(self.err(format!("NEWOBJ of {what}: only __torch__ classes")));
        };
        let t = self.expect_tuple(&args, "NEWOBJ arguments")?;
        if !t.items.is_empty() {
            return Err(self.err(format!("NEWOBJ of {class} with arguments")));
        }
        Ok(self.new_node(Node::Object { class, state: None }))
    }

    pub(super) fn build(&mut self, state: V) -> R<()> {
        let i = self.top_node("BUILD")?;
        match self.nodes.get_mut(i) {
            Some(Node::Object {
                state: slot @ None, ..
            }) => {
                *slot = Some(state);
                Ok(())
            }
            Some(Node::Object { class, .. }) => {
                let msg = format!("BUILD of an already built {class}");
                Err(self.err(msg))
            }
            _ => Err(self.err("BUILD of something that is not an object")),
        }
    }

    fn int_arg(&self, v: &V, what: &str) -> R<usize> {
        match v {
            V::Int(i) => {
                usize::try_from(*i).map_err(|_| self.err(format!("{what} must be >= 0, got {i}")))
            }
            other => Err(self.err(format!(
                "{what} must be an int, got {}",
                other.kind(&self.nodes)
            ))),
        }
    }

    fn int_tuple(&self, v: &V, what: &str) -> R<Vec<usize>> {
        let t = self.expect_tuple(v, what)?;
        t.items.iter().map(|x| self.int_arg(x, what)).collect()
    }

    fn rebuild_tensor(&mut self, args: &V) -> R<V> {
        let t = self.expect_tuple(args, "_rebuild_tensor_v2")?;
        let items = t.items.as_slice();
        let (storage, offset, sizes, strides, requires_grad, hooks) = match items {
            [a, b, c, d, e, f] => (a, b, c, d, e, f),
            [a, b, c, d, e, f, meta] => {
                if !self.is_empty_dict(meta) {
                    return Err(self.err(
                        "_rebuild_tensor_v2: a 7th (metadata) argument must be an empty dict",
                    ));
                }
                (a, b, c, d, e, f)
            }
            _ => {
                return Err(self.err(format!(
                    "_rebuild_tensor_v2 expects 6 arguments, got {}",
                    items.len()
                )))
            }
        };
        let V::Storage(storage) = storage else {
            return Err(self.err(format!(
                "_rebuild_tensor_v2: first argument must be a storage, got {}",
                storage.kind(&self.nodes)
            )));
        };
        let offset = self.int_arg(offset, "tensor storage offset")?;
        let sizes = self.int_tuple(sizes, "tensor size")?;
        let strides = self.int_tuple(strides, "tensor stride")?;
        let V::Bool(requires_grad) = *requires_grad else {
            return Err(self.err("_rebuild_tensor_v2: requires_grad must be a bool"));
        };
        if !self.is_empty_dict(hooks) {
            return Err(self.err("_rebuild_tensor_v2: backward hooks must be an empty OrderedDict"));
        }
        if sizes.len() != strides.len() {
            return Err(self.err(format!(
                "tensor has {} sizes but {} strides",
                sizes.len(),
                strides.len()
            )));
        }
        check_view(storage.numel, offset, &sizes, &strides).map_err(|m| {
            self.err(format!(
                "tensor view out of bounds of storage '{}': {m}",
                storage.key
            ))
        })?;
        Ok(V::Tensor(Arc::new(TensorRef {
            storage: storage.clone(),
            offset,
            sizes,
            strides,
            requires_grad,
        })))
    }

    fn is_empty_dict(&self, v: &V) -> bool {
        matches!(v, V::Node(i) if matches!(self.nodes.get(*i), Some(Node::Dict { items, .. }) if items.is_empty()))
    }

    pub(super) fn persistent_load(&mut self, pid: V) -> R<V> {
        let V::Tuple(t) = &pid else {
            return Err(self.err("persistent id must be a tuple"));
        };
        let [V::Str(tag), V::Global(Global::Storage(dtype)), V::Str(key), V::Str(location), numel] =
            t.items.as_slice()
        else {
            return Err(self.err(
                "persistent id must be ('storage', <torch storage class>, key, location, numel)",
            ));
        };
        if &**tag != "storage" {
            return Err(self.err("persistent id must start with 'storage'"));
        }
        if key.is_empty() || key.len() > 20 || !key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(format!(
                "storage key '{}' is not a decimal number",
                one_line(key)
            )));
        }
        let numel = self.int_arg(numel, "storage numel")?;
        if numel.checked_mul(dtype.itemsize()).is_none() {
            return Err(self.err(format!(
                "storage '{key}': {numel} elements of {} overflow the address space",
                dtype.name()
            )));
        }
        let new = StorageRef {
            key: key.to_string(),
            dtype: *dtype,
            numel,
            location: location.to_string(),
            folder: self.folder.to_string(),
        };
        if let Some(old) = self.storages.get(&new.key) {
            if **old != new {
                return Err(self.err(format!(
                    "storage key '{key}' described twice with different dtype, numel or location"
                )));
            }
            return Ok(V::Storage(old.clone()));
        }
        let arc = Arc::new(new);
        self.storages.insert(arc.key.clone(), arc.clone());
        Ok(V::Storage(arc))
    }
}

/// Checks that a view addresses only elements `< numel`.
pub(crate) fn check_view(
    numel: usize,
    offset: usize,
    sizes: &[usize],
    strides: &[usize],
) -> Result<(), String> {
    if sizes.contains(&0) {
        if offset > numel {
            return Err(format!("offset {offset} beyond {numel} elements"));
        }
        return Ok(());
    }
    let mut last: u128 = offset as u128;
    for (&size, &stride) in sizes.iter().zip(strides) {
        let step = (size as u128 - 1)
            .checked_mul(stride as u128)
            .ok_or("stride overflow")?;
        last = last.checked_add(step).ok_or("stride overflow")?;
    }
    if last >= numel as u128 {
        return Err(format!(
            "last element {last} not below storage numel {numel}"
        ));
    }
    Ok(())
}
