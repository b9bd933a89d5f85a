//! int8 rows: how the KV cache stores keys and values and how decode attention rounds the query to
//! match them (one scale per row, its largest magnitude over 127).

/// `x` in rows of `d` values, each as `round(x / scale)` in int8 (its bits in `bytes`) with `scale`
/// the row's largest magnitude over 127 (0 for a row of zeros) in `scales`. Written so that both
/// loops vectorize: prefill quantizes every key and value it appends.
pub(crate) fn quantize_rows_into(x: &[f32], d: usize, bytes: &mut [u8], scales: &mut [f32]) {
    const LANES: usize = 8;
    if d == 0 {
        return;
    }
    for ((row, out), scale) in x
        .chunks_exact(d)
        .zip(bytes.chunks_exact_mut(d))
        .zip(scales.iter_mut())
    {
        // The largest magnitude in `LANES` running maxima, which vectorize where one does not.
        let (chunks, rest) = row.as_chunks::<LANES>();
        let mut lanes = [0f32; LANES];
        for chunk in chunks {
            for (m, x) in lanes.iter_mut().zip(chunk) {
                *m = m.max(x.abs());
            }
        }
        let max = rest.iter().chain(&lanes).fold(0f32, |m, x| m.max(x.abs()));
        let inverse = if max > 0.0 { 127.0 / max } else { 0.0 };
        for (o, x) in out.iter_mut().zip(row) {
            // Clamped to the int8 range (the product can reach 127.00001), then rounded to the
            // nearest integer, ties to even, by adding 1.5 * 2^23: the sum's low mantissa bits are
            // then the integer in two's complement (a NaN's are 0). Integer and float operations
            // that vectorize, where `round` and `as` conversions were a call or a branch per value.
            const MAGIC: f32 = 12_582_912.0;
            let sum = (x * inverse).clamp(-127.0, 127.0) + MAGIC;
            *o = sum.to_bits().wrapping_sub(MAGIC.to_bits()) as u8;
        }
        *scale = max / 127.0;
    }
}
