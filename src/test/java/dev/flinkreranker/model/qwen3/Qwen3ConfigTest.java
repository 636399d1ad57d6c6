package dev.flinkreranker.model.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen3ConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** config.json of Qwen/Qwen3-Reranker-0.6B. */
  private static ObjectNode reranker06B() throws IOException {
    return (ObjectNode)
        JSON.readTree(
            """
            {"architectures":["Qwen3ForCausalLM"],"attention_bias":false,"attention_dropout":0.0,
             "bos_token_id":151643,"eos_token_id":151645,"head_dim":128,"hidden_act":"silu",
             "hidden_size":1024,"initializer_range":0.02,"intermediate_size":3072,
             "max_position_embeddings":40960,"max_window_layers":28,"model_type":"qwen3",
             "num_attention_heads":16,"num_hidden_layers":28,"num_key_value_heads":8,
             "rms_norm_eps":1e-06,"rope_scaling":null,"rope_theta":1000000,"sliding_window":null,
             "tie_word_embeddings":true,"torch_dtype":"float32","transformers_version":"4.51.0",
             "use_cache":true,"use_sliding_window":false,"vocab_size":151669}
            """);
  }

  @Test
  void readsTheRealRerankerConfig() throws IOException {
    Qwen3Config c = Qwen3Config.parse(reranker06B());
    assertEquals(1024, c.hiddenSize());
    assertEquals(3072, c.intermediateSize());
    assertEquals(28, c.numHiddenLayers());
    assertEquals(16, c.numAttentionHeads());
    assertEquals(8, c.numKeyValueHeads());
    assertEquals(2, c.groups());
    assertEquals(128, c.headDim());
    assertEquals(151669, c.vocabSize());
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(1_000_000, c.ropeTheta());
    assertTrue(c.tieWordEmbeddings());
  }

  @Test
  void headDimIsExplicitNotHiddenOverHeads() throws IOException {
    ObjectNode n = reranker06B().put("hidden_size", 2560).put("num_attention_heads", 32);
    assertEquals(128, Qwen3Config.parse(n).headDim()); // 2560 / 32 would be 80
    n.remove("head_dim");
    assertEquals(80, Qwen3Config.parse(n).headDim()); // transformers' fallback
  }

  @Test
  void ropeThetaUnderRopeParameters() throws IOException {
    ObjectNode n = reranker06B();
    n.remove("rope_theta");
    n.remove("rope_scaling");
    n.putObject("rope_parameters").put("rope_theta", 5e6).put("rope_type", "default");
    assertEquals(5e6, Qwen3Config.parse(n).ropeTheta());
  }

  @Test
  void untiedHead() throws IOException {
    assertFalse(Qwen3Config.parse(reranker06B().put("tie_word_embeddings", false)).tieWordEmbeddings());
  }

  @Test
  void rejectsWhatTheEngineDoesNotImplement() throws IOException {
    assertRejected(reranker06B().put("model_type", "qwen2"), "model_type 'qwen2'");
    assertRejected(reranker06B().put("use_sliding_window", true), "use_sliding_window");
    ObjectNode yarn = reranker06B();
    yarn.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
    assertRejected(yarn, "rope scaling type 'yarn'");
    ObjectNode linear = reranker06B();
    linear.putObject("rope_parameters").put("rope_type", "linear").put("rope_theta", 1e6);
    assertRejected(linear, "'linear'");
    assertRejected(reranker06B().put("num_key_value_heads", 5), "multiple of num_key_value_heads");
    ObjectNode noHidden = reranker06B();
    noHidden.remove("hidden_size");
    assertRejected(noHidden, "hidden_size");
  }

  @Test
  void loadNamesTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("config.json"), reranker06B().put("model_type", "llama").toString());
    IOException e = assertThrows(IOException.class, () -> Qwen3Config.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("llama"), e.getMessage());
  }

  private static void assertRejected(ObjectNode n, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Qwen3Config.parse(n));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
