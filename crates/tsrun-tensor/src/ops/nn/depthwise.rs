//! Depthwise 2-d convolution (one input channel per group), one output plane at a time.
//!
//! Each input plane is first copied once into a scratch buffer that holds it zero-padded and,
//! for a column stride `s`, split into `s` column phases (`phase p` of a padded row holds its
//! columns `p, p + s, p + 2s, ...`). Every kernel tap then reads one contiguous run of a
//! phase row, whatever the stride or dilation: no per-tap strided gather and no bounds
//! arithmetic in the inner loop, so every stride vectorises. 3x3 kernels (mobilenet's) keep
//! all nine taps in registers and write each output element once.

use super::Real;

/// Stride, padding and dilation of a depthwise convolution, per spatial dim (rows, columns).
#[derive(Clone, Copy, Debug)]
pub(super) struct DwGeo {
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub ph: usize,
    pub pw: usize,
    pub dh: usize,
    pub dw: usize,
}

/// The scratch buffer's shape for one plane: padded rows the taps reach, column phases, and
/// the length of a phase row. The caller checks its size before the first plane
/// (`alloc::check_size`): with a large dilation and stride it can exceed the output's.
pub(super) fn scratch_dims([oh, ow]: [usize; 2], g: DwGeo) -> [usize; 3] {
    let span = |k: usize, d: usize| (k.max(1) - 1).saturating_mul(d);
    let rows = (oh.max(1) - 1)
        .saturating_mul(g.sh)
        .saturating_add(span(g.kh, g.dh))
        .saturating_add(1);
    let len = ow.saturating_add(span(g.kw, g.dw) / g.sw.max(1));
    [rows, g.sw.max(1), len]
}

/// One output plane: `dst` (`oh * ow`, already holding the bias or zeros) gets the
/// correlation of `src` (`h * w`) with the `kh * kw` kernel `wk` added to it. `scratch` is
/// reused between planes to avoid an allocation per plane.
pub(super) fn depthwise_plane<T: Real>(
    src: &[T],
    wk: &[T],
    dst: &mut [T],
    [h, w]: [usize; 2],
    [oh, ow]: [usize; 2],
    g: DwGeo,
    scratch: &mut Vec<T>,
) {
    if oh == 0 || ow == 0 || g.sw == 0 || g.sh == 0 {
        return;
    }
    let [rows, s, len] = scratch_dims([oh, ow], g);
    scratch.clear();
    scratch.resize(rows * s * len, T::of(0.0));
    for r in 0..rows {
        // Input row of padded row `r`; rows in the padding stay zero.
        let Some(iy) = r.checked_sub(g.ph).filter(|&iy| iy < h) else {
            continue;
        };
        let irow = &src[iy * w..(iy + 1) * w];
        for p in 0..s {
            let prow = &mut scratch[(r * s + p) * len..(r * s + p + 1) * len];
            // Padded column `j*s + p` is input column `j*s + p - pw`: in range for
            // `jlo <= j < jhi`; the rest stays zero. A copy (stride 1) or one strided walk.
            let jlo = g.pw.saturating_sub(p).div_ceil(s);
            let jhi = (w + g.pw).saturating_sub(p).div_ceil(s).min(len);
            if jlo >= jhi {
                continue;
            }
            let first = jlo * s + p - g.pw;
            let out = &mut prow[jlo..jhi];
            if s == 1 {
                out.copy_from_slice(&irow[first..first + out.len()]);
            } else {
                for (v, &x) in out.iter_mut().zip(irow[first..].iter().step_by(s)) {
                    *v = x;
                }
            }
        }
    }
    let buf: &[T] = scratch;
    // The contiguous run tap (ki, kj) reads for output row `oy`.
    let tap = |oy: usize, ki: usize, kj: usize| -> &[T] {
        let r = oy * g.sh + ki * g.dh;
        let c = kj * g.dw;
        let start = (r * s + c % s) * len + c / s;
        &buf[start..start + ow]
    };
    for (oy, orow) in dst.chunks_exact_mut(ow).take(oh).enumerate() {
        if g.kh == 3 && g.kw == 3 && wk.len() >= 9 {
            let t = [
                tap(oy, 0, 0),
                tap(oy, 0, 1),
                tap(oy, 0, 2),
                tap(oy, 1, 0),
                tap(oy, 1, 1),
                tap(oy, 1, 2),
                tap(oy, 2, 0),
                tap(oy, 2, 1),
                tap(oy, 2, 2),
            ];
            row3x3(orow, &t, &wk[..9]);
        } else {
            for ki in 0..g.kh {
                for kj in 0..g.kw {
                    let wv = wk[ki * g.kw + kj];
                    for (o, &i) in orow.iter_mut().zip(tap(oy, ki, kj)) {
                        *o += wv * i;
                    }
                }
            }
        }
    }
}

/// `out[x] += Σ_t w[t] * taps[t][x]`, adding the taps in order (as the generic loop does),
/// every slice exactly `out.len()` long so the loop has no bounds checks and vectorises.
#[inline(always)]
fn row3x3<T: Real>(out: &mut [T], taps: &[&[T]; 9], w: &[T]) {
    let n = out.len();
    let [t0, t1, t2, t3, t4, t5, t6, t7, t8] = taps.map(|t| &t[..n]);
    let [w0, w1, w2, w3, w4, w5, w6, w7, w8] =
        [w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]];
    for x in 0..n {
        let mut acc = out[x];
        acc += w0 * t0[x];
        acc += w1 * t1[x];
        acc += w2 * t2[x];
        acc += w3 * t3[x];
        acc += w4 * t4[x];
        acc += w5 * t5[x];
        acc += w6 * t6[x];
        acc += w7 * t7[x];
        acc += w8 * t8[x];
        out[x] = acc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct definition, for comparison.
    fn naive(src: &[f32], wk: &[f32], h: usize, w: usize, g: DwGeo) -> (Vec<f32>, usize, usize) {
        let oh = (h + 2 * g.ph - (g.kh - 1) * g.dh - 1) / g.sh + 1;
        let ow = (w + 2 * g.pw - (g.kw - 1) * g.dw - 1) / g.sw + 1;
        let mut out = vec![0.0f32; oh * ow];
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc = 0.0f32;
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        let iy = (oy * g.sh + ki * g.dh) as isize - g.ph as isize;
                        let ix = (ox * g.sw + kj * g.dw) as isize - g.pw as isize;
                        if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                            acc += wk[ki * g.kw + kj] * src[iy as usize * w + ix as usize];
                        }
                    }
                }
                out[oy * ow + ox] = acc;
            }
        }
        (out, oh, ow)
    }

    #[test]
    fn matches_direct_definition() {
        let mut scratch = Vec::new();
        for &(h, w) in &[(7usize, 7usize), (8, 5), (1, 9), (12, 11)] {
            for &(kh, kw) in &[(3usize, 3usize), (1, 1), (5, 3), (2, 4)] {
                for &(sh, sw) in &[(1usize, 1usize), (2, 2), (1, 3), (3, 2)] {
                    for &(ph, pw) in &[(0usize, 0usize), (1, 1), (2, 0)] {
                        for &(dh, dw) in &[(1usize, 1usize), (2, 2)] {
                            let g = DwGeo {
                                kh,
                                kw,
                                sh,
                                sw,
                                ph,
                                pw,
                                dh,
                                dw,
                            };
                            if h + 2 * ph < (kh - 1) * dh + 1 || w + 2 * pw < (kw - 1) * dw + 1 {
                                continue;
                            }
                            let src: Vec<f32> =
                                (0..h * w).map(|i| ((i * 7 % 13) as f32) - 6.0).collect();
                            let wk: Vec<f32> = (0..kh * kw)
                                .map(|i| ((i * 5 % 7) as f32) * 0.5 - 1.0)
                                .collect();
                            let (want, oh, ow) = naive(&src, &wk, h, w, g);
                            let mut got = vec![0.0f32; oh * ow];
                            depthwise_plane(&src, &wk, &mut got, [h, w], [oh, ow], g, &mut scratch);
                            assert_eq!(got, want, "{h}x{w} {g:?}");
                        }
                    }
                }
            }
        }
    }
}
