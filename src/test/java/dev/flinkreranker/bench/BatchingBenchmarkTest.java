package dev.flinkreranker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.scoring.BatchSettings;
import dev.flinkreranker.testutil.RecordingScorer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchingBenchmarkTest {

  @Test
  void theSyntheticStreamIsReproducibleAndMixed() {
    List<List<Pair>> a = SyntheticRequests.generate(200, 5);
    assertEquals(a, SyntheticRequests.generate(200, 5));
    int min = a.stream().mapToInt(List::size).min().orElseThrow();
    int max = a.stream().mapToInt(List::size).max().orElseThrow();
    assertTrue(min >= 5 && min < 20 && max > 50 && max <= 100, min + ".." + max);
    List<List<Pair>> small = SyntheticRequests.generate(50, 5, 0.1, 0.1);
    assertTrue(small.stream().allMatch(r -> r.size() >= 1 && r.size() <= 10));
  }

  @Test
  void comparisonReportsBothConfigurationsOverTheSameStream() throws Exception {
    List<List<Pair>> stream = SyntheticRequests.generate(30, 1, 0.3, 0.3);
    long pairs = stream.stream().mapToLong(List::size).sum();
    Map<String, Object> r = BatchingBenchmark.compare(new RecordingScorer(),
        new BatchSettings(8, 100_000, Duration.ofMillis(2), 1 << 16), stream, 1, 1);
    assertEquals(pairs, r.get("pairs"));
    double padding = (Double) r.get("padding_efficiency");
    assertTrue(padding > 0 && padding <= 1, "padding " + padding);
    assertTrue((Double) r.get("mean_batch_pairs") <= 8);
    assertTrue((Double) r.get("micro_batched_p99_ms") >= (Double) r.get("micro_batched_p50_ms"));
    assertTrue(BatchingBenchmark.table(r).contains("pairs/s (peak)"));
  }
}
