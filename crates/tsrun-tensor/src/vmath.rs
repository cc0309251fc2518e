//! Vectorisable float32 `exp`, `sigmoid` and `tanh` over slices.
//!
//! libm's `expf`/`tanhf` are scalar calls, so a loop over them runs one element at a time;
//! aten's CPU kernels evaluate these functions eight lanes at a time (Sleef, ≤ 1 ulp). The
//! functions here are branch-free polynomial approximations (Cephes' single-precision
//! coefficients, ≤ 2-3 ulp over the whole range) written so LLVM's loop vectoriser turns
//! each loop into SIMD code: rounding uses the 1.5·2^23 trick instead of `round()`, `2^n` is
//! built from its bits, and special cases are lane selects rather than branches.
//!
//! On x86-64 CPUs with AVX2 the same loops are compiled a second time with AVX2 enabled
//! (eight lanes instead of SSE2's four) and picked at run time. No fused multiply-add is
//! used on either path, so both give bit-identical results.
//!
//! The formulas follow aten's float32 kernels: `sigmoid(x) = 1 / (1 + exp(-x))`,
//! `tanh(x)` a polynomial near zero and `1 - 2 / (exp(2|x|) + 1)` with `x`'s sign beyond.

/// `log2(e)`.
const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` split in two so `x - n·ln2` is exact for the `n` that occur (Cody-Waite).
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Adding then subtracting 1.5·2^23 rounds an f32 of magnitude < 2^22 to an integer, and
/// leaves that integer in the low mantissa bits of the intermediate sum.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// Below this `exp` is 0 in f32 (e^-104 is under half the smallest subnormal).
const EXP_LO: f32 = -104.0;
/// Above ~88.72 `exp` overflows; clamping a little higher keeps `inf` as the result.
const EXP_HI: f32 = 88.8;

/// `e^x` for one lane, ≤ 2 ulp; `exp(NaN)` is NaN, `exp(±inf)` is `inf`/0.
#[inline(always)]
fn exp_lane(x: f32) -> f32 {
    let xc = x.clamp(EXP_LO, EXP_HI);
    // n = round(x / ln2), as a float and as an integer.
    let t = xc * LOG2E + ROUND_MAGIC;
    let n_int = t.to_bits() as i32 - ROUND_MAGIC.to_bits() as i32;
    let n = t - ROUND_MAGIC;
    let r = xc - n * LN2_HI - n * LN2_LO;
    // e^r on [-ln2/2, ln2/2].
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let er = p * r * r + r + 1.0;
    // 2^n as two factors 2^(n/2)·2^(n - n/2): each stays a normal float for n in
    // [-150, 128], so subnormal results and the overflow to inf both come out right.
    let half = n_int >> 1;
    let scale_a = f32::from_bits(((half + 127) as u32) << 23);
    let scale_b = f32::from_bits(((n_int - half + 127) as u32) << 23);
    let y = er * scale_a * scale_b;
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// `1 / (1 + e^-x)` for one lane.
#[inline(always)]
fn sigmoid_lane(x: f32) -> f32 {
    1.0 / (1.0 + exp_lane(-x))
}

/// `tanh(x)` for one lane, ≤ 3 ulp.
#[inline(always)]
fn tanh_lane(x: f32) -> f32 {
    let ax = x.abs();
    // Near zero: odd polynomial in x (Cephes tanhf), exact at 0 and for subnormals.
    let z = x * x;
    let mut p = -5.704_988_7e-3f32;
    p = p * z + 2.063_909e-2;
    p = p * z - 5.373_971_6e-2;
    p = p * z + 0.133_314_42;
    p = p * z - 0.333_332_8;
    let small = p * z * x + x;
    // Elsewhere: 1 - 2/(e^{2|x|} + 1), which tends to 1 without overflow trouble
    // (e^{2|x|} = inf gives exactly 1).
    let large = 1.0 - 2.0 / (exp_lane(2.0 * ax) + 1.0);
    // The sign is x's in both forms; copying it also keeps tanh(-0) = -0.
    let y = if ax < 0.625 { small } else { large };
    y.copysign(x)
}

/// Defines `$name(&mut [f32])` applying `$lane` to every element, with an AVX2 build of the
/// same loop chosen at run time on x86-64.
macro_rules! slice_fn {
    ($(#[$doc:meta])* $name:ident, $lane:ident) => {
        $(#[$doc])*
        pub(crate) fn $name(v: &mut [f32]) {
            #[inline(always)]
            fn body(v: &mut [f32]) {
                for x in v.iter_mut() {
                    *x = $lane(*x);
                }
            }
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2(v: &mut [f32]) {
                    body(v)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2 (checked just above).
                    return unsafe { avx2(v) };
                }
            }
            body(v)
        }
    };
}

slice_fn!(
    /// `e^x` of every element, in place.
    exp_in_place,
    exp_lane
);
slice_fn!(
    /// `sigmoid(x)` of every element, in place.
    sigmoid_in_place,
    sigmoid_lane
);
slice_fn!(
    /// `tanh(x)` of every element, in place.
    tanh_in_place,
    tanh_lane
);

/// Slices longer than this are split over rayon's threads.
const PAR_CHUNK: usize = 16 * 1024;

/// Applies one of the slice functions above to `v`, in parallel chunks when `v` is long.
pub(crate) fn apply_parallel(v: &mut [f32], f: fn(&mut [f32])) {
    use rayon::prelude::*;
    if v.len() > 2 * PAR_CHUNK {
        v.par_chunks_mut(PAR_CHUNK).for_each(f);
    } else {
        f(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite f32 of the same sign.
    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    /// Sample points: a dense grid plus edge values.
    fn grid(lo: f32, hi: f32, n: usize) -> Vec<f32> {
        (0..=n)
            .map(|i| lo + (hi - lo) * i as f32 / n as f32)
            .collect()
    }

    #[test]
    fn exp_within_two_ulp_of_f64_reference() {
        let mut xs = grid(-103.0, 88.7, 200_000);
        xs.extend([
            0.0,
            -0.0,
            1e-30,
            -1e-30,
            1.0,
            -1.0,
            88.72,
            -87.0,
            0.5 * std::f32::consts::LN_2,
        ]);
        let mut got = xs.clone();
        exp_in_place(&mut got);
        for (&x, &y) in xs.iter().zip(&got) {
            let want = (x as f64).exp() as f32;
            if want.is_normal() {
                assert!(ulps(y, want) <= 2, "exp({x}) = {y}, want {want}");
            } else {
                // Subnormal results: absolute error within a couple of the smallest steps.
                assert!(
                    (y - want).abs() <= 2.0 * f32::from_bits(1),
                    "exp({x}) = {y}, want {want}"
                );
            }
        }
    }

    #[test]
    fn exp_special_values() {
        let mut v = [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            89.0,
            1000.0,
            -104.5,
            -1000.0,
        ];
        exp_in_place(&mut v);
        assert!(v[0].is_nan());
        assert_eq!(
            &v[1..],
            &[f32::INFINITY, 0.0, f32::INFINITY, f32::INFINITY, 0.0, 0.0]
        );
    }

    #[test]
    fn tanh_and_sigmoid_within_a_few_ulp() {
        let mut xs = grid(-12.0, 12.0, 100_000);
        xs.extend([
            0.0,
            -0.0,
            1e-20,
            0.624_999_9,
            0.625,
            -0.625,
            9.5,
            50.0,
            -50.0,
        ]);
        let mut th = xs.clone();
        tanh_in_place(&mut th);
        let mut sg = xs.clone();
        sigmoid_in_place(&mut sg);
        for (i, &x) in xs.iter().enumerate() {
            let want = (x as f64).tanh() as f32;
            assert!(
                ulps(th[i], want) <= 3 || want == 0.0 && th[i] == 0.0,
                "tanh({x}) = {}, want {want}",
                th[i]
            );
            let want = (1.0 / (1.0 + (-(x as f64)).exp())) as f32;
            assert!(
                ulps(sg[i], want) <= 3,
                "sigmoid({x}) = {}, want {want}",
                sg[i]
            );
        }
    }

    #[test]
    fn tanh_and_sigmoid_special_values() {
        let mut t = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 100.0, -0.0];
        tanh_in_place(&mut t);
        assert!(t[0].is_nan());
        assert_eq!(&t[1..4], &[1.0, -1.0, 1.0]);
        assert!(t[4] == 0.0 && t[4].is_sign_negative());
        let mut s = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -200.0];
        sigmoid_in_place(&mut s);
        assert!(s[0].is_nan());
        assert_eq!(&s[1..], &[1.0, 0.0, 0.0]);
    }
}
