//! The per-plane kernel of `max_pool1d`/`max_pool2d`.
//!
//! The output is built one row at a time, separably: the window's in-range input rows
//! are folded into one row (a contiguous, vectorised pass per kernel row), then each
//! output takes the max of its `kw` taps in that row. Output columns whose horizontal
//! window lies wholly inside the input (the interior) need no bounds tests; only the few
//! border columns next to the padding test each tap.
//!
//! NaN wins, as in aten's `max_pool2d` (`if (val > maxval || isnan(val))`): once an
//! output holds NaN no later value replaces it with a number.

use super::Real;

/// Max-pooling geometry of one plane: input `h x w`, output `oh x ow`, and the
/// kernel `[kh, kw]`, stride, padding and dilation per axis.
#[derive(Clone, Copy)]
pub(super) struct MaxGeom {
    pub h: usize,
    pub w: usize,
    pub oh: usize,
    pub ow: usize,
    pub k: [usize; 2],
    pub s: [usize; 2],
    pub p: [usize; 2],
    pub d: [usize; 2],
}

/// aten's update: take `v` when it is larger or NaN (so NaN sticks).
#[inline(always)]
fn fold<T: Real>(m: T, v: T) -> T {
    if v > m || v.nan() {
        v
    } else {
        m
    }
}

/// Output columns `[lo, hi)` whose whole horizontal window is inside `0..w`.
fn interior(g: &MaxGeom) -> (usize, usize) {
    let (kw, sw, pw, dw) = (g.k[1], g.s[1], g.p[1], g.d[1]);
    let lo = pw.div_ceil(sw).min(g.ow);
    // Largest ox with ox*sw - pw + (kw-1)*dw <= w-1.
    let span = (kw - 1) * dw;
    let hi = if g.w + pw > span {
        ((g.w - 1 + pw - span) / sw + 1).min(g.ow)
    } else {
        0
    };
    (lo, hi.max(lo))
}

/// Max-pools one `h x w` plane `src` into the `oh x ow` plane `dst`.
///
/// Separable: for each output row, the in-range input rows of its window are first
/// folded into one input-wide row `col` (contiguous, so it vectorises), then each output
/// takes the max of its `kw` taps in `col`. The max (NaN winning) is order-free, so this
/// equals the per-window loop.
pub(super) fn max_plane<T: Real>(src: &[T], dst: &mut [T], g: &MaxGeom) {
    let [kh, kw] = g.k;
    let [sh, sw] = g.s;
    let [ph, pw] = g.p;
    let [dh, dw] = g.d;
    let (lo, hi) = interior(g);
    let neg = T::of(f64::NEG_INFINITY);
    let mut col = vec![neg; g.w];
    for (oy, row) in dst.chunks_exact_mut(g.ow).take(g.oh).enumerate() {
        // Vertical: fold the window's in-range input rows into `col`.
        let mut first = true;
        for ky in 0..kh {
            let iy = (oy * sh + ky * dh) as isize - ph as isize;
            if iy < 0 || iy >= g.h as isize {
                continue;
            }
            let r = &src[iy as usize * g.w..][..g.w];
            if first {
                col.copy_from_slice(r);
                first = false;
            } else {
                for (c, &v) in col.iter_mut().zip(r) {
                    *c = fold(*c, v);
                }
            }
        }
        if first {
            // No input row in the window (cannot happen with pad <= k/2): -inf, as aten.
            col.fill(neg);
        }
        // Horizontal, border columns: test every tap.
        for ox in (0..lo).chain(hi..g.ow) {
            let mut m = neg;
            for kx in 0..kw {
                let ix = (ox * sw + kx * dw) as isize - pw as isize;
                if ix >= 0 && (ix as usize) < g.w {
                    m = fold(m, col[ix as usize]);
                }
            }
            row[ox] = m;
        }
        // Horizontal, interior columns: every tap is in range.
        for (i, o) in row[lo..hi].iter_mut().enumerate() {
            let taps = &col[(lo + i) * sw - pw..][..(kw - 1) * dw + 1];
            let mut m = taps[0];
            for &v in taps.iter().step_by(dw).skip(1) {
                m = fold(m, v);
            }
            *o = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward per-output loop the kernel replaces.
    fn naive(src: &[f32], g: &MaxGeom) -> Vec<f32> {
        let mut out = vec![0.0; g.oh * g.ow];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let mut m = f32::NEG_INFINITY;
                for ky in 0..g.k[0] {
                    let iy = (oy * g.s[0] + ky * g.d[0]) as isize - g.p[0] as isize;
                    for kx in 0..g.k[1] {
                        let ix = (ox * g.s[1] + kx * g.d[1]) as isize - g.p[1] as isize;
                        if iy >= 0 && ix >= 0 && (iy as usize) < g.h && (ix as usize) < g.w {
                            m = fold(m, src[iy as usize * g.w + ix as usize]);
                        }
                    }
                }
                out[oy * g.ow + ox] = m;
            }
        }
        out
    }

    fn out_len(i: usize, k: usize, s: usize, p: usize, d: usize, ceil: bool) -> usize {
        super::super::pool::pool_out("t", i, k, p, s, d, ceil).unwrap()
    }

    #[test]
    fn matches_naive_over_geometries() {
        let mut seed = 12345u32;
        for h in [1usize, 2, 5, 8, 13] {
            for w in [1usize, 3, 7, 16, 17] {
                for (k, s, d) in [
                    (1, 1, 1),
                    (2, 2, 1),
                    (3, 2, 1),
                    (3, 1, 1),
                    (3, 2, 2),
                    (2, 3, 1),
                ] {
                    for p in 0..=k / 2 {
                        for ceil in [false, true] {
                            if h + 2 * p < d * (k - 1) + 1 || w + 2 * p < d * (k - 1) + 1 {
                                continue;
                            }
                            let g = MaxGeom {
                                h,
                                w,
                                oh: out_len(h, k, s, p, d, ceil),
                                ow: out_len(w, k, s, p, d, ceil),
                                k: [k, k],
                                s: [s, s],
                                p: [p, p],
                                d: [d, d],
                            };
                            let src: Vec<f32> = (0..h * w)
                                .map(|_| {
                                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                                    (seed >> 8) as f32 / (1 << 24) as f32 - 0.5
                                })
                                .collect();
                            let mut got = vec![0.0; g.oh * g.ow];
                            max_plane(&src, &mut got, &g);
                            assert_eq!(
                                got,
                                naive(&src, &g),
                                "h{h} w{w} k{k} s{s} p{p} d{d} {ceil}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn nan_wins_everywhere_it_is_in_the_window() {
        let (h, w) = (6, 6);
        for at in 0..h * w {
            let mut src: Vec<f32> = (0..h * w).map(|i| i as f32).collect();
            src[at] = f32::NAN;
            let g = MaxGeom {
                h,
                w,
                oh: 3,
                ow: 3,
                k: [3, 3],
                s: [2, 2],
                p: [1, 1],
                d: [1, 1],
            };
            let mut got = vec![0.0; 9];
            max_plane(&src, &mut got, &g);
            let want = naive(&src, &g);
            for (a, b) in got.iter().zip(&want) {
                assert_eq!(a.is_nan(), b.is_nan(), "NaN at {at}");
                if !a.is_nan() {
                    assert_eq!(a, b);
                }
            }
        }
    }
}
