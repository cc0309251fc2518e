//! Shared, mutable element buffers. This is the only module that touches raw
//! element memory; every read and write in the crate goes through it.
//!
//! # Soundness
//!
//! PyTorch tensors are views onto a shared, unsynchronized buffer: an in-place
//! op on one view is visible through every other view. To reproduce that,
//! a [`Storage`] hands out shared slices (`&[T]`) for reading and raw
//! pointers for writing, through `&self`. The argument that this is sound:
//!
//! 1. The buffer is allocated once (from a `Vec<T>`) and never resized,
//!    moved or freed before the `Storage` drops, so pointers stay valid.
//! 2. `T` always matches the dtype: [`crate::Element`] is sealed and each impl
//!    names a unique `DType`; every typed access checks `T::DTYPE == self.dtype`.
//! 3. Within one thread, writes happen only in [`Storage::write_slice`]
//!    callers (`copy_`, `fill_`, and the in-place ops built on them). Those
//!    callers never hold a read slice of the same storage while writing: a
//!    source that shares storage with the destination is first copied out.
//!    Kernels that produce new tensors write into a fresh `Vec` before it
//!    becomes a `Storage`, so they need no shared access at all.
//! 4. Across threads the contract is PyTorch's: a tensor may be read from many
//!    threads at once, but mutating a storage while another thread uses it is
//!    a data race, exactly as with `torch.Tensor`. The interpreter never does
//!    this (each call owns the tensors it mutates). This is why `Storage` is
//!    `Sync` although it is not internally synchronized.
//!
//! The remaining hazard is a caller that keeps a borrowed view (e.g. from
//! `Tensor::as_array_view`) alive across an in-place op on an aliasing tensor;
//! the public docs of those borrowing accessors say so.

use std::mem::ManuallyDrop;
use std::sync::Arc;

use half::{bf16, f16};

use crate::error::invalid;
use crate::{DType, Element, Result};

/// A typed, fixed-length element buffer shared by tensors and their views.
pub struct Storage {
    /// Start of the buffer; obtained from `Vec::as_mut_ptr` at construction.
    ptr: *mut u8,
    /// Number of elements.
    len: usize,
    /// Capacity of the original `Vec`, needed to free it.
    cap: usize,
    dtype: DType,
}

// SAFETY: see the module docs, point 4. The buffer is plain data (`Element`
// types are `Send + Sync`), and concurrent mutation is excluded by contract,
// as for PyTorch's tensors.
unsafe impl Send for Storage {}
// SAFETY: as above.
unsafe impl Sync for Storage {}

impl Storage {
    /// Takes ownership of `v` as a storage.
    pub fn from_vec<T: Element>(v: Vec<T>) -> Storage {
        let mut v = ManuallyDrop::new(v);
        Storage {
            ptr: v.as_mut_ptr() as *mut u8,
            len: v.len(),
            cap: v.capacity(),
            dtype: T::DTYPE,
        }
    }

    /// Builds a storage of `numel` elements from little-endian bytes, as found
    /// in `torch.jit.save` archives. Bools must be 0 or 1.
    pub fn from_le_bytes(dtype: DType, bytes: &[u8], numel: usize) -> Result<Storage> {
        let need = numel
            .checked_mul(dtype.itemsize())
            .ok_or_else(|| invalid("from_le_bytes", "storage size overflows"))?;
        if bytes.len() < need {
            return Err(invalid(
                "from_le_bytes",
                format!(
                    "storage of {numel} {} elements needs {need} bytes, got {}",
                    dtype.name(),
                    bytes.len()
                ),
            ));
        }
        let bytes = &bytes[..need];
        macro_rules! decode {
            ($t:ty, $n:expr, $conv:expr) => {{
                let v: Vec<$t> = bytes
                    .chunks_exact($n)
                    .map(|c| $conv(c.try_into().expect("chunk size")))
                    .collect();
                Storage::from_vec(v)
            }};
        }
        Ok(match dtype {
            DType::U8 => Storage::from_vec(bytes.to_vec()),
            DType::I8 => decode!(i8, 1, i8::from_le_bytes),
            DType::I16 => decode!(i16, 2, i16::from_le_bytes),
            DType::I32 => decode!(i32, 4, i32::from_le_bytes),
            DType::I64 => decode!(i64, 8, i64::from_le_bytes),
            DType::F16 => decode!(f16, 2, f16::from_le_bytes),
            DType::BF16 => decode!(bf16, 2, bf16::from_le_bytes),
            DType::F32 => decode!(f32, 4, f32::from_le_bytes),
            DType::F64 => decode!(f64, 8, f64::from_le_bytes),
            DType::Bool => {
                if let Some(b) = bytes.iter().find(|&&b| b > 1) {
                    return Err(invalid(
                        "from_le_bytes",
                        format!("invalid bool byte {b} in storage"),
                    ));
                }
                Storage::from_vec(bytes.iter().map(|&b| b == 1).collect::<Vec<bool>>())
            }
        })
    }

    /// Builds a storage of `numel` elements of `dtype` by letting `fill` write their
    /// little-endian bytes (exactly `numel × itemsize` of them) straight into the new buffer:
    /// an archive's weights are read from the file into their final place, with no
    /// intermediate byte buffer and no decoding pass. The buffer is allocated with the checks
    /// of [`crate::alloc`] (element cap, memory limit, fallible allocation) and zeroed by the
    /// allocator (`calloc`: fresh pages from the kernel need no `memset`), so `fill` never sees
    /// uninitialised memory. Bools must be 0 or 1.
    ///
    /// The outer error is the allocation's (or a bad bool byte); the inner one is `fill`'s.
    pub fn from_le_fill<E>(
        dtype: DType,
        numel: usize,
        fill: impl FnOnce(&mut [u8]) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<Storage, E>> {
        fn typed<T: Element + bytemuck_free::Pod, E>(
            numel: usize,
            fill: impl FnOnce(&mut [u8]) -> std::result::Result<(), E>,
        ) -> Result<std::result::Result<Storage, E>> {
            let mut v = try_zeroed::<T>(numel)?;
            let size = std::mem::size_of::<T>();
            // SAFETY: `v` holds `numel` initialised `T`s (zeroed), i.e. `numel × size` bytes,
            // and `T` is plain data for which every byte pattern is a valid value
            // (`bytemuck_free::Pod`), so whatever `fill` writes leaves valid elements.
            let bytes =
                unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, numel * size) };
            if let Err(e) = fill(bytes) {
                return Ok(Err(e));
            }
            if cfg!(target_endian = "big") && size > 1 {
                bytes.chunks_exact_mut(size).for_each(<[u8]>::reverse);
            }
            Ok(Ok(Storage::from_vec(v)))
        }
        match dtype {
            DType::U8 => typed::<u8, E>(numel, fill),
            DType::I8 => typed::<i8, E>(numel, fill),
            DType::I16 => typed::<i16, E>(numel, fill),
            DType::I32 => typed::<i32, E>(numel, fill),
            DType::I64 => typed::<i64, E>(numel, fill),
            DType::F16 => typed::<f16, E>(numel, fill),
            DType::BF16 => typed::<bf16, E>(numel, fill),
            DType::F32 => typed::<f32, E>(numel, fill),
            DType::F64 => typed::<f64, E>(numel, fill),
            DType::Bool => {
                // Not every byte is a valid `bool`: read as bytes, check, then convert.
                let bytes = match typed::<u8, E>(numel, fill)? {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e)),
                };
                let bytes = bytes.as_slice::<u8>();
                if let Some(b) = bytes.iter().find(|&&b| b > 1) {
                    return Err(invalid(
                        "from_le_fill",
                        format!("invalid bool byte {b} in storage"),
                    ));
                }
                let bools =
                    crate::alloc::try_collect("from_le_fill", bytes.iter().map(|&b| b == 1))?;
                Ok(Ok(Storage::from_vec::<bool>(bools)))
            }
        }
    }

    /// Element type of the buffer.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the storage holds no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Size of the buffer in bytes.
    pub fn nbytes(&self) -> usize {
        self.len * self.dtype.itemsize()
    }

    /// The whole buffer for reading.
    ///
    /// Panics if `T` is not the storage's element type (a crate bug).
    #[inline]
    pub(crate) fn as_slice<T: Element>(&self) -> &[T] {
        assert_eq!(T::DTYPE, self.dtype, "storage dtype mismatch");
        // SAFETY: ptr/len describe a live allocation of `len` `T`s (points 1-2);
        // no write overlaps this borrow (point 3).
        unsafe { std::slice::from_raw_parts(self.ptr as *const T, self.len) }
    }

    /// The whole buffer for writing, for the duration of `f`.
    ///
    /// # Safety
    ///
    /// The caller must not hold, or create inside `f`, any other slice of this
    /// storage (point 3 of the module docs), and no other thread may be using
    /// the storage (point 4).
    #[inline]
    pub(crate) unsafe fn write_slice<T: Element, R>(&self, f: impl FnOnce(&mut [T]) -> R) -> R {
        assert_eq!(T::DTYPE, self.dtype, "storage dtype mismatch");
        // SAFETY: valid allocation (points 1-2); exclusivity is the caller's promise.
        let s = unsafe { std::slice::from_raw_parts_mut(self.ptr as *mut T, self.len) };
        f(s)
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        fn free<T>(ptr: *mut u8, len: usize, cap: usize) {
            // SAFETY: ptr/len/cap came from a `Vec<T>` of this exact `T`
            // (the dtype match below guarantees the type).
            drop(unsafe { Vec::from_raw_parts(ptr as *mut T, len, cap) });
        }
        crate::with_dtype!(self.dtype, T => free::<T>(self.ptr, self.len, self.cap))
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({} x {})", self.len, self.dtype.name())
    }
}

/// Allocates a shared storage from a vector.
#[inline]
pub(crate) fn arc_from_vec<T: Element>(v: Vec<T>) -> Arc<Storage> {
    Arc::new(Storage::from_vec(v))
}

impl Storage {
    /// The whole buffer for writing through an exclusive borrow: no other handle can
    /// exist, so this needs none of `write_slice`'s promises.
    #[inline]
    pub(crate) fn as_mut_slice<T: Element>(&mut self) -> &mut [T] {
        assert_eq!(T::DTYPE, self.dtype, "storage dtype mismatch");
        // SAFETY: valid allocation of `len` `T`s (points 1-2); `&mut self` is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr as *mut T, self.len) }
    }
}

/// A zeroed vector of `n` `T`s from `calloc`, with [`crate::alloc`]'s checks: at most
/// [`crate::alloc::MAX_ELEMENTS`], at most [`crate::alloc::max_bytes`], and an allocator refusal
/// is an error, not an abort.
fn try_zeroed<T: Element>(n: usize) -> Result<Vec<T>> {
    crate::alloc::check_size::<T>("from_le_fill", &[n])?;
    let layout = std::alloc::Layout::array::<T>(n)
        .map_err(|_| invalid("from_le_fill", "storage size overflows"))?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: `layout` has non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(crate::alloc::too_large(
            "from_le_fill",
            n,
            Some(layout.size()),
            None,
            "not enough memory for",
        ));
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `[T; n]`, and
    // all-zero bytes are a valid value of every `Element` type (0, 0.0, false), so the `n`
    // elements are initialised.
    Ok(unsafe { Vec::from_raw_parts(ptr, n, n) })
}

/// Element types for which every byte pattern is a valid value, so bytes read from a file
/// may be written straight into their memory (every `Element` type except `bool`).
mod bytemuck_free {
    use half::{bf16, f16};

    /// Plain data: any byte pattern is a valid value.
    ///
    /// # Safety
    /// Implement only for types with no invalid bit patterns and no padding.
    pub unsafe trait Pod: Copy {}
    // SAFETY: integers and IEEE floats (including half and bfloat16) have no invalid bit
    // patterns and no padding.
    unsafe impl Pod for u8 {}
    // SAFETY: as above.
    unsafe impl Pod for i8 {}
    // SAFETY: as above.
    unsafe impl Pod for i16 {}
    // SAFETY: as above.
    unsafe impl Pod for i32 {}
    // SAFETY: as above.
    unsafe impl Pod for i64 {}
    // SAFETY: as above.
    unsafe impl Pod for f16 {}
    // SAFETY: as above.
    unsafe impl Pod for bf16 {}
    // SAFETY: as above.
    unsafe impl Pod for f32 {}
    // SAFETY: as above.
    unsafe impl Pod for f64 {}
}
