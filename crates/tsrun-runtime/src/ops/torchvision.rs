//! torchvision's C++ operators that detection models call (`ops.torchvision.nms(...)` in
//! printed code), built in so such archives run without torchvision's library.

use tsrun_tensor::ops::nn::detection::{self, RoiAlign};

use super::args::{bool, float, int, ok, tensor};
use super::RegistryBuilder;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "torchvision::nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
        |a| ok(detection::nms(tensor(a, 0)?, tensor(a, 1)?, float(a, 2)?)?),
    );
    b.op("torchvision::roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor", |a| {
        let params = RoiAlign {
            spatial_scale: float(a, 2)?,
            pooled_height: int(a, 3)?,
            pooled_width: int(a, 4)?,
            sampling_ratio: int(a, 5)?,
            aligned: bool(a, 6)?,
        };
        ok(detection::roi_align(tensor(a, 0)?, tensor(a, 1)?, params)?)
    });
}
