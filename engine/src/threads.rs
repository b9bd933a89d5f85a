//! How many threads the CPU kernels use.
//!
//! candle's kernels synchronize their threads several times per layer, dozens of times per decoded
//! token, and spin while they wait. A thread that loses its core to something else (the editor, a
//! build, another language server) stalls every one of those steps. Measured on a 2-core machine,
//! Qwen3-0.6B q8_0 decode: 28 tok/s on 2 threads alone, 9 tok/s on 2 threads next to one busy
//! process; 22 and 20.5 tok/s on 1 thread. So the default leaves one core to the rest of the machine.
//!
//! candle (and the rayon pool its matmuls use) read the thread count from the environment once, at
//! their first use, so it is set through the environment, before any model work.

/// The environment variables candle reads (the first set wins).
const ENV: [&str; 2] = ["CANDLE_NUM_THREADS", "RAYON_NUM_THREADS"];

/// The default: the physical cores less one, at least one.
pub fn default_threads() -> usize {
    let logical = std::thread::available_parallelism().map_or(1, usize::from);
    // `available_parallelism` honours CPU affinity and cgroup quotas; `get_physical` drops SMT siblings.
    let cores = num_cpus::get_physical().clamp(1, logical);
    cores.saturating_sub(1).max(1)
}

/// Sets the number of compute threads for this process and returns it: `requested` if given, else
/// what `CANDLE_NUM_THREADS` or `RAYON_NUM_THREADS` already say, else [`default_threads`].
///
/// Call it first thing in `main`, before any model work and before any other thread starts: it writes
/// the environment, which is only sound while the process has one thread.
pub fn configure(requested: Option<usize>) -> usize {
    let from_env = || {
        ENV.iter()
            .filter_map(|k| std::env::var(k).ok()?.trim().parse::<usize>().ok())
            .find(|&n| n > 0)
    };
    let n = requested
        .filter(|&n| n > 0)
        .or_else(from_env)
        .unwrap_or_else(default_threads);
    let value = n.to_string();
    if ENV
        .iter()
        .any(|k| std::env::var(k).ok() != Some(value.clone()))
    {
        set_env(&value);
    }
    n
}

#[allow(unsafe_code)]
fn set_env(value: &str) {
    for key in ENV {
        // SAFETY: `configure`'s contract: called at the start of `main`, while the process has a
        // single thread, so nothing reads the environment concurrently.
        unsafe { std::env::set_var(key, value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_leaves_a_core_and_never_goes_below_one() {
        let logical = std::thread::available_parallelism().map_or(1, usize::from);
        let n = default_threads();
        assert!(n >= 1);
        // One core is left free whenever there is more than one.
        assert!(n < logical.max(2), "{n} of {logical}");
    }
}
