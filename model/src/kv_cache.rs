//! The KV cache of one sequence (or one equal-length batch): per-layer key/value buffers that grow in
//! place and can be truncated to any length, so a new prompt can reuse the longest common prefix.
//!
//! candle's `ConcatKvCache` copies the whole cache on every step and can only be cleared; this one
//! preallocates in chunks and writes new positions with `slice_set`.
//!
//! Keys and values are stored as they come, in f16 or f32, or in int8 ([`KvType::Int8`]): each row
//! (one position of one KV head, `head_dim` values) as bytes with one f32 scale, its largest
//! magnitude over 127. That is 132 bytes per row of 128 where f16 takes 256: half of what a decode
//! step reads per position of context, and twice the positions in the prefix cache's budget.
//! `kernels::attention` reads the bytes where they lie and applies the scales to the scores and weights;
//! other paths get the rows dequantized to f32 ([`KvView::to_float`]).

use candle_core::{CpuStorage, DType, Result, Storage, Tensor};

pub use crate::kernels::attention::KvView;
use crate::kernels::float16;
use crate::kernels::int8::quantize_rows_into;

/// Positions are added in chunks of this many, so decoding rarely reallocates.
const GROW_BY: usize = 256;

/// How a cache stores keys and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvType {
    /// As the activations come.
    Activations,
    /// Converted to this float type (f16 or f32).
    Float(DType),
    /// Int8 rows with one f32 scale per position and KV head (symmetric: largest magnitude / 127).
    /// CPU only.
    Int8,
}

impl KvType {
    /// Bytes one position of one KV head takes (`head_dim` values), for activations of `activations`.
    pub fn row_bytes(self, head_dim: usize, activations: DType) -> usize {
        match self {
            KvType::Activations => head_dim * activations.size_in_bytes(),
            KvType::Float(dtype) => head_dim * dtype.size_in_bytes(),
            KvType::Int8 => head_dim + std::mem::size_of::<f32>(),
        }
    }
}

/// Keys and values of one attention layer, shaped `(batch, capacity, kv_heads, head_dim)`: position-major,
/// so the first `n` positions of a one-sequence cache are one contiguous block that attention kernels
/// read where it lies, and appending a position writes one contiguous block. Int8 caches also hold
/// the rows' scales, `(batch, capacity, kv_heads)`.
#[derive(Clone, Debug, Default)]
struct LayerKv {
    k: Option<Tensor>,
    v: Option<Tensor>,
    k_scale: Option<Tensor>,
    v_scale: Option<Tensor>,
}

impl KvView {
    /// The first `n` positions (views, no copy): what attention at position `n - 1` sees.
    pub fn prefix(&self, n: usize) -> Result<KvView> {
        let scales = match &self.scales {
            Some((k, v)) => Some((k.narrow(1, 0, n)?, v.narrow(1, 0, n)?)),
            None => None,
        };
        Ok(KvView {
            k: self.k.narrow(1, 0, n)?,
            v: self.v.narrow(1, 0, n)?,
            scales,
        })
    }

    /// Keys and values in `dtype`: as they are, converted (an f16 cache under f32 activations), or
    /// dequantized (int8).
    pub fn to_float(&self, dtype: DType) -> Result<(Tensor, Tensor)> {
        match &self.scales {
            None if self.k.dtype() == dtype => Ok((self.k.clone(), self.v.clone())),
            None => Ok((
                float16::convert(&self.k, dtype)?,
                float16::convert(&self.v, dtype)?,
            )),
            Some((k_scale, v_scale)) => Ok((
                float16::convert(&dequantize(&self.k, k_scale)?, dtype)?,
                float16::convert(&dequantize(&self.v, v_scale)?, dtype)?,
            )),
        }
    }
}

/// The cache of a whole model. The model's forward pass reads its length as the position offset.
#[derive(Clone, Debug)]
pub struct KvCache {
    layers: Vec<LayerKv>,
    len: usize,
    batch: usize,
    kind: KvType,
}

impl KvCache {
    /// A cache storing keys and values as `kind` says. f16 halves the bytes every decode step reads
    /// and the prefix cache holds, int8 halves them again; attention widens them back (see
    /// `kernels::attention`).
    pub fn new(num_layers: usize, kind: KvType) -> Self {
        KvCache {
            layers: vec![LayerKv::default(); num_layers],
            len: 0,
            batch: 0,
            kind,
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

    /// Bytes allocated for keys and values (capacity, not only the positions held), scales included.
    pub fn bytes(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| [&l.k, &l.v, &l.k_scale, &l.v_scale])
            .flatten()
            .map(|t| t.elem_count() * t.dtype().size_in_bytes())
            .sum()
    }

    /// A new cache holding a copy of the first `n` positions (at most [`Self::len`]), so this one can
    /// stay as it is while the copy is extended differently.
    pub fn fork(&self, n: usize) -> Result<KvCache> {
        let n = n.min(self.len);
        let copy = |t: &Option<Tensor>| -> Result<Option<Tensor>> {
            let Some(t) = t else { return Ok(None) };
            if n == 0 {
                return Ok(None);
            }
            let mut dims = t.dims().to_vec();
            dims[1] = n.div_ceil(GROW_BY) * GROW_BY;
            let out = Tensor::zeros(dims, t.dtype(), t.device())?;
            out.slice_set(&t.narrow(1, 0, n)?.contiguous()?, 1, 0)?;
            Ok(Some(out))
        };
        let layers = self
            .layers
            .iter()
            .map(|l| {
                Ok(LayerKv {
                    k: copy(&l.k)?,
                    v: copy(&l.v)?,
                    k_scale: copy(&l.k_scale)?,
                    v_scale: copy(&l.v_scale)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(KvCache {
            layers,
            len: n,
            batch: if n == 0 { 0 } else { self.batch },
            kind: self.kind,
        })
    }

    /// Appends `k`/`v` of shape `(batch, new, kv_heads, head_dim)` to layer `layer` and returns all keys
    /// and values so far (views into the buffers, in the cache's type). Every layer must append the
    /// same `new` per forward pass, then [`Self::advance`].
    pub fn append(&mut self, layer: usize, k: &Tensor, v: &Tensor) -> Result<KvView> {
        let batch = k.dim(0)?;
        if self.len > 0 && batch != self.batch {
            candle_core::bail!("kv cache holds batch size {}, got {batch}", self.batch);
        }
        let (start, needed) = (self.len, self.len + k.dim(1)?);
        let Some(slot) = self.layers.get_mut(layer) else {
            candle_core::bail!("kv cache has no layer {layer}");
        };
        let (k, v, scales) = match self.kind {
            KvType::Activations => (k.clone(), v.clone(), None),
            KvType::Float(dtype) => (
                float16::convert(k, dtype)?,
                float16::convert(v, dtype)?,
                None,
            ),
            KvType::Int8 => {
                let (k, k_scale) = quantize(k)?;
                let (v, v_scale) = quantize(v)?;
                (k, v, Some((k_scale, v_scale)))
            }
        };
        let k_all = put(&mut slot.k, &k, start, needed)?;
        let v_all = put(&mut slot.v, &v, start, needed)?;
        let scales = match scales {
            Some((k_scale, v_scale)) => Some((
                put(&mut slot.k_scale, &k_scale, start, needed)?,
                put(&mut slot.v_scale, &v_scale, start, needed)?,
            )),
            None => None,
        };
        Ok(KvView {
            k: k_all,
            v: v_all,
            scales,
        })
    }

    /// Commits `new` positions after every layer appended them.
    pub fn advance(&mut self, new: usize, batch: usize) {
        self.len += new;
        self.batch = batch;
    }
}

/// Writes `new` (position axis 1) into `buffer` at `start`, growing it to hold `needed` positions,
/// and returns a view of its first `needed`.
fn put(buffer: &mut Option<Tensor>, new: &Tensor, start: usize, needed: usize) -> Result<Tensor> {
    let grown = grow(buffer.take(), new, needed)?;
    grown.slice_set(&new.contiguous()?, 1, start)?;
    let view = grown.narrow(1, 0, needed)?;
    *buffer = Some(grown);
    Ok(view)
}

/// Returns a buffer with room for `needed` positions (axis 1), copying the old one's contents when it
/// grows, or a new one when the other dimensions or the type changed (then the old contents are
/// meaningless and dropped).
fn grow(old: Option<Tensor>, like: &Tensor, needed: usize) -> Result<Tensor> {
    let mut dims = like.dims().to_vec();
    if let Some(old) = old {
        let (mut old_dims, ocap) = (old.dims().to_vec(), old.dim(1)?);
        old_dims[1] = dims[1];
        let same = old_dims == dims && old.dtype() == like.dtype();
        if same && ocap >= needed {
            return Ok(old);
        }
        if same {
            dims[1] = needed.div_ceil(GROW_BY) * GROW_BY - ocap;
            let extra = Tensor::zeros(dims, like.dtype(), like.device())?;
            return Tensor::cat(&[&old, &extra], 1);
        }
    }
    dims[1] = needed.div_ceil(GROW_BY) * GROW_BY;
    Tensor::zeros(dims, like.dtype(), like.device())
}

/// Rows of `x` `(.., head_dim)` as int8: the bytes (`U8` holding `i8` bits, `x`'s shape) and one
/// scale per row (`x`'s shape without the last axis); see [`quantize_rows_into`].
pub(crate) fn quantize(x: &Tensor) -> Result<(Tensor, Tensor)> {
    let dims = x.dims().to_vec();
    let Some((&d, rows)) = dims.split_last() else {
        candle_core::bail!("int8 kv cache: a scalar row");
    };
    let x = x.to_dtype(DType::F32)?.contiguous()?;
    let (storage, layout) = x.storage_and_layout();
    let (Storage::Cpu(CpuStorage::F32(data)), Some((start, end))) =
        (&*storage, layout.contiguous_offsets())
    else {
        candle_core::bail!("int8 kv cache: keys and values not on the CPU");
    };
    let mut bytes = vec![0u8; end - start];
    let mut scales = vec![0f32; (end - start) / d.max(1)];
    quantize_rows_into(&data[start..end], d, &mut bytes, &mut scales);
    let device = x.device();
    Ok((
        Tensor::from_vec(bytes, dims.as_slice(), device)?,
        Tensor::from_vec(scales, rows, device)?,
    ))
}

/// int8 rows back to f32: `bytes` `(.., head_dim)` times `scales` `(..)`. Prefill reads an int8
/// cache through this (as an f16 cache through a conversion), so it reads the bytes where they lie
/// and is a loop that vectorizes.
fn dequantize(bytes: &Tensor, scales: &Tensor) -> Result<Tensor> {
    let (dims, device) = (bytes.dims().to_vec(), bytes.device().clone());
    let d = dims.last().copied().unwrap_or(0).max(1);
    let bytes = bytes.contiguous()?;
    let scales = scales.flatten_all()?.to_vec1::<f32>()?;
    let (storage, layout) = bytes.storage_and_layout();
    let (Storage::Cpu(CpuStorage::U8(data)), Some((start, end))) =
        (&*storage, layout.contiguous_offsets())
    else {
        candle_core::bail!("int8 kv cache: bytes not on the CPU");
    };
    let mut values = Vec::with_capacity(end - start);
    for (row, &scale) in data[start..end].chunks_exact(d).zip(&scales) {
        values.extend(row.iter().map(|&b| f32::from(b as i8) * scale));
    }
    Tensor::from_vec(values, dims, &device)
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
        let mut half = KvCache::new(2, KvType::Float(DType::F16));
        let mut full = KvCache::new(2, KvType::Activations);
        for layer in 0..2 {
            let got = half.append(layer, &k, &v).unwrap();
            assert_eq!((got.k.dtype(), got.v.dtype()), (DType::F16, DType::F16));
            assert!(got.scales.is_none());
            let want = k
                .to_dtype(DType::F16)
                .unwrap()
                .to_dtype(DType::F32)
                .unwrap();
            let got = got.k.to_dtype(DType::F32).unwrap();
            let diff = (got - want).unwrap().abs().unwrap().max_all().unwrap();
            assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0);
            let fk = full.append(layer, &k, &v).unwrap().k;
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

    fn values(t: &Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
    }

    /// Each value comes back within half a step of its row's scale, the row's largest magnitude
    /// exactly, and positions appended one at a time read as those appended together.
    #[test]
    fn an_int8_cache_returns_each_row_within_half_a_step() {
        let (kvh, d) = (2, 16);
        let k = (Tensor::randn(0f32, 1.0, (1, 5, kvh, d), &Device::Cpu).unwrap() * 3.0).unwrap();
        let v = Tensor::randn(0f32, 1.0, (1, 5, kvh, d), &Device::Cpu).unwrap();
        // A row of zeros stays zeros (scale 0).
        let k = k
            .slice_assign(
                &[0..1, 2..3, 0..1, 0..d],
                &Tensor::zeros((1, 1, 1, d), DType::F32, &Device::Cpu).unwrap(),
            )
            .unwrap();
        let mut cache = KvCache::new(1, KvType::Int8);
        let mut stepwise = KvCache::new(1, KvType::Int8);
        let got = cache.append(0, &k, &v).unwrap();
        assert_eq!(got.k.dtype(), DType::U8);
        let (ks, vs) = got.scales.clone().unwrap();
        assert_eq!(ks.dims(), &[1, 5, kvh]);
        for p in 0..5 {
            stepwise
                .append(0, &k.narrow(1, p, 1).unwrap(), &v.narrow(1, p, 1).unwrap())
                .unwrap();
            stepwise.advance(1, 1);
        }
        let (gk, gv) = got.to_float(DType::F32).unwrap();
        for (x, back, scales) in [(&k, &gk, &ks), (&v, &gv, &vs)] {
            let (x, back, scales) = (values(x), values(back), values(scales));
            for ((row, back), scale) in x.chunks(d).zip(back.chunks(d)).zip(&scales) {
                let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
                assert_eq!(*scale, max / 127.0);
                for (a, b) in row.iter().zip(back) {
                    assert!(
                        (a - b).abs() <= scale * 0.5 + 1e-6,
                        "{a} -> {b}, scale {scale}"
                    );
                }
                let top = back.iter().fold(0f32, |m, x| m.max(x.abs()));
                assert!((top - max).abs() <= max * 1e-6, "{top} vs {max}");
            }
        }
        cache.advance(5, 1);
        let last = stepwise.fork(5).unwrap();
        let again = last.layers[0].clone();
        let whole = cache.layers[0].clone();
        for (a, b) in [
            (&again.k, &whole.k),
            (&again.k_scale, &whole.k_scale),
            (&again.v, &whole.v),
        ] {
            let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
            let a = a.narrow(1, 0, 5).unwrap().to_dtype(DType::F32).unwrap();
            let b = b.narrow(1, 0, 5).unwrap().to_dtype(DType::F32).unwrap();
            assert_eq!(values(&a), values(&b));
        }
    }

    #[test]
    fn an_int8_cache_takes_about_half_of_an_f16_one() {
        let k = Tensor::randn(0f32, 1.0, (1, 300, 8, 128), &Device::Cpu).unwrap();
        let mut int8 = KvCache::new(1, KvType::Int8);
        let mut half = KvCache::new(1, KvType::Float(DType::F16));
        int8.append(0, &k, &k).unwrap();
        half.append(0, &k, &k).unwrap();
        // 128 bytes and a 4-byte scale per row, against 256 bytes.
        assert_eq!(int8.bytes() * 256, half.bytes() * 132);
        assert_eq!(KvType::Int8.row_bytes(128, DType::F32), 132);
        assert_eq!(KvType::Float(DType::F16).row_bytes(128, DType::F32), 256);
        assert_eq!(KvType::Activations.row_bytes(128, DType::F32), 512);
    }
}
