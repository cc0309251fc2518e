//! Upsampling (`aten::upsample_nearest{1,2,3}d`, `_upsample_nearest_exact{1,2,3}d`,
//! `upsample_linear1d`, `upsample_bilinear2d`, `upsample_trilinear3d`, `upsample_bicubic2d`
//! and the antialiased `_upsample_{bilinear,bicubic,lanczos}2d_aa`), what
//! `F.interpolate` calls.
//!
//! Every mode is separable: along each spatial dim, an output position is a weighted sum of a
//! few input positions (its "taps"). The taps follow aten's `UpSample.h` / `UpSampleKernel.cpp`
//! index and weight formulas (including computing the source index in float for float32 and
//! reduced-precision inputs, as aten's `opmath_t` does), then the dims are resampled one after
//! the other in f64 and rounded once to the input dtype.
//!
//! uint8 inputs: aten's uint8 (bi)linear/bicubic kernels use 16-bit fixed-point weights;
//! here they are computed in f64 and rounded to nearest, which can differ by one in rare ties.

use crate::error::invalid;
use crate::{DType, Result, Tensor, TensorError};

/// How output positions are computed from input positions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// `nearest`: aten's legacy (OpenCV) index `floor(dst * scale)`.
    Nearest,
    /// `nearest-exact`: `floor((dst + 0.5) * scale)` (Pillow, scikit-image).
    NearestExact,
    /// `linear` / `bilinear` / `trilinear`.
    Linear {
        /// Corner pixels' centres are aligned.
        align_corners: bool,
    },
    /// `bicubic` (Keys cubic, `A = -0.75`, clamped borders).
    Cubic {
        /// Corner pixels' centres are aligned.
        align_corners: bool,
    },
    /// Antialiased resampling with a Pillow filter (`_upsample_*_aa`).
    Antialias {
        /// The filter.
        filter: AaFilter,
        /// Corner pixels' centres are aligned.
        align_corners: bool,
    },
}

/// The filters of the antialiased modes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AaFilter {
    /// Triangle (bilinear).
    Linear,
    /// Keys cubic with `a = -0.5` (bicubic).
    Cubic,
    /// Lanczos-3.
    Lanczos,
}

impl AaFilter {
    fn support(self) -> f64 {
        match self {
            AaFilter::Linear => 1.0,
            AaFilter::Cubic => 2.0,
            AaFilter::Lanczos => 3.0,
        }
    }

    fn weight(self, x: f64) -> f64 {
        let x = x.abs();
        match self {
            AaFilter::Linear => {
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            AaFilter::Cubic => {
                if x < 1.0 {
                    cubic1(x, -0.5)
                } else if x < 2.0 {
                    cubic2(x, -0.5)
                } else {
                    0.0
                }
            }
            AaFilter::Lanczos => {
                if x < 3.0 {
                    sinc(x) * sinc(x / 3.0)
                } else {
                    0.0
                }
            }
        }
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let x = x * std::f64::consts::PI;
        x.sin() / x
    }
}

fn cubic1(x: f64, a: f64) -> f64 {
    ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
}

fn cubic2(x: f64, a: f64) -> f64 {
    ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
}

/// Output spatial sizes and per-dim scales of an upsample call, as aten's
/// `upsample::compute_output_size`: exactly one of `output_size` and `scale_factors`; a scale
/// factor gives `floor(input * scale)` and is passed on to the index formulas.
pub fn output_size(
    op: &'static str,
    input: &Tensor,
    spatial: usize,
    output_size: Option<&[i64]>,
    scale_factors: Option<&[f64]>,
) -> Result<(Vec<i64>, Vec<Option<f64>>)> {
    if input.dim() != spatial + 2 {
        return Err(invalid(
            op,
            format!(
                "Expected {}D input (got {}D input)",
                spatial + 2,
                input.dim()
            ),
        ));
    }
    match (output_size, scale_factors) {
        (Some(o), None) => {
            if o.len() != spatial {
                return Err(invalid(
                    op,
                    format!(
                        "It is expected output_size equals to {spatial}, but got size {}",
                        o.len()
                    ),
                ));
            }
            Ok((o.to_vec(), vec![None; spatial]))
        }
        (None, Some(s)) => {
            if s.len() != spatial {
                return Err(invalid(
                    op,
                    format!(
                        "It is expected scale_factors equals to {spatial}, but got size {}",
                        s.len()
                    ),
                ));
            }
            let sizes = s
                .iter()
                .enumerate()
                .map(|(i, &f)| (input.shape()[i + 2] as f64 * f) as i64)
                .collect();
            Ok((sizes, s.iter().map(|&f| Some(f)).collect()))
        }
        _ => Err(invalid(
            op,
            "Must specify exactly one of output_size and scale_factors",
        )),
    }
}

/// Resamples the spatial dims (all dims after the first two) of `input` to `out_sizes`.
/// `scales` are the user's scale factors per spatial dim (`None`: from the sizes).
pub fn upsample(
    op: &'static str,
    input: &Tensor,
    out_sizes: &[i64],
    scales: &[Option<f64>],
    mode: Mode,
) -> Result<Tensor> {
    let spatial = out_sizes.len();
    if input.dim() != spatial + 2 {
        return Err(invalid(
            op,
            format!(
                "Expected {}D input (got {}D input)",
                spatial + 2,
                input.dim()
            ),
        ));
    }
    let dt = input.dtype();
    let ok_dtype = match mode {
        Mode::Nearest | Mode::NearestExact => {
            matches!(
                dt,
                DType::F32 | DType::F64 | DType::F16 | DType::BF16 | DType::U8
            )
        }
        Mode::Linear { .. } | Mode::Cubic { .. } => {
            matches!(dt, DType::F32 | DType::F64 | DType::F16 | DType::BF16)
                || (dt == DType::U8 && spatial == 2)
        }
        Mode::Antialias { .. } => matches!(dt, DType::F32 | DType::F64 | DType::U8),
    };
    if !ok_dtype {
        return Err(TensorError::Unsupported { op, dtype: dt });
    }
    let in_sp = &input.shape()[2..];
    if in_sp.contains(&0) || out_sizes.iter().any(|&s| s <= 0) || input.shape()[1] == 0 {
        let fmt = |v: Vec<String>| v.join(", ");
        return Err(invalid(
            op,
            format!(
                "Input and output sizes should be greater than 0, but got input ({}) and output ({})",
                fmt(in_sp.iter().map(|s| s.to_string()).collect()),
                fmt(out_sizes.iter().map(|s| s.to_string()).collect())
            ),
        ));
    }
    // aten computes indices in `opmath_t` (float unless the input is double) and stores the
    // weights in the input dtype (so float16 weights are rounded to float16).
    let single = dt != DType::F64;
    let wround: fn(f64) -> f64 = match dt {
        DType::F16 => |w| half::f16::from_f64(w).to_f64(),
        DType::BF16 => |w| half::bf16::from_f64(w).to_f64(),
        DType::F64 => |w| w,
        _ => |w| w as f32 as f64,
    };
    let mut shape: Vec<usize> = input.shape().to_vec();
    // The output size comes from the model (`output_size`, `scale_factor`): check it before
    // building the taps or any buffer.
    let mut out_shape = shape.clone();
    for d in 0..spatial {
        out_shape[d + 2] = out_sizes[d] as usize;
    }
    crate::alloc::check_size::<f64>(op, &out_shape)?;
    let mut data = input.try_to_vec::<f64>(op)?;
    for d in 0..spatial {
        let (len, olen) = (shape[d + 2], out_sizes[d] as usize);
        let taps = taps(mode, len, olen, scales[d], single, wround);
        let outer: usize = shape[..d + 2].iter().product();
        let inner: usize = shape[d + 3..].iter().product();
        data = resample_dim(op, &data, [outer, len, inner], &taps)?;
        shape[d + 2] = olen;
    }
    if dt.is_floating() {
        return Tensor::from_vec(data, &shape)?.try_to_dtype(op, dt);
    }
    // uint8: round to nearest and saturate, as aten's fixed-point kernels do.
    let v: Vec<u8> = data
        .into_iter()
        .map(|x| x.round().clamp(0.0, 255.0) as u8)
        .collect();
    Tensor::from_vec(v, &shape)
}

/// The input positions and weights of each output position along one dim.
type Taps = Vec<Vec<(usize, f64)>>;

/// Rounds to f32 when aten computes in float.
fn r(x: f64, single: bool) -> f64 {
    if single {
        x as f32 as f64
    } else {
        x
    }
}

/// aten's `area_pixel_compute_scale` (align_corners) / `compute_scales_value`.
fn pixel_scale(len: usize, olen: usize, align: bool, scale: Option<f64>, single: bool) -> f64 {
    if align {
        if olen > 1 {
            r(r((len - 1) as f64, single) / (olen - 1) as f64, single)
        } else {
            0.0
        }
    } else {
        match scale {
            Some(s) if s > 0.0 => r(1.0 / s, single),
            _ => r(r(len as f64, single) / olen as f64, single),
        }
    }
}

/// aten's `area_pixel_compute_source_index`.
fn source_index(scale: f64, dst: usize, align: bool, cubic: bool, single: bool) -> f64 {
    if align {
        r(scale * dst as f64, single)
    } else {
        let s = r(r(scale * r(dst as f64 + 0.5, single), single) - 0.5, single);
        if !cubic && s < 0.0 {
            0.0
        } else {
            s
        }
    }
}

/// aten's `guard_index_and_lambda`.
fn index_lambda(real: f64, len: usize, single: bool) -> (i64, f64) {
    let i = (real.floor() as i64).min(len as i64 - 1);
    (i, r(real - i as f64, single).clamp(0.0, 1.0))
}

fn taps(
    mode: Mode,
    len: usize,
    olen: usize,
    scale: Option<f64>,
    single: bool,
    wround: fn(f64) -> f64,
) -> Taps {
    match mode {
        Mode::Nearest | Mode::NearestExact => {
            // aten computes the nearest scale in float whatever the dtype.
            let s = pixel_scale(len, olen, false, scale, true) as f32;
            (0..olen)
                .map(|o| {
                    let i = if mode == Mode::Nearest {
                        if olen == len {
                            o
                        } else if olen == 2 * len {
                            o >> 1
                        } else {
                            ((o as f32 * s).floor() as usize).min(len - 1)
                        }
                    } else {
                        // `(dst + 0.5) * scale` is a double product, floored in float.
                        ((((o as f64 + 0.5) * s as f64) as f32).floor() as usize).min(len - 1)
                    };
                    vec![(i, 1.0)]
                })
                .collect()
        }
        Mode::Linear { align_corners } => {
            let s = pixel_scale(len, olen, align_corners, scale, single);
            (0..olen)
                .map(|o| {
                    if olen == len {
                        return vec![(o, 1.0), (o, 0.0)];
                    }
                    let real = source_index(s, o, align_corners, false, single);
                    let (i0, l1) = index_lambda(real, len, single);
                    let i0 = i0.max(0) as usize;
                    let i1 = if i0 + 1 < len { i0 + 1 } else { i0 };
                    let l1 = wround(l1);
                    vec![(i0, wround(1.0 - l1)), (i1, l1)]
                })
                .collect()
        }
        Mode::Cubic { align_corners } => {
            let s = pixel_scale(len, olen, align_corners, scale, single);
            (0..olen)
                .map(|o| {
                    let real = source_index(s, o, align_corners, true, single);
                    let (i, t) = index_lambda(real, len, single);
                    let c = [
                        cubic2(t + 1.0, -0.75),
                        cubic1(t, -0.75),
                        cubic1(1.0 - t, -0.75),
                        cubic2(2.0 - t, -0.75),
                    ];
                    (0..4)
                        .map(|k| {
                            let at = (i - 1 + k as i64).clamp(0, len as i64 - 1) as usize;
                            (at, wround(r(c[k], single)))
                        })
                        .collect()
                })
                .collect()
        }
        Mode::Antialias {
            filter,
            align_corners,
        } => {
            // aten's `_compute_weights_aa` (Pillow's resampling bounds and normalisation).
            let s = pixel_scale(len, olen, align_corners, scale, single);
            let support = if s >= 1.0 {
                filter.support() * s
            } else {
                filter.support()
            };
            let inv = if s >= 1.0 { 1.0 / s } else { 1.0 };
            (0..olen)
                .map(|o| {
                    let center = s * (o as f64 + 0.5);
                    let xmin = ((center - support + 0.5) as i64).max(0);
                    let xmax = ((center + support + 0.5) as i64).min(len as i64);
                    let ws: Vec<f64> = (xmin..xmax)
                        .map(|j| filter.weight((j as f64 - center + 0.5) * inv))
                        .collect();
                    let total: f64 = ws.iter().sum();
                    ws.into_iter()
                        .enumerate()
                        .map(|(k, w)| {
                            let w = if total != 0.0 { w / total } else { w };
                            ((xmin as usize) + k, w)
                        })
                        .collect()
                })
                .collect()
        }
    }
}

/// Resamples the middle dim of a row-major `[outer, len, inner]` buffer.
fn resample_dim(
    op: &'static str,
    src: &[f64],
    [outer, len, inner]: [usize; 3],
    taps: &Taps,
) -> Result<Vec<f64>> {
    let olen = taps.len();
    let mut out = crate::alloc::try_filled_for_shape(op, &[outer, olen, inner], 0.0)?;
    for o in 0..outer {
        let s = &src[o * len * inner..(o + 1) * len * inner];
        let d = &mut out[o * olen * inner..(o + 1) * olen * inner];
        for (j, t) in taps.iter().enumerate() {
            let row = &mut d[j * inner..(j + 1) * inner];
            if let [(i, w)] = t.as_slice() {
                if *w == 1.0 {
                    // A plain copy keeps -0.0 (0.0 + -0.0 would not).
                    row.copy_from_slice(&s[i * inner..(i + 1) * inner]);
                    continue;
                }
            }
            for &(i, w) in t {
                for (x, &y) in row.iter_mut().zip(&s[i * inner..(i + 1) * inner]) {
                    *x += w * y;
                }
            }
        }
    }
    Ok(out)
}
