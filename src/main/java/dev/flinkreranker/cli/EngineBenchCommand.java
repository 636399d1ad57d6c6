package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.model.qwen3.EngineBenchmark;
import dev.flinkreranker.model.qwen3.Qwen3Model;
import ai.djl.Device;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench engine}: forward-pass throughput of a Qwen3-0.6B-shaped model vs. GEMM. */
@Command(
    name = "engine",
    mixinStandardHelpOptions = true,
    description = {
      "Forward-pass throughput of a Qwen3-0.6B-shaped model (hidden 1024, 28 layers, 16/8 heads,"
          + " head_dim 128, intermediate 3072; vocabulary 4096, which only affects embedding lookups)"
          + " with generated weights, for batch x length in {1, 8, 32} x {128, 512}.",
      "Model FLOP/s (projections + causal attention) is divided by the FLOP/s of a square FP32"
          + " GEMM timed on the same engine and threads right before (and again right after) each"
          + " configuration; the ratio uses the mean of both GEMM rates."
    })
public final class EngineBenchCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (default: the engine's choice).")
  int threads;

  @Option(names = "--quick", description = "Only 1x128 and 8x512 (a couple of minutes on 2 cores).")
  boolean quick;

  @Option(names = "--batches", split = ",", description = "Batch sizes (default 1,8,32).")
  int[] batches = {1, 8, 32};

  @Option(names = "--lengths", split = ",", description = "Sequence lengths (default 128,512).")
  int[] lengths = {128, 512};

  @Option(names = "--min-seconds", defaultValue = "2", description = "Minimum timed seconds per configuration (default: ${DEFAULT-VALUE}).")
  double minSeconds;

  @Option(names = "--device", defaultValue = "cpu", description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--dtype", defaultValue = "fp32", description = "fp32 or fp16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Override
  public Integer call() throws Exception {
    Device dev = Qwen3Model.parseDevice(device);
    Qwen3Model.Precision precision = Qwen3Model.Precision.parse(dtype, dev);
    List<int[]> configs =
        quick
            ? List.of(new int[] {1, 128}, new int[] {8, 512})
            : EngineBenchmark.grid(batches, lengths);
    EngineBenchmark.Report report =
        EngineBenchmark.run(EngineBenchmark.qwen3_06B(), dev, precision, threads, configs, minSeconds);
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(report));
      return 0;
    }
    System.out.printf(
        "Qwen3-0.6B-shaped forward on %s, %s, %d threads (weights generated in %d ms)%n",
        report.device(), report.precision(), report.threads(), report.loadMillis());
    System.out.printf(
        "%5s %6s %5s %10s %10s %9s %10s %6s %11s %11s %7s%n",
        "batch", "length", "runs", "s/run", "tokens/s", "pairs/s", "model GF/s", "gemm n",
        "gemm before", "gemm after", "ratio");
    for (EngineBenchmark.Result r : report.results()) {
      System.out.printf(
          "%5d %6d %5d %10.3f %10.1f %9.2f %10.1f %6d %11.1f %11.1f %6.0f%%%n",
          r.batch(), r.length(), r.runs(), r.seconds(), r.tokensPerSecond(), r.pairsPerSecond(),
          r.modelGflopPerSecond(), r.gemmSize(), r.gemmGflopPerSecond(),
          r.gemmAfterGflopPerSecond(), 100 * r.ratio());
    }
    System.out.printf(
        "peak RSS %.0f MiB, peak JVM heap %.0f MiB%n",
        report.peakRssBytes() / 1048576.0, report.peakHeapBytes() / 1048576.0);
    return 0;
  }
}
