//! Type promotion, ported from c10's `promoteTypes` and ATen's
//! `ResultTypeState` (aten/src/ATen/native/TypeProperties.cpp).

use crate::{DType, Scalar, Tensor};

/// The default floating dtype (`torch.get_default_dtype()`), which Python
/// floats and integer true division promote to.
pub const DEFAULT_FLOAT: DType = DType::F32;

/// One input to type promotion.
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    /// A tensor; 0-dim tensors count as "zero-dim" results, others as "dim" results.
    Tensor(&'a Tensor),
    /// A Python number (a "wrapped number" in aten).
    Scalar(Scalar),
}

/// Floating types ranked by width; bf16 and f16 share a rank.
fn float_rank(d: DType) -> u8 {
    match d {
        DType::F16 | DType::BF16 => 0,
        DType::F32 => 1,
        _ => 2,
    }
}

/// `c10::promoteTypes` for the supported dtypes.
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (a, b) {
        (Bool, x) | (x, Bool) => x,
        (x, y) if x.is_floating() && y.is_floating() => {
            if float_rank(x) == 0 && float_rank(y) == 0 {
                F32 // f16 + bf16
            } else if float_rank(x) >= float_rank(y) {
                x
            } else {
                y
            }
        }
        (x, y) if x.is_floating() => {
            let _ = y;
            x
        }
        (_, y) if y.is_floating() => y,
        // Both integral and different.
        (U8, x) | (x, U8) => match x {
            I8 | I16 => I16,
            other => other,
        },
        (x, y) => {
            if x.itemsize() >= y.itemsize() {
                x
            } else {
                y
            }
        }
    }
}

/// `promote_skip_undefined`: `None` is aten's `ScalarType::Undefined`.
fn promote_opt(a: Option<DType>, b: DType) -> DType {
    match a {
        None => b,
        Some(a) => promote_types(a, b),
    }
}

/// aten's `combine_categories(higher, lower)`: the higher-priority class wins
/// unless the lower one is of a higher category (bool < integral < floating).
fn combine_categories(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (Some(h), _) if h.is_floating() => Some(h),
        (Some(h), Some(l)) if h == DType::Bool || l.is_floating() => Some(promote_types(h, l)),
        (Some(h), _) => Some(h),
        (None, l) => l,
    }
}

/// Incremental promotion state, mirroring aten's `ResultTypeState`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResultTypeState {
    dim_result: Option<DType>,
    zero_result: Option<DType>,
    wrapped_result: Option<DType>,
}

impl ResultTypeState {
    /// Adds one operand.
    pub fn update(mut self, op: Operand<'_>) -> ResultTypeState {
        match op {
            Operand::Tensor(t) if t.dim() > 0 => {
                self.dim_result = Some(promote_opt(self.dim_result, t.dtype()));
            }
            Operand::Tensor(t) => {
                self.zero_result = Some(promote_opt(self.zero_result, t.dtype()));
            }
            Operand::Scalar(s) => {
                let d = if s.is_floating() {
                    DEFAULT_FLOAT
                } else {
                    s.dtype()
                };
                self.wrapped_result = Some(promote_opt(self.wrapped_result, d));
            }
        }
        self
    }

    /// The promoted dtype (`at::native::result_type(state)`).
    pub fn result(self) -> DType {
        combine_categories(
            self.dim_result,
            combine_categories(self.zero_result, self.wrapped_result),
        )
        .unwrap_or(DEFAULT_FLOAT)
    }
}

/// `torch.result_type` over any mix of tensors and Python numbers.
pub fn result_type(operands: &[Operand<'_>]) -> DType {
    operands
        .iter()
        .fold(ResultTypeState::default(), |s, &o| s.update(o))
        .result()
}

/// `c10::canCast(from, to)`: no float to integral, nothing but bool to bool.
pub fn can_cast(from: DType, to: DType) -> bool {
    if from.is_floating() && to.is_integral(false) {
        return false;
    }
    !(from != DType::Bool && to == DType::Bool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn table_spot_checks() {
        assert_eq!(promote_types(U8, I8), I16);
        assert_eq!(promote_types(U8, I64), I64);
        assert_eq!(promote_types(F16, BF16), F32);
        assert_eq!(promote_types(I64, F16), F16);
        assert_eq!(promote_types(Bool, U8), U8);
        assert_eq!(promote_types(I32, I16), I32);
    }

    #[test]
    fn scalars_and_zero_dim() {
        let long = Tensor::from_vec(vec![1i64, 2], &[2]).unwrap();
        let f64_0d = Tensor::scalar_tensor(Scalar::Float(1.0), F64);
        let boolt = Tensor::from_vec(vec![true], &[1]).unwrap();
        assert_eq!(
            result_type(&[Operand::Tensor(&long), Operand::Scalar(Scalar::Float(1.0))]),
            F32
        );
        assert_eq!(
            result_type(&[Operand::Tensor(&long), Operand::Tensor(&f64_0d)]),
            F64
        );
        assert_eq!(
            result_type(&[Operand::Tensor(&boolt), Operand::Scalar(Scalar::Int(1))]),
            I64
        );
    }
}
