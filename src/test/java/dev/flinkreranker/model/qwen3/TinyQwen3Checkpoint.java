package dev.flinkreranker.model.qwen3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.model.safetensors.DType;
import dev.flinkreranker.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tiny random Qwen3 checkpoints in the real Hugging Face layout (config.json, safetensors weights,
 * single file or sharded with model.safetensors.index.json, the real Qwen3 tokenizer files), for
 * tests of anything that opens a model directory:
 *
 * <pre>{@code
 * Path dir = TinyQwen3Checkpoint.builder().dtype(DType.BF16).sharded(true).tied(false).seed(7)
 *     .writeTo(tempDir);
 * }</pre>
 *
 * <p>The vocabulary is the real one (151936 rows, like Qwen3) so every id the real tokenizer
 * produces is valid; everything else is tiny (hidden 32 by default), so files stay a few MB.
 * Weights are scaled so activations and the yes−no logit are O(1..10), which makes numerical
 * comparisons meaningful. The tokenizer comes from the {@code qwen3.tokenizer.dir} system property
 * (set by the build); a missing tokenizer fails loudly.
 */
public final class TinyQwen3Checkpoint {
  public static final String TOKENIZER_DIR_PROPERTY = "qwen3.tokenizer.dir";
  public static final int QWEN3_VOCAB_SIZE = 151936;
  private static final int MAX_POSITIONS = 40960; // Qwen3's max_position_embeddings

  private final Builder b;
  /** Every weight by HF name, as stored (already rounded to the checkpoint dtype). */
  private final Map<String, float[]> weights;

  private TinyQwen3Checkpoint(Builder b) {
    this.b = b;
    this.weights = Collections.unmodifiableMap(generate(b));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a tiny checkpoint; defaults: BF16, single file, tied head, GQA 4/2, head_dim 16. */
  public static final class Builder {
    private DType dtype = DType.BF16;
    private boolean sharded = false;
    private boolean tied = true;
    private long seed = 1;
    private int hiddenSize = 32;
    private int intermediateSize = 64;
    private int layers = 2;
    private int heads = 4;
    private int kvHeads = 2;
    private int headDim = 16;
    private int vocabSize = QWEN3_VOCAB_SIZE;
    private double ropeTheta = 1_000_000;
    private double rmsNormEps = 1e-6;
    private boolean ropeParameters = false;

    public Builder dtype(DType v) {
      dtype = v;
      return this;
    }

    /** Split the weights over 3 shard files listed by model.safetensors.index.json. */
    public Builder sharded(boolean v) {
      sharded = v;
      return this;
    }

    /** tie_word_embeddings: without it an lm_head.weight is written. */
    public Builder tied(boolean v) {
      tied = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder layers(int v) {
      layers = v;
      return this;
    }

    /** Query heads and key/value heads (GQA when kv &lt; heads). */
    public Builder heads(int attention, int keyValue) {
      heads = attention;
      kvHeads = keyValue;
      return this;
    }

    public Builder headDim(int v) {
      headDim = v;
      return this;
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder ropeTheta(double v) {
      ropeTheta = v;
      return this;
    }

    /** Write rope_theta under rope_parameters (newer transformers) instead of top level. */
    public Builder ropeParameters(boolean v) {
      ropeParameters = v;
      return this;
    }

    public TinyQwen3Checkpoint build() {
      return new TinyQwen3Checkpoint(this);
    }

    /** Shortcut for {@code build().writeTo(dir)}. */
    public Path writeTo(Path dir) throws IOException {
      return build().writeTo(dir);
    }
  }

  /** The weights as stored, by Hugging Face name (for reference implementations). */
  public Map<String, float[]> weights() {
    return weights;
  }

  /** The model shape, as {@link Qwen3Config} reads it back from the written config.json. */
  public Qwen3Config config() {
    return new Qwen3Config(b.hiddenSize, b.intermediateSize, b.layers, b.heads, b.kvHeads,
        b.headDim, b.vocabSize, b.rmsNormEps, b.ropeTheta, b.tied, MAX_POSITIONS);
  }

  public DType dtype() {
    return b.dtype;
  }

  /** Writes config.json, the weights and the tokenizer files into {@code dir} (created if needed). */
  public Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    writeConfig(dir.resolve("config.json"));
    List<String> names = new ArrayList<>(weights.keySet());
    if (!b.sharded) {
      SafetensorsWriter w = new SafetensorsWriter();
      for (String n : names) {
        w.add(n, b.dtype, shapeOf(n), weights.get(n));
      }
      w.writeTo(dir.resolve("model.safetensors"));
    } else {
      int shards = 3;
      ObjectMapper json = new ObjectMapper();
      ObjectNode index = json.createObjectNode();
      long total = 0;
      ObjectNode map = json.createObjectNode();
      for (int s = 0; s < shards; s++) {
        String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
        SafetensorsWriter w = new SafetensorsWriter();
        for (int i = s; i < names.size(); i += shards) {
          String n = names.get(i);
          w.add(n, b.dtype, shapeOf(n), weights.get(n));
          map.put(n, file);
          total += (long) weights.get(n).length * b.dtype.bytes();
        }
        w.writeTo(dir.resolve(file));
      }
      index.putObject("metadata").put("total_size", total);
      index.set("weight_map", map);
      json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    }
    copyTokenizer(dir);
    return dir;
  }

  /** Copies tokenizer.json and tokenizer_config.json of the real Qwen3 tokenizer into {@code dir}. */
  public static void copyTokenizer(Path dir) throws IOException {
    String prop = System.getProperty(TOKENIZER_DIR_PROPERTY);
    if (prop == null) {
      throw new IllegalStateException(
          "system property " + TOKENIZER_DIR_PROPERTY + " is not set: run the tests through Maven,"
              + " which fetches the Qwen3 tokenizer into target/");
    }
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      Path src = Path.of(prop, f);
      if (!Files.isRegularFile(src)) {
        throw new IllegalStateException("Qwen3 tokenizer file missing: " + src);
      }
      Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void writeConfig(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode c = json.createObjectNode();
    c.putArray("architectures").add("Qwen3ForCausalLM");
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.put("bos_token_id", 151643);
    c.put("eos_token_id", 151645);
    c.put("head_dim", b.headDim);
    c.put("hidden_act", "silu");
    c.put("hidden_size", b.hiddenSize);
    c.put("initializer_range", 0.02);
    c.put("intermediate_size", b.intermediateSize);
    c.put("max_position_embeddings", MAX_POSITIONS);
    c.put("max_window_layers", b.layers);
    c.put("model_type", "qwen3");
    c.put("num_attention_heads", b.heads);
    c.put("num_hidden_layers", b.layers);
    c.put("num_key_value_heads", b.kvHeads);
    c.put("rms_norm_eps", b.rmsNormEps);
    if (b.ropeParameters) {
      c.putObject("rope_parameters").put("rope_theta", b.ropeTheta).put("rope_type", "default");
    } else {
      c.putNull("rope_scaling");
      c.put("rope_theta", b.ropeTheta);
    }
    c.putNull("sliding_window");
    c.put("tie_word_embeddings", b.tied);
    c.put("torch_dtype", switch (b.dtype) {
      case BF16 -> "bfloat16";
      case F16 -> "float16";
      case F32 -> "float32";
    });
    c.put("transformers_version", "4.51.0");
    c.put("use_cache", true);
    c.put("use_sliding_window", false);
    c.put("vocab_size", b.vocabSize);
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), c);
  }

  /** The Hugging Face shape of weight {@code name}. */
  public long[] shapeOf(String name) {
    return shapeOf(b, name);
  }

  private static long[] shapeOf(Builder b, String name) {
    long d = b.hiddenSize;
    long i = b.intermediateSize;
    long q = (long) b.heads * b.headDim;
    long kv = (long) b.kvHeads * b.headDim;
    if (name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight")) {
      return new long[] {b.vocabSize, d};
    }
    if (name.endsWith("norm.weight")) {
      return name.contains("self_attn") ? new long[] {b.headDim} : new long[] {d};
    }
    if (name.endsWith("q_proj.weight")) {
      return new long[] {q, d};
    }
    if (name.endsWith("k_proj.weight") || name.endsWith("v_proj.weight")) {
      return new long[] {kv, d};
    }
    if (name.endsWith("o_proj.weight")) {
      return new long[] {d, q};
    }
    if (name.endsWith("gate_proj.weight") || name.endsWith("up_proj.weight")) {
      return new long[] {i, d};
    }
    if (name.endsWith("down_proj.weight")) {
      return new long[] {d, i};
    }
    throw new IllegalArgumentException(name);
  }

  private static Map<String, float[]> generate(Builder b) {
    List<String> names = new ArrayList<>();
    names.add("model.embed_tokens.weight");
    for (int l = 0; l < b.layers; l++) {
      String p = "model.layers." + l + ".";
      for (String s :
          new String[] {
            "input_layernorm", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "self_attn.q_norm", "self_attn.k_norm", "post_attention_layernorm",
            "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"
          }) {
        names.add(p + s + ".weight");
      }
    }
    names.add("model.norm.weight");
    if (!b.tied) {
      names.add("lm_head.weight");
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    Random rnd = new Random(b.seed);
    for (String n : names) {
      long[] shape = shapeOf(b, n);
      long count = 1;
      for (long d : shape) {
        count *= d;
      }
      float[] v = new float[Math.toIntExact(count)];
      double std;
      double mean = 0;
      if (shape.length == 1) {
        mean = 1;
        std = 0.2;
      } else if (n.contains("embed") || n.startsWith("lm_head")) {
        std = 1;
      } else {
        std = 1 / Math.sqrt(shape[1]);
      }
      for (int k = 0; k < v.length; k++) {
        v[k] = SafetensorsWriter.roundTrip(b.dtype, (float) (mean + std * rnd.nextGaussian()));
      }
      out.put(n, v);
    }
    return out;
  }

}
