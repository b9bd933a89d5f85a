//! What the x86 variants share: f16 products and conversions written once over a [`Register`]
//! (`__m512` in `avx512`, `__m256` in `avx2`), f16 converted by the CPU (`vcvtph2ps`, `vcvtps2ph`),
//! which [`Lane::widen`]'s portable bit manipulation takes several instructions per value to match.

use half::f16;

use super::Lane;
use crate::kernels::simd::{Register, Widen};

/// The dot product of a row of `T` and an f32 row: four registers of products per step, each row
/// element widened as it is loaded, then the four summed lane by lane and the lanes in order.
#[inline(always)]
pub(super) fn dot<R: Register, T: Widen<R> + Lane>(w: &[T], x: &[f32]) -> f32 {
    let n = w.len().min(x.len());
    let step = 4 * R::LANES;
    let mut lanes = [0f32; 16];
    // SAFETY (the block): `R`'s instructions by the caller's target features; every load reads
    // `LANES` values at `at + LANES <= n` of both rows; `lanes` holds the 8 or 16 stored.
    unsafe {
        let mut acc = [R::zero(); 4];
        for c in 0..n / step {
            for (j, acc) in acc.iter_mut().enumerate() {
                let at = c * step + j * R::LANES;
                let (wv, xv) = (
                    T::load_wide(w.as_ptr().add(at)),
                    R::load(x.as_ptr().add(at)),
                );
                *acc = R::fmadd(wv, xv, *acc);
            }
        }
        let sum = R::add(R::add(acc[0], acc[1]), R::add(acc[2], acc[3]));
        sum.store(lanes.as_mut_ptr());
    }
    let tail: f32 = (n / step * step..n).map(|i| w[i].widen() * x[i]).sum();
    lanes[..R::LANES].iter().sum::<f32>() + tail
}

/// `src` widened to f32 into `dst`, one register at a time.
#[inline(always)]
pub(super) fn widen<R: Register>(src: &[f16], dst: &mut [f32])
where
    f16: Widen<R>,
{
    let n = src.len().min(dst.len());
    let chunks = n / R::LANES;
    for c in 0..chunks {
        // SAFETY: `R`'s instructions by the caller's target features; `LANES` values at
        // `(c + 1) * LANES <= n` of both slices.
        unsafe {
            let at = c * R::LANES;
            f16::load_wide(src.as_ptr().add(at)).store(dst.as_mut_ptr().add(at));
        }
    }
    for i in chunks * R::LANES..n {
        dst[i] = src[i].widen();
    }
}

/// `src` rounded to f16 into `dst`, one register at a time.
#[inline(always)]
pub(super) fn narrow<R: Register>(src: &[f32], dst: &mut [f16]) {
    let n = src.len().min(dst.len());
    let chunks = n / R::LANES;
    for c in 0..chunks {
        // SAFETY: as in `widen`.
        unsafe {
            let at = c * R::LANES;
            R::load(src.as_ptr().add(at)).store_f16(dst.as_mut_ptr().add(at));
        }
    }
    for i in chunks * R::LANES..n {
        dst[i] = f16::from_f32(src[i]);
    }
}
