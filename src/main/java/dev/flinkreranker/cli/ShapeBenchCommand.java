package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.model.qwen3.EngineBenchmark;
import dev.flinkreranker.model.qwen3.Qwen3Config;
import dev.flinkreranker.model.qwen3.Qwen3Model;
import ai.djl.Device;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench shape}: {@code bench engine}'s measurement on the Qwen3-Reranker 0.6B, 4B or 8B
 * shape (or the tiny test shape), one JSON object per run. The GPU kit's measurement script runs it
 * next to transformers on the same shapes and divides both by one FP16 GEMM rate it measures itself.
 */
@Command(
    name = "shape",
    mixinStandardHelpOptions = true,
    description = "Forward-pass throughput of generated weights in a Qwen3-Reranker shape"
        + " (vocabulary 4096, which only affects embedding lookups); prints bench engine's JSON.")
final class ShapeBenchCommand implements Callable<Integer> {
  @Option(names = "--shape", defaultValue = "0.6b",
      description = "tiny, 0.6b, 4b or 8b (default: ${DEFAULT-VALUE}).")
  String shape;

  @Option(names = "--batches", split = ",", defaultValue = "1,8,32", description = "Batch sizes.")
  int[] batches;

  @Option(names = "--lengths", split = ",", defaultValue = "128,512,2048",
      description = "Tokens per pair.")
  int[] lengths;

  @Option(names = "--min-seconds", defaultValue = "1",
      description = "Minimum timed seconds per configuration (default: ${DEFAULT-VALUE}).")
  double minSeconds;

  @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (0: the engine's choice).")
  int threads;

  @Option(names = "--device", defaultValue = "gpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--dtype", defaultValue = "auto", description = "auto, fp32 or fp16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  /** The Qwen3-Reranker shapes (config.json of the released checkpoints), vocabulary cut to 4096. */
  static Qwen3Config config(String shape) {
    return switch (shape) {
      case "tiny" -> new Qwen3Config(64, 128, 2, 4, 2, 16, 4096, 1e-6, 1_000_000, true, 40960);
      case "0.6b" -> EngineBenchmark.qwen3_06B();
      case "4b" -> new Qwen3Config(2560, 9728, 36, 32, 8, 128, 4096, 1e-6, 1_000_000, true, 40960);
      case "8b" -> new Qwen3Config(4096, 12288, 36, 32, 8, 128, 4096, 1e-6, 1_000_000, false, 40960);
      default -> throw new IllegalArgumentException(
          "--shape: '" + shape + "' is not one of tiny, 0.6b, 4b, 8b");
    };
  }

  @Override
  public Integer call() throws Exception {
    Qwen3Config cfg = config(shape);
    Device dev = Qwen3Model.parseDevice(device);
    Qwen3Model.Precision precision = Qwen3Model.Precision.parse(dtype, dev);
    EngineBenchmark.Report report = EngineBenchmark.run(
        cfg, dev, precision, threads, EngineBenchmark.grid(batches, lengths), minSeconds);
    System.out.println(new ObjectMapper().writeValueAsString(report));
    return 0;
  }
}
