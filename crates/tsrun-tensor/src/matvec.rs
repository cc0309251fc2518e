//! `out += W · x` for a row-major float32 matrix and one vector: the recurrent product of
//! an RNN step at batch 1-3, where a GEMM call would re-pack all of `W` for one output row.
//!
//! Each row keeps eight partial sums (one SIMD register) so the loop is not bound by the
//! latency of a single running sum; the SIMD path walks four rows together so each load of
//! `x` serves four multiply-adds. On x86-64 with AVX2 and FMA it uses those instructions (fused
//! multiply-adds, eight lanes; written with intrinsics because the auto-vectorised form of the
//! four-row loop spilled to the stack), chosen at run time as aten's BLAS does; elsewhere a
//! portable loop with separate multiply and add.

/// Partial sums per row: one 256-bit register of f32.
const LANES: usize = 8;

/// `out[r] += dot(w[r*cols..][..cols], x)` for every row `r < out.len()`.
///
/// Panics unless `w` holds at least `out.len() * cols` elements and `x` exactly `cols`
/// (callers size them from the same layer shapes; the check keeps the SIMD loads in bounds).
pub(crate) fn matvec_add_f32(w: &[f32], cols: usize, x: &[f32], out: &mut [f32]) {
    assert!(
        w.len() >= out.len() * cols && x.len() == cols,
        "matvec: operand sizes"
    );
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above); sizes asserted above.
            return unsafe { avx2::matvec_add(w, cols, x, out) };
        }
    }
    portable(w, cols, x, out)
}

/// Any CPU: eight partial sums per row (vectorisable without reassociating a single sum).
fn portable(w: &[f32], cols: usize, x: &[f32], out: &mut [f32]) {
    let full = cols - cols % LANES;
    for (r, o) in out.iter_mut().enumerate() {
        let row = &w[r * cols..][..cols];
        let mut acc = [0f32; LANES];
        for (wc, xc) in row[..full]
            .chunks_exact(LANES)
            .zip(x[..full].chunks_exact(LANES))
        {
            for l in 0..LANES {
                acc[l] += wc[l] * xc[l];
            }
        }
        let mut s = reduce(&acc);
        for (a, b) in row[full..].iter().zip(&x[full..]) {
            s += a * b;
        }
        *o += s;
    }
}

/// Pairwise sum of the eight partial sums.
#[inline(always)]
fn reduce(a: &[f32; LANES]) -> f32 {
    ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{reduce, LANES};
    use std::arch::x86_64::*;

    /// Horizontal sum of one register, in the same pairing as [`reduce`].
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum(v: __m256) -> f32 {
        let mut a = [0f32; LANES];
        _mm256_storeu_ps(a.as_mut_ptr(), v);
        reduce(&a)
    }

    /// Four rows at a time share each load of `x`; one FMA chain per row.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA; `w.len() >= out.len() * cols`, `x.len() == cols`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn matvec_add(w: &[f32], cols: usize, x: &[f32], out: &mut [f32]) {
        let full = cols - cols % LANES;
        let (wp, xp) = (w.as_ptr(), x.as_ptr());
        let tail = |row: *const f32, mut s: f32| {
            for c in full..cols {
                s += *row.add(c) * *xp.add(c);
            }
            s
        };
        let rows = out.len();
        let mut r = 0;
        while r + 4 <= rows {
            let p = [0, 1, 2, 3].map(|k| wp.add((r + k) * cols));
            let mut acc = [_mm256_setzero_ps(); 4];
            let mut c = 0;
            while c < full {
                let xv = _mm256_loadu_ps(xp.add(c));
                acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(p[0].add(c)), xv, acc[0]);
                acc[1] = _mm256_fmadd_ps(_mm256_loadu_ps(p[1].add(c)), xv, acc[1]);
                acc[2] = _mm256_fmadd_ps(_mm256_loadu_ps(p[2].add(c)), xv, acc[2]);
                acc[3] = _mm256_fmadd_ps(_mm256_loadu_ps(p[3].add(c)), xv, acc[3]);
                c += LANES;
            }
            for k in 0..4 {
                out[r + k] += tail(p[k], hsum(acc[k]));
            }
            r += 4;
        }
        while r < rows {
            let p = wp.add(r * cols);
            let mut acc = _mm256_setzero_ps();
            let mut c = 0;
            while c < full {
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(c)), _mm256_loadu_ps(xp.add(c)), acc);
                c += LANES;
            }
            out[r] += tail(p, hsum(acc));
            r += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{matvec_add_f32, portable};

    #[test]
    fn matches_f64_dot_products_for_odd_sizes() {
        check(matvec_add_f32);
        check(portable);
    }

    fn check(matvec_add_f32: fn(&[f32], usize, &[f32], &mut [f32])) {
        for (rows, cols) in [(0, 5), (1, 1), (3, 7), (5, 8), (9, 17), (16, 128), (7, 0)] {
            let w: Vec<f32> = (0..rows * cols)
                .map(|i| ((i * 37) % 19) as f32 / 7.0 - 1.0)
                .collect();
            let x: Vec<f32> = (0..cols)
                .map(|i| ((i * 11) % 13) as f32 / 5.0 - 1.2)
                .collect();
            let mut out: Vec<f32> = (0..rows).map(|r| r as f32).collect();
            matvec_add_f32(&w, cols, &x, &mut out);
            for r in 0..rows {
                let want: f64 = r as f64
                    + (0..cols)
                        .map(|c| w[r * cols + c] as f64 * x[c] as f64)
                        .sum::<f64>();
                assert!(
                    (out[r] as f64 - want).abs() <= 1e-5 * (1.0 + want.abs()),
                    "rows {rows} cols {cols} r {r}: {} vs {want}",
                    out[r]
                );
            }
        }
    }
}
