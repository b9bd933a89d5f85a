//! What the x86 variants share: [`Simd`]'s products written once over a [`Register`] (`__m512` in
//! `avx512`, `__m256` in `avx2`, which compile the kernel's body with them). f16 rows are widened
//! by `vcvtph2ps` as they are loaded; a block's dot products are summed across lanes by one tree of
//! shuffles for all four (a horizontal sum per product, a chain of dependent shuffles and
//! additions, cost these 128-value products more than their multiplications).

use std::marker::PhantomData;

use super::{CacheElem, Lane, Query, Simd};
use crate::kernels::simd::{Register, Widen, prefetch};

/// The part of `G * d` products past the last full register: `q` row `g` times `k[p]` from `from`.
#[inline(always)]
pub(super) fn tails<T: Lane, const G: usize, const P: usize>(
    q: &[f32],
    k: [&[T]; P],
    from: usize,
) -> [[f32; P]; G] {
    let d = k[0].len();
    let mut out = [[0f32; P]; G];
    if from < d {
        for (g, out) in out.iter_mut().enumerate() {
            for (o, k) in out.iter_mut().zip(k) {
                for i in from..d {
                    *o += q[g * d + i] * k[i].widen();
                }
            }
        }
    }
    out
}

/// `out[g] += sum over p of w[g][p] * v[p]` for the values from `from` on.
#[inline(always)]
pub(super) fn axpy_tails<T: Lane, const G: usize, const P: usize>(
    out: &mut [f32],
    w: &[[f32; P]; G],
    v: [&[T]; P],
    from: usize,
) {
    let d = v[0].len();
    for (out, w) in out.chunks_exact_mut(d).zip(w) {
        for (&w, v) in w.iter().zip(v) {
            for i in from..d {
                out[i] = w.mul_add(v[i].widen(), out[i]);
            }
        }
    }
}

/// Prefetches every cache line of `rows` into all levels.
#[inline(always)]
pub(super) fn prefetch_lines<T>(rows: &[T]) {
    let bytes = std::mem::size_of_val(rows);
    let base = rows.as_ptr().cast::<u8>();
    for offset in (0..bytes).step_by(64) {
        prefetch(base.wrapping_add(offset));
    }
}

/// [`Simd`] in registers `R`.
pub(super) struct Wide<R>(PhantomData<R>);

impl<R: Register, T: CacheElem + Widen<R>> Simd<T> for Wide<R> {
    #[inline(always)]
    fn dots<const G: usize, const P: usize>(
        q: &Query,
        first: usize,
        k: [&[T]; P],
    ) -> [[f32; P]; G] {
        let d = k[0].len();
        let q = &q.values[first * d..][..G * d];
        assert!(k.iter().all(|k| k.len() == d));
        let full = d / R::LANES * R::LANES;
        let mut out = tails::<T, G, P>(q, k, full);
        // SAFETY (the block): `R`'s instructions by this module's contract; every load reads
        // `LANES` values at `c + LANES <= full <= d` of a row of `d` values (`q`'s rows
        // checked above).
        unsafe {
            let mut acc = [[R::zero(); P]; G];
            for c in (0..full).step_by(R::LANES) {
                let mut kv = [R::zero(); P];
                for (kv, k) in kv.iter_mut().zip(k) {
                    *kv = T::load_wide(k.as_ptr().add(c));
                }
                for (g, acc) in acc.iter_mut().enumerate() {
                    let qv = R::load(q.as_ptr().add(g * d + c));
                    for (acc, kv) in acc.iter_mut().zip(kv) {
                        *acc = R::fmadd(qv, kv, *acc);
                    }
                }
            }
            for (out, acc) in out.iter_mut().zip(&acc) {
                for (o, s) in out.iter_mut().zip(R::sums(acc)) {
                    *o += s;
                }
            }
        }
        out
    }

    #[inline(always)]
    fn axpys<const G: usize, const P: usize>(out: &mut [f32], w: &[[f32; P]; G], v: [&[T]; P]) {
        let d = v[0].len();
        assert!(out.len() >= G * d && v.iter().all(|v| v.len() == d));
        let full = d / R::LANES * R::LANES;
        // SAFETY (the block): `R`'s instructions by this module's contract; every load and
        // store is of `LANES` values at `c + LANES <= full <= d` of a row of `d` values
        // (`out`'s rows checked above).
        unsafe {
            let mut wv = [[R::zero(); P]; G];
            for (wv, w) in wv.iter_mut().zip(w) {
                for (wv, &w) in wv.iter_mut().zip(w) {
                    *wv = R::splat(w);
                }
            }
            for c in (0..full).step_by(R::LANES) {
                let mut x = [R::zero(); P];
                for (x, v) in x.iter_mut().zip(v) {
                    *x = T::load_wide(v.as_ptr().add(c));
                }
                for (g, wv) in wv.iter().enumerate() {
                    let o = out.as_mut_ptr().add(g * d + c);
                    let mut acc = R::load(o);
                    for (wv, x) in wv.iter().zip(x) {
                        acc = R::fmadd(*wv, x, acc);
                    }
                    acc.store(o);
                }
            }
        }
        axpy_tails(out, w, v, full);
    }

    #[inline(always)]
    fn prefetch(rows: &[T]) {
        prefetch_lines(rows);
    }
}
