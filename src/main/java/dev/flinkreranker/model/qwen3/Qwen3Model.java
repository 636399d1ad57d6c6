package dev.flinkreranker.model.qwen3;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Qwen3 decoder forward pass on DJL's PyTorch engine, step for step as transformers'
 * {@code modeling_qwen3.py}, reduced to what a yes/no reranker needs: the logit difference
 * {@code h_last · (W_a − W_b)} of two vocabulary rows at the last position.
 *
 * <p>Shape legend: B batch, T sequence (left padded), D hidden, N query heads, KV key/value heads,
 * G = N / KV, H head_dim, I intermediate, C query rows of one attention chunk.
 *
 * <p>Precision: {@link Precision#FP32} everywhere, or {@link Precision#FP16} for GPUs — FP16 weights
 * and matmuls, while the residual stream, RMSNorms, RoPE and softmax stay FP32 and the SwiGLU product
 * is scaled per row before the FP16 down projection so it cannot overflow. PyTorch 2.7's CPU kernels
 * support every FP16 op used here (matmul, casts, views), so the FP16 path also runs on the CPU —
 * slowly — which lets tests check it against FP32 and the reference.
 *
 * <p>Not thread safe: one forward at a time (the scoring service has one batcher thread per model).
 */
public final class Qwen3Model implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Qwen3Model.class);

  /**
   * Budget for one attention chunk's score matrix (B·N·C·K floats), which bounds C. On a GPU it
   * only caps memory. On a CPU the mask adds and the softmax each make a pass over that matrix,
   * so it should stay in cache: a tiny model's batch of 16 × 500 tokens ran about 4× faster with
   * 2–32 MiB chunks (they also skip the causal upper triangle) than with one (B, N, T, T) matrix of
   * 64 MiB; 1 MiB chunks were slower again (more, smaller ops).
   */
  private static final long ATTENTION_CHUNK_BYTES_GPU = 256L << 20;

  private static final long ATTENTION_CHUNK_BYTES_CPU = 8L << 20;

  /**
   * Tokens per MLP chunk: the (tokens, 2·I) gate/up activations of a 32K-token input of an 8B
   * model would take GBs at once, so long inputs go through the MLP in row chunks.
   */
  private static final int MLP_CHUNK_TOKENS = 4096;

  /** Added to masked attention scores; finite, so fully masked (padding) rows stay NaN-free. */
  private static final float MASKED = -1e9f;

  /** Matmul precision. */
  public enum Precision {
    FP32,
    FP16;

    /** {@code auto | fp32 | fp16}; auto is FP16 on a GPU and FP32 on the CPU. */
    public static Precision parse(String s, Device device) {
      String v = s == null ? "auto" : s.trim().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "auto" -> device.isGpu() ? FP16 : FP32;
        case "fp32", "float32" -> FP32;
        case "fp16", "float16", "half" -> FP16;
        default -> throw new IllegalArgumentException(
            "unknown dtype '" + s + "' (expected auto, fp32 or fp16)");
      };
    }
  }

  /**
   * What every layer of one forward pass shares: RoPE tables (the query ones pre-scaled by
   * 1/sqrt(H); the sine ones signed so that rotate_half needs no negation), the padding mask, the
   * attention chunking and the chunks' causal masks. With a cached prefix of P tokens, T counts
   * only the tokens after it and key ranges span P + T.
   */
  private record Pass(
      int prefix, // P: leading tokens whose keys and values come from the prefix cache
      List<NDArray[]> capture, // per layer {K, V} to keep, when building the prefix cache; else null
      NDArray cos, // (B, 1, T, H)
      NDArray sin, // (B, 1, T, H) [-sin, sin]
      NDArray cosQ, // (B, 1, T, H) cos / sqrt(H)
      NDArray sinQ, // (B, 1, T, H) [-sin, sin] / sqrt(H)
      NDArray padding, // (B, 1, 1, P + T) additive mask: MASKED on left padding keys, else 0
      long chunkRows, // C
      List<NDArray> causal) {} // per chunk [r0, r1): (C, K = P + r1) additive mask of later keys

  /**
   * Keys and values of a token prefix that every reranker input starts with (the system prompt and
   * the default instruction), computed once: a causal model's K and V at a position depend only on
   * the tokens up to it, so inputs sharing the first p ≤ P tokens can reuse them and run only their
   * own tokens through the layers, as vLLM's prefix caching does.
   */
  private record PrefixCache(
      int[] ids, // (P)
      List<NDArray> keys, // per layer (1, KV, P, H) mm dtype, normed and rotated
      List<NDArray> values) {} // per layer (1, KV, P, H) mm dtype

  /** Device weights of one decoder layer. */
  private record Layer(
      NDArray inputNorm, // (D) fp32
      NDArray qkvT, // (D, (N + 2·KV)·H) mm dtype: q, k and v projections fused, transposed view
      NDArray qNorm, // (H) fp32
      NDArray kNorm, // (H) fp32
      NDArray oT, // (N·H, D) mm dtype
      NDArray postNorm, // (D) fp32
      NDArray gateUpT, // (D, 2·I) mm dtype: gate and up projections fused
      NDArray downT) {} // (I, D) mm dtype

  private final Qwen3Config cfg;
  private final NDManager manager;
  private final Precision precision;
  private final DataType mm;
  private final HostTensor embed; // (V, D) stays on the host: only input rows are ever needed
  private final List<Layer> layers;
  private final NDArray finalNorm; // (D) fp32
  private final NDArray headRow; // (D) fp32: W[a] − W[b] of the LM head
  private final float[] invFreq; // (H/2) RoPE inverse frequencies, computed in float32 as HF does
  // Device scalars: DJL builds a new array for every Number operand, a JNI allocation that cost
  // more than the op itself on small inputs.
  private final NDArray eps; // () fp32 RMSNorm epsilon
  private final NDArray masked; // () fp32 MASKED
  private PrefixCache prefixCache; // null until cachePrefix
  private float[][] ropeCache = new float[0][]; // per position: [cos (H/2) | sin (H/2)]
  private long attentionChunkBytes;
  private int mlpChunkTokens = MLP_CHUNK_TOKENS;

  private Qwen3Model(
      Qwen3Config cfg,
      NDManager manager,
      Precision precision,
      HostTensor embed,
      List<Layer> layers,
      NDArray finalNorm,
      NDArray headRow) {
    this.cfg = cfg;
    this.manager = manager;
    this.precision = precision;
    this.mm = precision == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT32;
    this.embed = embed;
    this.layers = layers;
    this.finalNorm = finalNorm;
    this.headRow = headRow;
    this.invFreq = inverseFrequencies(cfg.headDim(), cfg.ropeTheta());
    this.eps = manager.create((float) cfg.rmsNormEps());
    this.masked = manager.create(MASKED);
    this.attentionChunkBytes =
        manager.getDevice().isGpu() ? ATTENTION_CHUNK_BYTES_GPU : ATTENTION_CHUNK_BYTES_CPU;
  }

  /** {@code auto | cpu | gpu | gpu:N}; auto picks the first GPU when there is one. */
  public static Device parseDevice(String s) {
    String v = s == null ? "auto" : s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("auto")) {
      return Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
    if (v.equals("cpu")) {
      return Device.cpu();
    }
    if (v.equals("gpu") || v.equals("cuda")) {
      return Device.gpu();
    }
    if (v.startsWith("gpu:") || v.startsWith("cuda:")) {
      try {
        return Device.gpu(Integer.parseInt(v.substring(v.indexOf(':') + 1)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("unknown device '" + s + "' (expected auto, cpu, gpu or gpu:N)");
  }

  /**
   * Copies the weights to {@code device} and prepares the head row for the logit difference
   * {@code logit(positiveToken) − logit(negativeToken)}.
   */
  public static Qwen3Model create(
      Qwen3Weights w, Device device, Precision precision, int positiveToken, int negativeToken) {
    Qwen3Config c = w.config();
    for (int t : new int[] {positiveToken, negativeToken}) {
      if (t < 0 || t >= c.vocabSize()) {
        throw new IllegalArgumentException("token id " + t + " outside vocab_size " + c.vocabSize());
      }
    }
    long start = System.nanoTime();
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    try {
      DataType mm = precision == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT32;
      List<Layer> layers = new ArrayList<>(c.numHiddenLayers());
      for (Qwen3Weights.Layer l : w.layers()) {
        layers.add(
            new Layer(
                upload(manager, l.inputLayernorm(), DataType.FLOAT32),
                fusedTransposed(manager, mm, l.qProj(), l.kProj(), l.vProj()),
                upload(manager, l.qNorm(), DataType.FLOAT32),
                upload(manager, l.kNorm(), DataType.FLOAT32),
                fusedTransposed(manager, mm, l.oProj()),
                upload(manager, l.postAttentionLayernorm(), DataType.FLOAT32),
                fusedTransposed(manager, mm, l.gateProj(), l.upProj()),
                fusedTransposed(manager, mm, l.downProj())));
      }
      NDArray norm = upload(manager, w.norm(), DataType.FLOAT32);
      // The only rows of the LM head a yes/no reranker needs, as one FP32 difference row (D).
      float[] a = w.lmHead().row(positiveToken);
      float[] b = w.lmHead().row(negativeToken);
      float[] diff = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        diff[i] = a[i] - b[i];
      }
      NDArray head = manager.create(diff);
      Qwen3Model model =
          new Qwen3Model(c, manager, precision, w.embedTokens(), List.copyOf(layers), norm, head);
      LOG.info(
          "Qwen3 model ({} layers, hidden {}, {} heads / {} kv heads, head_dim {}) on {} in {} loaded in {} ms",
          c.numHiddenLayers(),
          c.hiddenSize(),
          c.numAttentionHeads(),
          c.numKeyValueHeads(),
          c.headDim(),
          device,
          precision,
          (System.nanoTime() - start) / 1_000_000);
      return model;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static NDArray upload(NDManager m, HostTensor t, DataType type) {
    NDArray a = m.create(t.toDirectFloats(), new Shape(t.shape()));
    if (type == DataType.FLOAT32) {
      return a;
    }
    NDArray cast = a.toType(type, false);
    a.close();
    return cast;
  }

  /** Stacks (out_k, in) weights along out and returns the transposed (in, Σ out_k) view. */
  private static NDArray fusedTransposed(NDManager m, DataType type, HostTensor... parts) {
    NDArray fused;
    if (parts.length == 1) {
      fused = upload(m, parts[0], type);
    } else {
      NDList list = new NDList();
      for (HostTensor p : parts) {
        list.add(upload(m, p, type));
      }
      fused = NDArrays.concat(list, 0);
      list.close();
    }
    // Transposed view: matmul hands it to BLAS as a transposed operand, no copy.
    return fused.transpose(1, 0);
  }

  /**
   * Overrides the memory budgets that split attention into query-row chunks and the MLP into token
   * chunks (tests use tiny budgets to check that chunking does not change results).
   */
  void setChunking(long attentionBytes, int mlpTokens) {
    this.attentionChunkBytes = attentionBytes;
    this.mlpChunkTokens = mlpTokens;
  }

  public Qwen3Config config() {
    return cfg;
  }

  public Precision precision() {
    return precision;
  }

  public Device device() {
    return manager.getDevice();
  }

  /**
   * For each token sequence, {@code logit(positive) − logit(negative)} at its last token. The
   * sequences are left padded to the longest one; a sequence's result does not depend on the others.
   */
  public float[] logitDifference(List<int[]> sequences) {
    int b = sequences.size();
    if (b == 0) {
      return new float[0];
    }
    int t = 0;
    for (int[] s : sequences) {
      if (s.length == 0) {
        throw new IllegalArgumentException("empty token sequence");
      }
      t = Math.max(t, s.length);
    }
    int[][] ids = sequences.toArray(new int[0][]);
    int p = sharedPrefix(ids);
    if (p > 0) {
      for (int i = 0; i < b; i++) {
        ids[i] = Arrays.copyOfRange(ids[i], p, ids[i].length);
      }
      t -= p;
    }
    try (NDManager fwd = manager.newSubManager()) {
      return forward(fwd, ids, t, p, null);
    }
  }

  /**
   * Runs the layers over (B, T) tokens that follow the first {@code p} cached prefix tokens and
   * returns the logit differences at the last position. With {@code capture}, every layer's K and
   * V (of all T positions) are kept there and no layer is cut to the last row.
   */
  private float[] forward(NDManager fwd, int[][] ids, int t, int p, List<NDArray[]> capture) {
    NDArray h = embed(fwd, ids, t); // (B, T, D) fp32 residual stream, left padded
    Pass pass = preparePass(fwd, ids, t, p, capture);
    for (int i = 0; i < layers.size(); i++) {
      NDArray next;
      try (NDScope scope = new NDScope()) {
        // Only the last position reaches the head, and the last layer is the only one whose
        // other positions nothing reads: it runs its queries, attention and MLP on one row.
        next = decoderLayer(i, h, pass, capture == null && i == layers.size() - 1);
        NDScope.unregister(next);
      }
      h.close();
      h = next;
    }
    try (NDScope scope = new NDScope()) {
      // Final RMSNorm of the last position (B, D), then the FP32 head row.
      NDArray last = h.get(new NDIndex(":, -1, :")); // (B, D)
      NDArray normed = rmsNorm(last, finalNorm);
      return normed.matMul(headRow).toFloatArray(); // (B)
    }
  }

  /**
   * Computes and keeps the keys and values of {@code ids}, which later inputs starting with (part
   * of) them then skip. Replaces an earlier prefix; an empty array drops it.
   */
  public void cachePrefix(int[] ids) {
    if (prefixCache != null) {
      prefixCache.keys().forEach(NDArray::close);
      prefixCache.values().forEach(NDArray::close);
      prefixCache = null;
    }
    if (ids.length == 0) {
      return;
    }
    List<NDArray[]> kv = new ArrayList<>();
    try (NDManager fwd = manager.newSubManager()) {
      forward(fwd, new int[][] {ids.clone()}, ids.length, 0, kv);
    }
    prefixCache = new PrefixCache(
        ids.clone(),
        kv.stream().map(a -> a[0]).toList(),
        kv.stream().map(a -> a[1]).toList());
  }

  /** The cached prefix's tokens (empty when none). */
  int[] cachedPrefix() {
    return prefixCache == null ? new int[0] : prefixCache.ids().clone();
  }

  /** Number of cached prefix tokens that every sequence starts with, leaving each at least one. */
  private int sharedPrefix(int[][] ids) {
    if (prefixCache == null) {
      return 0;
    }
    int[] prefix = prefixCache.ids();
    int p = prefix.length;
    for (int[] s : ids) {
      int limit = Math.min(p, s.length - 1); // the last token must run: its row is the output
      int i = 0;
      while (i < limit && s[i] == prefix[i]) {
        i++;
      }
      p = i;
    }
    return p;
  }

  /**
   * One decoder layer: x + attn(norm(x)), then + mlp(norm(·)). Returns (B, T, D) fp32, or (B, 1,
   * D) for the last position only when {@code lastRowOnly}.
   */
  private NDArray decoderLayer(int index, NDArray h, Pass pass, boolean lastRowOnly) {
    Layer l = layers.get(index);
    long b = h.getShape().get(0);
    long t = h.getShape().get(1);
    long tq = lastRowOnly ? 1 : t; // query rows: T, or just the last one
    int n = cfg.numAttentionHeads();
    int kv = cfg.numKeyValueHeads();
    int hd = cfg.headDim();
    int g = cfg.groups();

    // 1. Pre-attention RMSNorm (fp32), then the fused q/k/v projection in the matmul dtype.
    NDArray x = rmsNorm(h, l.inputNorm).toType(mm, false); // (B, T, D)
    NDArray qkv = x.matMul(l.qkvT); // (B, T, (N + 2·KV)·H)
    NDList parts = qkv.split(new long[] {(long) n * hd, (long) (n + kv) * hd}, 2);
    NDArray q = parts.get(0); // (B, T, N·H)
    if (lastRowOnly) {
      q = q.get(new NDIndex(":, -1:, :")); // (B, 1, N·H)
    }
    q = q.reshape(b, tq, n, hd); // (B, Tq, N, H)
    NDArray k = parts.get(1).reshape(b, t, kv, hd); // (B, T, KV, H)
    NDArray v = parts.get(2).reshape(b, t, kv, hd); // (B, T, KV, H)

    // 2. Per-head RMSNorm of queries and keys (fp32) BEFORE RoPE, as Qwen3 does.
    q = rmsNorm(q.toType(DataType.FLOAT32, false), l.qNorm).transpose(0, 2, 1, 3); // (B, N, Tq, H)
    k = rmsNorm(k.toType(DataType.FLOAT32, false), l.kNorm).transpose(0, 2, 1, 3); // (B, KV, T, H)
    v = v.transpose(0, 2, 1, 3); // (B, KV, T, H)

    // 3. Rotate-half RoPE in fp32 at each token's position.
    //    The queries' tables carry the attention scaling 1/sqrt(H), which saves a pass over q.
    NDArray cosQ = pass.cosQ();
    NDArray sinQ = pass.sinQ();
    if (lastRowOnly) {
      cosQ = cosQ.get(new NDIndex(":, :, -1:, :")); // (B, 1, 1, H)
      sinQ = sinQ.get(new NDIndex(":, :, -1:, :")); // (B, 1, 1, H)
    }
    q = applyRope(q, cosQ, sinQ);
    k = applyRope(k, pass.cos(), pass.sin());

    // 4. Causal + padding masked attention, grouped by KV head, in chunks of query rows.
    NDArray qs = q.toType(mm, false).reshape(b, kv, g, tq, hd); // (B, KV, G, Tq, H)
    NDArray km = k.toType(mm, false); // (B, KV, T, H)
    NDArray vm = v.toType(mm, false); // (B, KV, T, H)
    if (pass.capture() != null) {
      pass.capture().add(new NDArray[] {keep(km), keep(vm)});
    }
    int p = pass.prefix();
    if (p > 0) {
      // Keys and values of the cached prefix first: (B, KV, P + T, H).
      Shape cached = new Shape(b, kv, p, hd);
      NDIndex first = new NDIndex(":, :, 0:{}, :", p);
      km = prefixCache.keys().get(index).get(first).broadcast(cached).concat(km, 2);
      vm = prefixCache.values().get(index).get(first).broadcast(cached).concat(vm, 2);
    }
    NDArray kT = km.transpose(0, 1, 3, 2); // (B, KV, H, P + T)
    NDArray attn; // (B, N, Tq, H)
    if (lastRowOnly) {
      // The last row may attend to every key, so only padding is masked.
      attn = attentionRows(qs, kT, vm, null, pass.padding());
    } else {
      long chunk = pass.chunkRows();
      NDList outs = new NDList();
      for (long r0 = 0; r0 < t; r0 += chunk) {
        long r1 = Math.min(t, r0 + chunk);
        NDArray o;
        try (NDScope scope = new NDScope()) {
          NDArray causal = pass.causal().get((int) (r0 / chunk));
          o = attentionChunk(qs, kT, vm, causal, pass.padding(), r0, r1, p + r1);
          NDScope.unregister(o);
        }
        NDScope.register(o);
        outs.add(o);
      }
      attn = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 2);
    }
    attn = attn.transpose(0, 2, 1, 3).reshape(b, tq, (long) n * hd); // (B, Tq, N·H)

    // 5. Output projection and residual (fp32). The projection's output is a fresh array, so
    //    the residual is added in place.
    NDArray residual = lastRowOnly ? h.get(new NDIndex(":, -1:, :")) : h; // (B, Tq, D)
    NDArray h1 = attn.matMul(l.oT).toType(DataType.FLOAT32, false).addi(residual); // (B, Tq, D)

    // 6. Post-attention RMSNorm and SwiGLU MLP (in token chunks for long inputs), then residual.
    long tokens = b * tq;
    NDArray flat = h1.reshape(tokens, cfg.hiddenSize()); // (B·Tq, D)
    NDArray mlp;
    if (tokens <= mlpChunkTokens) {
      mlp = mlp(l, flat);
    } else {
      NDList chunks = new NDList();
      for (long r0 = 0; r0 < tokens; r0 += mlpChunkTokens) {
        long r1 = Math.min(tokens, r0 + mlpChunkTokens);
        NDArray c;
        try (NDScope scope = new NDScope()) {
          c = mlp(l, flat.get(new NDIndex("{}:{}, :", r0, r1)));
          NDScope.unregister(c);
        }
        NDScope.register(c);
        chunks.add(c);
      }
      mlp = NDArrays.concat(chunks, 0);
    }
    return mlp.reshape(b, tq, cfg.hiddenSize()).addi(h1); // (B, Tq, D)
  }

  /** RMSNorm then down(silu(gate(x)) · up(x)) for rows x: (R, D) fp32 → (R, D) fp32. */
  private NDArray mlp(Layer l, NDArray rows) {
    NDArray x = rmsNorm(rows, l.postNorm).toType(mm, false); // (R, D)
    NDList gu = x.matMul(l.gateUpT).toType(DataType.FLOAT32, false).split(2, 1);
    NDArray gate = gu.get(0); // (R, I)
    NDArray up = gu.get(1); // (R, I)
    NDArray act = gate.getNDArrayInternal().sigmoid().muli(gate).muli(up); // (R, I) fp32
    if (precision == Precision.FP16) {
      // Scale each row into [-1, 1] so the FP16 product cannot overflow, undo after the matmul.
      NDArray scale = act.abs().max(new int[] {-1}, true).maximum(1e-20f); // (R, 1)
      return act.div(scale).toType(mm, false).matMul(l.downT).toType(DataType.FLOAT32, false).mul(scale);
    }
    return act.matMul(l.downT); // (R, D)
  }

  /**
   * Attention for query rows [r0, r1) of the non-prefix tokens: returns (B, N, C, H) in the
   * matmul dtype. Causality means these rows never see keys at or after their own, so only keys
   * [0, keyEnd = P + r1) take part: long inputs skip the upper triangle chunk by chunk.
   */
  private NDArray attentionChunk(
      NDArray qs, NDArray kT, NDArray v, NDArray causal, NDArray padding, long r0, long r1,
      long keyEnd) {
    if (keyEnd < kT.getShape().get(3)) {
      kT = kT.get(new NDIndex(":, :, :, 0:{}", keyEnd)); // (B, KV, H, K)
      v = v.get(new NDIndex(":, :, 0:{}, :", keyEnd)); // (B, KV, K, H)
      padding = padding.get(new NDIndex(":, :, :, 0:{}", keyEnd)); // (B, 1, 1, K)
    }
    if (r0 > 0 || r1 < qs.getShape().get(3)) {
      qs = qs.get(new NDIndex(":, :, :, {}:{}, :", r0, r1)); // (B, KV, G, C, H)
    }
    return attentionRows(qs, kT, v, causal, padding);
  }

  /**
   * softmax(q·kᵀ + masks)·v for query rows qs (B, KV, G, C, H) against keys kT (B, KV, H, K) and
   * values v (B, KV, K, H), q already scaled; returns (B, N, C, H) in the matmul dtype. The two
   * masks, causal (C, K) or null and padding (B, 1, 1, K), are added in place as broadcasts rather
   * than combined into a (B, 1, C, K) mask: a broadcast boolean AND of that size cost as much as
   * the softmax.
   */
  private NDArray attentionRows(
      NDArray qs, NDArray kT, NDArray v, NDArray causal, NDArray padding) {
    long b = qs.getShape().get(0);
    long c = qs.getShape().get(3);
    long k = kT.getShape().get(3);
    int kv = cfg.numKeyValueHeads();
    int g = cfg.groups();
    int n = cfg.numAttentionHeads();
    int hd = cfg.headDim();
    NDArray qc = qs.reshape(b, kv, g * c, hd); // (B, KV, G·C, H)
    // The scores are a fresh array (or a fresh cast of one), so the masks are added in place.
    NDArray scores = qc.matMul(kT).toType(DataType.FLOAT32, false).reshape(b, n, c, k); // (B,N,C,K)
    if (causal != null) {
      scores.addi(causal);
    }
    // Fully masked rows (queries on padding) get a finite uniform softmax, never NaN.
    NDArray probs = scores.addi(padding).softmax(-1).toType(mm, false); // (B, N, C, K)
    return probs.reshape(b, kv, g * c, k).matMul(v).reshape(b, n, c, hd); // (B, N, C, H)
  }

  /**
   * Causal mask (C, K = r1) for query positions [r0, r1) against key positions [0, r1): {@link
   * #MASKED} for keys after the query (by index: left padding keeps index order), else 0.
   */
  private NDArray causalMask(long r0, long r1) {
    long c = r1 - r0;
    NDArray rows = manager.arange(r0, r1, 1, DataType.INT64).reshape(c, 1); // (C, 1)
    NDArray cols = manager.arange(0, r1, 1, DataType.INT64).reshape(1, r1); // (1, K)
    return cols.gt(rows).toType(DataType.FLOAT32, false).muli(masked); // (C, K) 0 or MASKED
  }

  /**
   * Tables, masks and chunking shared by all layers of one forward pass over (B, T) tokens that
   * follow {@code p} cached prefix tokens.
   */
  private Pass preparePass(NDManager m, int[][] ids, int t, int p, List<NDArray[]> capture) {
    int b = ids.length;
    NDArray[] rope = rotaryTables(m, ids, t, p);
    long rowBytes = (long) b * cfg.numAttentionHeads() * (p + t) * Float.BYTES;
    long chunk = Math.max(1, Math.min(t, attentionChunkBytes / rowBytes));
    List<NDArray> causal = new ArrayList<>();
    for (long r0 = 0; r0 < t; r0 += chunk) {
      try (NDScope scope = new NDScope()) {
        NDArray mask = causalMask(p + r0, p + Math.min(t, r0 + chunk));
        NDScope.unregister(mask);
        mask.attach(m);
        causal.add(mask);
      }
    }
    return new Pass(p, capture, rope[0], rope[1], rope[2], rope[3], paddingMask(m, ids, t, p),
        chunk, causal);
  }

  /** Detaches {@code a} from the pass's scope and manager into the model's, as a compact copy. */
  private NDArray keep(NDArray a) {
    NDArray copy = a.duplicate();
    NDScope.unregister(copy);
    copy.attach(manager);
    return copy;
  }

  /** RMSNorm over the last axis in fp32: x / sqrt(mean(x²) + eps) · w. */
  private NDArray rmsNorm(NDArray x, NDArray w) {
    NDArray rms = x.square().mean(new int[] {-1}, true).addi(eps).sqrt(); // (..., 1)
    return x.div(rms).muli(w);
  }

  /**
   * x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁], computed as x·cos + [x₂, x₁]·sin'
   * with the signed table sin' = [−sin, sin]; x: (B, heads, T, H) fp32.
   */
  private static NDArray applyRope(NDArray x, NDArray cos, NDArray signedSin) {
    long half = x.getShape().get(3) / 2;
    NDList halves = x.split(new long[] {half}, 3); // 2 × (B, heads, T, H/2)
    NDArray swapped = halves.get(1).concat(halves.get(0), 3); // (B, heads, T, H)
    return swapped.muli(signedSin).addi(x.mul(cos));
  }

  /** Embedding rows of the input tokens, left padded with zeros: (B, T, D) fp32. */
  private NDArray embed(NDManager m, int[][] ids, int t) {
    int b = ids.length;
    int d = cfg.hiddenSize();
    FloatBuffer buf =
        ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(b * t, d), Float.BYTES))
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    float[] row = new float[d];
    for (int i = 0; i < b; i++) {
      int pad = t - ids[i].length;
      buf.position((i * t + pad) * d);
      for (int id : ids[i]) {
        if (id < 0 || id >= cfg.vocabSize()) {
          throw new IllegalArgumentException("token id " + id + " outside vocab_size " + cfg.vocabSize());
        }
        embed.readFloats((long) id * d, row, 0, d);
        buf.put(row);
      }
    }
    buf.rewind();
    return m.create(buf, new Shape(b, t, d));
  }

  /**
   * RoPE tables (B, 1, T, H): cos, signed sin [−sin, sin], and both scaled by 1/sqrt(H) for the
   * queries. Positions count from each sequence's first real token, so a left-padded sequence
   * sees exactly the positions it would see alone; after a cached prefix they start at its length.
   */
  private NDArray[] rotaryTables(NDManager m, int[][] ids, int t, int prefix) {
    int b = ids.length;
    int hd = cfg.headDim();
    int half = hd / 2;
    float scale = (float) (1.0 / Math.sqrt(hd));
    float[][] rows = ropeRows(prefix + t);
    float[] cos = new float[b * t * hd];
    float[] sin = new float[b * t * hd];
    float[] cosQ = new float[b * t * hd];
    float[] sinQ = new float[b * t * hd];
    for (int i = 0; i < b; i++) {
      int pad = t - ids[i].length;
      for (int j0 = pad; j0 < t; j0++) {
        float[] row = rows[prefix + j0 - pad]; // [cos (H/2) | sin (H/2)] at this token's position
        int base = (i * t + j0) * hd;
        for (int j = 0; j < half; j++) {
          float c = row[j];
          float s = row[half + j];
          cos[base + j] = c;
          cos[base + j + half] = c;
          sin[base + j] = -s;
          sin[base + j + half] = s;
          cosQ[base + j] = c * scale;
          cosQ[base + j + half] = c * scale;
          sinQ[base + j] = -s * scale;
          sinQ[base + j + half] = s * scale;
        }
      }
    }
    Shape shape = new Shape(b, 1, t, hd);
    return new NDArray[] {
      m.create(cos, shape), m.create(sin, shape), m.create(cosQ, shape), m.create(sinQ, shape)
    };
  }

  /**
   * cos and sin of positions [0, t), each row [cos (H/2) | sin (H/2)], computed once per position
   * and kept: Math.cos/sin for every token of every batch cost milliseconds per pass.
   */
  private float[][] ropeRows(int t) {
    if (ropeCache.length < t) {
      int half = cfg.headDim() / 2;
      // Grow geometrically, but not past the trained context unless an input is longer.
      int size = Math.max(t, Math.min(2 * ropeCache.length, cfg.maxPositionEmbeddings()));
      float[][] grown = Arrays.copyOf(ropeCache, size);
      for (int pos = ropeCache.length; pos < grown.length; pos++) {
        float[] row = new float[2 * half];
        for (int j = 0; j < half; j++) {
          // freqs = pos · inv_freq in float32 (as transformers), then cos/sin of that float.
          float f = pos * invFreq[j];
          row[j] = (float) Math.cos(f);
          row[half + j] = (float) Math.sin(f);
        }
        grown[pos] = row;
      }
      ropeCache = grown;
    }
    return ropeCache;
  }

  /**
   * Additive padding mask (B, 1, 1, P + T): 0 on the cached prefix's P keys, {@link #MASKED} on each
   * sequence's left padding.
   */
  private static NDArray paddingMask(NDManager m, int[][] ids, int t, int p) {
    int keys = p + t;
    float[] bias = new float[ids.length * keys];
    for (int i = 0; i < ids.length; i++) {
      Arrays.fill(bias, i * keys + p, i * keys + p + t - ids[i].length, MASKED);
    }
    return m.create(bias, new Shape(ids.length, 1, 1, keys));
  }

  /** inv_freq[j] = 1 / theta^(2j / H), in float32 arithmetic like transformers' default RoPE. */
  static float[] inverseFrequencies(int headDim, double theta) {
    float[] inv = new float[headDim / 2];
    for (int j = 0; j < inv.length; j++) {
      float exponent = (float) (2 * j) / (float) headDim;
      inv[j] = 1.0f / (float) Math.pow((float) theta, exponent);
    }
    return inv;
  }

  @Override
  public void close() {
    manager.close();
  }
}
