//! The strided [`Tensor`] type: shared storage plus a view (offset, shape, strides).

use std::sync::Arc;

use smallvec::SmallVec;

use crate::error::{invalid, shape_err};
use crate::layout::{self, Shape, Strides};
use crate::storage::{arc_from_vec, Storage};
use crate::{DType, Element, Result, Scalar};

/// A strided view onto a shared [`Storage`], like `torch.Tensor` on CPU.
///
/// Cloning is cheap (an `Arc` bump plus two inline shape vectors) and yields a
/// new handle onto the *same* data; views made by shape ops share storage too,
/// so in-place ops through one handle are visible through all of them.
pub struct Tensor {
    storage: Arc<Storage>,
    offset: usize,
    shape: Shape,
    strides: Strides,
    dtype: DType,
    /// `layout::is_contiguous(shape, strides)`, computed once per layout: kernels ask on every
    /// call, and small-model calls are dominated by such checks.
    contiguous: bool,
}

impl Clone for Tensor {
    /// `SmallVec::clone` goes element by element; `from_slice` copies the inline shape in
    /// one move. Tensor handles are cloned on every interpreter step, so this matters.
    #[inline]
    fn clone(&self) -> Tensor {
        Tensor {
            storage: self.storage.clone(),
            offset: self.offset,
            shape: Shape::from_slice(&self.shape),
            strides: Strides::from_slice(&self.strides),
            dtype: self.dtype,
            contiguous: self.contiguous,
        }
    }
}

impl Tensor {
    /// Internal constructor for views whose bounds the caller has already proven.
    #[inline]
    pub(crate) fn from_parts(
        storage: Arc<Storage>,
        offset: usize,
        shape: Shape,
        strides: Strides,
    ) -> Tensor {
        debug_assert_eq!(shape.len(), strides.len());
        debug_assert!(
            matches!(layout::max_offset(offset, &shape, &strides), Some(None))
                || matches!(layout::max_offset(offset, &shape, &strides), Some(Some(m)) if m < storage.len())
        );
        let dtype = storage.dtype();
        let contiguous = layout::is_contiguous(&shape, &strides);
        Tensor {
            storage,
            offset,
            shape,
            strides,
            dtype,
            contiguous,
        }
    }

    /// Internal constructor for a fresh contiguous result; `v.len()` must equal the numel.
    #[inline]
    pub(crate) fn from_vec_shape<T: Element>(v: Vec<T>, shape: Shape) -> Tensor {
        debug_assert_eq!(v.len(), layout::numel(&shape));
        let strides = layout::contiguous_strides(&shape);
        Tensor {
            storage: arc_from_vec(v),
            offset: 0,
            shape,
            strides,
            dtype: T::DTYPE,
            contiguous: true,
        }
    }

    /// A new view on the same storage; the caller guarantees it is in bounds.
    #[inline]
    pub(crate) fn view_with(&self, offset: usize, shape: Shape, strides: Strides) -> Tensor {
        Tensor::from_parts(self.storage.clone(), offset, shape, strides)
    }

    /// The storage for writing, when this handle is its only owner.
    #[inline]
    pub(crate) fn storage_mut(&mut self) -> Option<&mut Storage> {
        Arc::get_mut(&mut self.storage)
    }

    /// Re-views the whole storage as contiguous `shape`; the caller guarantees the
    /// element count matches the storage length.
    #[inline]
    pub(crate) fn set_contiguous_layout(&mut self, shape: &[usize]) {
        debug_assert_eq!(layout::numel(shape), self.storage.len());
        self.offset = 0;
        self.shape = Shape::from_slice(shape);
        self.strides = layout::contiguous_strides(shape);
        self.contiguous = true;
    }

    /// A contiguous tensor owning `data`, with the given shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        let n = shape
            .iter()
            .try_fold(1usize, |a, &s| a.checked_mul(s))
            .ok_or_else(|| invalid("from_vec", "shape overflows"))?;
        if n != data.len() {
            return Err(shape_err(
                "from_vec",
                format!(
                    "shape {} needs {n} elements, got {}",
                    layout::fmt_shape(shape),
                    data.len()
                ),
            ));
        }
        Ok(Tensor::from_vec_shape(data, SmallVec::from_slice(shape)))
    }

    /// A storage of `numel` elements decoded from little-endian bytes (the
    /// format of `data/N` entries in `torch.jit.save` archives).
    pub fn from_le_bytes(dtype: DType, bytes: &[u8], numel: usize) -> Result<Arc<Storage>> {
        Storage::from_le_bytes(dtype, bytes, numel).map(Arc::new)
    }

    /// A view onto `storage`, as `_rebuild_tensor_v2` builds it. Checks that
    /// every addressable element lies inside the storage (with overflow checks).
    pub fn from_storage(
        storage: Arc<Storage>,
        offset: usize,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<Tensor> {
        if shape.len() != strides.len() {
            return Err(invalid(
                "from_storage",
                format!(
                    "shape {:?} and stride {:?} have different lengths",
                    shape, strides
                ),
            ));
        }
        match layout::max_offset(offset, shape, strides) {
            None => Err(invalid(
                "from_storage",
                format!("invalid strides {strides:?} for shape {shape:?} at offset {offset}"),
            )),
            Some(Some(max)) if max >= storage.len() => Err(invalid(
                "from_storage",
                format!(
                    "view (offset {offset}, shape {shape:?}, stride {strides:?}) is out of bounds for a storage of size {}",
                    storage.len()
                ),
            )),
            _ => Ok(Tensor::from_parts(
                storage,
                offset,
                SmallVec::from_slice(shape),
                SmallVec::from_slice(strides),
            )),
        }
    }

    /// A 0-dim tensor holding `value` converted to `dtype` (`torch.scalar_tensor`).
    pub fn scalar_tensor(value: Scalar, dtype: DType) -> Tensor {
        Tensor::full(&[], value, dtype)
    }

    /// A tensor of `shape` filled with `value` converted to `dtype`, allocated with
    /// [`crate::alloc`]'s checks: for shapes that come from a model's arguments.
    pub fn try_full(
        op: &'static str,
        shape: &[usize],
        value: Scalar,
        dtype: DType,
    ) -> Result<Tensor> {
        let n = crate::alloc::checked_numel(op, shape)?;
        Ok(crate::with_dtype!(dtype, T => Tensor::from_vec_shape(
            crate::alloc::try_filled(op, n, T::from_scalar(value))?,
            SmallVec::from_slice(shape)
        )))
    }

    /// [`Tensor::try_full`] with zeros.
    pub fn try_zeros(op: &'static str, shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::try_full(op, shape, Scalar::Int(0), dtype)
    }

    /// A tensor of `shape` filled with `value` converted to `dtype`. Unchecked: for shapes
    /// derived from existing tensors; use [`Tensor::try_full`] for sizes a model chooses.
    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Tensor {
        let n = layout::numel(shape);
        crate::with_dtype!(dtype, T => Tensor::from_vec_shape(vec![T::from_scalar(value); n], SmallVec::from_slice(shape)))
    }

    /// A tensor of zeros.
    pub fn zeros(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full(shape, Scalar::Int(0), dtype)
    }

    /// A tensor of ones.
    pub fn ones(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full(shape, Scalar::Int(1), dtype)
    }

    /// Sizes of each dimension.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Element strides of each dimension.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// Element type.
    #[inline]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of dimensions.
    #[inline]
    pub fn dim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    #[inline]
    pub fn numel(&self) -> usize {
        layout::numel(&self.shape)
    }

    /// PyTorch's `is_contiguous()` (row-major; size-1 dims ignored).
    #[inline]
    pub fn is_contiguous(&self) -> bool {
        self.contiguous
    }

    /// Offset of the first element in the storage, in elements.
    #[inline]
    pub fn storage_offset(&self) -> usize {
        self.offset
    }

    /// The shared storage.
    #[inline]
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }

    /// True when both tensors view the same storage (PyTorch's `is_set_to`-like aliasing test).
    #[inline]
    pub fn same_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// The whole storage as a typed slice. Panics if `T` is not the dtype.
    #[inline]
    pub(crate) fn data<T: Element>(&self) -> &[T] {
        self.storage.as_slice::<T>()
    }

    /// The elements as one slice in logical order, when the view is contiguous.
    #[inline]
    pub(crate) fn contiguous_data<T: Element>(&self) -> Option<&[T]> {
        if self.is_contiguous() {
            let n = self.numel();
            if n == 0 {
                // Empty views may carry any offset (e.g. `select` on a [3, 0] tensor).
                return Some(&[]);
            }
            Some(&self.data::<T>()[self.offset..self.offset + n])
        } else {
            None
        }
    }

    /// Calls `f` on each element in logical (row-major) order.
    #[inline]
    pub(crate) fn for_each<T: Element>(&self, mut f: impl FnMut(T)) {
        if let Some(s) = self.contiguous_data::<T>() {
            s.iter().for_each(|&x| f(x));
        } else {
            let d = self.data::<T>();
            layout::for_each_offset(&self.shape, [&self.strides], [self.offset], |[o]| f(d[o]));
        }
    }

    /// The elements in logical order, converted to `T` with PyTorch's casting rules.
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        crate::with_dtype!(self.dtype, S => {
            let mut out = Vec::with_capacity(self.numel());
            self.for_each::<S>(|x| out.push(x.cast::<T>()));
            out
        })
    }

    /// [`Tensor::to_vec`] with a checked allocation (see [`crate::alloc`]): for kernels, whose
    /// inputs may be views claiming far more elements than their storage holds.
    pub fn try_to_vec<T: Element>(&self, op: &'static str) -> Result<Vec<T>> {
        crate::with_dtype!(self.dtype, S => {
            let mut out = crate::alloc::try_for_shape(op, &self.shape)?;
            self.for_each::<S>(|x| out.push(x.cast::<T>()));
            Ok(out)
        })
    }

    /// The elements in logical order as f64 (bools are 0/1).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        self.to_vec::<f64>()
    }

    /// The single element as a Python number (`tensor.item()`).
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            return Err(invalid(
                "item",
                format!(
                    "a Tensor with {} elements cannot be converted to Scalar",
                    self.numel()
                ),
            ));
        }
        Ok(crate::with_dtype!(self.dtype, T => {
            let idx = self.offset;
            self.data::<T>()[idx].to_scalar()
        }))
    }

    /// A contiguous tensor with the same values: `self` (shared) if already
    /// contiguous, otherwise a copy.
    pub fn contiguous(&self) -> Tensor {
        if self.is_contiguous() {
            return self.clone();
        }
        self.materialize()
    }

    /// A fresh contiguous copy that never shares storage with `self` (`aten::clone`).
    pub fn deep_copy(&self) -> Tensor {
        self.materialize()
    }

    /// [`Tensor::contiguous`] with a checked allocation (`aten::contiguous` on a view whose
    /// size the model chose, e.g. after `expand`).
    pub fn try_contiguous(&self, op: &'static str) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.try_materialize(op)
    }

    /// A fresh contiguous copy, like [`Tensor::deep_copy`], with a checked allocation.
    pub fn try_materialize(&self, op: &'static str) -> Result<Tensor> {
        crate::with_dtype!(self.dtype, T => {
            let mut v = crate::alloc::try_for_shape::<T>(op, &self.shape)?;
            self.for_each::<T>(|x| v.push(x));
            Ok(Tensor::from_vec_shape(v, self.shape.clone()))
        })
    }

    /// A fresh contiguous copy that never shares storage with `self`.
    pub(crate) fn materialize(&self) -> Tensor {
        crate::with_dtype!(self.dtype, T => {
            let v = self.to_vec::<T>();
            Tensor::from_vec_shape(v, self.shape.clone())
        })
    }

    /// The elements in logical order as little-endian bytes (npy payload).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.numel() * self.dtype.itemsize());
        macro_rules! enc {
            ($t:ty) => {
                self.for_each::<$t>(|x| out.extend_from_slice(&x.to_le_bytes()))
            };
        }
        match self.dtype {
            DType::U8 => enc!(u8),
            DType::I8 => enc!(i8),
            DType::I16 => enc!(i16),
            DType::I32 => enc!(i32),
            DType::I64 => enc!(i64),
            DType::F16 => enc!(half::f16),
            DType::BF16 => enc!(half::bf16),
            DType::F32 => enc!(f32),
            DType::F64 => enc!(f64),
            DType::Bool => self.for_each::<bool>(|x| out.push(x as u8)),
        }
        out
    }

    /// Converts to `dtype` (`tensor.to(dtype)`): returns `self` unchanged (shared)
    /// when the dtype already matches, else a contiguous converted copy.
    /// Float to int truncates toward zero; anything to bool is `!= 0`.
    pub fn to_dtype(&self, dtype: DType) -> Tensor {
        if dtype == self.dtype {
            return self.clone();
        }
        crate::with_dtype!(dtype, T => Tensor::from_vec_shape(self.to_vec::<T>(), self.shape.clone()))
    }

    /// [`Tensor::to_dtype`] with a checked allocation (see [`crate::alloc`]); `op` names the
    /// kernel in the error.
    pub fn try_to_dtype(&self, op: &'static str, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype {
            return Ok(self.clone());
        }
        Ok(
            crate::with_dtype!(dtype, T => Tensor::from_vec_shape(self.try_to_vec::<T>(op)?, self.shape.clone())),
        )
    }

    /// Shape as a `SmallVec` (crate-internal convenience).
    #[inline]
    pub(crate) fn shape_vec(&self) -> Shape {
        self.shape.clone()
    }

    /// Strides as a `SmallVec` (crate-internal convenience).
    #[inline]
    pub(crate) fn strides_vec(&self) -> Strides {
        self.strides.clone()
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOW: usize = 16;
        let v = self.to_f64_vec();
        write!(
            f,
            "Tensor(shape={:?}, dtype={}, data=",
            self.shape(),
            self.dtype.name()
        )?;
        if v.len() > SHOW {
            write!(f, "{:?}...)", &v[..SHOW])
        } else {
            write!(f, "{v:?})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Tensor>();
    }

    #[test]
    fn from_storage_bounds() {
        let st = Tensor::from_le_bytes(DType::F32, &[0u8; 24], 6).unwrap();
        assert!(Tensor::from_storage(st.clone(), 0, &[2, 3], &[3, 1]).is_ok());
        assert!(Tensor::from_storage(st.clone(), 1, &[2, 3], &[3, 1]).is_err());
        assert!(Tensor::from_storage(st.clone(), 0, &[usize::MAX, 2], &[isize::MAX, 1]).is_err());
        assert!(Tensor::from_storage(st, 9, &[0, 3], &[3, 1]).is_ok());
    }

    #[test]
    fn empty_views_with_large_offsets() {
        let z = Tensor::zeros(&[3, 0], DType::F32);
        let row = crate::ops::shape::select(&z, 0, 2).unwrap();
        assert_eq!(row.to_vec::<f32>(), Vec::<f32>::new());
        assert_eq!(crate::ops::unary::relu(&row).unwrap().numel(), 0);
    }

    #[test]
    fn conversions() {
        let t = Tensor::from_vec(vec![-1.5f32, 0.0, 2.7], &[3]).unwrap();
        assert_eq!(t.to_dtype(DType::I64).to_vec::<i64>(), [-1, 0, 2]);
        assert_eq!(
            t.to_dtype(DType::Bool).to_vec::<bool>(),
            [true, false, true]
        );
        assert_eq!(t.to_le_bytes().len(), 12);
        assert_eq!(
            Tensor::scalar_tensor(Scalar::Int(3), DType::F64)
                .item()
                .unwrap(),
            Scalar::Float(3.0)
        );
    }
}
