//! The generated float32 inputs of `--input zeros:2,3`, `ones:`, `rand:` and `randn:`.
//!
//! `rand`/`randn` are reproducible rather than random: the generator is seeded with the
//! input's position, so the same command line always feeds the model the same numbers (and two
//! `rand:` inputs of one call still differ). They are not PyTorch's numbers.

use crate::array::{element_count, ArrayData, NdArray};

/// Largest generated input, in elements (4 GiB of float32): beyond that a typo in a shape would
/// abort the process on allocation failure instead of reporting an error.
pub const MAX_ELEMENTS: usize = 1 << 30;

/// What a generated input is filled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillKind {
    /// All 0.
    Zeros,
    /// All 1.
    Ones,
    /// Uniform in `[0, 1)`.
    Rand,
    /// Standard normal.
    Randn,
}

impl FillKind {
    /// The spec prefix without its colon (`"zeros"`).
    pub fn name(self) -> &'static str {
        match self {
            FillKind::Zeros => "zeros",
            FillKind::Ones => "ones",
            FillKind::Rand => "rand",
            FillKind::Randn => "randn",
        }
    }

    /// The kind named by a spec prefix.
    pub fn from_name(name: &str) -> Option<FillKind> {
        [
            FillKind::Zeros,
            FillKind::Ones,
            FillKind::Rand,
            FillKind::Randn,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A float32 array of `shape` filled as `kind` says; `seed` picks the `rand`/`randn` stream.
pub fn fill(kind: FillKind, shape: &[usize], seed: u64) -> Result<NdArray, String> {
    let n = element_count(shape).map_err(|e| e.0)?;
    if n > MAX_ELEMENTS {
        return Err(format!(
            "shape {shape:?} has {n} elements, more than the {MAX_ELEMENTS} a generated input may have"
        ));
    }
    let mut rng = SplitMix64(seed);
    let values: Vec<f32> = match kind {
        FillKind::Zeros => vec![0.0; n],
        FillKind::Ones => vec![1.0; n],
        FillKind::Rand => (0..n).map(|_| rng.unit_f32()).collect(),
        FillKind::Randn => (0..n).map(|_| rng.normal_f32()).collect(),
    };
    NdArray::new(shape.to_vec(), ArrayData::F32(values)).map_err(|e| e.0)
}

/// SplitMix64: tiny, fast, and good enough for test inputs; no dependency needed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`: the top 24 bits, so every value is exactly representable.
    fn unit_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Standard normal by Box-Muller (one of the pair; simplicity over speed).
    fn normal_f32(&mut self) -> f32 {
        // u1 in (0, 1] so that ln(u1) is finite.
        let u1 = ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
        let u2 = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(a: &NdArray) -> Vec<f32> {
        match &a.data {
            ArrayData::F32(v) => v.clone(),
            other => panic!("not f32: {other:?}"),
        }
    }

    #[test]
    fn constant_fills() {
        let z = fill(FillKind::Zeros, &[2, 3], 0).unwrap();
        assert_eq!(z.shape, vec![2, 3]);
        assert_eq!(values(&z), vec![0.0; 6]);
        assert_eq!(
            values(&fill(FillKind::Ones, &[4], 0).unwrap()),
            vec![1.0; 4]
        );
        let s = fill(FillKind::Ones, &[], 0).unwrap();
        assert!(s.shape.is_empty());
        assert_eq!(values(&s), vec![1.0]);
    }

    #[test]
    fn rand_is_reproducible_in_range_and_seeded() {
        let a = values(&fill(FillKind::Rand, &[1000], 0).unwrap());
        assert_eq!(a, values(&fill(FillKind::Rand, &[1000], 0).unwrap()));
        assert_ne!(a, values(&fill(FillKind::Rand, &[1000], 1).unwrap()));
        assert!(a.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = a.iter().sum::<f32>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "{mean}");
    }

    #[test]
    fn randn_looks_normal() {
        let a = values(&fill(FillKind::Randn, &[10_000], 3).unwrap());
        assert!(a.iter().all(|x| x.is_finite()));
        let mean = a.iter().sum::<f32>() / a.len() as f32;
        let var = a.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / a.len() as f32;
        assert!(mean.abs() < 0.05 && (var - 1.0).abs() < 0.1, "{mean} {var}");
    }

    #[test]
    fn huge_shapes_are_errors() {
        assert!(fill(FillKind::Zeros, &[1 << 20, 1 << 20], 0).is_err());
        assert!(fill(FillKind::Zeros, &[usize::MAX, 2], 0).is_err());
    }
}
