package dev.flinkreranker.model.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * This project against Hugging Face transformers, an implementation it shares no code with.
 * {@code goldens/qwen3-transformers.json} holds what transformers computed (see
 * {@code tools/goldens/qwen3_goldens.py} and {@link GoldenCases}): the model card's token ids for
 * each pair, and the last position's yes/no logits of three tiny random checkpoints in float64
 * and float32 on a CPU and float16 and bfloat16 on a GPU.
 */
class TransformersGoldenTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNode golden = read();

  @TempDir static Path tmp;

  private static JsonNode read() {
    try (InputStream in = TransformersGoldenTest.class.getResourceAsStream(
        "/goldens/qwen3-transformers.json")) {
      if (in == null) {
        throw new IllegalStateException("test resource goldens/qwen3-transformers.json is missing");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Pair> pairs() {
    return JSON.convertValue(golden.get("pairs"), new TypeReference<List<Pair>>() {});
  }

  static Stream<String> checkpoints() {
    List<String> names = new ArrayList<>();
    golden.get("checkpoints").forEach(c -> names.add(c.get("variant").get("name").asText()));
    return names.stream();
  }

  /** Rebuilds a golden checkpoint; its weight files must be byte for byte the ones transformers read. */
  static Path rebuild(JsonNode checkpoint) throws IOException {
    GoldenCases.Variant variant =
        JSON.treeToValue(checkpoint.get("variant"), GoldenCases.Variant.class);
    Path dir = variant.build().writeTo(tmp.resolve(variant.name()));
    Map<String, String> expected =
        JSON.convertValue(checkpoint.get("weight_sha256"), new TypeReference<>() {});
    assertEquals(expected, GoldenCases.weightDigests(dir),
        "TinyQwen3Checkpoint no longer writes the weights the goldens were computed on; if that"
            + " change is intended, regenerate the goldens (tools/goldens/qwen3_goldens.py)");
    return dir;
  }

  static JsonNode checkpoint(String name) {
    for (JsonNode c : golden.get("checkpoints")) {
      if (c.get("variant").get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(name);
  }

  /** yes − no per pair from one run of the golden file. */
  static double[] logitDifferences(JsonNode checkpoint, String run) {
    JsonNode rows = checkpoint.get("logits").get(run);
    return IntStream.range(0, rows.size())
        .mapToDouble(i -> rows.get(i).get(1).asDouble() - rows.get(i).get(0).asDouble()).toArray();
  }

  static int[] ints(JsonNode array) {
    return JSON.convertValue(array, int[].class);
  }

  static Qwen3Reranker open(Path dir, String dtype) throws IOException {
    return Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu")
        .withDtype(dtype).withMaxLength(golden.get("max_length").asInt()));
  }

  @Test
  void promptTokensAndTruncationMatchTheModelCard() throws IOException {
    assertEquals(Qwen3Reranker.PREFIX, golden.get("prefix").asText());
    assertEquals(Qwen3Reranker.SUFFIX, golden.get("suffix").asText());
    assertEquals(Qwen3Reranker.DEFAULT_INSTRUCTION, golden.get("default_instruction").asText());
    JsonNode first = golden.get("checkpoints").get(0);
    try (Qwen3Reranker r = open(rebuild(first), "fp32")) {
      assertArrayEquals(ints(golden.get("prefix_ids")), r.prefixIds());
      assertArrayEquals(ints(golden.get("suffix_ids")), r.suffixIds());
      assertEquals(golden.get("yes_id").asInt(), r.yesId());
      assertEquals(golden.get("no_id").asInt(), r.noId());
      List<Pair> pairs = pairs();
      boolean anyTruncated = false;
      for (int i = 0; i < pairs.size(); i++) {
        PreparedPair p = r.prepare(pairs.get(i));
        assertArrayEquals(ints(golden.get("input_ids").get(i)), p.inputIds(), "pair " + i);
        assertEquals(golden.get("truncated").get(i).asBoolean(), p.truncated(), "pair " + i);
        anyTruncated |= p.truncated();
      }
      assertTrue(anyTruncated, "the goldens must exercise truncation");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checkpoints")
  void fp32LogitsAndScoresMatchTransformers(String name) throws IOException {
    JsonNode ck = checkpoint(name);
    double[] expected = logitDifferences(ck, "cpu_fp64_single");
    JsonNode cardScores = ck.get("logits").get("cpu_fp32_card_scores");
    try (Qwen3Reranker r = open(rebuild(ck), "fp32")) {
      List<Pair> pairs = pairs();
      // All pairs in one padded batch, as the scoring service runs them.
      float[] logits = r.logits(pairs);
      float[] scores = r.score(pairs);
      double maxErr = 0;
      for (int i = 0; i < pairs.size(); i++) {
        maxErr = Math.max(maxErr, Math.abs(logits[i] - expected[i]));
        // transformers' own float32 runs are within 3e-6 of its float64 run.
        assertEquals(expected[i], logits[i], 1e-4, "pair " + i + " logit");
        assertEquals(cardScores.get(i).asDouble(), scores[i], 1e-5, "pair " + i + " score");
      }
      System.out.printf("golden %s fp32: max |logit - transformers fp64| %.2e%n", name, maxErr);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checkpoints")
  void fp16PathIsAsCloseAsTransformersFp16OnAGpu(String name) throws IOException {
    JsonNode ck = checkpoint(name);
    double[] expected = logitDifferences(ck, "cpu_fp64_single");
    double[] gpuFp16 = logitDifferences(ck, "cuda_fp16_single");
    double gpuErr = 0;
    for (int i = 0; i < expected.length; i++) {
      gpuErr = Math.max(gpuErr, Math.abs(gpuFp16[i] - expected[i]));
    }
    try (Qwen3Reranker r = open(rebuild(ck), "fp16")) {
      float[] logits = r.logits(pairs());
      double maxErr = 0;
      for (int i = 0; i < logits.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(logits[i] - expected[i]));
      }
      // Our FP16 path keeps the residual stream, norms and softmax in FP32, so it should be no
      // worse than transformers' all-FP16 GPU run (at most 9e-3 on these checkpoints), with
      // slack for rounding that differs between CPU and GPU kernels.
      assertTrue(maxErr <= Math.max(2 * gpuErr, 5e-3),
          String.format("fp16 error %.2e vs transformers GPU fp16 %.2e", maxErr, gpuErr));
      System.out.printf("golden %s fp16: max |logit - fp64| %.2e (transformers on %s: %.2e)%n",
          name, maxErr, golden.get("gpu").asText(), gpuErr);
    }
  }
}
