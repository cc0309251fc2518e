//! Output-buffer reuse: a kernel handed the result its step produced on the previous call can
//! write into that buffer instead of allocating, when nothing else still refers to it.
//!
//! This is what lets a steady-state call of a small model allocate only its returned tensor:
//! the runtime keeps each step's previous output and passes it back to the kernel.

use std::sync::{Arc, OnceLock};

use crate::layout;
use crate::{Element, Storage, Tensor};

impl Tensor {
    /// An empty float32 tensor on one process-wide shared storage: a placeholder output that
    /// costs no allocation ([`Tensor::overwrite_as`] never reuses a shared buffer).
    pub fn placeholder() -> Tensor {
        static EMPTY: OnceLock<Arc<Storage>> = OnceLock::new();
        let storage = EMPTY.get_or_init(|| Arc::new(Storage::from_vec(Vec::<f32>::new())));
        Tensor::from_parts(storage.clone(), 0, [0usize][..].into(), [1isize][..].into())
    }

    /// True when this handle is the only reference to its storage (no views, no clones),
    /// so its buffer may be overwritten without anyone observing it.
    #[inline]
    pub fn is_sole_owner(&self) -> bool {
        Arc::strong_count(self.storage()) == 1 && Arc::weak_count(self.storage()) == 0
    }

    /// Makes this handle a contiguous `T` tensor of `shape` whose elements the caller will
    /// overwrite, and returns them: the same buffer when this handle solely owns one of
    /// exactly that size and type, otherwise a fresh zeroed one (the old one is released).
    /// `None` if the buffer turned out to be shared after all, or a fresh one cannot be
    /// allocated (see [`crate::alloc`]); the caller then computes its result another way (the
    /// plain kernel, which reports an allocation failure as an error).
    #[inline]
    pub fn overwrite_as<T: Element>(&mut self, shape: &[usize]) -> Option<&mut [T]> {
        let n = layout::numel(shape);
        let reusable = self.dtype() == T::DTYPE
            && self.storage().len() == n
            && Arc::strong_count(self.storage()) == 1;
        if !reusable {
            // Checked (crate::alloc): `shape` follows the inputs, which may be huge views.
            let fresh = crate::alloc::try_filled("out", n, T::default()).ok()?;
            *self = Tensor::from_vec_shape(fresh, shape.into());
        } else if self.storage_offset() != 0 || !self.is_contiguous() || self.shape() != shape {
            self.set_contiguous_layout(shape);
        }
        self.storage_mut().map(|s| s.as_mut_slice::<T>())
    }
}

#[cfg(test)]
mod tests {
    use crate::{DType, Tensor};

    #[test]
    fn reuses_only_sole_owned_buffers_of_the_right_size() {
        let mut a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[4]).unwrap();
        let ptr = a.storage().as_ref() as *const _;
        a.overwrite_as::<f32>(&[2, 2]).unwrap()[0] = 9.0;
        assert_eq!(a.shape(), &[2, 2]);
        assert!(
            std::ptr::eq(a.storage().as_ref(), ptr),
            "same buffer reused"
        );
        assert_eq!(a.to_vec::<f32>(), vec![9.0, 2.0, 3.0, 4.0]);
        let alias = a.clone();
        a.overwrite_as::<f32>(&[2, 2]).unwrap()[0] = 7.0;
        assert!(!a.same_storage(&alias), "an aliased buffer is never reused");
        assert_eq!(alias.to_vec::<f32>(), vec![9.0, 2.0, 3.0, 4.0]);
        a.overwrite_as::<f64>(&[2, 2]).unwrap();
        assert_eq!(a.dtype(), DType::F64);
        a.overwrite_as::<f64>(&[3]).unwrap();
        assert_eq!(a.to_vec::<f64>(), vec![0.0; 3]);
        let mut t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
        t = crate::ops::shape::transpose(&t, 0, 1).unwrap();
        t.overwrite_as::<f32>(&[2, 2]).unwrap();
        assert!(t.is_contiguous(), "a transposed sole view is re-laid out");
    }
}
