//! Consecutive fixed-weight `linear` layers (each optionally followed by `relu`) run as one
//! operation.
//!
//! In an MLP every intermediate result is used once, by the next layer. Run layer by layer,
//! each one is a tensor with its own buffer, shape and bookkeeping; for a single input row
//! the arithmetic is a few dozen multiply-adds, so that bookkeeping is most of the cost. A
//! chain passes the row from layer to layer through two small buffers on the stack and writes
//! only the final output.
//!
//! Every layer runs the same single-row kernel ([`super::Packed::row`]) it runs alone, in the
//! same order, so a chain's results are bit-identical to the layers run one by one. Inputs
//! that are not one row (batches, other dtypes, strided views) go through the layers one by
//! one, exactly as unfused.

use super::{row_shape, single_row, FixedLinear, Packed};
use crate::{Result, Tensor};

/// Widest intermediate result a chain passes through its stack buffers (float32 elements).
/// Wider layers are memory-bound rather than overhead-bound and are not chained.
pub const MAX_CHAIN_WIDTH: usize = 256;

/// Buffer width for chains whose intermediates all fit: zeroing two 256-element buffers would
/// cost more than a small MLP's whole arithmetic.
const SMALL_WIDTH: usize = 16;

/// Two or more [`FixedLinear`] layers, each one's output the next one's only input.
#[derive(Clone)]
pub struct LinearChain {
    /// Each layer with its `then_relu` flag, in order.
    layers: Box<[(FixedLinear, bool)]>,
    /// Widest intermediate result (every layer's output but the last).
    widest: usize,
}

impl LinearChain {
    /// Chains `layers` (each with its `then_relu` flag). `None` unless there are at least two,
    /// every weight is packed for the single-row kernel (see [`FixedLinear::packed_dims`]),
    /// each layer's input features equal the previous layer's output features, and every
    /// intermediate result has between 1 and [`MAX_CHAIN_WIDTH`] elements: otherwise the layers
    /// should stay separate steps.
    pub fn new(layers: &[(&FixedLinear, bool)]) -> Option<LinearChain> {
        if layers.len() < 2 {
            return None;
        }
        let dims: Vec<(usize, usize)> = layers
            .iter()
            .map(|(l, _)| l.packed_dims())
            .collect::<Option<_>>()?;
        let mut widest = 0;
        for pair in dims.windows(2) {
            let (prev_n, next_k) = (pair[0].1, pair[1].0);
            // A zero-width row would take the general kernel when unfused (`single_row`).
            if prev_n != next_k || prev_n == 0 || prev_n > MAX_CHAIN_WIDTH {
                return None;
            }
            widest = widest.max(prev_n);
        }
        Some(LinearChain {
            layers: layers.iter().map(|(l, r)| ((*l).clone(), *r)).collect(),
            widest,
        })
    }

    /// Input features of the first layer.
    pub fn in_features(&self) -> usize {
        self.packed(0).map_or(0, |p| p.k)
    }

    /// Output features of the last layer.
    pub fn out_features(&self) -> usize {
        self.packed(self.layers.len() - 1).map_or(0, |p| p.n)
    }

    fn packed(&self, i: usize) -> Option<&Packed> {
        self.layers.get(i).and_then(|(l, _)| l.packed.as_ref())
    }

    /// All layers applied to `x`, into `out` (its buffer reused when it solely owns one of the
    /// right size, as in [`FixedLinear::run_into`]).
    pub fn run_into(&self, x: &Tensor, out: &mut Tensor) -> Result<()> {
        if let Some(xs) = single_row(x, self.in_features()) {
            if let Some(o) = out.overwrite_as::<f32>(&row_shape(x, self.out_features())) {
                let done = if self.widest <= SMALL_WIDTH {
                    chain_row::<SMALL_WIDTH>(&self.layers, xs, o)
                } else {
                    chain_row::<MAX_CHAIN_WIDTH>(&self.layers, xs, o)
                };
                if done {
                    return Ok(());
                }
            }
        }
        chain_through(&self.layers, x, out)
    }
}

/// One row through every layer, ping-ponging between two stack buffers of `W` elements (the
/// constructor checked that every intermediate fits); `o` receives the last layer's output.
/// False, with `o` unspecified, if a layer is not packed (the constructor excludes it).
fn chain_row<const W: usize>(layers: &[(FixedLinear, bool)], x: &[f32], o: &mut [f32]) -> bool {
    let mut a = [0.0f32; W];
    let mut b = [0.0f32; W];
    let (mut cur, mut next) = (&mut a, &mut b);
    let Some(((last, last_relu), init)) = layers.split_last() else {
        return false;
    };
    let Some(((first, first_relu), middle)) = init.split_first() else {
        return false;
    };
    let Some(p) = first.packed.as_ref() else {
        return false;
    };
    p.row(x, &mut cur[..p.n], *first_relu);
    let mut len = p.n;
    for (layer, relu) in middle {
        let Some(p) = layer.packed.as_ref() else {
            return false;
        };
        p.row(&cur[..len], &mut next[..p.n], *relu);
        std::mem::swap(&mut cur, &mut next);
        len = p.n;
    }
    let Some(p) = last.packed.as_ref() else {
        return false;
    };
    p.row(&cur[..len], o, *last_relu);
    true
}

/// The layers one by one, each through [`FixedLinear::run_into`]: what the unfused steps do,
/// for inputs the single-row path does not take.
fn chain_through(layers: &[(FixedLinear, bool)], x: &Tensor, out: &mut Tensor) -> Result<()> {
    let mut cur: Option<Tensor> = None;
    let Some(((last, last_relu), init)) = layers.split_last() else {
        return Ok(());
    };
    for (layer, relu) in init {
        let mut y = Tensor::placeholder();
        layer.run_into(cur.as_ref().unwrap_or(x), &mut y, *relu)?;
        cur = Some(y);
    }
    last.run_into(cur.as_ref().unwrap_or(x), out, *last_relu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(n: usize, k: usize, seed: f32) -> FixedLinear {
        let w: Vec<f32> = (0..n * k).map(|i| (i as f32 * 0.37 + seed).sin()).collect();
        let b: Vec<f32> = (0..n).map(|i| (i as f32 + seed).cos() * 0.3).collect();
        FixedLinear::new(
            Tensor::from_vec(w, &[n, k]).unwrap(),
            Some(Tensor::from_vec(b, &[n]).unwrap()),
        )
    }

    /// The layers run one by one, as separate plan steps would.
    fn unfused(layers: &[(&FixedLinear, bool)], x: &Tensor) -> Tensor {
        let mut cur = x.clone();
        for (l, relu) in layers {
            let mut y = Tensor::placeholder();
            l.run_into(&cur, &mut y, *relu).unwrap();
            cur = y;
        }
        cur
    }

    fn bits(t: &Tensor) -> Vec<u32> {
        t.to_vec::<f32>().iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn bit_identical_to_the_layers_one_by_one() {
        // Widths below and above the small buffers, relu on every layer, on none, mixed.
        for widths in [vec![2, 8, 8, 1], vec![3, 20, 5], vec![4, 9, 17, 300, 2]] {
            for relus in [[true, true, false, true], [false; 4], [true; 4]] {
                let ls: Vec<FixedLinear> = widths
                    .windows(2)
                    .enumerate()
                    .map(|(i, w)| layer(w[1], w[0], i as f32))
                    .collect();
                let refs: Vec<(&FixedLinear, bool)> = ls
                    .iter()
                    .zip(relus.iter().cycle())
                    .map(|(l, r)| (l, *r))
                    .collect();
                let chain = LinearChain::new(&refs);
                if widths
                    .iter()
                    .skip(1)
                    .rev()
                    .skip(1)
                    .any(|&w| w > MAX_CHAIN_WIDTH)
                {
                    assert!(chain.is_none(), "{widths:?}: too wide to chain");
                    continue;
                }
                let chain = chain.expect("chainable");
                let k = widths[0];
                for shape in [vec![k], vec![1, k], vec![5, k]] {
                    let n: usize = shape.iter().product();
                    let x: Vec<f32> = (0..n).map(|i| (i as f32 * 0.71).cos() * 2.0).collect();
                    let x = Tensor::from_vec(x, &shape).unwrap();
                    let want = unfused(&refs, &x);
                    let mut got = Tensor::placeholder();
                    chain.run_into(&x, &mut got).unwrap();
                    assert_eq!(got.shape(), want.shape(), "{widths:?} {shape:?}");
                    assert_eq!(bits(&got), bits(&want), "{widths:?} {relus:?} {shape:?}");
                    // Again into the now sole-owned buffer: overwritten in place, same values.
                    let ptr = got.storage().as_ref() as *const _;
                    chain.run_into(&x, &mut got).unwrap();
                    assert_eq!(bits(&got), bits(&want));
                    if n == k {
                        assert!(std::ptr::eq(got.storage().as_ref(), ptr), "one row: reused");
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_mismatched_unpacked_or_single_layers() {
        let a = layer(8, 2, 0.0);
        let b = layer(1, 8, 1.0);
        assert!(LinearChain::new(&[(&a, true)]).is_none());
        assert!(LinearChain::new(&[(&b, true), (&a, false)]).is_none());
        let big = FixedLinear::new(
            Tensor::from_vec(vec![0.0f32; 2 * 40_000], &[40_000, 2]).unwrap(),
            None,
        );
        let wide = FixedLinear::new(
            Tensor::from_vec(vec![0.0f32; 40_000], &[1, 40_000]).unwrap(),
            None,
        );
        assert!(LinearChain::new(&[(&big, true), (&wide, false)]).is_none());
        let f64w = FixedLinear::new(Tensor::from_vec(vec![0.0f64; 16], &[8, 2]).unwrap(), None);
        assert!(LinearChain::new(&[(&f64w, true), (&b, false)]).is_none());
        assert!(LinearChain::new(&[(&a, true), (&b, false)]).is_some());
    }

    #[test]
    fn wrong_input_width_is_the_general_kernels_error() {
        let a = layer(8, 2, 0.0);
        let b = layer(1, 8, 1.0);
        let chain = LinearChain::new(&[(&a, true), (&b, false)]).unwrap();
        let x = Tensor::from_vec(vec![1.0f32; 3], &[3]).unwrap();
        let mut out = Tensor::placeholder();
        assert!(chain.run_into(&x, &mut out).is_err());
    }
}
