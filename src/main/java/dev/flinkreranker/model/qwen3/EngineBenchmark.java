package dev.flinkreranker.model.qwen3;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Throughput of the Qwen3 forward pass on a Qwen3-0.6B-shaped model with generated weights (no
 * file), compared with a square FP32 GEMM measured on the same engine and threads right before each
 * configuration. The vocabulary is cut to 4096 rows: a reranker only looks up input embeddings and
 * one head row, so the vocabulary size does not change the compute.
 */
public final class EngineBenchmark {

  /** Qwen3-0.6B (Qwen3-Reranker-0.6B) dimensions with a small vocabulary. */
  public static Qwen3Config qwen3_06B() {
    return new Qwen3Config(1024, 3072, 28, 16, 8, 128, 4096, 1e-6, 1_000_000, true, 40960);
  }

  /** One measured configuration. */
  public record Result(
      int batch,
      int length,
      int runs,
      double seconds,
      double tokensPerSecond,
      double pairsPerSecond,
      double modelGflopPerSecond,
      int gemmSize,
      double gemmGflopPerSecond,
      double gemmAfterGflopPerSecond,
      double ratio) {}

  /** All results plus the environment they were measured in. */
  public record Report(
      String device,
      String precision,
      int threads,
      long loadMillis,
      List<Result> results,
      long peakRssBytes,
      long peakHeapBytes) {}

  private EngineBenchmark() {}

  /**
   * Model FLOPs of one forward pass over B × T tokens, counting the useful work of what the engine
   * computes: 2·params per token for every projection (q, k, v, o, gate, up, down), plus the
   * attention matmuls QKᵀ and PV over the causal (lower triangle) positions only. The last layer
   * only needs the last row (its keys and values still cover all T tokens), so that is all it
   * counts; counting a full last layer would overstate the engine's rate.
   */
  public static double modelFlops(Qwen3Config c, int b, int t) {
    double d = c.hiddenSize();
    double qDim = (double) c.numAttentionHeads() * c.headDim();
    double kvDim = (double) c.numKeyValueHeads() * c.headDim();
    double kvLinear = 2 * (2 * d * kvDim); // k and v projections
    double rowLinear = 2 * (d * qDim + qDim * d + 3 * d * c.intermediateSize()); // q, o, MLP
    double causalPairs = (double) t * (t + 1) / 2;
    double attention = 2 * 2 * causalPairs * qDim; // QKᵀ and PV, all heads
    double fullLayer = b * t * (kvLinear + rowLinear) + b * attention;
    double lastLayer = b * t * kvLinear + b * (rowLinear + 2 * 2 * t * qDim);
    return (c.numHiddenLayers() - 1) * fullLayer + lastLayer;
  }

  /** All (batch, length) combinations. */
  public static List<int[]> grid(int[] batches, int[] lengths) {
    List<int[]> out = new ArrayList<>();
    for (int b : batches) {
      for (int t : lengths) {
        out.add(new int[] {b, t});
      }
    }
    return out;
  }

  /** Measures each (batch, length) configuration; {@code threads} ≤ 0 keeps the engine's default. */
  public static Report run(
      Qwen3Config cfg,
      Device device,
      Qwen3Model.Precision precision,
      int threads,
      List<int[]> configs,
      double minSeconds) {
    Engine.getEngine("PyTorch"); // initialise the engine before setting its thread count
    if (threads > 0) {
      JniUtils.setNumThreads(threads);
    }
    int usedThreads = JniUtils.getNumThreads();
    long t0 = System.nanoTime();
    List<Result> results = new ArrayList<>();
    long loadMillis;
    try (Qwen3Model model =
            Qwen3Model.create(Qwen3Weights.random(cfg, 42), device, precision, 1, 2);
        NDManager gemmManager = NDManager.newBaseManager(device, "PyTorch")) {
      loadMillis = (System.nanoTime() - t0) / 1_000_000;
      Random rnd = new Random(7);
      model.logitDifference(inputs(rnd, 1, 128, cfg.vocabSize())); // warm-up
      for (int[] bt : configs) {
        int b = bt[0];
        int t = bt[1];
        List<int[]> in = inputs(rnd, b, t, cfg.vocabSize());
        double flops = modelFlops(cfg, b, t);
        // A square GEMM with about the work of the MLP matmul of this configuration.
        double mlpWork = (double) b * t * cfg.hiddenSize() * 2.0 * cfg.intermediateSize();
        int n = (int) Math.max(64, Math.min(4096, Math.round(Math.cbrt(mlpWork) / 64) * 64));
        double gemm = gemmFlopsPerSecond(gemmManager, n, minSeconds / 2);
        int runs = 0;
        long start = System.nanoTime();
        double elapsed;
        do {
          model.logitDifference(in);
          runs++;
          elapsed = (System.nanoTime() - start) / 1e9;
        } while (elapsed < minSeconds);
        // Timed again right after: on a shared machine the GEMM rate drifts, and the ratio uses
        // the mean of both so a burst of foreign load on either side does not dominate it.
        double gemmAfter = gemmFlopsPerSecond(gemmManager, n, minSeconds / 2);
        double perRun = elapsed / runs;
        double modelRate = flops / perRun;
        results.add(
            new Result(
                b, t, runs, perRun, b * t / perRun, b / perRun, modelRate / 1e9, n, gemm / 1e9,
                gemmAfter / 1e9, modelRate / ((gemm + gemmAfter) / 2)));
      }
    }
    return new Report(
        device.toString(), precision.name(), usedThreads, loadMillis, results, peakRss(), peakHeap());
  }

  private static double gemmFlopsPerSecond(NDManager m, int n, double minSeconds) {
    try (NDManager sub = m.newSubManager()) {
      NDArray a = sub.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = sub.randomUniform(-1, 1, new Shape(n, n));
      a.matMul(b).close(); // warm-up
      int runs = 0;
      long start = System.nanoTime();
      double elapsed;
      do {
        NDArray c = a.matMul(b);
        c.toFloatArray(); // forces completion on asynchronous devices
        c.close();
        runs++;
        elapsed = (System.nanoTime() - start) / 1e9;
      } while (elapsed < minSeconds);
      return 2.0 * n * n * (double) n * runs / elapsed;
    }
  }

  private static List<int[]> inputs(Random rnd, int b, int t, int vocab) {
    List<int[]> in = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      int[] ids = new int[t];
      for (int j = 0; j < t; j++) {
        ids[j] = rnd.nextInt(vocab);
      }
      in.add(ids);
    }
    return in;
  }

  /** VmHWM of /proc/self/status (peak resident set), or -1 where there is no /proc. */
  static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Sum of the heap pools' peak usage. */
  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
