//! Checked allocation of kernel outputs.
//!
//! A model controls the size of many outputs, directly through its arguments (`zeros(2**40)`,
//! `expand(...)`, `repeat`, `arange` with a tiny step, `cat` of many copies) or indirectly
//! through a view that claims far more elements than its storage holds (`ones(1, 1).expand(2**18,
//! 2**18) * 2` asks the multiplication for 256 GiB). `vec![x; n]` aborts the whole process when
//! the allocator refuses `n` elements, and a size product can wrap around silently in release
//! builds. Output buffers are therefore allocated here, with three checks, in this order:
//!
//! 1. the element count is a checked product, at most [`MAX_ELEMENTS`];
//! 2. the buffer is at most [`max_bytes`] bytes: the machine's physical memory unless the
//!    process says otherwise (`TSRUN_MAX_TENSOR_BYTES`, [`set_max_bytes`]), so a buffer that
//!    could only be "granted" by overcommit (and then paid for by the OOM killer) is refused;
//! 3. the memory is reserved with `Vec::try_reserve_exact`, so what the allocator refuses
//!    (a `ulimit -v`, a full machine) is a [`TensorError::TooLarge`], not an abort.
//!
//! Each check is a compare on a size already computed: nothing here is per element.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::TensorError;
use crate::Result;

/// Most elements one tensor may have: 2^36 (256 GiB of float32), far beyond any model tsrun
/// runs. Views count too (`expand` to more elements than this is refused).
pub const MAX_ELEMENTS: usize = 1 << 36;

/// The byte limit when neither the environment nor the machine says otherwise (not Linux, or no
/// readable `/proc/meminfo`): 2^36 elements of the widest dtype, i.e. the element cap alone.
const FALLBACK_MAX_BYTES: usize = MAX_ELEMENTS * 8;

/// Environment variable that sets [`max_bytes`] (a number of bytes) for the whole process.
pub const MAX_BYTES_ENV: &str = "TSRUN_MAX_TENSOR_BYTES";

/// [`max_bytes`] once known; 0 until the first allocation asks (read lazily, once).
static MAX_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Largest buffer, in bytes, one checked allocation may have: [`set_max_bytes`] if called,
/// else `TSRUN_MAX_TENSOR_BYTES` if set to a positive number, else the machine's physical
/// memory (`MemTotal` in `/proc/meminfo`), else `2^36 × 8` bytes.
///
/// Physical memory, not what is free right now: the rule must not depend on what other
/// processes do at the moment of the call, and a buffer larger than all of RAM can only be
/// "granted" by overcommit and then killed by the OOM killer, or thrash in swap. A caller that
/// wants a tighter bound (several models in one process, a sandbox) sets one.
#[inline]
pub fn max_bytes() -> usize {
    match MAX_BYTES.load(Ordering::Relaxed) {
        0 => {
            let limit = configured_max_bytes();
            // A racing `set_max_bytes` wins: only replace the "unset" marker.
            let _ = MAX_BYTES.compare_exchange(0, limit, Ordering::Relaxed, Ordering::Relaxed);
            MAX_BYTES.load(Ordering::Relaxed)
        }
        n => n,
    }
}

/// Sets [`max_bytes`] for the whole process (at least 1 byte).
pub fn set_max_bytes(bytes: usize) {
    MAX_BYTES.store(bytes.max(1), Ordering::Relaxed);
}

/// The limit from the environment or the machine (see [`max_bytes`]).
fn configured_max_bytes() -> usize {
    if let Some(n) = std::env::var(MAX_BYTES_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_total(&text))
        .unwrap_or(FALLBACK_MAX_BYTES)
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes.
fn mem_total(meminfo: &str) -> Option<usize> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024).filter(|&n| n > 0)
}

/// `n` bytes for people: `256 GiB`, `1.5 MiB`, `12 bytes`.
pub fn fmt_bytes(n: usize) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v.fract() == 0.0 {
        format!("{v} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// The number of elements of `shape`, or an error if the product overflows or exceeds
/// [`MAX_ELEMENTS`].
pub fn checked_numel(op: &'static str, shape: &[usize]) -> Result<usize> {
    match shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) {
        Some(n) if n <= MAX_ELEMENTS => Ok(n),
        _ => Err(TensorError::TooLarge {
            op,
            msg: format!(
                "a tensor of size {shape:?} would have more than {MAX_ELEMENTS} (2^36) elements"
            ),
        }),
    }
}

/// An empty vector with room for exactly `n` elements, or an error if `n` exceeds
/// [`MAX_ELEMENTS`], the buffer exceeds [`max_bytes`], or the allocator refuses the memory.
#[inline]
pub fn try_with_capacity<T>(op: &'static str, n: usize) -> Result<Vec<T>> {
    reserve(op, n, None)
}

/// An empty vector with room for exactly the elements of `shape` (a checked product): like
/// [`try_with_capacity`], and the error names the shape.
#[inline]
pub fn try_for_shape<T>(op: &'static str, shape: &[usize]) -> Result<Vec<T>> {
    reserve(op, checked_numel(op, shape)?, Some(shape))
}

/// `n` copies of `value` in a checked allocation (see [`try_with_capacity`]).
pub fn try_filled<T: Clone>(op: &'static str, n: usize, value: T) -> Result<Vec<T>> {
    let mut v = try_with_capacity(op, n)?;
    v.resize(n, value);
    Ok(v)
}

/// The items of an exact-size iterator in a checked allocation: `iter.collect()` for kernel
/// outputs.
pub fn try_collect<T, I>(op: &'static str, iter: I) -> Result<Vec<T>>
where
    I: IntoIterator<Item = T>,
    I::IntoIter: ExactSizeIterator,
{
    let iter = iter.into_iter();
    let mut v = try_with_capacity(op, iter.len())?;
    v.extend(iter);
    Ok(v)
}

/// The elements of `shape`, each `value`, in a checked allocation (see [`try_for_shape`]).
pub fn try_filled_for_shape<T: Clone>(
    op: &'static str,
    shape: &[usize],
    value: T,
) -> Result<Vec<T>> {
    let n = checked_numel(op, shape)?;
    let mut v = reserve(op, n, Some(shape))?;
    v.resize(n, value);
    Ok(v)
}

/// The number of elements of `shape` if a buffer of that many `T`s passes the first two
/// checks of the module docs (element cap, memory limit), without allocating: for scratch
/// buffers a kernel allocates inside parallel loops, where an error cannot be returned.
pub fn check_size<T>(op: &'static str, shape: &[usize]) -> Result<usize> {
    let n = checked_numel(op, shape)?;
    match n.checked_mul(std::mem::size_of::<T>()) {
        Some(b) if b <= max_bytes() => Ok(n),
        bytes => Err(too_large(
            op,
            n,
            bytes,
            Some(shape),
            "over the memory limit:",
        )),
    }
}

/// The three checks of the module docs; `shape`, when known, goes into the message.
#[inline]
fn reserve<T>(op: &'static str, n: usize, shape: Option<&[usize]>) -> Result<Vec<T>> {
    let bytes = n.checked_mul(std::mem::size_of::<T>());
    match bytes {
        Some(b) if n <= MAX_ELEMENTS && b <= max_bytes() => {
            let mut v = Vec::new();
            match v.try_reserve_exact(n) {
                Ok(()) => Ok(v),
                Err(_) => Err(too_large(op, n, bytes, shape, "not enough memory for")),
            }
        }
        _ if n > MAX_ELEMENTS => Err(too_large(op, n, bytes, shape, "more than 2^36 elements in")),
        _ => Err(too_large(op, n, bytes, shape, "over the memory limit:")),
    }
}

/// The error for a refused buffer of `n` elements (`bytes` bytes); cold, so the checks stay small.
#[cold]
#[inline(never)]
pub(crate) fn too_large(
    op: &'static str,
    n: usize,
    bytes: Option<usize>,
    shape: Option<&[usize]>,
    why: &str,
) -> TensorError {
    let size = match bytes {
        Some(b) => fmt_bytes(b),
        None => "more bytes than fit in an address".to_string(),
    };
    let what = match shape {
        Some(s) => format!("a tensor of size {s:?} ({n} elements, {size})"),
        None => format!("{n} elements ({size})"),
    };
    let limit = max_bytes();
    let limit_note = if why.starts_with("over") {
        format!(
            ", more than {} ({limit} bytes: the machine's memory unless {MAX_BYTES_ENV} says otherwise)",
            fmt_bytes(limit)
        )
    } else {
        String::new()
    };
    TensorError::TooLarge {
        op,
        msg: format!("{why} {what}{limit_note}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked_products() {
        assert_eq!(checked_numel("t", &[2, 3, 4]).unwrap(), 24);
        assert_eq!(checked_numel("t", &[]).unwrap(), 1);
        assert_eq!(checked_numel("t", &[0, usize::MAX]).unwrap(), 0);
        assert_eq!(checked_numel("t", &[1 << 18, 1 << 18]).unwrap(), 1 << 36);
        let e = checked_numel("expand", &[1 << 20, 1 << 20]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("expand: a tensor of size [1048576, 1048576]"),
            "{e}"
        );
        // Wraps around to 0 in unchecked arithmetic.
        assert!(checked_numel("t", &[1 << 32, 1 << 32]).is_err());
    }

    #[test]
    fn allocations_fail_cleanly() {
        assert_eq!(try_filled("t", 5, 7u8).unwrap(), vec![7u8; 5]);
        assert!(try_with_capacity::<f32>("t", MAX_ELEMENTS + 1).is_err());
        // Within the element cap, but 2^36 elements of 512 KiB (32 PiB) is more than any
        // machine's memory: an error, not an abort.
        let e = try_with_capacity::<[f64; 1 << 16]>("zeros", MAX_ELEMENTS).unwrap_err();
        assert!(e.to_string().contains("over the memory limit"), "{e}");
        assert!(e.to_string().contains("32 PiB"), "{e}");
        let e = try_for_shape::<u8>("mul", &[1 << 20, 1 << 20]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("mul: a tensor of size [1048576, 1048576]"),
            "{e}"
        );
    }

    #[test]
    fn memory_limit() {
        assert_eq!(
            mem_total("MemFree: 1 kB\nMemTotal:   2048 kB\n"),
            Some(2 << 20)
        );
        assert_eq!(mem_total("MemTotal: lots\n"), None);
        assert_eq!(fmt_bytes(12), "12 bytes");
        assert_eq!(fmt_bytes(256 << 30), "256 GiB");
        assert_eq!(fmt_bytes(3 << 19), "1.5 MiB");
        // The limit is process-wide: other tests in this binary allocate far less than this.
        let before = max_bytes();
        assert!(before > 0);
        set_max_bytes(1 << 30);
        let e = try_with_capacity::<f32>("relu", 1 << 29).unwrap_err();
        assert_eq!(
            e.to_string(),
            "relu: over the memory limit: 536870912 elements (2 GiB), more than 1 GiB \
             (1073741824 bytes: the machine's memory unless TSRUN_MAX_TENSOR_BYTES says otherwise)"
        );
        assert_eq!(
            try_with_capacity::<f32>("relu", 1 << 28)
                .unwrap()
                .capacity(),
            1 << 28
        );
        set_max_bytes(before);
    }
}
