//! Shared helpers of the bench binaries in `benches/src/bin/`.
