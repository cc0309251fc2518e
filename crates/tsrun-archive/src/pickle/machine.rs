//! The pickle virtual machine: an allow-listed subset of protocol 2 (plus a
//! few harmless protocol 4 opcodes) that builds plain data and calls nothing.
//!
//! Mutable containers (lists, dicts, objects) live in a flat node table while
//! parsing and are referenced by index, so a memo entry made right after
//! `EMPTY_LIST`/`NEWOBJ` and the container filled or `BUILD`-ed later are the
//! same node; [`super::convert`] turns the table into shared `Arc`s at `STOP`.

use std::collections::HashMap;
use std::sync::Arc;

use super::globals::{self, Global, Refusal};
use super::value::{ListTag, PickleEnum, StorageRef, TensorRef};
use super::{MAX_DEPTH, MAX_MARKS};
use crate::error::{one_line, ArchiveError};

/// Longest accepted `GLOBAL` line (module or name), in bytes.
const MAX_GLOBAL_LINE: usize = 4096;

/// A value on the machine's stack or in its memo.
#[derive(Debug, Clone)]
pub(crate) enum V {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Tuple(Arc<TupleNode>),
    /// Index into the node table (list, dict or object).
    Node(usize),
    Tensor(Arc<TensorRef>),
    Enum(Arc<PickleEnum>),
    Device(Arc<str>),
    /// Result of `BINPERSID`: only valid as the first argument of a tensor rebuild.
    Storage(Arc<StorageRef>),
    /// Result of `GLOBAL`: only valid as a callable or inside a persistent id.
    Global(Global),
}

/// An immutable tuple with its nesting depth (tuples only; nodes count as 0).
#[derive(Debug)]
pub(crate) struct TupleNode {
    pub(crate) items: Vec<V>,
    pub(crate) depth: usize,
}

/// A mutable container while parsing.
#[derive(Debug)]
pub(crate) enum Node {
    List {
        items: Vec<V>,
        tag: ListTag,
    },
    Dict {
        items: Vec<(V, V)>,
        tag: Option<Arc<str>>,
    },
    Object {
        class: Arc<str>,
        state: Option<V>,
    },
}

impl V {
    pub(super) fn kind(&self, nodes: &[Node]) -> &'static str {
        match self {
            V::None => "None",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::Float(_) => "float",
            V::Str(_) => "str",
            V::Tuple(_) => "tuple",
            V::Node(i) => match nodes.get(*i) {
                Some(Node::List { .. }) => "list",
                Some(Node::Dict { .. }) => "dict",
                Some(Node::Object { .. }) => "object",
                None => "invalid node",
            },
            V::Tensor(_) => "tensor",
            V::Enum(_) => "enum",
            V::Device(_) => "device",
            V::Storage(_) => "storage",
            V::Global(_) => "global",
        }
    }

    fn tuple_depth(&self) -> usize {
        match self {
            V::Tuple(t) => t.depth,
            _ => 0,
        }
    }
}

/// What the machine produced at `STOP`.
pub(crate) struct Output {
    pub(crate) root: V,
    pub(crate) nodes: Vec<Node>,
    pub(crate) stop_offset: usize,
}

/// The machine state for one pickle.
pub(crate) struct Machine<'a> {
    input: &'a [u8],
    pos: usize,
    pub(super) op_pos: usize,
    pub(super) record: &'a str,
    pub(super) folder: &'a str,
    stack: Vec<V>,
    marks: Vec<usize>,
    memo: HashMap<u32, V>,
    pub(super) nodes: Vec<Node>,
    pub(super) storages: HashMap<String, Arc<StorageRef>>,
}

type R<T> = Result<T, ArchiveError>;

impl<'a> Machine<'a> {
    /// A machine over `input`; `record` names it in errors, `folder` is the storage folder.
    pub(crate) fn new(input: &'a [u8], record: &'a str, folder: &'a str) -> Self {
        Machine {
            input,
            pos: 0,
            op_pos: 0,
            record,
            folder,
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            nodes: Vec::new(),
            storages: HashMap::new(),
        }
    }

    pub(crate) fn err(&self, message: impl Into<String>) -> ArchiveError {
        ArchiveError::Pickle {
            record: self.record.to_string(),
            offset: self.op_pos,
            message: message.into(),
        }
    }

    // ---- input ----

    fn bytes(&mut self, n: usize) -> R<&'a [u8]> {
        let input: &'a [u8] = self.input;
        let end = self.pos.checked_add(n).filter(|&e| e <= input.len());
        match end {
            Some(end) => {
                let out = input.get(self.pos..end).unwrap_or_default();
                self.pos = end;
                Ok(out)
            }
            None => Err(self.err(format!(
                "truncated pickle: need {n} bytes, {} left",
                input.len().saturating_sub(self.pos)
            ))),
        }
    }

    fn array<const N: usize>(&mut self) -> R<[u8; N]> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    fn u8(&mut self) -> R<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn line(&mut self) -> R<&'a str> {
        let input: &'a [u8] = self.input;
        let rest = input.get(self.pos..).unwrap_or_default();
        let window = rest
            .get(..MAX_GLOBAL_LINE.min(rest.len()))
            .unwrap_or_default();
        let Some(nl) = window.iter().position(|&b| b == b'\n') else {
            return Err(self.err("GLOBAL line without newline (truncated or too long)"));
        };
        let line = self.bytes(nl)?;
        self.pos += 1; // the newline, known to be present
        std::str::from_utf8(line).map_err(|_| self.err("GLOBAL line is not UTF-8"))
    }

    fn string(&mut self, n: usize) -> R<Arc<str>> {
        let remaining = self.input.len().saturating_sub(self.pos);
        if n > remaining {
            return Err(self.err(format!(
                "string length {n} exceeds the {remaining} bytes left"
            )));
        }
        let b = self.bytes(n)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(Arc::from(s)),
            Err(_) => Err(self.err("string is not valid UTF-8")),
        }
    }

    fn long(&mut self, n: usize) -> R<i64> {
        let b = self.bytes(n)?;
        if b.is_empty() {
            return Ok(0);
        }
        let (low, high) = b.split_at(n.min(8));
        let negative = low.last().is_some_and(|&x| x & 0x80 != 0);
        let ext = if negative { 0xff } else { 0 };
        if high.iter().any(|&x| x != ext) {
            return Err(self.err("integer does not fit in 64 bits"));
        }
        let mut buf = [ext; 8];
        buf.get_mut(..low.len())
            .unwrap_or_default()
            .copy_from_slice(low);
        Ok(i64::from_le_bytes(buf))
    }

    // ---- stack ----

    fn base(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn push(&mut self, v: V) {
        self.stack.push(v);
    }

    fn pop(&mut self) -> R<V> {
        if self.stack.len() <= self.base() {
            return Err(self.err("stack underflow"));
        }
        self.stack.pop().ok_or_else(|| self.err("stack underflow"))
    }

    fn top(&self) -> R<&V> {
        if self.stack.len() <= self.base() {
            return Err(self.err("stack underflow"));
        }
        self.stack.last().ok_or_else(|| self.err("stack underflow"))
    }

    fn pop_mark(&mut self) -> R<Vec<V>> {
        let Some(base) = self.marks.pop() else {
            return Err(self.err("no MARK on the mark stack"));
        };
        if base > self.stack.len() {
            return Err(self.err("mark beyond stack"));
        }
        Ok(self.stack.split_off(base))
    }

    fn tuple(&self, items: Vec<V>) -> R<V> {
        let depth = 1 + items.iter().map(V::tuple_depth).max().unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH}")));
        }
        Ok(V::Tuple(Arc::new(TupleNode { items, depth })))
    }

    pub(super) fn new_node(&mut self, node: Node) -> V {
        self.nodes.push(node);
        V::Node(self.nodes.len() - 1)
    }

    /// Index of the node on top of the stack, if it is a node.
    pub(super) fn top_node(&self, what: &str) -> R<usize> {
        match self.top()? {
            V::Node(i) => Ok(*i),
            other => Err(self.err(format!(
                "{what} on a {}, not a container",
                other.kind(&self.nodes)
            ))),
        }
    }

    fn list_items_mut(&mut self, what: &str) -> R<&mut Vec<V>> {
        let i = self.top_node(what)?;
        if !matches!(self.nodes.get(i), Some(Node::List { .. })) {
            return Err(self.err(format!("{what} on something that is not a list")));
        }
        match self.nodes.get_mut(i) {
            Some(Node::List { items, .. }) => Ok(items),
            _ => Err(ArchiveError::Pickle {
                record: self.record.to_string(),
                offset: self.op_pos,
                message: "internal: node changed kind".into(),
            }),
        }
    }

    fn dict_items_mut(&mut self, what: &str) -> R<&mut Vec<(V, V)>> {
        let i = self.top_node(what)?;
        if !matches!(self.nodes.get(i), Some(Node::Dict { .. })) {
            return Err(self.err(format!("{what} on something that is not a dict")));
        }
        match self.nodes.get_mut(i) {
            Some(Node::Dict { items, .. }) => Ok(items),
            _ => Err(ArchiveError::Pickle {
                record: self.record.to_string(),
                offset: self.op_pos,
                message: "internal: node changed kind".into(),
            }),
        }
    }

    fn memo_get(&self, idx: u32) -> R<V> {
        self.memo
            .get(&idx)
            .cloned()
            .ok_or_else(|| self.err(format!("memo index {idx} is not set")))
    }

    fn memo_put(&mut self, idx: u32) -> R<()> {
        let v = self.top()?.clone();
        self.memo.insert(idx, v);
        Ok(())
    }

    // ---- the main loop ----

    /// Runs the pickle to `STOP` and checks that nothing follows it.
    pub(crate) fn run(mut self) -> R<Output> {
        loop {
            self.op_pos = self.pos;
            if self.pos >= self.input.len() {
                return Err(self.err("truncated pickle: no STOP opcode"));
            }
            let op = self.u8()?;
            match op {
                0x80 => {
                    let p = self.u8()?;
                    if !(2..=5).contains(&p) {
                        return Err(self.err(format!("unsupported pickle protocol {p}")));
                    }
                }
                0x95 => {
                    // FRAME: a length hint only.
                    self.array::<8>()?;
                }
                b'.' => return self.stop(),
                b'(' => {
                    if self.marks.len() >= MAX_MARKS {
                        return Err(self.err(format!("more than {MAX_MARKS} nested MARKs")));
                    }
                    self.marks.push(self.stack.len());
                }
                b'1' => {
                    self.pop_mark()?;
                }
                b'0' => {
                    self.pop()?;
                }
                b'2' => {
                    let v = self.top()?.clone();
                    self.push(v);
                }
                b')' => {
                    let t = self.tuple(Vec::new())?;
                    self.push(t);
                }
                b't' => {
                    let items = self.pop_mark()?;
                    let t = self.tuple(items)?;
                    self.push(t);
                }
                0x85..=0x87 => {
                    let n = usize::from(op - 0x84);
                    let mut items = Vec::with_capacity(n);
                    for _ in 0..n {
                        items.push(self.pop()?);
                    }
                    items.reverse();
                    let t = self.tuple(items)?;
                    self.push(t);
                }
                b']' => {
                    let v = self.new_node(Node::List {
                        items: Vec::new(),
                        tag: ListTag::Untagged,
                    });
                    self.push(v);
                }
                b'l' => {
                    let items = self.pop_mark()?;
                    let v = self.new_node(Node::List {
                        items,
                        tag: ListTag::Untagged,
                    });
                    self.push(v);
                }
                b'a' => {
                    let v = self.pop()?;
                    self.list_items_mut("APPEND")?.push(v);
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    self.list_items_mut("APPENDS")?.extend(items);
                }
                b'}' => {
                    let v = self.new_node(Node::Dict {
                        items: Vec::new(),
                        tag: None,
                    });
                    self.push(v);
                }
                b'd' => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    let v = self.new_node(Node::Dict {
                        items: pairs,
                        tag: None,
                    });
                    self.push(v);
                }
                b's' => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    self.dict_items_mut("SETITEM")?.push((k, v));
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    self.dict_items_mut("SETITEMS")?.extend(pairs);
                }
                b'J' => {
                    let v = i32::from_le_bytes(self.array()?);
                    self.push(V::Int(i64::from(v)));
                }
                b'K' => {
                    let v = self.u8()?;
                    self.push(V::Int(i64::from(v)));
                }
                b'M' => {
                    let v = u16::from_le_bytes(self.array()?);
                    self.push(V::Int(i64::from(v)));
                }
                0x8a => {
                    let n = usize::from(self.u8()?);
                    let v = self.long(n)?;
                    self.push(V::Int(v));
                }
                0x8b => {
                    let n = self.u32()? as usize;
                    let v = self.long(n)?;
                    self.push(V::Int(v));
                }
                b'G' => {
                    let v = f64::from_be_bytes(self.array()?);
                    self.push(V::Float(v));
                }
                b'X' => {
                    let n = self.u32()? as usize;
                    let s = self.string(n)?;
                    self.push(V::Str(s));
                }
                0x8c => {
                    let n = usize::from(self.u8()?);
                    let s = self.string(n)?;
                    self.push(V::Str(s));
                }
                b'N' => self.push(V::None),
                0x88 => self.push(V::Bool(true)),
                0x89 => self.push(V::Bool(false)),
                b'q' => {
                    let i = self.u8()?;
                    self.memo_put(u32::from(i))?;
                }
                b'r' => {
                    let i = self.u32()?;
                    self.memo_put(i)?;
                }
                0x94 => {
                    let i =
                        u32::try_from(self.memo.len()).map_err(|_| self.err("memo too large"))?;
                    self.memo_put(i)?;
                }
                b'h' => {
                    let i = self.u8()?;
                    let v = self.memo_get(u32::from(i))?;
                    self.push(v);
                }
                b'j' => {
                    let i = self.u32()?;
                    let v = self.memo_get(i)?;
                    self.push(v);
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    let g = self.global(module, name)?;
                    self.push(V::Global(g));
                }
                b'R' => {
                    let args = self.pop()?;
                    let func = self.pop()?;
                    let v = self.reduce(func, args)?;
                    self.push(v);
                }
                0x81 => {
                    let args = self.pop()?;
                    let cls = self.pop()?;
                    let v = self.newobj(cls, args)?;
                    self.push(v);
                }
                b'b' => {
                    let state = self.pop()?;
                    self.build(state)?;
                }
                b'Q' => {
                    let pid = self.pop()?;
                    let v = self.persistent_load(pid)?;
                    self.push(v);
                }
                other => {
                    return Err(self.err(format!("unsupported pickle opcode 0x{other:02x}")));
                }
            }
        }
    }

    fn stop(mut self) -> R<Output> {
        if !self.marks.is_empty() {
            return Err(self.err(format!("STOP with {} open MARKs", self.marks.len())));
        }
        if self.pos != self.input.len() {
            return Err(self.err(format!(
                "{} trailing bytes after STOP",
                self.input.len() - self.pos
            )));
        }
        let root = self.pop()?;
        if !self.stack.is_empty() {
            return Err(self.err(format!(
                "STOP with {} extra values on the stack",
                self.stack.len()
            )));
        }
        Ok(Output {
            root,
            nodes: std::mem::take(&mut self.nodes),
            stop_offset: self.op_pos,
        })
    }

    fn pairs(&self, items: Vec<V>) -> R<Vec<(V, V)>> {
        if items.len() & 1 == 1 {
            return Err(self.err("odd number of items for a dict"));
        }
        let mut out = Vec::with_capacity(items.len() / 2);
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            out.push((k, v));
        }
        Ok(out)
    }

    fn global(&self, module: &str, name: &str) -> R<Global> {
        match globals::resolve(module, name) {
            Ok(g) => Ok(g),
            Err(Refusal::Explained(message)) => Err(self.err(message)),
            Err(Refusal::Unsupported) => Err(ArchiveError::UnsupportedGlobal {
                record: self.record.to_string(),
                offset: self.op_pos,
                global: one_line(&format!("{module}.{name}")),
            }),
        }
    }
}
