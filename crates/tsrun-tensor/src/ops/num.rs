//! Per-element arithmetic with PyTorch's exact scalar semantics
//! (aten/src/ATen/native/cpu/BinaryOpsKernel.cpp, c10/util/generic_math.h).
//!
//! Integers wrap; f16/bf16 compute in f32 and round once, as aten's CPU
//! kernels do for reduced-precision floats.

use half::{bf16, f16};

use crate::Element;

/// Arithmetic on every dtype except bool.
pub(crate) trait Num: Element {
    const ZERO: Self;
    const ONE: Self;
    fn wadd(self, o: Self) -> Self;
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
    /// `trunc(a / b)`; `None` for integer division by zero.
    fn tdiv(self, o: Self) -> Option<Self>;
    /// Python floor division; `None` for integer division by zero.
    fn fdiv(self, o: Self) -> Option<Self>;
    /// Python modulo (sign of the divisor); `None` for integer modulo by zero.
    fn pymod(self, o: Self) -> Option<Self>;
    fn wneg(self) -> Self;
    fn wabs(self) -> Self;
    /// `torch.pow` element rule (`powi` for integers).
    fn tpow(self, o: Self) -> Self;
    /// `torch.maximum` (NaN-propagating, `std::max` tie rule).
    fn vmax(self, o: Self) -> Self;
    /// `torch.minimum` (NaN-propagating, `std::min` tie rule).
    fn vmin(self, o: Self) -> Self;
    fn isnan(self) -> bool;
}

/// Extra operations on floating types.
pub(crate) trait Float: Num {
    /// True division.
    fn true_div(self, o: Self) -> Self;
    /// Applies an f32 function (f32, f16, bf16) or an f64 function (f64).
    fn fmap(self, f32f: impl Fn(f32) -> f32, f64f: impl Fn(f64) -> f64) -> Self;
}

macro_rules! int_num {
    ($t:ty, signed = $signed:expr) => {
        impl Num for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn wadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn wsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn wmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn tdiv(self, o: Self) -> Option<Self> {
                if o == 0 {
                    None
                } else {
                    Some(self.wrapping_div(o))
                }
            }
            #[inline(always)]
            fn fdiv(self, o: Self) -> Option<Self> {
                if o == 0 {
                    return None;
                }
                let q = self.wrapping_div(o);
                let r = self.wrapping_rem(o);
                // c10::div_floor_integer: step down when signs differ and inexact.
                #[allow(unused_comparisons)]
                let signs_differ = (self < 0) != (o < 0);
                Some(if signs_differ && r != 0 {
                    q.wrapping_sub(1)
                } else {
                    q
                })
            }
            #[inline(always)]
            fn pymod(self, o: Self) -> Option<Self> {
                if o == 0 {
                    return None;
                }
                let r = self.wrapping_rem(o);
                #[allow(unused_comparisons)]
                let fix = r != 0 && ((r < 0) != (o < 0));
                Some(if fix { r.wrapping_add(o) } else { r })
            }
            #[inline(always)]
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn wabs(self) -> Self {
                #[allow(unused_comparisons)]
                if self < 0 {
                    self.wrapping_neg()
                } else {
                    self
                }
            }
            #[inline]
            fn tpow(self, o: Self) -> Self {
                #[allow(unused_comparisons)]
                if $signed && o < 0 {
                    // c10 powi: only +-1 survive a negative exponent.
                    return if self == 1 {
                        1
                    } else if $signed && self == (0 as $t).wrapping_sub(1) {
                        if o.wrapping_rem(2) != 0 {
                            self
                        } else {
                            1
                        }
                    } else {
                        0
                    };
                }
                let (mut a, mut b, mut r) = (self, o, 1 as $t);
                while b != 0 {
                    if b & 1 != 0 {
                        r = r.wrapping_mul(a);
                    }
                    b /= 2;
                    a = a.wrapping_mul(a);
                }
                r
            }
            #[inline(always)]
            fn vmax(self, o: Self) -> Self {
                if self < o {
                    o
                } else {
                    self
                }
            }
            #[inline(always)]
            fn vmin(self, o: Self) -> Self {
                if o < self {
                    o
                } else {
                    self
                }
            }
            #[inline(always)]
            fn isnan(self) -> bool {
                false
            }
        }
    };
}

int_num!(u8, signed = false);
int_num!(i8, signed = true);
int_num!(i16, signed = true);
int_num!(i32, signed = true);
int_num!(i64, signed = true);

/// `c10::div_floor_floating`.
#[inline]
fn div_floor_f64(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return a / b;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && (b < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut fl = div.floor();
        if div - fl > 0.5 {
            fl += 1.0;
        }
        fl
    } else {
        0f64.copysign(a / b)
    }
}

/// `c10::div_floor_floating` in single precision.
#[inline]
fn div_floor_f32(a: f32, b: f32) -> f32 {
    if b == 0.0 {
        return a / b;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && (b < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut fl = div.floor();
        if div - fl > 0.5 {
            fl += 1.0;
        }
        fl
    } else {
        0f32.copysign(a / b)
    }
}

macro_rules! float_num {
    ($t:ty, $floor:ident) => {
        impl Num for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn wadd(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn wsub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn wmul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn tdiv(self, o: Self) -> Option<Self> {
                Some((self / o).trunc())
            }
            #[inline(always)]
            fn fdiv(self, o: Self) -> Option<Self> {
                Some($floor(self, o))
            }
            #[inline(always)]
            fn pymod(self, o: Self) -> Option<Self> {
                let mut m = self % o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    m += o;
                }
                Some(m)
            }
            #[inline(always)]
            fn wneg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn wabs(self) -> Self {
                self.abs()
            }
            #[inline(always)]
            fn tpow(self, o: Self) -> Self {
                self.powf(o)
            }
            #[inline(always)]
            fn vmax(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    <$t>::NAN
                } else if self < o {
                    o
                } else {
                    self
                }
            }
            #[inline(always)]
            fn vmin(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    <$t>::NAN
                } else if o < self {
                    o
                } else {
                    self
                }
            }
            #[inline(always)]
            fn isnan(self) -> bool {
                self.is_nan()
            }
        }
    };
}

float_num!(f32, div_floor_f32);
float_num!(f64, div_floor_f64);

impl Float for f32 {
    #[inline(always)]
    fn true_div(self, o: Self) -> Self {
        self / o
    }
    #[inline(always)]
    fn fmap(self, f32f: impl Fn(f32) -> f32, _: impl Fn(f64) -> f64) -> Self {
        f32f(self)
    }
}

impl Float for f64 {
    #[inline(always)]
    fn true_div(self, o: Self) -> Self {
        self / o
    }
    #[inline(always)]
    fn fmap(self, _: impl Fn(f32) -> f32, f64f: impl Fn(f64) -> f64) -> Self {
        f64f(self)
    }
}

macro_rules! half_num {
    ($t:ty) => {
        impl Num for $t {
            const ZERO: Self = <$t>::ZERO;
            const ONE: Self = <$t>::ONE;
            #[inline(always)]
            fn wadd(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32() + o.to_f32())
            }
            #[inline(always)]
            fn wsub(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32() - o.to_f32())
            }
            #[inline(always)]
            fn wmul(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32() * o.to_f32())
            }
            #[inline(always)]
            fn tdiv(self, o: Self) -> Option<Self> {
                self.to_f32().tdiv(o.to_f32()).map(<$t>::from_f32)
            }
            #[inline(always)]
            fn fdiv(self, o: Self) -> Option<Self> {
                self.to_f32().fdiv(o.to_f32()).map(<$t>::from_f32)
            }
            #[inline(always)]
            fn pymod(self, o: Self) -> Option<Self> {
                Num::pymod(self.to_f32(), o.to_f32()).map(<$t>::from_f32)
            }
            #[inline(always)]
            fn wneg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn wabs(self) -> Self {
                <$t>::from_f32(self.to_f32().abs())
            }
            #[inline(always)]
            fn tpow(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32().powf(o.to_f32()))
            }
            #[inline(always)]
            fn vmax(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32().vmax(o.to_f32()))
            }
            #[inline(always)]
            fn vmin(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32().vmin(o.to_f32()))
            }
            #[inline(always)]
            fn isnan(self) -> bool {
                self.is_nan()
            }
        }
        impl Float for $t {
            #[inline(always)]
            fn true_div(self, o: Self) -> Self {
                <$t>::from_f32(self.to_f32() / o.to_f32())
            }
            #[inline(always)]
            fn fmap(self, f32f: impl Fn(f32) -> f32, _: impl Fn(f64) -> f64) -> Self {
                <$t>::from_f32(f32f(self.to_f32()))
            }
        }
    };
}

half_num!(f16);
half_num!(bf16);

/// Dispatches a dtype to a numeric type alias, with separate arms for the
/// integer types, the floating types and bool.
macro_rules! dispatch {
    ($dt:expr, int $TI:ident => $int:expr, float $TF:ident => $float:expr, bool => $b:expr) => {
        match $dt {
            $crate::DType::U8 => {
                type $TI = u8;
                $int
            }
            $crate::DType::I8 => {
                type $TI = i8;
                $int
            }
            $crate::DType::I16 => {
                type $TI = i16;
                $int
            }
            $crate::DType::I32 => {
                type $TI = i32;
                $int
            }
            $crate::DType::I64 => {
                type $TI = i64;
                $int
            }
            $crate::DType::F16 => {
                type $TF = half::f16;
                $float
            }
            $crate::DType::BF16 => {
                type $TF = half::bf16;
                $float
            }
            $crate::DType::F32 => {
                type $TF = f32;
                $float
            }
            $crate::DType::F64 => {
                type $TF = f64;
                $float
            }
            $crate::DType::Bool => $b,
        }
    };
}

/// Dispatches a non-bool dtype to a [`Num`] type alias; bool takes `$b`.
macro_rules! dispatch_num {
    ($dt:expr, $T:ident => $e:expr, bool => $b:expr) => {
        $crate::ops::num::dispatch!($dt, int $T => $e, float $T => $e, bool => $b)
    };
}

/// Dispatches a floating dtype to a [`Float`] type alias; others take `$other`.
macro_rules! dispatch_float {
    ($dt:expr, $T:ident => $e:expr, other => $o:expr) => {
        match $dt {
            $crate::DType::F16 => {
                type $T = half::f16;
                $e
            }
            $crate::DType::BF16 => {
                type $T = half::bf16;
                $e
            }
            $crate::DType::F32 => {
                type $T = f32;
                $e
            }
            $crate::DType::F64 => {
                type $T = f64;
                $e
            }
            _ => $o,
        }
    };
}

pub(crate) use {dispatch, dispatch_float, dispatch_num};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_division_rules() {
        assert_eq!((-7i64).fdiv(2), Some(-4));
        assert_eq!((-7i64).pymod(2), Some(1));
        assert_eq!(7i64.pymod(-2), Some(-1));
        assert_eq!(1i64.fdiv(0), None);
        assert_eq!((-7.0f64).fdiv(2.0), Some(-4.0));
        assert_eq!(Num::pymod(-7.0f32, 2.0), Some(1.0));
        assert_eq!(2i64.tpow(-1), 0);
        assert_eq!((-1i64).tpow(-3), -1);
        assert_eq!(3u8.tpow(5), 243);
    }
}
