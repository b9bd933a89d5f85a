//! The x86 registers every family's kernels are written over: [`Register`] (f32 lanes, `__m512` in
//! `avx512`, `__m256` in `avx2`) and [`Widen`] (a row element loaded into one as f32). A kernel's
//! body is written once, generic over these; each family's `avx2.rs` and `avx512.rs` compile it for
//! their instructions, beside what only that instruction set has (`vpdpbusd`, `vpmaddubsw`).
//!
//! The implementations use their register's instructions without checking for them: they are only
//! called from the `#[target_feature]` variants, which [`super::Isa`] picks after checking the CPU.

mod avx2;
mod avx512;

use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};

/// A SIMD register of f32 lanes.
///
/// # Safety
/// Every method needs the register's instructions (AVX-512F for `__m512`; AVX2, FMA and F16C for
/// `__m256`); pointers are to `LANES` readable (or writable) values.
pub(crate) trait Register: Copy {
    const LANES: usize;
    /// The register of `LANES` i32 lanes of the same width.
    type Int: Copy;
    unsafe fn zero() -> Self;
    unsafe fn splat(x: f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    /// Each lane rounded to f16 (to nearest, ties to even) and stored.
    unsafe fn store_f16(self, p: *mut half::f16);
    unsafe fn add(a: Self, b: Self) -> Self;
    unsafe fn mul(a: Self, b: Self) -> Self;
    /// `a * b + c`, rounded once.
    unsafe fn fmadd(a: Self, b: Self, c: Self) -> Self;
    /// `c - a * b`, rounded once.
    unsafe fn fnmadd(a: Self, b: Self, c: Self) -> Self;
    /// The i32 lanes of `i` as f32.
    unsafe fn from_int(i: Self::Int) -> Self;
    /// The lane sums of `a`: for four registers one tree of shuffles, else one at a time.
    unsafe fn sums<const P: usize>(a: &[Self; P]) -> [f32; P];
}

/// A row element loaded into register `R` as f32 (f16 by the CPU's conversion, bytes widened).
pub(crate) trait Widen<R: Register>: Copy {
    /// # Safety
    /// As [`Register`]'s: `p` points at `R::LANES` readable values.
    unsafe fn load_wide(p: *const Self) -> R;
}

/// Asks for the cache line at `p` to be brought into every level (SSE, present on every x86-64).
/// A hint: it reads nothing and cannot fault, wherever `p` points.
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    // SAFETY: a prefetch is not a memory access.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) };
}
