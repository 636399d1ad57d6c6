package dev.flinkreranker.model.qwen3;

import dev.flinkreranker.model.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every weight of a Qwen3 decoder, by its Hugging Face name, with its shape checked. Shapes use
 * D = hidden_size, I = intermediate_size, V = vocab_size, N = attention heads, KV = key/value heads,
 * H = head_dim. Linear weights are stored as in PyTorch: (out_features, in_features).
 */
public final class Qwen3Weights {

  /** Looks up a tensor by HF name and checks its shape. */
  @FunctionalInterface
  public interface Source {
    HostTensor get(String name, long... shape) throws IOException;
  }

  /** The weights of decoder layer {@code model.layers.{i}}. */
  public record Layer(
      HostTensor inputLayernorm, // (D)
      HostTensor qProj, // (N·H, D)
      HostTensor kProj, // (KV·H, D)
      HostTensor vProj, // (KV·H, D)
      HostTensor oProj, // (D, N·H)
      HostTensor qNorm, // (H)   per-head RMSNorm of queries
      HostTensor kNorm, // (H)   per-head RMSNorm of keys
      HostTensor postAttentionLayernorm, // (D)
      HostTensor gateProj, // (I, D)
      HostTensor upProj, // (I, D)
      HostTensor downProj) {} // (D, I)

  private final Qwen3Config config;
  private final HostTensor embedTokens; // (V, D)
  private final List<Layer> layers;
  private final HostTensor norm; // (D)
  private final HostTensor lmHead; // (V, D); the embedding itself when tie_word_embeddings

  private Qwen3Weights(
      Qwen3Config config, HostTensor embedTokens, List<Layer> layers, HostTensor norm, HostTensor lmHead) {
    this.config = config;
    this.embedTokens = embedTokens;
    this.layers = List.copyOf(layers);
    this.norm = norm;
    this.lmHead = lmHead;
  }

  /** Maps every Hugging Face weight name of a Qwen3 checkpoint — the only place that knows them. */
  public static Qwen3Weights map(Qwen3Config c, Source src) throws IOException {
    long d = c.hiddenSize();
    long i = c.intermediateSize();
    long v = c.vocabSize();
    long h = c.headDim();
    long q = (long) c.numAttentionHeads() * h;
    long kv = (long) c.numKeyValueHeads() * h;
    HostTensor embed = src.get("model.embed_tokens.weight", v, d);
    List<Layer> layers = new ArrayList<>(c.numHiddenLayers());
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = "model.layers." + l + ".";
      layers.add(
          new Layer(
              src.get(p + "input_layernorm.weight", d),
              src.get(p + "self_attn.q_proj.weight", q, d),
              src.get(p + "self_attn.k_proj.weight", kv, d),
              src.get(p + "self_attn.v_proj.weight", kv, d),
              src.get(p + "self_attn.o_proj.weight", d, q),
              src.get(p + "self_attn.q_norm.weight", h),
              src.get(p + "self_attn.k_norm.weight", h),
              src.get(p + "post_attention_layernorm.weight", d),
              src.get(p + "mlp.gate_proj.weight", i, d),
              src.get(p + "mlp.up_proj.weight", i, d),
              src.get(p + "mlp.down_proj.weight", d, i)));
    }
    HostTensor norm = src.get("model.norm.weight", d);
    HostTensor head = c.tieWordEmbeddings() ? embed : src.get("lm_head.weight", v, d);
    return new Qwen3Weights(c, embed, layers, norm, head);
  }

  /** The weights of a checkpoint directory (memory mapped, nothing copied yet). */
  public static Qwen3Weights load(Qwen3Config c, SafetensorsCheckpoint checkpoint) throws IOException {
    return map(c, (name, shape) -> HostTensor.of(checkpoint.tensor(name, shape)));
  }

  /** Random embedding tables up to this size are generated once and kept in memory. */
  private static final long MATERIALIZE_EMBEDDING_ELEMENTS = 1L << 25;

  /**
   * Random weights of the right shapes, for benchmarks (no file): matrices uniform with a scale
   * of 1/sqrt(fan-in) so activations stay O(1), norm weights around 1.
   */
  public static Qwen3Weights random(Qwen3Config c, long seed) {
    try {
      long[] counter = {seed};
      return map(
          c,
          (name, shape) -> {
            long s = counter[0]++;
            if (shape.length == 1) {
              return HostTensor.random(s, 1f, 0.1f, shape);
            }
            if (name.contains("embed")) {
              HostTensor embed = HostTensor.random(s, 0f, 1f, shape);
              // Every forward pass reads its tokens' embedding rows on the host, and hashing
              // each value costs ~5 ns: keep small tables in memory so a tiny model's benchmark
              // measures the engine, not the generator. Large ones stay lazy (0.6B: 622 MB).
              return shape[0] * shape[1] <= MATERIALIZE_EMBEDDING_ELEMENTS
                  ? HostTensor.materialize(embed)
                  : embed;
            }
            return HostTensor.random(s, 0f, (float) (1 / Math.sqrt(shape[1])), shape);
          });
    } catch (IOException e) {
      throw new IllegalStateException(e); // generated weights cannot fail to read
    }
  }

  public Qwen3Config config() {
    return config;
  }

  public HostTensor embedTokens() {
    return embedTokens;
  }

  public List<Layer> layers() {
    return layers;
  }

  public HostTensor norm() {
    return norm;
  }

  public HostTensor lmHead() {
    return lmHead;
  }
}
