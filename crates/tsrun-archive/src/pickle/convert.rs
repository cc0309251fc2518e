//! Turns the machine's output (values + mutable node table) into immutable,
//! shared [`PickleValue`]s.
//!
//! The walk is iterative (an explicit stack, no recursion), converts every
//! node and tuple once (a memo keyed by node index / tuple address, so shared
//! sub-values stay one `Arc` and a 2^60-node DAG stays 60 nodes), rejects
//! cycles, and enforces [`MAX_DEPTH`] on the result.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::machine::{Node, Output, TupleNode, V};
use super::value::{ListTag, PickleDict, PickleList, PickleObject, PickleValue};
use super::MAX_DEPTH;
use crate::error::ArchiveError;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Node(usize),
    Tuple(usize),
}

fn key_of(v: &V) -> Option<Key> {
    match v {
        V::Node(i) => Some(Key::Node(*i)),
        V::Tuple(t) => Some(Key::Tuple(Arc::as_ptr(t) as usize)),
        _ => None,
    }
}

struct Frame {
    value: V,
    next: usize,
}

struct Converter<'a> {
    nodes: &'a [Node],
    record: &'a str,
    offset: usize,
    done: HashMap<Key, (PickleValue, usize)>,
    visiting: HashSet<Key>,
}

type R<T> = Result<T, ArchiveError>;

/// Converts the root produced at `STOP`.
pub(crate) fn convert(out: &Output, record: &str) -> R<PickleValue> {
    let mut c = Converter {
        nodes: &out.nodes,
        record,
        offset: out.stop_offset,
        done: HashMap::new(),
        visiting: HashSet::new(),
    };
    c.run(&out.root)
}

impl<'a> Converter<'a> {
    fn err(&self, message: impl Into<String>) -> ArchiveError {
        ArchiveError::Pickle {
            record: self.record.to_string(),
            offset: self.offset,
            message: message.into(),
        }
    }

    fn node(&self, i: usize) -> R<&'a Node> {
        self.nodes
            .get(i)
            .ok_or_else(|| self.err("internal: dangling node index"))
    }

    /// The `j`-th child of a composite value (dict pairs are flattened k, v, k, v).
    fn child(&self, v: &V, j: usize) -> R<Option<V>> {
        Ok(match v {
            V::Tuple(t) => t.items.get(j).cloned(),
            V::Node(i) => match self.node(*i)? {
                Node::List { items, .. } => items.get(j).cloned(),
                Node::Dict { items, .. } => {
                    items
                        .get(j / 2)
                        .map(|(k, v)| if j & 1 == 0 { k.clone() } else { v.clone() })
                }
                Node::Object { class, state } => match (j, state) {
                    (0, Some(s)) => Some(s.clone()),
                    (0, None) => {
                        return Err(self.err(format!(
                            "object of class {class} was created but never built (no BUILD)"
                        )))
                    }
                    _ => None,
                },
            },
            _ => None,
        })
    }

    fn run(&mut self, root: &V) -> R<PickleValue> {
        let Some(root_key) = key_of(root) else {
            return self.leaf(root);
        };
        let mut stack: Vec<Frame> = vec![Frame {
            value: root.clone(),
            next: 0,
        }];
        self.visiting.insert(root_key);
        // Frames hold clones of values owned by `root`/`nodes`, which outlive the
        // walk, so tuple addresses used as keys stay valid.
        while let Some(frame) = stack.last_mut() {
            let j = frame.next;
            frame.next += 1;
            let value = frame.value.clone();
            let child = self.child(&value, j)?;
            match child {
                Some(child) => {
                    let Some(k) = key_of(&child) else { continue };
                    if self.done.contains_key(&k) {
                        continue;
                    }
                    if !self.visiting.insert(k) {
                        return Err(self.err("cycle in pickle: a container contains itself"));
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.err(format!("nesting deeper than {MAX_DEPTH}")));
                    }
                    stack.push(Frame {
                        value: child,
                        next: 0,
                    });
                }
                None => {
                    let Some(k) = key_of(&value) else {
                        return Err(self.err("internal: leaf on the conversion stack"));
                    };
                    let built = self.finish(&value)?;
                    self.visiting.remove(&k);
                    self.done.insert(k, built);
                    stack.pop();
                }
            }
        }
        self.done
            .get(&root_key)
            .map(|(v, _)| v.clone())
            .ok_or_else(|| self.err("internal: root not converted"))
    }

    /// A converted child: leaves directly, composites from the memo.
    fn get(&self, v: &V) -> R<(PickleValue, usize)> {
        match key_of(v) {
            Some(k) => self
                .done
                .get(&k)
                .cloned()
                .ok_or_else(|| self.err("internal: child not converted")),
            None => Ok((self.leaf(v)?, 0)),
        }
    }

    fn finish(&self, v: &V) -> R<(PickleValue, usize)> {
        let mut depth = 0usize;
        let mut conv = |x: &V| -> R<PickleValue> {
            let (p, d) = self.get(x)?;
            depth = depth.max(d);
            Ok(p)
        };
        let value = match v {
            V::Tuple(t) => {
                let TupleNode { items, .. } = &**t;
                let items = items.iter().map(&mut conv).collect::<R<Vec<_>>>()?;
                PickleValue::Tuple(Arc::from(items))
            }
            V::Node(i) => match self.node(*i)? {
                Node::List { items, tag } => {
                    let items = items.iter().map(&mut conv).collect::<R<Vec<_>>>()?;
                    check_list(&items, tag).map_err(|m| self.err(m))?;
                    PickleValue::List(Arc::new(PickleList {
                        items,
                        elem: tag.clone(),
                    }))
                }
                Node::Dict { items, tag } => {
                    let mut out = Vec::with_capacity(items.len());
                    for (k, x) in items {
                        out.push((conv(k)?, conv(x)?));
                    }
                    PickleValue::Dict(Arc::new(PickleDict {
                        items: out,
                        type_tag: tag.clone(),
                    }))
                }
                Node::Object { class, state } => {
                    let Some(state) = state else {
                        return Err(self.err(format!(
                            "object of class {class} was created but never built (no BUILD)"
                        )));
                    };
                    PickleValue::Object(Arc::new(PickleObject {
                        class: class.clone(),
                        state: conv(state)?,
                    }))
                }
            },
            _ => return Err(self.err("internal: finishing a leaf")),
        };
        let depth = depth + 1;
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH}")));
        }
        Ok((value, depth))
    }

    fn leaf(&self, v: &V) -> R<PickleValue> {
        Ok(match v {
            V::None => PickleValue::None,
            V::Bool(b) => PickleValue::Bool(*b),
            V::Int(i) => PickleValue::Int(*i),
            V::Float(f) => PickleValue::Float(*f),
            V::Str(s) => PickleValue::Str(s.clone()),
            V::Tensor(t) => PickleValue::Tensor(t.clone()),
            V::Enum(e) => PickleValue::Enum(e.clone()),
            V::Device(d) => PickleValue::Device(d.clone()),
            V::Storage(s) => {
                return Err(self.err(format!("storage '{}' used outside a tensor rebuild", s.key)))
            }
            V::Global(g) => {
                return Err(self.err(format!(
                    "pickle global {} used as a plain value",
                    g.describe()
                )))
            }
            V::Tuple(_) | V::Node(_) => return Err(self.err("internal: composite as leaf")),
        })
    }
}

/// Element check of typed lists (they may have been appended to after tagging).
fn check_list(items: &[PickleValue], tag: &ListTag) -> Result<(), String> {
    let ok = |p: fn(&PickleValue) -> bool| items.iter().all(p);
    let fine = match tag {
        ListTag::Int => ok(|v| matches!(v, PickleValue::Int(_))),
        ListTag::Float => ok(|v| matches!(v, PickleValue::Float(_))),
        ListTag::Bool => ok(|v| matches!(v, PickleValue::Bool(_))),
        ListTag::Tensor => ok(|v| matches!(v, PickleValue::Tensor(_))),
        ListTag::Tagged(_) | ListTag::Untagged => true,
    };
    if fine {
        Ok(())
    } else {
        Err(format!(
            "typed list {tag:?} holds an element of another type"
        ))
    }
}
