//! `aten::flip` and `aten::roll`.

use tsrun_tensor::ops::reorder;

use super::args::{int_list, ok, tensor};
use super::RegistryBuilder;

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::flip(Tensor self, int[] dims) -> Tensor", |a| {
        ok(reorder::flip(tensor(a, 0)?, &int_list(a, 1)?)?)
    });
    b.op(
        "aten::roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor",
        |a| {
            ok(reorder::roll(
                tensor(a, 0)?,
                &int_list(a, 1)?,
                &int_list(a, 2)?,
            )?)
        },
    );
}
