//! Zero-copy interop with `ndarray`.

use ndarray::{ArrayD, ArrayViewD, IxDyn, ShapeBuilder};

use crate::error::dtype_err;
use crate::{Element, Result, Tensor};

impl Tensor {
    /// A strided `ndarray` view onto this tensor's storage (no copy).
    ///
    /// `T` must be the tensor's element type. Like a borrowed PyTorch tensor,
    /// the view must not be held across an in-place op (`copy_`, `fill_`,
    /// `add_`...) on any tensor sharing this storage.
    pub fn as_array_view<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
        if T::DTYPE != self.dtype() {
            return Err(dtype_err(
                "as_array_view",
                format!(
                    "tensor has dtype {}, requested {}",
                    self.dtype().name(),
                    T::DTYPE.name()
                ),
            ));
        }
        let data = self.data::<T>();
        let strides: Vec<usize> = self.strides().iter().map(|&s| s as usize).collect();
        let shape = IxDyn(self.shape()).strides(IxDyn(&strides));
        if self.numel() == 0 {
            return Ok(ArrayViewD::from_shape(IxDyn(self.shape()), &[]).expect("empty view"));
        }
        // SAFETY: strides are non-negative and every reachable element lies in
        // `data` (views are bounds-checked when built); the borrow of `self`
        // keeps the storage alive; aliasing per storage.rs (read-only view).
        Ok(unsafe { ArrayViewD::from_shape_ptr(shape, data.as_ptr().add(self.storage_offset())) })
    }

    /// A tensor owning a copy of `array`'s elements, in logical order.
    pub fn from_array<T: Element>(array: ArrayD<T>) -> Tensor {
        let shape = array.shape().to_vec();
        let v = if array.is_standard_layout() {
            array.into_raw_vec_and_offset().0
        } else {
            array.iter().copied().collect()
        };
        Tensor::from_vec(v, &shape).expect("ndarray shape matches its length")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_view_round_trip() {
        let x = Tensor::from_vec(vec![1f32, 2., 3., 4., 5., 6.], &[2, 3]).unwrap();
        let xt = crate::ops::shape::t(&x).unwrap();
        let v = xt.as_array_view::<f32>().unwrap();
        assert_eq!(v.shape(), &[3, 2]);
        assert_eq!(v[[2, 1]], 6.0);
        let back = Tensor::from_array(v.to_owned());
        assert_eq!(back.to_vec::<f32>(), [1., 4., 2., 5., 3., 6.]);
        assert!(x.as_array_view::<f64>().is_err());
    }
}
