//! Detection operators from torchvision's C++ library: `torchvision::nms` and
//! `torchvision::roi_align`, ported from its CPU kernels (`nms_kernel.cpp`,
//! `roi_align_kernel.cpp`) so that archives of detection models run without it.
//!
//! Both compute in the input's own float type (float32 or float64), in the same
//! order of operations as the C++ code, so results match bit for bit.

use super::{dense, elems, Real};
use crate::error::{dtype_err, invalid};
use crate::{DType, Result, Tensor, TensorError};

/// `torchvision::nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor`:
/// the indices (int64) of the boxes kept by greedy non-maximum suppression, in
/// decreasing score order.
///
/// `dets` is `[N, 4]` in `(x1, y1, x2, y2)` form, `scores` is `[N]` of the same
/// float dtype. A box is dropped when its IoU with a kept, higher-scoring box is
/// strictly greater than `iou_threshold`. Equal scores keep their input order
/// (the kernel sorts with `scores.sort(0, descending=True)`, which on CPU keeps
/// ties in index order for the sizes detection code feeds it; see the fixture
/// `nms_ties`). NaN scores sort first, as in aten's descending sort.
pub fn nms(dets: &Tensor, scores: &Tensor, iou_threshold: f64) -> Result<Tensor> {
    const OP: &str = "torchvision::nms";
    if dets.dim() != 2 {
        return Err(invalid(
            OP,
            format!("boxes should be a 2d tensor, got {}D", dets.dim()),
        ));
    }
    if dets.shape()[1] != 4 {
        return Err(invalid(
            OP,
            format!(
                "boxes should have 4 elements in dimension 1, got {}",
                dets.shape()[1]
            ),
        ));
    }
    if scores.dim() != 1 {
        return Err(invalid(
            OP,
            format!("scores should be a 1d tensor, got {}D", scores.dim()),
        ));
    }
    if dets.shape()[0] != scores.shape()[0] {
        return Err(invalid(
            OP,
            format!(
                "boxes and scores should have same number of elements in dimension 0, got {} and {}",
                dets.shape()[0],
                scores.shape()[0]
            ),
        ));
    }
    match dets.dtype() {
        DType::F32 => nms_impl::<f32>(dets, scores, iou_threshold),
        DType::F64 => nms_impl::<f64>(dets, scores, iou_threshold),
        dt => Err(TensorError::Unsupported {
            op: "nms_kernel",
            dtype: dt,
        }),
    }
}

fn nms_impl<T: Real>(dets: &Tensor, scores: &Tensor, thr: f64) -> Result<Tensor> {
    if dets.dtype() != scores.dtype() {
        return Err(dtype_err(
            "torchvision::nms",
            "dets should have the same type as scores",
        ));
    }
    let n = dets.shape()[0];
    if n == 0 {
        return Tensor::from_vec(Vec::<i64>::new(), &[0]);
    }
    let d = dense("torchvision::nms", dets, T::DTYPE)?;
    let b = elems::<T>(&d);
    let s = dense("torchvision::nms", scores, T::DTYPE)?;
    let s = elems::<T>(&s);
    let (x1, y1, x2, y2) = (
        |i: usize| b[4 * i],
        |i: usize| b[4 * i + 1],
        |i: usize| b[4 * i + 2],
        |i: usize| b[4 * i + 3],
    );
    let areas: Vec<T> = (0..n).map(|i| (x2(i) - x1(i)) * (y2(i) - y1(i))).collect();
    // aten's descending comparator: NaN first, then larger values; ties stay in order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| {
        let (a, c) = (s[i], s[j]);
        match (a.nan(), c.nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            _ => c.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal),
        }
    });
    let mut suppressed = vec![false; n];
    let mut keep = Vec::new();
    let zero = T::of(0.0);
    let max = |a: T, c: T| if a < c { c } else { a };
    let min = |a: T, c: T| if c < a { c } else { a };
    for (pos, &i) in order.iter().enumerate() {
        if suppressed[i] {
            continue;
        }
        keep.push(i as i64);
        for &j in &order[pos + 1..] {
            if suppressed[j] {
                continue;
            }
            // std::max / std::min argument order as in the C++ (matters only for NaN).
            let xx1 = max(x1(i), x1(j));
            let yy1 = max(y1(i), y1(j));
            let xx2 = min(x2(i), x2(j));
            let yy2 = min(y2(i), y2(j));
            let w = max(zero, xx2 - xx1);
            let h = max(zero, yy2 - yy1);
            let inter = w * h;
            let ovr = inter / (areas[i] + areas[j] - inter);
            if ovr.f() > thr {
                suppressed[j] = true;
            }
        }
    }
    let k = keep.len();
    Tensor::from_vec(keep, &[k])
}

/// The arguments of [`roi_align`] besides the two tensors.
#[derive(Clone, Copy, Debug)]
pub struct RoiAlign {
    /// Scale from box coordinates to feature-map coordinates.
    pub spatial_scale: f64,
    /// Output height.
    pub pooled_height: i64,
    /// Output width.
    pub pooled_width: i64,
    /// Samples per bin along each axis; `<= 0` means `ceil(roi_size / pooled_size)`.
    pub sampling_ratio: i64,
    /// Shift boxes by -0.5 pixel (pixel-centre alignment) and allow sizes below 1.
    pub aligned: bool,
}

/// `torchvision::roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt
/// pooled_height, SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor`:
/// bilinear-sampled average pooling of `input` (`[N, C, H, W]`) over each box of
/// `rois` (`[K, 5]`: batch index, x1, y1, x2, y2), giving `[K, C, ph, pw]`.
pub fn roi_align(input: &Tensor, rois: &Tensor, p: RoiAlign) -> Result<Tensor> {
    const OP: &str = "torchvision::roi_align";
    if rois.dim() != 2 || rois.shape()[1] != 5 {
        return Err(invalid(OP, "rois must have shape as Tensor[K, 5]"));
    }
    if input.dtype() != rois.dtype() {
        return Err(dtype_err(OP, "input should have the same type as rois"));
    }
    if input.dim() != 4 {
        return Err(invalid(
            OP,
            format!("expected a 4-d input, got {}D", input.dim()),
        ));
    }
    if p.pooled_height < 0 || p.pooled_width < 0 {
        return Err(invalid(OP, "pooled sizes must be non-negative"));
    }
    let (k, c) = (rois.shape()[0], input.shape()[1]);
    let (ph, pw) = (p.pooled_height as usize, p.pooled_width as usize);
    let dt = input.dtype();
    if k * c * ph * pw == 0 {
        return Tensor::try_zeros("roi_align", &[k, c, ph, pw], dt);
    }
    match dt {
        DType::F32 => roi_align_impl::<f32>(input, rois, p),
        DType::F64 => roi_align_impl::<f64>(input, rois, p),
        dt => Err(TensorError::Unsupported {
            op: "roi_align_forward_kernel",
            dtype: dt,
        }),
    }
}

/// One bilinear sample: four flat positions and their weights.
#[derive(Clone, Copy)]
struct Sample<T> {
    pos: [usize; 4],
    w: [T; 4],
}

/// torchvision's `pre_calc_for_bilinear_interpolate` for one box: the samples of
/// every bin, bin by bin, shared by all channels.
#[allow(clippy::too_many_arguments)]
fn samples<T: Real>(
    (height, width): (usize, usize),
    (ph, pw): (usize, usize),
    (start_h, start_w): (T, T),
    (bin_h, bin_w): (T, T),
    (grid_h, grid_w): (usize, usize),
) -> Vec<Sample<T>> {
    let mut out = Vec::with_capacity(ph * pw * grid_h * grid_w);
    let (hf, wf) = (height as f64, width as f64);
    for py in 0..ph {
        for px in 0..pw {
            for iy in 0..grid_h {
                let yy = start_h
                    + T::of(py as f64) * bin_h
                    + T::of(iy as f64 + 0.5) * bin_h / T::of(grid_h as f64);
                for ix in 0..grid_w {
                    let xx = start_w
                        + T::of(px as f64) * bin_w
                        + T::of(ix as f64 + 0.5) * bin_w / T::of(grid_w as f64);
                    let (mut y, mut x) = (yy, xx);
                    // Written as "not in range" so NaN coordinates give an empty sample.
                    if !(y.f() >= -1.0 && y.f() <= hf && x.f() >= -1.0 && x.f() <= wf) {
                        out.push(Sample {
                            pos: [0; 4],
                            w: [T::of(0.0); 4],
                        });
                        continue;
                    }
                    if y.f() <= 0.0 {
                        y = T::of(0.0);
                    }
                    if x.f() <= 0.0 {
                        x = T::of(0.0);
                    }
                    let (mut y_low, mut x_low) = (y.f() as usize, x.f() as usize);
                    let (y_high, x_high);
                    if y_low >= height - 1 {
                        y_low = height - 1;
                        y_high = y_low;
                        y = T::of(y_low as f64);
                    } else {
                        y_high = y_low + 1;
                    }
                    if x_low >= width - 1 {
                        x_low = width - 1;
                        x_high = x_low;
                        x = T::of(x_low as f64);
                    } else {
                        x_high = x_low + 1;
                    }
                    let ly = y - T::of(y_low as f64);
                    let lx = x - T::of(x_low as f64);
                    let (hy, hx) = (T::of(1.0) - ly, T::of(1.0) - lx);
                    out.push(Sample {
                        pos: [
                            y_low * width + x_low,
                            y_low * width + x_high,
                            y_high * width + x_low,
                            y_high * width + x_high,
                        ],
                        w: [hy * hx, hy * lx, ly * hx, ly * lx],
                    });
                }
            }
        }
    }
    out
}

fn roi_align_impl<T: Real>(input: &Tensor, rois: &Tensor, p: RoiAlign) -> Result<Tensor> {
    const OP: &str = "torchvision::roi_align";
    let sh = input.shape();
    let (n, c, height, width) = (sh[0], sh[1], sh[2], sh[3]);
    let k = rois.shape()[0];
    let (ph, pw) = (p.pooled_height as usize, p.pooled_width as usize);
    if height == 0 || width == 0 {
        // The C++ would read outside the (empty) feature map here; nothing to sample.
        return Tensor::try_zeros(OP, &[k, c, ph, pw], T::DTYPE);
    }
    let x = dense(OP, input, T::DTYPE)?;
    let x = elems::<T>(&x);
    let r = dense(OP, rois, T::DTYPE)?;
    let r = elems::<T>(&r);
    let scale = T::of(p.spatial_scale);
    let offset = T::of(if p.aligned { 0.5 } else { 0.0 });
    let one = T::of(1.0);
    let plane = height * width;
    let mut out = vec![T::of(0.0); k * c * ph * pw];
    for (roi, dst) in r.chunks_exact(5).zip(out.chunks_exact_mut(c * ph * pw)) {
        // The C++ truncates the float batch index to int.
        let batch = roi[0].f() as i64;
        if batch < 0 || batch as usize >= n {
            return Err(invalid(
                OP,
                format!("box batch index {batch} is out of range for {n} images"),
            ));
        }
        let start_w = roi[1] * scale - offset;
        let start_h = roi[2] * scale - offset;
        let end_w = roi[3] * scale - offset;
        let end_h = roi[4] * scale - offset;
        let mut roi_w = end_w - start_w;
        let mut roi_h = end_h - start_h;
        if !p.aligned {
            // Malformed boxes become 1x1 (std::max(roi_width, 1)).
            roi_w = if roi_w < one { one } else { roi_w };
            roi_h = if roi_h < one { one } else { roi_h };
        }
        let bin_h = roi_h / T::of(ph as f64);
        let bin_w = roi_w / T::of(pw as f64);
        let grid = |size: T, pooled: usize| -> usize {
            if p.sampling_ratio > 0 {
                p.sampling_ratio as usize
            } else {
                // ceil of the T quotient; a negative size (aligned, inverted box) gives 0.
                (size / T::of(pooled as f64)).f().ceil().max(0.0) as usize
            }
        };
        let (grid_h, grid_w) = (grid(roi_h, ph), grid(roi_w, pw));
        let count = T::of((grid_h * grid_w).max(1) as f64);
        let pre = samples(
            (height, width),
            (ph, pw),
            (start_h, start_w),
            (bin_h, bin_w),
            (grid_h, grid_w),
        );
        let per_bin = grid_h * grid_w;
        for (ch, dst) in dst.chunks_exact_mut(ph * pw).enumerate() {
            let src = &x[(batch as usize * c + ch) * plane..][..plane];
            for (bin, o) in dst.iter_mut().enumerate() {
                let mut acc = T::of(0.0);
                for s in &pre[bin * per_bin..(bin + 1) * per_bin] {
                    acc += s.w[0] * src[s.pos[0]]
                        + s.w[1] * src[s.pos[1]]
                        + s.w[2] * src[s.pos[2]]
                        + s.w[3] * src[s.pos[3]];
                }
                *o = acc / count;
            }
        }
    }
    Tensor::from_vec(out, &[k, c, ph, pw])
}
