//! Qwen2, Qwen3 and Qwen3-MoE decoders in candle, in candle's model-file style, reading and writing a
//! [`KvCache`] the caller owns (so weights are shared and caches can be truncated, kept per request,
//! or batched later).
//!
//! One file serves all three: Qwen2 has q/k/v biases and no q/k RMSNorm; Qwen3 adds per-head q/k
//! RMSNorm; Qwen3-MoE replaces some MLPs with a sparse mixture of experts. Checkpoint key names are
//! those of the Hugging Face checkpoints (`model.layers.N.self_attn.q_proj`, ...); the constructors
//! take them from a [`WeightSource`], a safetensors checkpoint or a GGUF file alike.

use std::sync::Arc;

use candle_core::{D, DType, Device, Module, Result, Tensor};
use candle_nn::{Activation, Linear, RmsNorm, VarBuilder};

use super::config::QwenConfig;
use super::kv_cache::{KvCache, KvType, KvView};
use super::quantize::{self, QEmbedding, QLinear, Quantization};
use super::weight_source::WeightSource;
use crate::kernels::attention;

/// Rotary position tables, always computed in f32 (tables built in f16 drift from the reference at
/// long positions), then stored in the model dtype.
#[derive(Debug, Clone)]
pub(crate) struct RotaryEmbedding {
    sin: Tensor,
    cos: Tensor,
}

impl RotaryEmbedding {
    pub(crate) fn new(cfg: &QwenConfig, dtype: DType, dev: &Device) -> Result<Self> {
        let dim = cfg.head_dim;
        let max_seq_len = cfg.max_position_embeddings;
        let inv_freq: Vec<f32> = (0..dim)
            .step_by(2)
            .map(|i| 1f32 / cfg.rope_theta.powf(i as f64 / dim as f64) as f32)
            .collect();
        let inv_freq_len = inv_freq.len();
        let inv_freq = Tensor::from_vec(inv_freq, (1, inv_freq_len), dev)?;
        let t = Tensor::arange(0u32, max_seq_len as u32, dev)?
            .to_dtype(DType::F32)?
            .reshape((max_seq_len, 1))?;
        let freqs = t.matmul(&inv_freq)?;
        Ok(Self {
            sin: freqs.sin()?.to_dtype(dtype)?,
            cos: freqs.cos()?.to_dtype(dtype)?,
        })
    }

    /// Applies RoPE to `x` of shape `(batch, seq, heads, head_dim)` at positions `offset..`.
    fn apply(&self, x: &Tensor, offset: usize) -> Result<Tensor> {
        let (_, seq_len, _, _) = x.dims4()?;
        let cos = self.cos.narrow(0, offset, seq_len)?;
        let sin = self.sin.narrow(0, offset, seq_len)?;
        candle_nn::rotary_emb::rope_thd(&x.contiguous()?, &cos, &sin)
    }

    /// The tables at one position per row, `(rows, 1, head_dim / 2)` each, for [`Self::apply_rows`].
    fn rows(&self, positions: &[usize]) -> Result<(Tensor, Tensor)> {
        let ids: Vec<u32> = positions.iter().map(|&p| p as u32).collect();
        let ids = Tensor::new(ids.as_slice(), self.cos.device())?;
        let pick = |t: &Tensor| t.index_select(&ids, 0)?.unsqueeze(1);
        Ok((pick(&self.cos)?, pick(&self.sin)?))
    }

    /// Applies RoPE to `x` of shape `(rows, 1, heads, head_dim)`, each row at its own position.
    fn apply_rows(x: &Tensor, (cos, sin): &(Tensor, Tensor)) -> Result<Tensor> {
        candle_nn::rotary_emb::rope_thd(&x.contiguous()?, cos, sin)
    }
}

/// SwiGLU MLP: the dense one and each expert of the sparse one.
#[derive(Debug, Clone)]
pub(crate) struct Mlp {
    gate_proj: QLinear,
    up_proj: QLinear,
    down_proj: QLinear,
    act_fn: Activation,
}

impl Mlp {
    pub(crate) fn new(
        hidden: usize,
        intermediate: usize,
        act_fn: Activation,
        src: &WeightSource,
    ) -> Result<Self> {
        let lin = |i, o, name| src.pp(name).linear(i, o, false);
        Ok(Self {
            gate_proj: lin(hidden, intermediate, "gate_proj")?,
            up_proj: lin(hidden, intermediate, "up_proj")?,
            down_proj: lin(intermediate, hidden, "down_proj")?,
            act_fn,
        })
    }

    fn weight_bytes(&self) -> usize {
        [&self.gate_proj, &self.up_proj, &self.down_proj]
            .iter()
            .map(|l| l.weight_bytes())
            .sum()
    }
}

impl Module for Mlp {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let [gate, up] = quantize::forward_shared([&self.gate_proj, &self.up_proj], x)?;
        (gate.apply(&self.act_fn)? * up)?.apply(&self.down_proj)
    }
}

/// Qwen3-MoE's sparse block: a router picks the top-k experts per token; their outputs are summed,
/// weighted by the (optionally renormalized) softmax of the router logits.
#[derive(Debug, Clone)]
pub(crate) struct SparseMoe {
    gate: Linear,
    experts: Vec<Mlp>,
    norm_topk_prob: bool,
    top_k: usize,
}

impl SparseMoe {
    pub(crate) fn new(cfg: &QwenConfig, src: &WeightSource) -> Result<Self> {
        let Some(moe) = &cfg.moe else {
            candle_core::bail!("sparse MLP requested for a dense config")
        };
        let gate = Linear::new(
            src.pp("gate")
                .get((moe.num_experts, cfg.hidden_size), "weight")?,
            None,
        );
        let src_e = src.pp("experts");
        let experts = (0..moe.num_experts)
            .map(|i| {
                Mlp::new(
                    cfg.hidden_size,
                    moe.moe_intermediate_size,
                    cfg.hidden_act,
                    &src_e.pp(i),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            gate,
            experts,
            norm_topk_prob: moe.norm_topk_prob,
            top_k: moe.num_experts_per_tok,
        })
    }

    fn weight_bytes(&self) -> usize {
        let gate = quantize::tensor_bytes(self.gate.weight());
        gate + self.experts.iter().map(Mlp::weight_bytes).sum::<usize>()
    }
}

impl Module for SparseMoe {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, l, hidden) = xs.dims3()?;
        let xs = xs.reshape((b * l, hidden))?;
        // Routing in f32, as transformers does.
        let router_logits = xs.apply(&self.gate)?.to_dtype(DType::F32)?;
        let probs = candle_nn::ops::softmax_last_dim(&router_logits)?;
        let top = probs
            .arg_sort_last_dim(false)?
            .narrow(D::Minus1, 0, self.top_k)?
            .contiguous()?;
        let weights = probs.gather(&top, D::Minus1)?.to_vec2::<f32>()?;
        let top = top.to_vec2::<u32>()?;

        // Group rows by expert so each expert runs once on all of its tokens.
        let mut rows = vec![Vec::<u32>::new(); self.experts.len()];
        let mut row_weights = vec![Vec::<f32>::new(); self.experts.len()];
        for (row, (w, experts)) in weights.iter().zip(&top).enumerate() {
            let sum: f32 = w.iter().sum();
            for (&w, &e) in w.iter().zip(experts) {
                let Some(slot) = rows.get_mut(e as usize) else {
                    continue;
                };
                slot.push(row as u32);
                row_weights[e as usize].push(if self.norm_topk_prob { w / sum } else { w });
            }
        }
        let mut ys = xs.zeros_like()?;
        for (e, expert) in self.experts.iter().enumerate() {
            if rows[e].is_empty() {
                continue;
            }
            let idx = Tensor::new(rows[e].as_slice(), xs.device())?;
            let w = Tensor::new(row_weights[e].as_slice(), xs.device())?
                .reshape(((), 1))?
                .to_dtype(xs.dtype())?;
            let out = expert
                .forward(&xs.index_select(&idx, 0)?)?
                .broadcast_mul(&w)?;
            ys = ys.index_add(&idx, &out, 0)?;
        }
        ys.reshape((b, l, hidden))
    }
}

#[derive(Debug, Clone)]
pub(crate) enum FeedForward {
    Dense(Mlp),
    Sparse(SparseMoe),
}

impl FeedForward {
    fn weight_bytes(&self) -> usize {
        match self {
            FeedForward::Dense(m) => m.weight_bytes(),
            FeedForward::Sparse(m) => m.weight_bytes(),
        }
    }
}

impl Module for FeedForward {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            FeedForward::Dense(m) => m.forward(x),
            FeedForward::Sparse(m) => m.forward(x),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Attention {
    q_proj: QLinear,
    k_proj: QLinear,
    v_proj: QLinear,
    o_proj: QLinear,
    /// Per-head RMSNorm on q and k (Qwen3 only).
    qk_norm: Option<(RmsNorm, RmsNorm)>,
    num_heads: usize,
    num_kv_heads: usize,
    head_dim: usize,
    rotary: Arc<RotaryEmbedding>,
}

impl Attention {
    pub(crate) fn new(
        cfg: &QwenConfig,
        rotary: Arc<RotaryEmbedding>,
        src: &WeightSource,
    ) -> Result<Self> {
        let (h, kvh, hd) = (
            cfg.num_attention_heads,
            cfg.num_key_value_heads,
            cfg.head_dim,
        );
        let lin = |i, o, bias, name| src.pp(name).linear(i, o, bias);
        let qk_norm = if cfg.qk_norm {
            Some((
                src.pp("q_norm").rms_norm(hd, cfg.rms_norm_eps)?,
                src.pp("k_norm").rms_norm(hd, cfg.rms_norm_eps)?,
            ))
        } else {
            None
        };
        Ok(Self {
            q_proj: lin(cfg.hidden_size, h * hd, cfg.qkv_bias, "q_proj")?,
            k_proj: lin(cfg.hidden_size, kvh * hd, cfg.qkv_bias, "k_proj")?,
            v_proj: lin(cfg.hidden_size, kvh * hd, cfg.qkv_bias, "v_proj")?,
            o_proj: lin(h * hd, cfg.hidden_size, cfg.o_bias, "o_proj")?,
            qk_norm,
            num_heads: h,
            num_kv_heads: kvh,
            head_dim: hd,
            rotary,
        })
    }

    fn weight_bytes(&self) -> usize {
        let norms = self.qk_norm.as_ref().map_or(0, |(q, k)| {
            quantize::tensor_bytes(q.weight()) + quantize::tensor_bytes(k.weight())
        });
        [&self.q_proj, &self.k_proj, &self.v_proj, &self.o_proj]
            .iter()
            .map(|l| l.weight_bytes())
            .sum::<usize>()
            + norms
    }

    fn rows_independent(&self) -> bool {
        [&self.q_proj, &self.k_proj, &self.v_proj, &self.o_proj]
            .iter()
            .all(|l| l.rows_independent())
    }

    /// Queries, keys and values of `x` `(batch, seq, hidden)`, each `(batch, seq, heads, head_dim)`,
    /// with the q/k norms applied and no positions yet.
    fn project(&self, x: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        let (b, l, _) = x.dims3()?;
        let [q, k, v] = quantize::forward_shared([&self.q_proj, &self.k_proj, &self.v_proj], x)?;
        let q = q.reshape((b, l, self.num_heads, self.head_dim))?;
        let k = k.reshape((b, l, self.num_kv_heads, self.head_dim))?;
        let v = v.reshape((b, l, self.num_kv_heads, self.head_dim))?;
        // The norms act on the last (head_dim) axis.
        let (q, k) = match &self.qk_norm {
            Some((qn, kn)) => (q.apply(qn)?, k.apply(kn)?),
            None => (q, k),
        };
        Ok((q, k, v))
    }

    fn forward(
        &self,
        x: &Tensor,
        mask: Option<&Tensor>,
        cache: &mut KvCache,
        layer: usize,
    ) -> Result<Tensor> {
        let offset = cache.len();
        let (q, k, v) = self.project(x)?;
        let q = self.rotary.apply(&q, offset)?;
        let k = self.rotary.apply(&k, offset)?;
        let kv = cache.append(layer, &k, &v)?;
        self.attend(&q, &kv, mask)?.apply(&self.o_proj)
    }

    /// One new token per row, `x` `(rows, 1, hidden)`, row `i` at position `caches[i].len()` of its own
    /// sequence: projections run for all rows at once (the weights are read once), attention per row
    /// against that row's cache.
    fn forward_rows(
        &self,
        x: &Tensor,
        rope: &(Tensor, Tensor),
        caches: &mut [&mut KvCache],
        layer: usize,
    ) -> Result<Tensor> {
        let (q, k, v) = self.project(x)?;
        let q = RotaryEmbedding::apply_rows(&q, rope)?;
        let k = RotaryEmbedding::apply_rows(&k, rope)?;
        let mut out = Vec::with_capacity(caches.len());
        for (i, cache) in caches.iter_mut().enumerate() {
            let kv = cache.append(layer, &k.narrow(0, i, 1)?, &v.narrow(0, i, 1)?)?;
            out.push(self.attend(&q.narrow(0, i, 1)?, &kv, None)?);
        }
        Tensor::cat(&out, 0)?.apply(&self.o_proj)
    }

    /// Several new tokens of one sequence, `x` `(1, rows, hidden)` at positions `cache.len()..`, each
    /// row computed as a one-token [`Self::forward`] would compute it: projections for all rows at once
    /// (the weights are read once; their kernels compute a row the same whatever the row count), then
    /// attention row by row through the decode path, row `i` over the cache's first `offset + i + 1`
    /// positions. Prefill's blocked attention would add in another order and change the last bits.
    fn forward_verify(&self, x: &Tensor, cache: &mut KvCache, layer: usize) -> Result<Tensor> {
        let offset = cache.len();
        let rows = x.dim(1)?;
        let (q, k, v) = self.project(x)?;
        let q = self.rotary.apply(&q, offset)?;
        let k = self.rotary.apply(&k, offset)?;
        let kv = cache.append(layer, &k, &v)?;
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            let seen = kv.prefix(offset + i + 1)?;
            out.push(self.attend(&q.narrow(1, i, 1)?.contiguous()?, &seen, None)?);
        }
        Tensor::cat(&out, 1)?.apply(&self.o_proj)
    }

    /// Attention of `q` `(batch, seq, heads, head_dim)` over the cached keys and values `(batch,
    /// total, kv_heads, head_dim)` (views into the cache); returns `(batch, seq, heads * head_dim)`.
    fn attend(&self, q: &Tensor, kv: &KvView, mask: Option<&Tensor>) -> Result<Tensor> {
        let (b, l, h, d) = q.dims4()?;
        let scale = 1.0 / (d as f64).sqrt();
        if b == 1 && l == 1 && attention::applies(q, kv) {
            // A decode step on the CPU: the cache read where it lies, in memory order, its
            // positions split among the threads (see `kernels::attention`).
            return attention::decode_attention(q, kv, scale as f32)?.reshape((b, l, h * d));
        }
        // Keys and values in the activations' type: an f16 cache under f32 activations (the CPU's)
        // widened, an int8 one dequantized.
        let (k, v) = kv.to_float(q.dtype())?;
        // Grouped-query attention without copying the cache per group: the query heads that share a
        // KV head are consecutive, so `(heads, seq)` regroups as `(kv_heads, groups * seq)` rows of
        // one matrix multiplied by that KV head's keys.
        let kvh = self.num_kv_heads;
        let total = k.dim(1)?;
        let q = q
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, kvh, (h / kvh) * l, d))?;
        let (k, v) = (k.transpose(1, 2)?, v.transpose(1, 2)?);
        // The CPU matmul reads one sequence's strided cache as it is; other cases get a copy.
        let (k, v) = if b == 1 && k.device().is_cpu() {
            (k, v)
        } else {
            (k.contiguous()?, v.contiguous()?)
        };
        if causal_in_place(&q) {
            // On the CPU, queries in blocks against the positions each block sees, the causal
            // mask applied in one pass with the scaling and the softmax; `mask` is `None` here.
            let block = attention::PREFILL_QUERY_BLOCK;
            return attention::causal_prefill(&q, &k, &v, l, scale as f32, block)?
                .reshape((b, h, l, d))?
                .transpose(1, 2)?
                .reshape((b, l, h * d));
        }
        // Scores and softmax in f32 whatever the model dtype: half-precision softmax loses the tail.
        let mut scores = (q.matmul(&k.t()?)? * scale)?.to_dtype(DType::F32)?;
        if let Some(mask) = mask {
            scores = scores
                .reshape((b, h, l, total))?
                .broadcast_add(mask)?
                .reshape((b, kvh, (h / kvh) * l, total))?;
        }
        let probs = candle_nn::ops::softmax_last_dim(&scores)?.to_dtype(v.dtype())?;
        probs
            .matmul(&v)?
            .reshape((b, h, l, d))?
            .transpose(1, 2)?
            .reshape((b, l, h * d))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct DecoderLayer {
    self_attn: Attention,
    mlp: FeedForward,
    input_layernorm: RmsNorm,
    post_attention_layernorm: RmsNorm,
}

impl DecoderLayer {
    fn new(
        cfg: &QwenConfig,
        i: usize,
        rotary: Arc<RotaryEmbedding>,
        src: &WeightSource,
    ) -> Result<Self> {
        let mlp = if cfg.is_moe_layer(i) {
            FeedForward::Sparse(SparseMoe::new(cfg, &src.pp("mlp"))?)
        } else {
            FeedForward::Dense(Mlp::new(
                cfg.hidden_size,
                cfg.intermediate_size,
                cfg.hidden_act,
                &src.pp("mlp"),
            )?)
        };
        let norm = |name| src.pp(name).rms_norm(cfg.hidden_size, cfg.rms_norm_eps);
        Ok(Self {
            self_attn: Attention::new(cfg, rotary, &src.pp("self_attn"))?,
            mlp,
            input_layernorm: norm("input_layernorm")?,
            post_attention_layernorm: norm("post_attention_layernorm")?,
        })
    }

    fn weight_bytes(&self) -> usize {
        self.self_attn.weight_bytes()
            + self.mlp.weight_bytes()
            + quantize::tensor_bytes(self.input_layernorm.weight())
            + quantize::tensor_bytes(self.post_attention_layernorm.weight())
    }

    fn forward(
        &self,
        x: &Tensor,
        mask: Option<&Tensor>,
        cache: &mut KvCache,
        layer: usize,
    ) -> Result<Tensor> {
        let h = self
            .self_attn
            .forward(&x.apply(&self.input_layernorm)?, mask, cache, layer)?;
        let x = (x + h)?;
        let h = x.apply(&self.post_attention_layernorm)?.apply(&self.mlp)?;
        x + h
    }

    fn rows_independent(&self) -> bool {
        let mlp = match &self.mlp {
            FeedForward::Dense(m) => [&m.gate_proj, &m.up_proj, &m.down_proj]
                .iter()
                .all(|l| l.rows_independent()),
            // The router is candle's matmul.
            FeedForward::Sparse(_) => false,
        };
        mlp && self.self_attn.rows_independent()
    }

    fn forward_verify(&self, x: &Tensor, cache: &mut KvCache, layer: usize) -> Result<Tensor> {
        let h = self
            .self_attn
            .forward_verify(&x.apply(&self.input_layernorm)?, cache, layer)?;
        let x = (x + h)?;
        let h = x.apply(&self.post_attention_layernorm)?.apply(&self.mlp)?;
        x + h
    }

    fn forward_rows(
        &self,
        x: &Tensor,
        rope: &(Tensor, Tensor),
        caches: &mut [&mut KvCache],
        layer: usize,
    ) -> Result<Tensor> {
        let h =
            self.self_attn
                .forward_rows(&x.apply(&self.input_layernorm)?, rope, caches, layer)?;
        let x = (x + h)?;
        let h = x.apply(&self.post_attention_layernorm)?.apply(&self.mlp)?;
        x + h
    }
}

/// A Qwen causal language model: embeddings, decoder layers, final norm and LM head.
#[derive(Debug, Clone)]
pub struct Qwen {
    embed_tokens: QEmbedding,
    layers: Vec<DecoderLayer>,
    norm: RmsNorm,
    lm_head: QLinear,
    rotary: Arc<RotaryEmbedding>,
    /// The LM head is the embedding matrix (counted once in [`Self::weight_bytes`]).
    tied: bool,
    max_positions: usize,
    device: Device,
    /// How [`Self::new_cache`]'s caches store keys and values.
    kv_type: KvType,
}

impl Qwen {
    /// The model with weights in `vb`'s dtype.
    pub fn new(cfg: &QwenConfig, vb: VarBuilder) -> Result<Self> {
        Self::with_quantization(cfg, vb, None)
    }

    /// The model with its matrices quantized as they are read (see [`super::quantize`]); activations,
    /// norms and biases stay in `vb`'s dtype.
    pub fn with_quantization(
        cfg: &QwenConfig,
        vb: VarBuilder,
        quant: Option<Quantization>,
    ) -> Result<Self> {
        Self::load(cfg, &WeightSource::safetensors(vb, quant))
    }

    /// The model from `src` (a safetensors checkpoint or a GGUF file), in `src`'s dtype.
    pub(crate) fn load(cfg: &QwenConfig, src: &WeightSource) -> Result<Self> {
        if src.dtype() == DType::F64 {
            candle_core::bail!("f64 weights are not supported; use f32, f16 or bf16");
        }
        let embed_tokens = src
            .pp("model.embed_tokens")
            .embedding(cfg.vocab_size, cfg.hidden_size)?;
        let rotary = Arc::new(RotaryEmbedding::new(cfg, src.dtype(), src.device())?);
        let src_l = src.pp("model.layers");
        let layers = (0..cfg.num_hidden_layers)
            .map(|i| DecoderLayer::new(cfg, i, rotary.clone(), &src_l.pp(i)))
            .collect::<Result<Vec<_>>>()?;
        let lm_head = if cfg.tie_word_embeddings {
            embed_tokens.tied_head()?
        } else {
            src.pp("lm_head").lm_head(cfg.hidden_size, cfg.vocab_size)?
        };
        Ok(Self {
            embed_tokens,
            layers,
            norm: src
                .pp("model.norm")
                .rms_norm(cfg.hidden_size, cfg.rms_norm_eps)?,
            lm_head,
            rotary,
            tied: cfg.tie_word_embeddings,
            max_positions: cfg.max_position_embeddings,
            device: src.device().clone(),
            kv_type: KvType::Activations,
        })
    }

    /// How caches made from now on store keys and values.
    pub fn set_kv_type(&mut self, kind: KvType) {
        self.kv_type = kind;
    }

    /// How caches store keys and values.
    pub fn kv_type(&self) -> KvType {
        self.kv_type
    }

    /// Bytes of all weights as held in memory (quantized blocks with their scales), the tied LM head
    /// counted once. What decoding reads per token, besides the KV cache.
    pub fn weight_bytes(&self) -> usize {
        let head = if self.tied {
            0
        } else {
            self.lm_head.weight_bytes()
        };
        self.embed_tokens.weight_bytes()
            + self
                .layers
                .iter()
                .map(DecoderLayer::weight_bytes)
                .sum::<usize>()
            + quantize::tensor_bytes(self.norm.weight())
            + head
    }

    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// A fresh, empty cache for this model.
    pub fn new_cache(&self) -> KvCache {
        KvCache::new(self.layers.len(), self.kv_type)
    }

    /// Runs `input` (`(batch, seq)` token ids, equal lengths) at positions `cache.len()..` and appends
    /// them to `cache`. Returns f32 logits for every position, `(batch, seq, vocab)`, or only the last,
    /// `(batch, vocab)`, when `all_positions` is false (what generation needs; the LM head over the
    /// whole prompt is most of a prefill's cost for small models).
    pub fn forward(
        &self,
        input: &Tensor,
        cache: &mut KvCache,
        all_positions: bool,
    ) -> Result<Tensor> {
        let (b, l) = input.dims2()?;
        if l == 0 {
            candle_core::bail!("empty input");
        }
        if !cache.is_empty() && cache.batch_size() != b {
            cache.clear();
        }
        let offset = cache.len();
        if offset + l > self.max_positions {
            candle_core::bail!(
                "{} positions exceed the model's {}",
                offset + l,
                self.max_positions
            );
        }
        let mut h = self.embed_tokens.forward(input)?;
        let mask = if l > 1 && !causal_in_place(&h) {
            Some(causal_mask(l, offset, &self.device)?)
        } else {
            None
        };
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(&h, mask.as_ref(), cache, i)?;
        }
        cache.advance(l, b);
        let h = if all_positions {
            h
        } else {
            h.narrow(1, l - 1, 1)?
        };
        let logits = h
            .apply(&self.norm)?
            .apply(&self.lm_head)?
            .to_dtype(DType::F32)?;
        if all_positions {
            Ok(logits)
        } else {
            logits.squeeze(1)
        }
    }

    /// The most tokens a [`Self::forward_verify`] pass computes exactly as decode steps do, or 0 where it
    /// cannot: every matrix must go through kernels that compute a row the same whatever the row count
    /// (q8_0/q4_k/q6_k packed, or 16-bit weights, on the CPU). Dense f32 weights go through candle's
    /// matmul, whose result for one row moves in the last bits with the row count (measured: 9e-6 on
    /// the tiny model's logits), and so do candle's quantized kernels and the MoE router.
    pub fn verify_rows(&self) -> usize {
        let exact = self.device.is_cpu()
            && self.lm_head.rows_independent()
            && self.layers.iter().all(DecoderLayer::rows_independent);
        if exact {
            quantize::ROWS_INDEPENDENT_MAX
        } else {
            0
        }
    }

    /// Runs `tokens` of one sequence at positions `cache.len()..` of its batch-1 cache and appends them,
    /// like [`Self::forward`], but returns the f32 logits of every position, `(tokens, vocab)`, each row
    /// equal to the bit to what a one-token `forward` at that position returns: the pass that checks
    /// speculative drafts, which must not change greedy output. The caller truncates the cache back
    /// past the rows it rejects.
    pub fn forward_verify(&self, tokens: &[u32], cache: &mut KvCache) -> Result<Tensor> {
        if tokens.is_empty() {
            candle_core::bail!("empty input");
        }
        if tokens.len() > self.verify_rows() {
            candle_core::bail!(
                "a verify pass of {} tokens would not compute them as decode steps do (at most {})",
                tokens.len(),
                self.verify_rows()
            );
        }
        if !cache.is_empty() && cache.batch_size() != 1 {
            candle_core::bail!("forward_verify needs a batch-1 cache");
        }
        let offset = cache.len();
        if offset + tokens.len() > self.max_positions {
            candle_core::bail!(
                "{} positions exceed the model's {}",
                offset + tokens.len(),
                self.max_positions
            );
        }
        let input = Tensor::new(tokens, &self.device)?.unsqueeze(0)?;
        let mut h = self.embed_tokens.forward(&input)?;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward_verify(&h, cache, i)?;
        }
        cache.advance(tokens.len(), 1);
        h.apply(&self.norm)?
            .apply(&self.lm_head)?
            .to_dtype(DType::F32)?
            .squeeze(0)
    }

    /// One decoding step for several independent sequences: `tokens[i]` runs at position
    /// `caches[i].len()` of sequence `i` and is appended to `caches[i]` (each a batch-1 cache, of any
    /// length). Returns the f32 logits `(rows, vocab)`. The weights are read once for all rows, which
    /// is what makes concurrent requests cheaper together than one after another.
    pub fn forward_rows(&self, tokens: &[u32], caches: &mut [&mut KvCache]) -> Result<Tensor> {
        if tokens.is_empty() || tokens.len() != caches.len() {
            candle_core::bail!(
                "forward_rows needs one cache per token ({} tokens, {} caches)",
                tokens.len(),
                caches.len()
            );
        }
        let mut positions = Vec::with_capacity(caches.len());
        for cache in caches.iter() {
            if !cache.is_empty() && cache.batch_size() != 1 {
                candle_core::bail!("forward_rows needs batch-1 caches");
            }
            if cache.len() + 1 > self.max_positions {
                candle_core::bail!(
                    "{} positions exceed the model's {}",
                    cache.len() + 1,
                    self.max_positions
                );
            }
            positions.push(cache.len());
        }
        let rope = self.rotary.rows(&positions)?;
        let input = Tensor::new(tokens, &self.device)?.unsqueeze(1)?;
        let mut h = self.embed_tokens.forward(&input)?;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward_rows(&h, &rope, caches, i)?;
        }
        for cache in caches.iter_mut() {
            cache.advance(1, 1);
        }
        h.apply(&self.norm)?
            .apply(&self.lm_head)?
            .to_dtype(DType::F32)?
            .squeeze(1)
    }
}

/// Whether attention over activations like `x` masks causally in place
/// (`attention::causal_prefill`, f32 on the CPU); elsewhere it adds [`causal_mask`].
fn causal_in_place(x: &Tensor) -> bool {
    x.device().is_cpu() && x.dtype() == DType::F32
}

/// Additive mask `(seq, offset + seq)`: query i sees keys `..=offset + i`.
fn causal_mask(seq: usize, offset: usize, device: &Device) -> Result<Tensor> {
    let total = offset + seq;
    let mask: Vec<f32> = (0..seq)
        .flat_map(|i| {
            (0..total).map(move |j| {
                if j > offset + i {
                    f32::NEG_INFINITY
                } else {
                    0.0
                }
            })
        })
        .collect();
    Tensor::from_vec(mask, (seq, total), device)
}
