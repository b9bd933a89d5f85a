//! Helpers shared by the unit tests of the model's kernels.

/// `len` values spread evenly over [-1, 1), the same for the same `seed` (a linear congruential
/// generator: the kernels' tests want reproducible inputs, not statistical quality).
pub(crate) fn uniform(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}
