//! The kernels for the bench binaries (`benches/`), behind the `bench` feature: a deliberate surface, so
//! that the kernels' modules stay private to the crate.

pub use crate::kernels::attention::{applies as decode_attention_applies, decode_attention};
pub use crate::kernels::matmul::Packed;
pub use crate::kv_cache::{KvCache, KvType};
