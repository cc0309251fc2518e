//! Comparisons (`aten::eq/ne/lt/le/gt/ge`): inputs are promoted to their common
//! dtype, compared, and the result is always a bool tensor.

use crate::ops::elementwise::{zip_rhs, Rhs};
use crate::promote::{result_type, Operand};
use crate::{Result, Scalar, Tensor};

fn compare(
    op: &'static str,
    a: &Tensor,
    b: Rhs<'_>,
    f: fn(std::cmp::Ordering) -> bool,
    nan: bool,
) -> Result<Tensor> {
    let dt = match b {
        Rhs::Tensor(b) => result_type(&[Operand::Tensor(a), Operand::Tensor(b)]),
        Rhs::Scalar(s) => result_type(&[Operand::Tensor(a), Operand::Scalar(s)]),
    };
    let a = a.try_to_dtype(op, dt)?;
    let bt;
    let b = match b {
        Rhs::Tensor(t) => {
            bt = t.try_to_dtype(op, dt)?;
            Rhs::Tensor(&bt)
        }
        s => s,
    };
    // `nan` is the answer for unordered (NaN) pairs: true only for `ne`.
    crate::with_dtype!(dt, T => zip_rhs::<T, bool>(op, &a, b, move |x, y| match x.partial_cmp(&y) {
        Some(o) => f(o),
        None => nan,
    }))
}

macro_rules! cmp_ops {
    ($($name:ident, $name_s:ident, $op:literal, $f:expr, $nan:expr;)*) => {$(
        #[doc = concat!("`aten::", $op, ".Tensor`: element-wise comparison with broadcasting; returns bool.")]
        pub fn $name(a: &Tensor, b: &Tensor) -> Result<Tensor> {
            compare($op, a, Rhs::Tensor(b), $f, $nan)
        }
        #[doc = concat!("`aten::", $op, ".Scalar`.")]
        pub fn $name_s(a: &Tensor, s: Scalar) -> Result<Tensor> {
            compare($op, a, Rhs::Scalar(s), $f, $nan)
        }
    )*};
}

cmp_ops! {
    eq, eq_scalar, "eq", |o| o.is_eq(), false;
    ne, ne_scalar, "ne", |o| o.is_ne(), true;
    lt, lt_scalar, "lt", |o| o.is_lt(), false;
    le, le_scalar, "le", |o| o.is_le(), false;
    gt, gt_scalar, "gt", |o| o.is_gt(), false;
    ge, ge_scalar, "ge", |o| o.is_ge(), false;
}
