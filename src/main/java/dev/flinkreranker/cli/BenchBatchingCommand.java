package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.bench.BatchingBenchmark;
import dev.flinkreranker.scoring.BatchSettings;
import dev.flinkreranker.scoring.Scorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.Scorers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench batching}: micro-batching vs per-pair scoring through the ScoringService. */
@Command(name = "batching", mixinStandardHelpOptions = true,
    description = "Micro-batched vs max-pairs=1 on the same scorer and synthetic request stream:"
        + " pairs/s, speedup, p50/p99 latency at half load, padding efficiency.")
final class BenchBatchingCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "lexical",
      description = "Scorer: lexical, a model directory or hub id (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--device", defaultValue = "cpu") String device;
  @Option(names = "--dtype", defaultValue = "auto") String dtype;
  @Option(names = "--max-length", defaultValue = "8192") int maxLength;
  @Option(names = "--requests", defaultValue = "300", description = "Requests in the stream.")
  int requests;
  @Option(names = "--max-pairs", defaultValue = "32") int maxPairs;
  @Option(names = "--max-tokens", defaultValue = "16384") int maxTokens;
  @Option(names = "--max-wait", defaultValue = "PT0.01S", description = "ISO-8601 duration.")
  Duration maxWait;
  @Option(names = "--seed", defaultValue = "7") long seed;
  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    BatchSettings settings = new BatchSettings(maxPairs, maxTokens, maxWait, 1 << 20);
    try (Scorer scorer = Scorers.open(new ScorerSpec(model, device, dtype, maxLength))) {
      Map<String, Object> result = BatchingBenchmark.compare(scorer, settings, requests, seed);
      System.out.println(json ? new ObjectMapper().writeValueAsString(result)
          : BatchingBenchmark.table(result));
    }
    return 0;
  }
}
