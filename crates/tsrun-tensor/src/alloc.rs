//! Checked allocation of kernel outputs.
//!
//! A model controls the size of many outputs through its arguments (`zeros(2**40)`,
//! `expand(...)`, `repeat`, `arange` with a tiny step, `cat` of many copies). `vec![x; n]`
//! aborts the whole process when the allocator refuses `n` elements, and a size product can
//! wrap around silently in release builds. Output buffers whose size comes from arguments are
//! therefore allocated here: the element count is a checked product, at most
//! [`MAX_ELEMENTS`], and the memory is reserved with `Vec::try_reserve_exact`, so a refused
//! allocation is a [`TensorError::TooLarge`] the caller can report instead of an abort.

use crate::error::TensorError;
use crate::Result;

/// Most elements one tensor may have: 2^36 (256 GiB of float32), far beyond any model tsrun
/// runs. Views count too (`expand` to more elements than this is refused), so every kernel's
/// output over such a view is bounded by it as well.
pub const MAX_ELEMENTS: usize = 1 << 36;

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
/// [`MAX_ELEMENTS`] or the allocator refuses the memory.
pub fn try_with_capacity<T>(op: &'static str, n: usize) -> Result<Vec<T>> {
    if n > MAX_ELEMENTS {
        return Err(TensorError::TooLarge {
            op,
            msg: format!("{n} elements is more than {MAX_ELEMENTS} (2^36)"),
        });
    }
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| TensorError::TooLarge {
        op,
        msg: format!(
            "not enough memory for {n} elements ({} bytes)",
            n.saturating_mul(std::mem::size_of::<T>())
        ),
    })?;
    Ok(v)
}

/// `n` copies of `value` in a checked allocation (see [`try_with_capacity`]).
pub fn try_filled<T: Clone>(op: &'static str, n: usize, value: T) -> Result<Vec<T>> {
    let mut v = try_with_capacity(op, n)?;
    v.resize(n, value);
    Ok(v)
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
        // Within the element cap, but 2^36 elements of 512 KiB (32 PiB) is refused by every
        // allocator: an error, not an abort.
        let e = try_with_capacity::<[f64; 1 << 16]>("zeros", MAX_ELEMENTS).unwrap_err();
        assert!(e.to_string().contains("not enough memory"), "{e}");
    }
}
