package dev.flinkreranker.bench;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.BatchSettings;
import dev.flinkreranker.scoring.RequestScores;
import dev.flinkreranker.scoring.ScoringService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Micro-batching vs one pair per call, through the real {@link ScoringService}, on the same scorer
 * and the same synthetic request stream.
 *
 * <p>Two phases per configuration: peak throughput (every request submitted at once, as a backlog
 * replay would) and latency at half of the micro-batched peak (Poisson arrivals), where p99 should
 * stay within {@code max-wait + 2 x batch time}.
 */
public final class BatchingBenchmark {

  /** Results of one configuration. */
  public record Run(String name, int maxPairs, long pairs, double seconds, double pairsPerSecond,
      double paddingEfficiency, double meanBatchPairs, double meanBatchMillis, double p50Millis,
      double p99Millis, double offeredPairsPerSecond, double p99OneBatchMillis,
      double busyFraction) {}

  private BatchingBenchmark() {}

  /** Peak throughput: all requests submitted as fast as the queue takes them. */
  public static Run peak(Scorer scorer, BatchSettings settings, List<List<Pair>> requests,
      String name) throws InterruptedException {
    try (ScoringService service = ScoringService.standalone(scorer, settings)) {
      long pairs = 0;
      List<CompletableFuture<RequestScores>> futures = new ArrayList<>(requests.size());
      long start = System.nanoTime();
      for (List<Pair> request : requests) {
        futures.add(service.submit(request));
        pairs += request.size();
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      double seconds = (System.nanoTime() - start) / 1e9;
      double batchMillis = seconds * 1000 / Math.max(1, service.batches());
      return new Run(name, settings.maxPairs(), pairs, seconds, pairs / seconds,
          service.paddingEfficiency(), service.meanBatchPairs(), batchMillis, Double.NaN,
          Double.NaN, Double.NaN, Double.NaN, service.busyNanos() / (seconds * 1e9));
    }
  }

  /** Latency under an open-loop Poisson load of {@code pairsPerSecond}. */
  public static Run latency(Scorer scorer, BatchSettings settings, List<List<Pair>> requests,
      double pairsPerSecond, String name, long seed) throws InterruptedException {
    Random random = new Random(seed);
    double meanPairs = requests.stream().mapToInt(List::size).average().orElse(1);
    double requestsPerSecond = pairsPerSecond / meanPairs;
    try (ScoringService service = ScoringService.standalone(scorer, settings)) {
      List<CompletableFuture<Long>> latencies = new ArrayList<>(requests.size());
      List<CompletableFuture<Long>> oneBatch = new ArrayList<>();
      long pairs = 0;
      long start = System.nanoTime();
      long next = start;
      for (List<Pair> request : requests) {
        // Exponential inter-arrival times: a Poisson process.
        next += (long) (-Math.log(1 - random.nextDouble()) / requestsPerSecond * 1e9);
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        long submitted = System.nanoTime();
        CompletableFuture<Long> latency =
            service.submit(request).thenApply(s -> System.nanoTime() - submitted);
        latencies.add(latency);
        if (request.size() <= settings.maxPairs()) {
          oneBatch.add(latency);
        }
        pairs += request.size();
      }
      long[] nanos = latencies.stream().map(CompletableFuture::join).mapToLong(Long::longValue)
          .sorted().toArray();
      long[] oneBatchNanos = oneBatch.stream().map(CompletableFuture::join)
          .mapToLong(Long::longValue).sorted().toArray();
      double seconds = (System.nanoTime() - start) / 1e9;
      double batchMillis = Double.NaN;
      return new Run(name, settings.maxPairs(), pairs, seconds, pairs / seconds,
          service.paddingEfficiency(), service.meanBatchPairs(), batchMillis,
          percentile(nanos, 0.50) / 1e6, percentile(nanos, 0.99) / 1e6, pairsPerSecond,
          percentile(oneBatchNanos, 0.99) / 1e6, service.busyNanos() / (seconds * 1e9));
    }
  }

  private static Run median(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(Run::pairsPerSecond));
    return sorted.get(sorted.size() / 2);
  }

  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** The full comparison for one scorer; returns a JSON-friendly map. */
  public static Map<String, Object> compare(Scorer scorer, BatchSettings batched,
      List<List<Pair>> stream, int rounds, long seed) throws InterruptedException {
    int requests = stream.size();
    // Warm-up (JIT, allocator, model caches) on a slice of the stream.
    peak(scorer, batched, stream.subList(0, Math.max(1, requests / 10)), "warmup");

    BatchSettings single = batched.withMaxPairs(1);
    // Alternate the two configurations and keep each one's median run: machine noise (JIT, GC,
    // a neighbour process) then hits both alike.
    List<Run> batchedRuns = new ArrayList<>();
    List<Run> singleRuns = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      batchedRuns.add(peak(scorer, batched, stream, "micro-batched"));
      singleRuns.add(peak(scorer, single, stream, "per-pair"));
    }
    Run peakBatched = median(batchedRuns);
    Run peakSingle = median(singleRuns);
    double halfLoad = peakBatched.pairsPerSecond() / 2;
    Run latBatched = latency(scorer, batched, stream, halfLoad, "micro-batched", seed);
    // Per-pair scoring may not sustain that load; offer it half of its own peak instead.
    Run latSingle = latency(scorer, single, stream,
        Math.min(halfLoad, peakSingle.pairsPerSecond() / 2), "per-pair", seed);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scorer", scorer.name());
    // BM25 needs a request's candidates as its corpus, so its batches are whole requests whatever
    // max-pairs says: the two columns then measure the same thing (a control for noise).
    out.put("request_scoped", scorer.requestScoped());
    out.put("requests", requests);
    out.put("pairs", peakBatched.pairs());
    out.put("batch", Map.of("max_pairs", batched.maxPairs(), "max_tokens", batched.maxTokens(),
        "max_wait_ms", batched.maxWait().toMillis(), "call_cost_tokens",
        batched.callCostTokens()));
    out.put("micro_batched_pairs_per_s", peakBatched.pairsPerSecond());
    out.put("per_pair_pairs_per_s", peakSingle.pairsPerSecond());
    out.put("speedup", peakBatched.pairsPerSecond() / peakSingle.pairsPerSecond());
    out.put("padding_efficiency", peakBatched.paddingEfficiency());
    out.put("mean_batch_pairs", peakBatched.meanBatchPairs());
    out.put("mean_batch_ms", peakBatched.meanBatchMillis());
    out.put("half_load_padding_efficiency", latBatched.paddingEfficiency());
    // Half of peak pairs/s is not half busy: batches are smaller there, and a small batch costs
    // more per pair. This is the share of wall time the model was scoring.
    out.put("half_load_busy_fraction", latBatched.busyFraction());
    out.put("half_load_pairs_per_s", halfLoad);
    out.put("micro_batched_p50_ms", latBatched.p50Millis());
    out.put("micro_batched_p99_ms", latBatched.p99Millis());
    out.put("per_pair_offered_pairs_per_s", latSingle.offeredPairsPerSecond());
    out.put("per_pair_p50_ms", latSingle.p50Millis());
    out.put("per_pair_p99_ms", latSingle.p99Millis());
    double bound = batched.maxWait().toMillis() + 2 * peakBatched.meanBatchMillis();
    out.put("p99_bound_ms", bound);
    out.put("p99_within_bound", latBatched.p99Millis() <= bound);
    // The bound presumes a request fits one batch; a request of 100 candidates needs at least
    // ceil(100 / max-pairs) batches of its own. So also: requests with at most max-pairs pairs.
    out.put("micro_batched_p99_one_batch_requests_ms", latBatched.p99OneBatchMillis());
    out.put("p99_one_batch_requests_within_bound", latBatched.p99OneBatchMillis() <= bound);
    return out;
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.2f", v);
  }

  /** A human-readable table of {@link #compare}'s result. */
  public static String table(Map<String, Object> r) {
    StringBuilder b = new StringBuilder();
    b.append("bench batching — scorer ").append(r.get("scorer")).append(", ")
        .append(r.get("requests")).append(" requests, ").append(r.get("pairs")).append(" pairs, ")
        .append(r.get("batch")).append('\n');
    if (Boolean.TRUE.equals(r.get("request_scoped"))) {
      b.append("  (request-scoped scorer: every call is one whole request in both columns, so"
          + " their difference is machine noise)\n");
    }
    b.append(String.format("  %-28s %12s %12s%n", "", "micro-batched", "per-pair"));
    b.append(String.format("  %-28s %12s %12s%n", "pairs/s (peak)",
        fmt((Double) r.get("micro_batched_pairs_per_s")), fmt((Double) r.get("per_pair_pairs_per_s"))));
    b.append(String.format("  %-28s %12s %12s%n", "p50 latency ms (half load)",
        fmt((Double) r.get("micro_batched_p50_ms")), fmt((Double) r.get("per_pair_p50_ms"))));
    b.append(String.format("  %-28s %12s %12s%n", "p99 latency ms (half load)",
        fmt((Double) r.get("micro_batched_p99_ms")), fmt((Double) r.get("per_pair_p99_ms"))));
    b.append(String.format("  speedup (micro-batched ÷ per-pair pairs/s): %s%n", fmt((Double) r.get("speedup"))));
    b.append(String.format("  padding efficiency (real ÷ padded tokens): %s; mean batch %s pairs, %s ms%n",
        fmt((Double) r.get("padding_efficiency")), fmt((Double) r.get("mean_batch_pairs")),
        fmt((Double) r.get("mean_batch_ms"))));
    b.append(String.format("  at half load: padding efficiency %s, model busy %s of the time%n",
        fmt((Double) r.get("half_load_padding_efficiency")),
        fmt((Double) r.get("half_load_busy_fraction"))));
    b.append(String.format("  p99 bound max-wait + 2 x batch time = %s ms: %s; requests of at most"
            + " max-pairs pairs: p99 %s ms, %s%n", fmt((Double) r.get("p99_bound_ms")),
        r.get("p99_within_bound"), fmt((Double) r.get("micro_batched_p99_one_batch_requests_ms")),
        r.get("p99_one_batch_requests_within_bound")));
    return b.toString();
  }
}
