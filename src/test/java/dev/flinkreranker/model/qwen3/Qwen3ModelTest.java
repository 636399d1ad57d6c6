package dev.flinkreranker.model.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.flinkreranker.model.safetensors.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen3ModelTest {
  @TempDir Path tmp;

  private static List<int[]> sequences(int... lengths) {
    Random r = new Random(3);
    List<int[]> out = new ArrayList<>();
    for (int len : lengths) {
      int[] ids = new int[len];
      for (int i = 0; i < len; i++) {
        ids[i] = r.nextInt(151_000);
      }
      out.add(ids);
    }
    return out;
  }

  @Test
  void chunkedAttentionAndMlpGiveTheSameLogits() throws Exception {
    TinyQwen3Checkpoint ck = TinyQwen3Checkpoint.builder().dtype(DType.F32).heads(4, 2).seed(21).build();
    Path dir = ck.writeTo(tmp.resolve("m"));
    List<int[]> batch = sequences(37, 5, 64, 1);
    for (String precision : new String[] {"fp32", "fp16"}) {
      try (Qwen3Reranker r =
          Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu").withDtype(precision))) {
        Qwen3Model m = r.model();
        float[] whole = m.logitDifference(batch);
        // 3 query rows per attention chunk (4 · 4 heads · 64 keys · 4 bytes per row), so 22 chunks
        // with their own causal masks and key ranges; 10-token MLP chunks.
        m.setChunking(3L * 4 * 4 * 64 * 4, 10);
        float[] chunked = m.logitDifference(batch);
        for (int i = 0; i < batch.size(); i++) {
          String what = precision + " sequence " + i;
          assertEquals(whole[i], chunked[i], 1e-5, what);
          double ref = new ReferenceQwen3(ck).logitDifference(batch.get(i), r.yesId(), r.noId());
          assertEquals(ref, chunked[i], precision.equals("fp16") ? 2e-2 : 1e-3, what);
        }
      }
    }
  }

  @Test
  void cachedPromptPrefixGivesTheSameLogits() throws Exception {
    TinyQwen3Checkpoint ck = TinyQwen3Checkpoint.builder().dtype(DType.BF16).heads(4, 2).seed(8).build();
    Path dir = ck.writeTo(tmp.resolve("m"));
    try (Qwen3Reranker r =
        Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu").withDtype("fp32"))) {
      Qwen3Model m = r.model();
      int[] prefix = m.cachedPrefix();
      // The system prompt and the default instruction's "<Instruct>: …\n<Query>:" part.
      assertTrue(prefix.length > r.prefixIds().length + 10, "cached prefix: " + prefix.length);
      List<int[]> bodies = sequences(1, 7, 40, 3);
      List<int[]> full = new ArrayList<>();
      for (int[] body : bodies) {
        full.add(Qwen3RerankerTest.concat(prefix, body));
      }
      int[] partial =
          Qwen3RerankerTest.concat(Arrays.copyOf(prefix, prefix.length / 2), bodies.get(2));
      List<List<int[]>> batches = List.of(
          full, // every sequence shares all P tokens
          List.of(full.get(2), partial, full.get(0)), // P/2 shared
          List.of(prefix.clone(), full.get(1)), // one is the prefix itself: P − 1 shared
          List.of(full.get(3), sequences(30).get(0))); // nothing shared
      for (List<int[]> batch : batches) {
        float[] cached = m.logitDifference(batch);
        m.setChunking(3L * 4 * 4 * 64 * 4, 10); // and with many attention chunks after the prefix
        float[] chunked = m.logitDifference(batch);
        m.setChunking(8L << 20, 4096);
        for (int i = 0; i < batch.size(); i++) {
          double ref = new ReferenceQwen3(ck).logitDifference(batch.get(i), r.yesId(), r.noId());
          assertEquals(ref, cached[i], 1e-3, "sequence " + i);
          assertEquals(cached[i], chunked[i], 1e-5, "chunked, sequence " + i);
          // Alone, each is computed with the longest prefix it shares.
          assertEquals(cached[i], m.logitDifference(List.of(batch.get(i)))[0], 1e-5, "alone " + i);
        }
      }
    }
  }

  @Test
  void devicesAndPrecisions() {
    assertEquals(Device.cpu(), Qwen3Model.parseDevice("cpu"));
    assertEquals(Device.gpu(1), Qwen3Model.parseDevice("gpu:1"));
    assertEquals(Device.gpu(), Qwen3Model.parseDevice("gpu"));
    assertThrows(IllegalArgumentException.class, () -> Qwen3Model.parseDevice("tpu"));
    assertEquals(Qwen3Model.Precision.FP32, Qwen3Model.Precision.parse("auto", Device.cpu()));
    assertEquals(Qwen3Model.Precision.FP16, Qwen3Model.Precision.parse("auto", Device.gpu()));
    assertEquals(Qwen3Model.Precision.FP16, Qwen3Model.Precision.parse("fp16", Device.cpu()));
    assertThrows(IllegalArgumentException.class, () -> Qwen3Model.Precision.parse("bf16", Device.cpu()));
  }

  @Test
  void ropeInverseFrequencies() {
    float[] inv = Qwen3Model.inverseFrequencies(128, 1_000_000);
    assertEquals(64, inv.length);
    assertEquals(1.0f, inv[0]);
    assertEquals(Math.pow(1e6, -2.0 * 63 / 128), inv[63], 1e-12);
  }

  @Test
  void benchmarkCountsModelFlopsAndMeasuresATinyModel() {
    Qwen3Config c = new Qwen3Config(64, 128, 2, 4, 2, 16, 256, 1e-6, 1e6, true, 40960);
    // Per token per layer: q 64·64, k and v 64·32 each, o 64·64, gate/up/down 3·64·128 → ×2 FLOPs.
    double linear = 2.0 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128);
    double attention = 2 * 2 * (10.0 * 11 / 2) * 64; // causal pairs of T = 10, all heads
    // The last layer: k and v for all 10 tokens, the rest for the last row against 10 keys.
    double kv = 2.0 * (2 * 64 * 32);
    double last = 3 * 10 * kv + 3 * ((linear - kv) + 2 * 2 * 10 * 64);
    assertEquals(3 * 10 * linear + 3 * attention + last, EngineBenchmark.modelFlops(c, 3, 10), 1e-6);
    EngineBenchmark.Report report =
        EngineBenchmark.run(c, Device.cpu(), Qwen3Model.Precision.FP32, 0, List.of(new int[] {2, 16}), 0.01);
    assertEquals(1, report.results().size());
    EngineBenchmark.Result r = report.results().get(0);
    assertEquals(2, r.batch());
    assertEquals(16, r.length());
    assertTrue(r.runs() >= 1 && r.tokensPerSecond() > 0 && r.gemmGflopPerSecond() > 0 && r.gemmAfterGflopPerSecond() > 0 && r.ratio() > 0, r.toString());
    assertEquals(r.tokensPerSecond(), 16 * r.pairsPerSecond(), 1e-6 * r.tokensPerSecond());
    assertTrue(report.peakRssBytes() > 0 && report.peakHeapBytes() > 0);
  }
}
