//! `aten::linear` with weights fixed at load time, packed once for single-row calls.
//!
//! A model's `linear` layers almost always take their weight and bias from constants, so the
//! layout work (transposing, checking dtypes and shapes) can happen once. For one input row
//! (the per-sample calls that dominate small-model latency) the packed form turns the product
//! into `k` vectorisable `out += x[i] * column_i` updates with no horizontal sums; anything
//! else (batches, other dtypes, non-contiguous inputs) goes through the general [`linear`].

use crate::ops::linalg::linear;
use crate::ops::unary::relu;
use crate::{DType, Result, Tensor};

mod chain;

pub use chain::LinearChain;

/// Outputs computed together from one packed weight block: eight float32 lanes, two SSE or
/// one AVX register, so the accumulators stay in registers.
const LANES: usize = 8;

/// Weights with more elements than this are not packed. Packing keeps a second copy of the
/// weight and costs a pass over it at load, which pays off only where per-call overhead
/// dominates (small layers); a large layer's single-row call is memory-bound and runs as well
/// through the general kernel. 64 Ki elements is 256 KiB of float32.
const MAX_PACKED_ELEMENTS: usize = 64 * 1024;

/// A `linear` (optionally followed by `relu`) whose weight and bias are fixed.
#[derive(Clone)]
pub struct FixedLinear {
    weight: Tensor,
    bias: Option<Tensor>,
    packed: Option<Packed>,
}

/// Float32 weights in the layout the single-row kernel wants.
#[derive(Clone)]
struct Packed {
    /// Output features.
    n: usize,
    /// Input features.
    k: usize,
    /// Outputs `[0, blocks * LANES)` in blocks of `LANES`: block `b`, input `i` holds
    /// `W[b * LANES + j, i]` for each lane `j`, at `blocked[b * k + i]`.
    blocked: Vec<[f32; LANES]>,
    /// The remaining `n % LANES` outputs' weight rows, row-major (`[n % LANES, k]`).
    rest: Vec<f32>,
    /// The bias, zeros when there is none.
    b: Vec<f32>,
}

impl FixedLinear {
    /// Prepares `linear(_, weight, bias)`. Only float32 2-D weights of at most 64 Ki
    /// elements are packed; everything else is kept and run through the general kernel.
    pub fn new(weight: Tensor, bias: Option<Tensor>) -> FixedLinear {
        let packed = pack(&weight, bias.as_ref());
        FixedLinear {
            weight,
            bias,
            packed,
        }
    }

    /// `linear(x, weight, bias)`, then `relu` when `then_relu`, into `out` (reusing its
    /// buffer when it solely owns one of the right size; any previous value is replaced).
    pub fn run_into(&self, x: &Tensor, out: &mut Tensor, then_relu: bool) -> Result<()> {
        if let Some(p) = &self.packed {
            if let Some(xs) = single_row(x, p.k) {
                if let Some(o) = out.overwrite_as::<f32>(&row_shape(x, p.n)) {
                    p.row(xs, o, then_relu);
                    return Ok(());
                }
            }
        }
        let y = linear(x, &self.weight, self.bias.as_ref())?;
        *out = if then_relu { relu(&y)? } else { y };
        Ok(())
    }

    /// `(input features, output features)` when the weight is packed for the single-row
    /// kernel (the form a [`LinearChain`] needs), `None` otherwise.
    pub fn packed_dims(&self) -> Option<(usize, usize)> {
        self.packed.as_ref().map(|p| (p.k, p.n))
    }
}

/// `x`'s shape with its last dimension replaced by `n`: a linear layer's output shape.
fn row_shape(x: &Tensor, n: usize) -> smallvec::SmallVec<[usize; 4]> {
    let mut shape: smallvec::SmallVec<[usize; 4]> =
        smallvec::SmallVec::from_slice(&x.shape()[..x.dim().saturating_sub(1)]);
    shape.push(n);
    shape
}

/// The input's elements when it is one contiguous float32 row of `k` features.
fn single_row(x: &Tensor, k: usize) -> Option<&[f32]> {
    // `k == 0` is left to the general kernel: `numel == k` would not prove a single row.
    if x.dtype() != DType::F32
        || x.dim() == 0
        || k == 0
        || x.shape()[x.dim() - 1] != k
        || x.numel() != k
    {
        return None;
    }
    x.contiguous_data::<f32>()
}

fn pack(w: &Tensor, b: Option<&Tensor>) -> Option<Packed> {
    if w.dtype() != DType::F32 || w.dim() != 2 || w.numel() > MAX_PACKED_ELEMENTS {
        return None;
    }
    let (n, k) = (w.shape()[0], w.shape()[1]);
    let b = match b {
        None => vec![0.0; n],
        Some(b) if b.dtype() == DType::F32 && b.shape() == [n] => {
            b.try_to_vec::<f32>("pack").ok()?
        }
        Some(_) => return None,
    };
    let rows = w.try_to_vec::<f32>("pack").ok()?;
    let blocks = n / LANES;
    let mut blocked = vec![[0.0f32; LANES]; blocks * k];
    for (j, row) in rows.chunks_exact(k.max(1)).take(blocks * LANES).enumerate() {
        for (i, &v) in row.iter().enumerate() {
            blocked[(j / LANES) * k + i][j % LANES] = v;
        }
    }
    let rest = rows[blocks * LANES * k..].to_vec();
    Some(Packed {
        n,
        k,
        blocked,
        rest,
        b,
    })
}

impl Packed {
    /// `o = relu?(x @ W.T + b)` for one row.
    #[inline]
    fn row(&self, x: &[f32], o: &mut [f32], then_relu: bool) {
        if self.k == 0 {
            // No inputs: every output is its bias (the weight blocks below are empty).
            for (oj, &bj) in o.iter_mut().zip(&self.b) {
                *oj = if then_relu && bj < 0.0 { 0.0 } else { bj };
            }
            return;
        }
        let (o_blocks, o_rest) = o.as_chunks_mut::<LANES>();
        let (b_blocks, b_rest) = self.b.as_chunks::<LANES>();
        let k = self.k;
        // The weights are walked with `split_at_checked` rather than `chunks_exact(k)`, whose
        // chunk count is a division: two integer divisions per layer were a visible part of
        // a small MLP's call.
        let mut blocked = self.blocked.as_slice();
        for (acc_out, bias) in o_blocks.iter_mut().zip(b_blocks) {
            let Some((w, tail)) = blocked.split_at_checked(k) else {
                break;
            };
            blocked = tail;
            let mut acc = *bias;
            for (&xi, wi) in x.iter().zip(w) {
                for (a, &wj) in acc.iter_mut().zip(wi) {
                    *a += xi * wj;
                }
            }
            if then_relu {
                for a in acc.iter_mut() {
                    // `x < 0` keeps NaN as NaN, like aten's relu.
                    *a = if *a < 0.0 { 0.0 } else { *a };
                }
            }
            *acc_out = acc;
        }
        let mut rest = self.rest.as_slice();
        for (oj, &bj) in o_rest.iter_mut().zip(b_rest) {
            let Some((row, tail)) = rest.split_at_checked(k) else {
                break;
            };
            rest = tail;
            let v = x.iter().zip(row).fold(bj, |s, (&p, &q)| s + p * q);
            *oj = if then_relu && v < 0.0 { 0.0 } else { v };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn matches_general_linear_in_both_forms_and_batches() {
        for n in [1usize, 3, 8, 19] {
            for k in [0usize, 1, 5] {
                let w: Vec<f32> = (0..n * k).map(|i| (i as f32 * 0.37).sin()).collect();
                let b: Vec<f32> = (0..n).map(|i| i as f32 * 0.1 - 0.2).collect();
                let w = Tensor::from_vec(w, &[n, k]).unwrap();
                let b = Tensor::from_vec(b, &[n]).unwrap();
                let fixed = FixedLinear::new(w.clone(), Some(b.clone()));
                for shape in [vec![k], vec![1, k], vec![3, k]] {
                    let numel: usize = shape.iter().product();
                    let x: Vec<f32> = (0..numel).map(|i| (i as f32 * 0.71).cos()).collect();
                    let x = Tensor::from_vec(x, &shape).unwrap();
                    let want = linear(&x, &w, Some(&b)).unwrap();
                    let mut got = Tensor::from_vec(vec![0i64], &[1]).unwrap();
                    fixed.run_into(&x, &mut got, false).unwrap();
                    assert_eq!(got.shape(), want.shape());
                    close(&got.to_vec::<f32>(), &want.to_vec::<f32>());
                    fixed.run_into(&x, &mut got, true).unwrap();
                    let want = relu(&want).unwrap();
                    close(&got.to_vec::<f32>(), &want.to_vec::<f32>());
                }
            }
        }
    }

    #[test]
    fn shape_errors_come_from_the_general_kernel() {
        let w = Tensor::from_vec(vec![1.0f32; 8], &[4, 2]).unwrap();
        let fixed = FixedLinear::new(w, None);
        let x = Tensor::from_vec(vec![1.0f32; 3], &[3]).unwrap();
        let mut out = x.clone();
        assert!(fixed.run_into(&x, &mut out, false).is_err());
    }
}
