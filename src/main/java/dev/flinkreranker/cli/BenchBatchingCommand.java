package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.bench.BatchingBenchmark;
import dev.flinkreranker.bench.SyntheticRequests;
import dev.flinkreranker.model.qwen3.Qwen3Config;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import dev.flinkreranker.model.qwen3.Qwen3Weights;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.BatchSettings;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.Scorers;
import java.nio.file.Path;
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
      description = "Scorer: lexical, a model directory or hub id, or a Qwen3 with random weights"
          + " built in memory: random:tiny (hidden 64, 2 layers) or random:qwen3-0.6b (the"
          + " Qwen3-Reranker-0.6B shape). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--tokenizer", defaultValue = "target/tokenizer-qwen3/package/models",
      description = "Directory with tokenizer.json for random:* models (the build fetches the real"
          + " Qwen3 tokenizer there).")
  Path tokenizer;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Peak runs per configuration, alternated; the median is reported.")
  int rounds;

  @Option(names = "--candidate-scale", defaultValue = "1.0",
      description = "Scale of the candidates per request (5-100 at 1.0).")
  double candidateScale;

  @Option(names = "--length-scale", defaultValue = "1.0",
      description = "Scale of document lengths (15-500 words at 1.0).")
  double lengthScale;

  @Option(names = "--device", defaultValue = "cpu") String device;
  @Option(names = "--dtype", defaultValue = "auto") String dtype;
  @Option(names = "--max-length", defaultValue = "8192") int maxLength;
  @Option(names = "--requests", defaultValue = "300", description = "Requests in the stream.")
  int requests;
  @Option(names = "--max-pairs", defaultValue = "32") int maxPairs;
  @Option(names = "--max-tokens", defaultValue = "16384") int maxTokens;
  @Option(names = "--max-wait", defaultValue = "PT0.01S", description = "ISO-8601 duration.")
  Duration maxWait;
  @Option(names = "--call-cost-tokens", defaultValue = "1024",
      description = "batch.call-cost-tokens: a call's fixed cost in padded tokens.")
  int callCostTokens;
  @Option(names = "--seed", defaultValue = "7") long seed;
  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    BatchSettings settings =
        new BatchSettings(maxPairs, maxTokens, maxWait, 1 << 20, callCostTokens);
    try (Scorer scorer = open()) {
      Map<String, Object> result = BatchingBenchmark.compare(scorer, settings,
          SyntheticRequests.generate(requests, seed, candidateScale, lengthScale), rounds, seed);
      System.out.println(json ? new ObjectMapper().writeValueAsString(result)
          : BatchingBenchmark.table(result));
    }
    return 0;
  }

  private Scorer open() throws java.io.IOException {
    Qwen3Reranker.Options options = Qwen3Reranker.Options.defaults()
        .withDevice(device).withDtype(dtype).withMaxLength(maxLength);
    // Random weights with the real Qwen3 vocabulary, so the real tokenizer's ids are in range.
    return switch (model) {
      case "random:tiny" -> Qwen3Reranker.withWeights(model, Qwen3Weights.random(
          new Qwen3Config(64, 128, 2, 4, 2, 16, 151936, 1e-6, 1_000_000, true, 40960), 42),
          tokenizer, options);
      case "random:qwen3-0.6b" -> Qwen3Reranker.withWeights(model, Qwen3Weights.random(
          new Qwen3Config(1024, 3072, 28, 16, 8, 128, 151936, 1e-6, 1_000_000, true, 40960), 42),
          tokenizer, options);
      default -> Scorers.open(new ScorerSpec(model, device, dtype, maxLength));
    };
  }
}
