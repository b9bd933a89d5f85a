//! The KV cache of one sequence (or one equal-length batch): per-layer key/value buffers that grow in
//! place and can be truncated to any length, so a new prompt can reuse the longest common prefix.
//!
//! candle's `ConcatKvCache` copies the whole cache on every step and can only be cleared; this one
//! preallocates in chunks and writes new positions with `slice_set`.

use candle_core::{DType, Result, Tensor};

use super::cpu_kernels;

/// Positions are added in chunks of this many, so decoding rarely reallocates.
const GROW_BY: usize = 256;

/// Keys and values of one attention layer, shaped `(batch, capacity, kv_heads, head_dim)`: position-major,
/// so the first `n` positions of a one-sequence cache are one contiguous block that attention kernels
/// read where it lies, and appending a position writes one contiguous block.
#[derive(Clone, Debug, Default)]
struct LayerKv {
    k: Option<Tensor>,
    v: Option<Tensor>,
}

/// The cache of a whole model. The model's forward pass reads its length as the position offset.
#[derive(Clone, Debug)]
pub struct KvCache {
    layers: Vec<LayerKv>,
    len: usize,
    batch: usize,
    /// The type keys and values are stored in; `None`: the type they come in.
    dtype: Option<DType>,
}

impl KvCache {
    /// A cache storing keys and values in `dtype` (`None`: as they come). f16 halves the bytes every
    /// decode step reads and the prefix cache holds; attention widens them back (see
    /// `cpu_attention`).
    pub fn new(num_layers: usize, dtype: Option<DType>) -> Self {
        KvCache {
            layers: vec![LayerKv::default(); num_layers],
            len: 0,
            batch: 0,
            dtype,
        }
    }

    /// Positions held (the offset of the next token).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Batch size of what is cached; 0 when empty.
    pub fn batch_size(&self) -> usize {
        if self.len == 0 { 0 } else { self.batch }
    }

    /// Forgets everything past the first `n` positions (no-op if it holds fewer). The buffers stay
    /// allocated: the next append overwrites the dropped positions.
    pub fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
    }

    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Bytes allocated for keys and values (capacity, not only the positions held).
    pub fn bytes(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| [&l.k, &l.v])
            .flatten()
            .map(|t| t.elem_count() * t.dtype().size_in_bytes())
            .sum()
    }

    /// A new cache holding a copy of the first `n` positions (at most [`Self::len`]), so this one can
    /// stay as it is while the copy is extended differently.
    pub fn fork(&self, n: usize) -> Result<KvCache> {
        let n = n.min(self.len);
        let mut layers = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            let copy = |t: &Option<Tensor>| -> Result<Option<Tensor>> {
                let Some(t) = t else { return Ok(None) };
                if n == 0 {
                    return Ok(None);
                }
                let (b, _, h, d) = t.dims4()?;
                let cap = n.div_ceil(GROW_BY) * GROW_BY;
                let out = Tensor::zeros((b, cap, h, d), t.dtype(), t.device())?;
                out.slice_set(&t.narrow(1, 0, n)?.contiguous()?, 1, 0)?;
                Ok(Some(out))
            };
            layers.push(LayerKv {
                k: copy(&l.k)?,
                v: copy(&l.v)?,
            });
        }
        Ok(KvCache {
            layers,
            len: n,
            batch: if n == 0 { 0 } else { self.batch },
            dtype: self.dtype,
        })
    }

    /// Appends `k`/`v` of shape `(batch, new, kv_heads, head_dim)` to layer `layer` and returns all keys
    /// and values so far (views into the buffers, in the cache's dtype). Every layer must append the
    /// same `new` per forward pass, then [`Self::advance`].
    pub(crate) fn append(
        &mut self,
        layer: usize,
        k: &Tensor,
        v: &Tensor,
    ) -> Result<(Tensor, Tensor)> {
        let (batch, new, _, _) = k.dims4()?;
        let (k, v) = match self.dtype {
            Some(dtype) => (
                cpu_kernels::convert(k, dtype)?,
                cpu_kernels::convert(v, dtype)?,
            ),
            None => (k.clone(), v.clone()),
        };
        if self.len > 0 && batch != self.batch {
            candle_core::bail!("kv cache holds batch size {}, got {batch}", self.batch);
        }
        let needed = self.len + new;
        let Some(slot) = self.layers.get_mut(layer) else {
            candle_core::bail!("kv cache has no layer {layer}");
        };
        slot.k = Some(grow(slot.k.take(), &k, needed)?);
        slot.v = Some(grow(slot.v.take(), &v, needed)?);
        let (Some(k_all), Some(v_all)) = (&slot.k, &slot.v) else {
            candle_core::bail!("kv cache layer {layer} is empty after growing");
        };
        k_all.slice_set(&k.contiguous()?, 1, self.len)?;
        v_all.slice_set(&v.contiguous()?, 1, self.len)?;
        Ok((k_all.narrow(1, 0, needed)?, v_all.narrow(1, 0, needed)?))
    }

    /// Commits `new` positions after every layer appended them.
    pub(crate) fn advance(&mut self, new: usize, batch: usize) {
        self.len += new;
        self.batch = batch;
    }
}

/// Returns a buffer with room for `needed` positions, copying the old one's contents when it grows or
/// when the batch/shape changed (then the old contents are meaningless and dropped).
fn grow(old: Option<Tensor>, like: &Tensor, needed: usize) -> Result<Tensor> {
    let (b, _, h, d) = like.dims4()?;
    if let Some(old) = old {
        let (ob, ocap, oh, od) = old.dims4()?;
        let same = (ob, oh, od) == (b, h, d) && old.dtype() == like.dtype();
        if same && ocap >= needed {
            return Ok(old);
        }
        if same {
            let cap = needed.div_ceil(GROW_BY) * GROW_BY;
            let extra = Tensor::zeros((b, cap - ocap, h, d), like.dtype(), like.device())?;
            return Tensor::cat(&[&old, &extra], 1);
        }
    }
    let cap = needed.div_ceil(GROW_BY) * GROW_BY;
    Tensor::zeros((b, cap, h, d), like.dtype(), like.device())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use candle_core::Device;

    use super::*;

    #[test]
    fn an_f16_cache_holds_half_the_bytes_and_returns_the_rounded_values() {
        let k = Tensor::randn(0f32, 1.0, (1, 3, 2, 8), &Device::Cpu).unwrap();
        let v = (&k * 2.0).unwrap();
        let mut half = KvCache::new(2, Some(DType::F16));
        let mut full = KvCache::new(2, None);
        for layer in 0..2 {
            let (hk, hv) = half.append(layer, &k, &v).unwrap();
            assert_eq!((hk.dtype(), hv.dtype()), (DType::F16, DType::F16));
            let want = k
                .to_dtype(DType::F16)
                .unwrap()
                .to_dtype(DType::F32)
                .unwrap();
            let got = hk.to_dtype(DType::F32).unwrap();
            let diff = (got - want).unwrap().abs().unwrap().max_all().unwrap();
            assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0);
            let (fk, _) = full.append(layer, &k, &v).unwrap();
            assert_eq!(fk.dtype(), DType::F32);
        }
        half.advance(3, 1);
        full.advance(3, 1);
        assert_eq!(full.bytes(), 2 * half.bytes());
        assert_eq!(
            half.fork(2).unwrap().bytes() * 2,
            full.fork(2).unwrap().bytes()
        );
    }
}
