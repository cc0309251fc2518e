//! The `Element` trait: Rust types that can live in a tensor, with PyTorch's
//! conversion rules between them (`c10::static_cast_with_inter_type`).

use half::{bf16, f16};

use crate::{DType, Scalar};

mod private {
    /// Seals [`super::Element`]: storage relies on `DTYPE` naming the exact type.
    pub trait Sealed {}
}

/// A Rust type that is the element type of exactly one [`DType`].
///
/// The trait is sealed: `Storage` reinterprets its buffer based on
/// `DTYPE`, so a foreign impl could cause undefined behaviour.
pub trait Element:
    Copy + PartialEq + PartialOrd + Default + Send + Sync + std::fmt::Debug + 'static + private::Sealed
{
    /// The dtype whose elements are `Self`.
    const DTYPE: DType;
    /// Value as f64 (exact for every type except i64 beyond 2^53).
    fn to_f64(self) -> f64;
    /// Value as i64; floats truncate toward zero (saturating on overflow, 0 for NaN).
    fn to_i64(self) -> i64;
    /// `self != 0`, PyTorch's conversion to bool.
    fn to_bool(self) -> bool;
    /// From a double: floats round to nearest, integers truncate toward zero
    /// and then wrap, like PyTorch's C++ casts.
    fn from_f64(v: f64) -> Self;
    /// From an int64: integers wrap, floats round to nearest (directly, not via f64).
    fn from_i64(v: i64) -> Self;
    /// From a bool (0 or 1).
    fn from_bool(v: bool) -> Self;

    /// Converts to another element type with PyTorch's `to(dtype)` semantics.
    #[inline(always)]
    fn cast<U: Element>(self) -> U {
        if U::DTYPE == DType::Bool {
            U::from_bool(self.to_bool())
        } else if Self::DTYPE.is_floating() {
            // f32/f16 -> f64 is exact, so going through f64 never double-rounds.
            U::from_f64(self.to_f64())
        } else {
            U::from_i64(self.to_i64())
        }
    }

    /// Converts a Python number to this type (same rules as [`Element::cast`]).
    #[inline]
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => Self::from_bool(b),
            Scalar::Int(i) => Self::from_i64(i),
            Scalar::Float(f) => Self::from_f64(f),
        }
    }

    /// The value as the Python number `tensor.item()` returns.
    #[inline]
    fn to_scalar(self) -> Scalar {
        match Self::DTYPE {
            DType::Bool => Scalar::Bool(self.to_bool()),
            d if d.is_floating() => Scalar::Float(self.to_f64()),
            _ => Scalar::Int(self.to_i64()),
        }
    }
}

macro_rules! int_element {
    ($t:ty, $d:ident) => {
        impl private::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self != 0
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                // Through int64 as c10 does for uint8, so e.g. -1.0 -> 255.
                (v as i64) as $t
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_bool(v: bool) -> Self {
                v as $t
            }
        }
    };
}

int_element!(u8, U8);
int_element!(i8, I8);
int_element!(i16, I16);
int_element!(i32, I32);
int_element!(i64, I64);

macro_rules! native_float_element {
    ($t:ty, $d:ident) => {
        impl private::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self != 0.0
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_bool(v: bool) -> Self {
                v as u8 as $t
            }
        }
    };
}

native_float_element!(f32, F32);
native_float_element!(f64, F64);

macro_rules! half_element {
    ($t:ty, $d:ident) => {
        impl private::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self.to_f64()
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self.to_f32() as i64
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self.to_f32() != 0.0
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                <$t>::from_f64(v)
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                <$t>::from_f32(v as f32)
            }
            #[inline(always)]
            fn from_bool(v: bool) -> Self {
                <$t>::from_f32(v as u8 as f32)
            }
        }
    };
}

half_element!(f16, F16);
half_element!(bf16, BF16);

impl private::Sealed for bool {}
impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn to_bool(self) -> bool {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline(always)]
    fn from_bool(v: bool) -> Self {
        v
    }
}

/// Runs `$body` with the type alias `$T` bound to the element type of `$dt`.
///
/// This is the one place where a runtime dtype becomes a compile-time type;
/// kernels are written once, generically, and instantiated per dtype here.
#[macro_export]
#[doc(hidden)]
macro_rules! with_dtype {
    ($dt:expr, $T:ident => $body:expr) => {
        match $dt {
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::F16 => {
                type $T = half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_pytorch() {
        assert_eq!((-1.7f32).cast::<i64>(), -1);
        assert_eq!((-1.0f64).cast::<u8>(), 255);
        assert!(0.1f32.cast::<bool>());
        assert_eq!(300i64.cast::<u8>(), 44);
        assert_eq!(true.cast::<f32>(), 1.0);
        assert_eq!(f16::from_f32(2.5).cast::<i32>(), 2);
    }
}
