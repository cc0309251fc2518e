//! Upsampling operators (`F.interpolate`, `nn.Upsample`): every `upsample_*` /
//! `_upsample_*_aa` overload, in the `.vec` form scripted code calls (output size or scale
//! factors) and the per-dim form traced code calls (output size plus optional scales), and the
//! 3-d pools `F.interpolate`'s `area` mode and `local_response_norm` reach.

use tsrun_tensor::ops::nn::pool3d;
use tsrun_tensor::ops::nn::upsample::{self as up, AaFilter, Mode};

use super::args::{bool, int_list, ok, opt_float, opt_float_list, opt_int, opt_int_list, tensor};
use super::RegistryBuilder;
use crate::error::RtResult;
use crate::value::Value;

/// `op.vec(input, output_size?, [align_corners,] scale_factors?)`.
fn vec_form(
    a: &[Value],
    op: &'static str,
    spatial: usize,
    mode: fn(bool) -> Mode,
    aligned: bool,
) -> RtResult<Value> {
    let x = tensor(a, 0)?;
    let size = opt_int_list(a, 1)?;
    let (align, at) = if aligned {
        (bool(a, 2)?, 3)
    } else {
        (false, 2)
    };
    let factors = opt_float_list(a, at)?;
    let (sizes, scales) = up::output_size(op, x, spatial, size.as_deref(), factors.as_deref())?;
    ok(up::upsample(op, x, &sizes, &scales, mode(align))?)
}

/// `op(self, output_size, [align_corners,] scales...)`.
fn sized_form(
    a: &[Value],
    op: &'static str,
    spatial: usize,
    mode: fn(bool) -> Mode,
    aligned: bool,
) -> RtResult<Value> {
    let x = tensor(a, 0)?;
    let size = int_list(a, 1)?;
    let (align, at) = if aligned {
        (bool(a, 2)?, 3)
    } else {
        (false, 2)
    };
    let scales = (0..spatial)
        .map(|d| opt_float(a, at + d))
        .collect::<RtResult<Vec<_>>>()?;
    // The per-dim form checks the size list's length like `.vec`.
    let (sizes, _) = up::output_size(op, x, spatial, Some(&size), None)?;
    ok(up::upsample(op, x, &sizes, &scales, mode(align))?)
}

fn nearest(_: bool) -> Mode {
    Mode::Nearest
}
fn nearest_exact(_: bool) -> Mode {
    Mode::NearestExact
}
fn linear(align_corners: bool) -> Mode {
    Mode::Linear { align_corners }
}
fn cubic(align_corners: bool) -> Mode {
    Mode::Cubic { align_corners }
}
fn aa_linear(align_corners: bool) -> Mode {
    Mode::Antialias {
        filter: AaFilter::Linear,
        align_corners,
    }
}
fn aa_cubic(align_corners: bool) -> Mode {
    Mode::Antialias {
        filter: AaFilter::Cubic,
        align_corners,
    }
}
fn aa_lanczos(align_corners: bool) -> Mode {
    Mode::Antialias {
        filter: AaFilter::Lanczos,
        align_corners,
    }
}

/// Declares `aten::$name` and `aten::$name.vec`.
macro_rules! upsample_op {
    ($b:ident, $name:literal, $spatial:literal, $mode:ident, aligned, $sized:literal) => {
        $b.op(
            concat!("aten::", $name, $sized),
            |a| sized_form(a, $name, $spatial, $mode, true),
        );
        $b.op(
            concat!("aten::", $name, ".vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? scale_factors) -> Tensor"),
            |a| vec_form(a, $name, $spatial, $mode, true),
        );
    };
    ($b:ident, $name:literal, $spatial:literal, $mode:ident, $sized:literal) => {
        $b.op(
            concat!("aten::", $name, $sized),
            |a| sized_form(a, $name, $spatial, $mode, false),
        );
        $b.op(
            concat!("aten::", $name, ".vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor"),
            |a| vec_form(a, $name, $spatial, $mode, false),
        );
    };
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    upsample_op!(
        b,
        "upsample_nearest1d",
        1,
        nearest,
        "(Tensor self, SymInt[1] output_size, float? scales=None) -> Tensor"
    );
    upsample_op!(b, "upsample_nearest2d", 2, nearest,
        "(Tensor self, SymInt[2] output_size, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "upsample_nearest3d", 3, nearest,
        "(Tensor self, SymInt[3] output_size, float? scales_d=None, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(
        b,
        "_upsample_nearest_exact1d",
        1,
        nearest_exact,
        "(Tensor self, SymInt[1] output_size, float? scales=None) -> Tensor"
    );
    upsample_op!(b, "_upsample_nearest_exact2d", 2, nearest_exact,
        "(Tensor self, SymInt[2] output_size, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "_upsample_nearest_exact3d", 3, nearest_exact,
        "(Tensor self, SymInt[3] output_size, float? scales_d=None, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(
        b,
        "upsample_linear1d",
        1,
        linear,
        aligned,
        "(Tensor self, SymInt[1] output_size, bool align_corners, float? scales=None) -> Tensor"
    );
    upsample_op!(b, "upsample_bilinear2d", 2, linear, aligned,
        "(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "upsample_trilinear3d", 3, linear, aligned,
        "(Tensor self, SymInt[3] output_size, bool align_corners, float? scales_d=None, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "upsample_bicubic2d", 2, cubic, aligned,
        "(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "_upsample_bilinear2d_aa", 2, aa_linear, aligned,
        "(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "_upsample_bicubic2d_aa", 2, aa_cubic, aligned,
        "(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor");
    upsample_op!(b, "_upsample_lanczos2d_aa", 2, aa_lanczos, aligned,
        "(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor");
    b.op("aten::avg_pool3d(Tensor self, int[3] kernel_size, int[3] stride=[], int[3] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor", |a| {
        ok(pool3d::avg_pool3d(
            tensor(a, 0)?,
            &int_list(a, 1)?,
            &int_list(a, 2)?,
            &int_list(a, 3)?,
            bool(a, 4)?,
            bool(a, 5)?,
            opt_int(a, 6)?,
        )?)
    });
    b.op(
        "aten::adaptive_avg_pool3d(Tensor self, SymInt[3] output_size) -> Tensor",
        |a| {
            ok(pool3d::adaptive_avg_pool3d(
                tensor(a, 0)?,
                &int_list(a, 1)?,
            )?)
        },
    );
}
