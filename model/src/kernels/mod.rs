//! The CPU kernels of our own, by family: `matmul` (`q8_0`, `q4_k` and `q6_k` matrix products),
//! `attention` (decode attention, prefill's causal softmax) and `float16` (16-bit weight products,
//! f16 conversions), and `int8` (the KV cache's int8 rows). The model code calls each family's
//! entry points and never sees an intrinsic.
//!
//! One layout for every family: its `mod.rs` holds the portable code (the reference the tests hold
//! the others to, bit for bit where the kernels promise it) and the dispatch; `x86.rs` the body
//! written once over the registers of [`simd`]; `avx2.rs`, `avx512.rs` and `vnni.rs` that body
//! compiled for their instruction set (`#[target_feature]`), with what only that instruction set
//! has. Where LLVM vectorizes the portable body as well as intrinsics would (the bf16 product,
//! prefill's softmax), those files compile the portable body instead. The variant is picked from
//! [`Isa::detected`], which checks the CPU once per process. This is the only module of the crate
//! allowed `unsafe` (`lib.rs` opts it in).

pub(crate) mod attention;
pub(crate) mod float16;
pub(crate) mod int8;
pub(crate) mod matmul;
#[cfg(target_arch = "x86_64")]
mod simd;

use std::sync::OnceLock;

/// The instruction sets the kernels have variants for, in the order each includes the one before.
/// Each family maps a level to its best variant there (`matmul` has none below AVX2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Isa {
    /// Plain Rust, for any CPU.
    Portable,
    /// AVX2, FMA and F16C.
    Avx2,
    /// AVX-512F besides.
    Avx512,
    /// AVX-512 BW and VNNI (`vpdpbusd`) besides.
    Avx512Vnni,
}

impl Isa {
    /// The best level this CPU runs, checked on the first call only.
    pub(crate) fn detected() -> Isa {
        static DETECTED: OnceLock<Isa> = OnceLock::new();
        *DETECTED.get_or_init(Isa::detect)
    }

    fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                && is_x86_feature_detected!("f16c");
            let avx512 = avx2 && is_x86_feature_detected!("avx512f");
            if avx512
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vnni")
            {
                return Isa::Avx512Vnni;
            }
            if avx512 {
                return Isa::Avx512;
            }
            if avx2 {
                return Isa::Avx2;
            }
        }
        Isa::Portable
    }

    /// Every level this CPU runs, best first (the tests run each family's variant for each).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Isa> {
        let best = Isa::detected();
        [Isa::Avx512Vnni, Isa::Avx512, Isa::Avx2, Isa::Portable]
            .into_iter()
            .filter(|&isa| isa <= best)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The level found is one whose every feature the CPU reports (a variant run on a CPU without
    /// its instructions is undefined behaviour, not an error), and the tests' list runs from it
    /// down to the portable code.
    #[test]
    fn the_level_detected_is_one_the_cpu_runs() {
        let best = Isa::detected();
        assert_eq!(Isa::detected(), best, "detected once, the same every call");
        #[cfg(target_arch = "x86_64")]
        {
            let has = |features: &[bool]| features.iter().all(|&f| f);
            let avx2 = [
                is_x86_feature_detected!("avx2"),
                is_x86_feature_detected!("fma"),
                is_x86_feature_detected!("f16c"),
            ];
            if best >= Isa::Avx2 {
                assert!(has(&avx2), "{best:?} without AVX2, FMA and F16C");
            }
            if best >= Isa::Avx512 {
                assert!(
                    is_x86_feature_detected!("avx512f"),
                    "{best:?} without AVX-512F"
                );
            }
            if best == Isa::Avx512Vnni {
                assert!(
                    is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx512vnni"),
                    "{best:?} without AVX-512 BW and VNNI"
                );
            }
            if has(&avx2) {
                assert!(best >= Isa::Avx2, "an AVX2 CPU left to {best:?}");
            }
        }
        let all = Isa::available();
        assert_eq!(all.first(), Some(&best));
        assert_eq!(all.last(), Some(&Isa::Portable));
        assert!(all.windows(2).all(|w| w[0] > w[1]), "{all:?}");
    }
}
