package dev.flinkreranker.model.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.model.safetensors.DType;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DJL forward against the independent double-precision reference, over checkpoint variants. */
class Qwen3ParityTest {
  @TempDir Path tmp;

  static final List<Pair> PAIRS =
      List.of(
          Pair.of("what is the capital of France?", "Paris is the capital and largest city of France."),
          Pair.of("what is the capital of France?", ""),
          new Pair("Wie hoch ist der Mount Everest?", "珠穆朗玛峰海拔8848米。 Эверест — высочайшая вершина Земли. 🏔️", "Find multilingual passages"),
          Pair.of("q", "a somewhat longer document, " + "with repeated words ".repeat(30)));

  @ParameterizedTest(name = "{0} sharded={1} tied={2} dtype={3}")
  @CsvSource({
    "BF16, false, true,  fp32",
    "F16,  true,  false, fp32",
    "F32,  true,  true,  fp32",
    "BF16, true,  false, fp16",
    "F32,  false, false, fp16",
  })
  void matchesReference(DType dtype, boolean sharded, boolean tied, String precision) throws Exception {
    TinyQwen3Checkpoint ck =
        TinyQwen3Checkpoint.builder().dtype(dtype).sharded(sharded).tied(tied).seed(dtype.ordinal() + 11).build();
    Path dir = ck.writeTo(tmp.resolve("model"));
    ReferenceQwen3 ref = new ReferenceQwen3(ck);
    double tolerance = precision.equals("fp16") ? 2e-2 : 1e-3;
    try (Qwen3Reranker r =
        Qwen3Reranker.load(
            dir, Qwen3Reranker.Options.defaults().withDevice("cpu").withDtype(precision).withMaxLength(160))) {
      List<PreparedPair> prepared = new ArrayList<>();
      for (Pair p : PAIRS) {
        prepared.add(r.prepare(p));
      }
      float[] logits = r.logitsPrepared(prepared);
      double maxErr = 0;
      double maxAbs = 0;
      for (int i = 0; i < prepared.size(); i++) {
        double expected = ref.logitDifference(prepared.get(i).inputIds(), r.yesId(), r.noId());
        maxErr = Math.max(maxErr, Math.abs(expected - logits[i]));
        maxAbs = Math.max(maxAbs, Math.abs(expected));
        assertEquals(expected, logits[i], tolerance, "pair " + i);
      }
      // The comparison is only meaningful when the logits are not all tiny.
      assertTrue(maxAbs > 0.5, "reference logits too small to test anything: " + maxAbs);
      System.out.printf("parity %s sharded=%s tied=%s %s: max |logit error| %.2e (max |logit| %.2f)%n",
          dtype, sharded, tied, precision, maxErr, maxAbs);
    }
  }

  @ParameterizedTest(name = "hidden {0}, heads {1}/{2}, head_dim {3}, layers {4}, rope_parameters {5}")
  @CsvSource({
    "48, 4, 4, 8,  3, true",   // no GQA, head_dim < hidden / heads
    "32, 8, 2, 32, 1, false",  // 4 query heads per KV head, head_dim > hidden / heads
    "64, 2, 1, 64, 2, true",   // multi-query attention
  })
  void architectureVariants(int hidden, int heads, int kvHeads, int headDim, int layers, boolean ropeParams)
      throws Exception {
    TinyQwen3Checkpoint ck =
        TinyQwen3Checkpoint.builder()
            .dtype(DType.BF16)
            .hiddenSize(hidden)
            .intermediateSize(2 * hidden + 16)
            .heads(heads, kvHeads)
            .headDim(headDim)
            .layers(layers)
            .ropeParameters(ropeParams)
            .ropeTheta(ropeParams ? 10_000 : 1_000_000)
            .tied(!ropeParams)
            .seed(hidden + heads)
            .build();
    Path dir = ck.writeTo(tmp.resolve("variant"));
    ReferenceQwen3 ref = new ReferenceQwen3(ck);
    try (Qwen3Reranker r =
        Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu").withDtype("fp32"))) {
      float[] logits = r.logits(PAIRS);
      for (int i = 0; i < PAIRS.size(); i++) {
        double expected = ref.logitDifference(r.prepare(PAIRS.get(i)).inputIds(), r.yesId(), r.noId());
        assertEquals(expected, logits[i], 1e-3, "pair " + i);
      }
    }
  }
}
