//! The store's data: the guest's WASI context and its memory accounting. Shared by the runtime
//! (which links WASI against it) and the runs (which create one per guest).

use wasmtime::ResourceLimiter;
use wasmtime_wasi::p1::WasiP1Ctx;

/// The data of one guest's store.
pub(crate) struct Host {
    pub wasi: WasiP1Ctx,
    pub memory: MemoryLimiter,
}

/// A cap on linear memory that remembers whether it ever said no.
pub(crate) struct MemoryLimiter {
    /// Bytes of linear memory allowed, the relocated C stack included.
    pub cap: usize,
    pub peak: usize,
    pub refused: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(cap: usize) -> MemoryLimiter {
        MemoryLimiter {
            cap,
            peak: 0,
            refused: false,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.cap {
            // The guest sees a failed `memory.grow`: malloc returns NULL, Python raises MemoryError.
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}
