//! pass@k with the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on
//! Code", eq. 1), per problem and averaged over a set of problems.

use std::collections::BTreeMap;

/// The probability that at least one of `k` samples drawn without replacement from `n` samples, `c` of them
/// correct, is correct: `1 - C(n-c, k) / C(n, k)`. `None` when `k == 0` or `n < k` (undefined).
///
/// Computed as a running product, as in the paper's numpy version, so large `n` cannot overflow.
pub fn pass_at_k(n: usize, c: usize, k: usize) -> Option<f64> {
    if k == 0 || n < k || c > n {
        return None;
    }
    if n - c < k {
        return Some(1.0);
    }
    let mut fail = 1.0;
    for i in (n - c + 1)..=n {
        fail *= 1.0 - k as f64 / i as f64;
    }
    Some(1.0 - fail)
}

/// Mean pass@k over problems, given each problem's `(n, c)`. Problems with fewer than `k` samples are left
/// out; a `k` that no problem reaches is absent from the result.
pub fn mean_pass_at_k<'a>(
    counts: impl IntoIterator<Item = &'a (usize, usize)> + Clone,
    ks: &[usize],
) -> BTreeMap<usize, f64> {
    let mut out = BTreeMap::new();
    for &k in ks {
        let values: Vec<f64> = counts
            .clone()
            .into_iter()
            .filter_map(|&(n, c)| pass_at_k(n, c, k))
            .collect();
        if !values.is_empty() {
            out.insert(k, values.iter().sum::<f64>() / values.len() as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        // n=10, c=3: pass@1 = 3/10; pass@5 = 1 - C(7,5)/C(10,5) = 1 - 21/252 = 0.91666...
        assert!((pass_at_k(10, 3, 1).unwrap() - 0.3).abs() < 1e-12);
        assert!((pass_at_k(10, 3, 5).unwrap() - (1.0 - 21.0 / 252.0)).abs() < 1e-12);
        assert!((pass_at_k(10, 3, 5).unwrap() - 0.9167).abs() < 5e-5);
        // Fewer than k failures: some correct sample is always drawn.
        assert_eq!(pass_at_k(10, 8, 3), Some(1.0));
        assert_eq!(pass_at_k(10, 0, 10), Some(0.0));
        assert_eq!(pass_at_k(1, 1, 1), Some(1.0));
        // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10.
        assert!((pass_at_k(5, 2, 2).unwrap() - 0.7).abs() < 1e-12);
    }

    #[test]
    fn undefined_when_fewer_samples_than_k() {
        assert_eq!(pass_at_k(3, 1, 5), None);
        assert_eq!(pass_at_k(3, 1, 0), None);
        assert_eq!(pass_at_k(3, 4, 1), None);
    }

    #[test]
    fn mean_skips_problems_below_k() {
        let counts = [(10, 3), (10, 10), (1, 1)];
        let m = mean_pass_at_k(&counts, &[1, 5, 20]);
        assert!((m[&1] - (0.3 + 1.0 + 1.0) / 3.0).abs() < 1e-12);
        assert!((m[&5] - (1.0 - 21.0 / 252.0 + 1.0) / 2.0).abs() < 1e-12);
        assert!(!m.contains_key(&20));
    }
}
