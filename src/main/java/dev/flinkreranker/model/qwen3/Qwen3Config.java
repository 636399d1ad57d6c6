package dev.flinkreranker.model.qwen3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture settings of a Qwen3 checkpoint, read from its {@code config.json}. Defaults are
 * those of transformers' {@code Qwen3Config} when a key is absent; settings this engine does not
 * implement are rejected by {@link #parse} instead of being silently ignored.
 *
 * @param hiddenSize width D of the residual stream
 * @param intermediateSize width I of the SwiGLU MLP
 * @param numHiddenLayers number of decoder layers L
 * @param numAttentionHeads query heads N
 * @param numKeyValueHeads key/value heads KV (N is a multiple of KV: grouped-query attention)
 * @param headDim per-head width H; explicit in Qwen3 configs and not necessarily D / N
 * @param vocabSize rows of the embedding and of the LM head
 * @param rmsNormEps epsilon of every RMSNorm
 * @param ropeTheta RoPE base frequency
 * @param tieWordEmbeddings true when the LM head shares the embedding matrix
 * @param maxPositionEmbeddings the context length the model was trained for
 */
public record Qwen3Config(
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int vocabSize,
    double rmsNormEps,
    double ropeTheta,
    boolean tieWordEmbeddings,
    int maxPositionEmbeddings) {

  public static final String FILE = "config.json";

  public Qwen3Config {
    require(hiddenSize > 0 && intermediateSize > 0 && numHiddenLayers > 0, "sizes must be positive");
    require(numAttentionHeads > 0 && numKeyValueHeads > 0 && headDim > 0, "heads must be positive");
    require(
        numAttentionHeads % numKeyValueHeads == 0,
        "num_attention_heads (" + numAttentionHeads + ") must be a multiple of num_key_value_heads ("
            + numKeyValueHeads + ")");
    require(headDim % 2 == 0, "head_dim must be even for rotary embeddings, got " + headDim);
    require(vocabSize > 0, "vocab_size must be positive");
  }

  /** Query heads per key/value head (G). */
  public int groups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** Reads {@code config.json} of a model directory. */
  public static Qwen3Config load(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": missing (a Hugging Face model directory needs config.json)");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": bad JSON: " + e.getMessage(), e);
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Builds a config from parsed JSON; throws IllegalArgumentException for unsupported settings. */
  public static Qwen3Config parse(JsonNode c) {
    require(c != null && c.isObject(), "config is not a JSON object");
    String modelType = c.path("model_type").asText("");
    require(
        modelType.equals("qwen3"),
        "model_type '" + modelType + "' is not supported (this engine runs model_type 'qwen3')");
    require(
        !c.path("use_sliding_window").asBoolean(false),
        "use_sliding_window: true is not supported (Qwen3-Reranker uses full attention)");
    require(
        !c.path("attention_bias").asBoolean(false),
        "attention_bias: true is not supported (Qwen3 projections have no bias)");
    String act = c.path("hidden_act").asText("silu");
    require(act.equals("silu"), "hidden_act '" + act + "' is not supported (only silu)");

    int hidden = requiredInt(c, "hidden_size");
    int heads = requiredInt(c, "num_attention_heads");
    // transformers falls back to hidden_size / num_attention_heads when head_dim is absent.
    int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
    int kvHeads = c.hasNonNull("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads;

    // RoPE: older configs say rope_theta + rope_scaling, newer ones rope_parameters.
    JsonNode ropeParams = c.path("rope_parameters");
    double theta = 10000.0;
    if (c.hasNonNull("rope_theta")) {
      theta = c.get("rope_theta").asDouble();
    } else if (ropeParams.hasNonNull("rope_theta")) {
      theta = ropeParams.get("rope_theta").asDouble();
    }
    checkRopeType(c.path("rope_scaling"));
    checkRopeType(ropeParams);

    return new Qwen3Config(
        hidden,
        requiredInt(c, "intermediate_size"),
        requiredInt(c, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        requiredInt(c, "vocab_size"),
        c.path("rms_norm_eps").asDouble(1e-6),
        theta,
        c.path("tie_word_embeddings").asBoolean(false),
        c.path("max_position_embeddings").asInt(40960));
  }

  private static void checkRopeType(JsonNode rope) {
    if (rope.isMissingNode() || rope.isNull()) {
      return;
    }
    String type = rope.path("rope_type").asText(rope.path("type").asText("default"));
    require(
        type.equals("default"),
        "rope scaling type '" + type + "' is not supported (only the default RoPE)");
  }

  private static int requiredInt(JsonNode c, String key) {
    JsonNode n = c.get(key);
    require(n != null && n.canConvertToInt(), "missing or non-integer '" + key + "'");
    return n.asInt();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
