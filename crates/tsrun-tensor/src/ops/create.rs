//! Tensor factories (`zeros`, `arange`, `rand`...) and the two writers every
//! in-place op ends in: `copy_` and `fill_`.

use smallvec::SmallVec;

use crate::error::{invalid, shape_err};
use crate::layout;
use crate::promote::DEFAULT_FLOAT;
use crate::{DType, Element, Result, Scalar, Tensor};

/// `torch.zeros(shape, dtype=dtype)` (a checked allocation: the shape is the model's).
pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
    Tensor::try_full("zeros", shape, Scalar::Int(0), dtype)
}

/// `torch.ones(shape, dtype=dtype)` (a checked allocation).
pub fn ones(shape: &[usize], dtype: DType) -> Result<Tensor> {
    Tensor::try_full("ones", shape, Scalar::Int(1), dtype)
}

/// `torch.full(shape, value, dtype=dtype)` (a checked allocation).
pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
    Tensor::try_full("full", shape, value, dtype)
}

/// `torch.zeros_like(t)` with `t`'s shape and dtype (always contiguous).
pub fn zeros_like(t: &Tensor) -> Result<Tensor> {
    Tensor::try_zeros("zeros_like", t.shape(), t.dtype())
}

/// `torch.arange(start, end, step, dtype=dtype)`.
///
/// Without `dtype`, the result is int64 when all three are ints and the
/// default float dtype otherwise. Values are `start + i * step` computed in
/// double (int64 for int64 outputs), as aten's CPU kernel does.
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: Option<DType>) -> Result<Tensor> {
    let any_float = start.is_floating() || end.is_floating() || step.is_floating();
    let dtype = dtype.unwrap_or(if any_float { DEFAULT_FLOAT } else { DType::I64 });
    if step.to_f64() == 0.0 {
        return Err(invalid("arange", "step must be nonzero"));
    }
    let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
    if !(s.is_finite() && e.is_finite()) {
        return Err(invalid("arange", "unsupported range: start -> end"));
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        return Err(invalid(
            "arange",
            "upper bound and lower bound inconsistent with step sign",
        ));
    }
    let n = if dtype == DType::I64 && !any_float {
        // aten uses exact int64 arithmetic here.
        let (s, e, st) = (
            start.to_i64() as i128,
            end.to_i64() as i128,
            step.to_i64() as i128,
        );
        let sgn = st.signum();
        ((e - s + st - sgn) / st).max(0) as f64
    } else {
        ((e - s) / st).ceil().max(0.0)
    };
    if n > (isize::MAX as f64) / 8.0 {
        return Err(invalid(
            "arange",
            format!("invalid size, possible overflow? size = {n}"),
        ));
    }
    let n = n as usize;
    Ok(if dtype == DType::I64 && !any_float {
        let (s, st) = (start.to_i64(), step.to_i64());
        let mut v: Vec<i64> = crate::alloc::try_with_capacity("arange", n)?;
        v.extend((0..n as i64).map(|i| s.wrapping_add(st.wrapping_mul(i))));
        Tensor::from_vec_shape(v, SmallVec::from_slice(&[n]))
    } else {
        crate::with_dtype!(dtype, T => {
            let mut v: Vec<T> = crate::alloc::try_with_capacity("arange", n)?;
            v.extend((0..n).map(|i| T::from_f64(s + st * i as f64)));
            Tensor::from_vec_shape(v, SmallVec::from_slice(&[n]))
        })
    })
}

/// A small, seedable PRNG (xoshiro256**, seeded by SplitMix64) for CLI inputs.
///
/// It deliberately does not reproduce torch's Mersenne Twister streams.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose stream is fully determined by `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller).
    pub fn next_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // in (0, 1], so ln is finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn random(
    op: &'static str,
    shape: &[usize],
    dtype: DType,
    mut f: impl FnMut() -> f64,
) -> Result<Tensor> {
    if !dtype.is_floating() {
        return Err(crate::TensorError::Unsupported { op, dtype });
    }
    let n = crate::alloc::checked_numel(op, shape)?;
    Ok(crate::with_dtype!(dtype, T => {
        let mut v: Vec<T> = crate::alloc::try_with_capacity(op, n)?;
        v.extend((0..n).map(|_| T::from_f64(f())));
        Tensor::from_vec_shape(v, SmallVec::from_slice(shape))
    }))
}

/// Uniform `[0, 1)` samples (`torch.rand`), floating dtypes only.
pub fn rand(shape: &[usize], dtype: DType, rng: &mut Rng) -> Result<Tensor> {
    random("rand", shape, dtype, || rng.next_f64())
}

/// Standard normal samples (`torch.randn`), floating dtypes only.
pub fn randn(shape: &[usize], dtype: DType, rng: &mut Rng) -> Result<Tensor> {
    random("randn", shape, dtype, || rng.next_normal())
}

/// Rejects destinations where one memory location backs several elements
/// (expanded tensors), as aten's `assert_no_internal_overlap` does.
fn check_no_internal_overlap(op: &'static str, dst: &Tensor) -> Result<()> {
    let overlapping = dst
        .shape()
        .iter()
        .zip(dst.strides())
        .any(|(&s, &st)| s > 1 && st == 0);
    if overlapping {
        return Err(invalid(
            op,
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
        ));
    }
    Ok(())
}

/// `dst.copy_(src)`: broadcasts `src` to `dst`'s shape, converts to `dst`'s
/// dtype, and writes through `dst`'s view into its (possibly shared) storage.
/// This is how index assignment and every in-place op write their result.
pub fn copy_(dst: &Tensor, src: &Tensor) -> Result<Tensor> {
    let out = layout::broadcast_shapes("copy_", dst.shape(), src.shape())?;
    if out.as_slice() != dst.shape() {
        return Err(shape_err(
            "copy_",
            format!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                dst.shape(),
                out.as_slice()
            ),
        ));
    }
    check_no_internal_overlap("copy_", dst)?;
    // Reading and writing the same buffer at once would alias (see storage.rs),
    // and PyTorch's result for partially overlapping views is order-dependent
    // anyway; copying the source out first gives the "as if simultaneous" answer.
    let src = if src.same_storage(dst) {
        src.try_materialize("copy")?
    } else {
        src.clone()
    };
    let sstr = layout::broadcast_strides(src.shape(), src.strides(), dst.shape());
    crate::with_dtype!(dst.dtype(), D => crate::with_dtype!(src.dtype(), S => {
        let s = src.data::<S>();
        // SAFETY: `src` does not share `dst`'s storage (checked above), no other
        // slice of `dst`'s storage is live in this function, and the tensors are
        // not used concurrently (storage.rs contract).
        unsafe {
            dst.storage().write_slice::<D, _>(|d| {
                layout::for_each_offset(
                    dst.shape(),
                    [dst.strides(), &sstr],
                    [dst.storage_offset(), src.storage_offset()],
                    |[o, i]| d[o] = s[i].cast::<D>(),
                )
            })
        }
    }));
    Ok(dst.clone())
}

/// `dst.fill_(value)`: writes `value` (converted to `dst`'s dtype) into every
/// element of the view.
pub fn fill_(dst: &Tensor, value: Scalar) -> Result<Tensor> {
    check_no_internal_overlap("fill_", dst)?;
    crate::with_dtype!(dst.dtype(), D => {
        let v = D::from_scalar(value);
        // SAFETY: no other slice of this storage is live here; single-threaded
        // use per the storage.rs contract.
        unsafe {
            dst.storage().write_slice::<D, _>(|d| {
                layout::for_each_offset(dst.shape(), [dst.strides()], [dst.storage_offset()], |[o]| d[o] = v)
            })
        }
    });
    Ok(dst.clone())
}

/// `dst.fill_(value)` with a 0-dim tensor value (`aten::fill_.Tensor`).
pub fn fill_tensor_(dst: &Tensor, value: &Tensor) -> Result<Tensor> {
    if value.dim() != 0 {
        return Err(invalid(
            "fill_",
            format!(
                "fill_ only supports 0-dimension value tensor but got tensor with {} dimensions.",
                value.dim()
            ),
        ));
    }
    fill_(dst, value.item()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_into_view_is_shared() {
        let base = Tensor::zeros(&[2, 3], DType::F32);
        let row = crate::ops::shape::select(&base, 0, 1).unwrap();
        copy_(&row, &Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap()).unwrap();
        assert_eq!(base.to_vec::<f32>(), [0., 0., 0., 1., 2., 3.]);
        fill_(
            &crate::ops::shape::select(&base, 1, 0).unwrap(),
            Scalar::Float(9.0),
        )
        .unwrap();
        assert_eq!(base.to_vec::<f32>(), [9., 0., 0., 9., 2., 3.]);
    }

    #[test]
    fn rng_is_deterministic() {
        let a = rand(&[4], DType::F32, &mut Rng::new(1)).unwrap();
        let b = rand(&[4], DType::F32, &mut Rng::new(1)).unwrap();
        assert_eq!(a.to_vec::<f32>(), b.to_vec::<f32>());
        assert!(a.to_vec::<f32>().iter().all(|&x| (0.0..1.0).contains(&x)));
    }
}
