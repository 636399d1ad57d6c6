package dev.flinkreranker.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay did and what reranking changed, computed from the job's accumulators (see
 * {@link ReplayCounters}); printed as a table and written as JSON ({@code --report}).
 *
 * @param expected records the input held when the replay started (for Kafka: offsets in the
 *     range, an upper bound when the topic has transaction markers)
 */
public record ReplaySummary(String input, String output, String model, long expected,
    long results, Map<String, Long> deadLetters, Duration elapsed, Cache cache,
    Evaluation evaluation) {

  /** Score cache counts over all TaskManagers; null when the cache was off. */
  public record Cache(long hits, long lookups) {
    public double hitRate() {
      return lookups == 0 ? 0 : (double) hits / lookups;
    }
  }

  /** Mean metrics of one ordering over the labelled requests. */
  public record Metrics(double top1Accuracy, double mrr10, double ndcg10) {}

  /** Score distribution over every scored candidate. */
  public record Scores(long count, double min, double p50, double p90, double max,
      long[] histogram) {}

  public record Evaluation(long top1Changed, long labelled, long labelledWithoutRelevant,
      long badLabels, Metrics retrieval, Metrics reranked, Scores scores) {}

  public long deadLetterTotal() {
    return deadLetters.values().stream().mapToLong(Long::longValue).sum();
  }

  public long recordsIn() {
    return results + deadLetterTotal();
  }

  public double recordsPerSecond() {
    double s = elapsed.toMillis() / 1000.0;
    return s <= 0 ? 0 : recordsIn() / s;
  }

  /** Builds the summary from accumulator values (as JobClient / JobExecutionResult give them). */
  public static ReplaySummary of(String input, String output, String model, long expected,
      Map<String, Object> acc, Duration elapsed, boolean cacheEnabled) {
    Map<String, Long> dead = new TreeMap<>();
    for (Map.Entry<String, Object> e : acc.entrySet()) {
      if (e.getKey().startsWith(ReplayCounters.DEAD_LETTERS)) {
        dead.put(e.getKey().substring(ReplayCounters.DEAD_LETTERS.length()),
            ((Number) e.getValue()).longValue());
      }
    }
    long hits = ReplayCounters.sumWithPrefix(acc, ReplayCounters.CACHE_HITS);
    long lookups = ReplayCounters.sumWithPrefix(acc, ReplayCounters.CACHE_LOOKUPS);
    long results = ReplayCounters.count(acc, ReplayCounters.RESULTS);
    long labelled = ReplayCounters.count(acc, ReplayCounters.LABELLED);
    Evaluation evaluation = new Evaluation(
        ReplayCounters.count(acc, ReplayCounters.TOP1_CHANGED), labelled,
        ReplayCounters.count(acc, ReplayCounters.LABELLED_WITHOUT_RELEVANT),
        ReplayCounters.count(acc, ReplayCounters.BAD_LABELS),
        metrics(acc, ReplayCounters.RETRIEVAL, labelled),
        metrics(acc, ReplayCounters.RERANKED, labelled), scores(acc));
    return new ReplaySummary(input, output, model, expected, results, dead, elapsed,
        cacheEnabled ? new Cache(hits, lookups) : null, evaluation);
  }

  private static Metrics metrics(Map<String, Object> acc, String order, long n) {
    String base = ReplayCounters.METRIC + order;
    return new Metrics(mean(acc, base + ".top1", n), mean(acc, base + ".rr", n),
        mean(acc, base + ".ndcg", n));
  }

  private static double mean(Map<String, Object> acc, String name, long n) {
    return n == 0 ? 0 : ReplayCounters.count(acc, name) / ReplayCounters.FIXED_POINT / n;
  }

  private static Scores scores(Map<String, Object> acc) {
    long n = ReplayCounters.count(acc, ReplayCounters.SCORE_COUNT);
    long[] coarse = new long[10];
    if (n == 0) {
      return new Scores(0, 0, 0, 0, 0, coarse);
    }
    @SuppressWarnings("unchecked")
    Map<Integer, Integer> bins = (Map<Integer, Integer>) acc.get(ReplayCounters.SCORE_HISTOGRAM);
    TreeMap<Integer, Integer> sorted = new TreeMap<>(bins);
    double min = ((Number) acc.get(ReplayCounters.SCORE_MIN)).doubleValue();
    double max = ((Number) acc.get(ReplayCounters.SCORE_MAX)).doubleValue();
    for (Map.Entry<Integer, Integer> e : sorted.entrySet()) {
      coarse[Math.min(9, e.getKey() * 10 / ReplayCounters.SCORE_BINS)] += e.getValue();
    }
    return new Scores(n, min, percentile(sorted, n, 0.5, min, max),
        percentile(sorted, n, 0.9, min, max), max, coarse);
  }

  /**
   * The q-quantile (nearest rank: the smallest value with at least q*n values at or below it),
   * to the histogram's resolution (1e-4): the middle of its bin, kept within [min, max].
   */
  static double percentile(TreeMap<Integer, Integer> bins, long n, double q, double min,
      double max) {
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (Map.Entry<Integer, Integer> e : bins.entrySet()) {
      seen += e.getValue();
      if (seen >= rank) {
        double mid = (e.getKey() + 0.5) / ReplayCounters.SCORE_BINS;
        return Math.max(min, Math.min(max, mid));
      }
    }
    return max;
  }

  // ------------------------------------------------------------------ output

  public ObjectNode toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("input", input);
    root.put("output", output);
    root.put("model", model);
    root.put("records_expected", expected);
    root.put("records_in", recordsIn());
    root.put("results", results);
    ObjectNode dl = root.putObject("dead_letters");
    dl.put("total", deadLetterTotal());
    ObjectNode by = dl.putObject("by_reason");
    deadLetters.forEach(by::put);
    root.put("elapsed_seconds", round(elapsed.toMillis() / 1000.0, 3));
    root.put("records_per_second", round(recordsPerSecond(), 2));
    if (cache != null) {
      ObjectNode c = root.putObject("cache");
      c.put("hits", cache.hits());
      c.put("lookups", cache.lookups());
      c.put("hit_rate", round(cache.hitRate(), 4));
    } else {
      root.putNull("cache");
    }
    Evaluation e = evaluation;
    ObjectNode ev = root.putObject("evaluation");
    ev.put("top1_changed", e.top1Changed());
    ev.put("top1_change_rate", round(results == 0 ? 0 : (double) e.top1Changed() / results, 4));
    ev.put("labelled_requests", e.labelled());
    ev.put("labelled_without_relevant", e.labelledWithoutRelevant());
    ev.put("bad_labels", e.badLabels());
    if (e.labelled() > 0) {
      metricsJson(ev.putObject("retrieval"), e.retrieval());
      metricsJson(ev.putObject("reranked"), e.reranked());
    }
    Scores s = e.scores();
    ObjectNode sc = ev.putObject("scores");
    sc.put("count", s.count());
    sc.put("min", round(s.min(), 6));
    sc.put("p50", round(s.p50(), 4));
    sc.put("p90", round(s.p90(), 4));
    sc.put("max", round(s.max(), 6));
    ArrayNode h = sc.putArray("histogram");
    for (int i = 0; i < s.histogram().length; i++) {
      h.addObject().put("from", i / 10.0).put("to", (i + 1) / 10.0).put("count", s.histogram()[i]);
    }
    return root;
  }

  private static void metricsJson(ObjectNode node, Metrics m) {
    node.put("top1_accuracy", round(m.top1Accuracy(), 4));
    node.put("mrr@10", round(m.mrr10(), 4));
    node.put("ndcg@10", round(m.ndcg10(), 4));
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  public void writeJson(Path file) {
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(toJson()) + "\n");
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write report " + file, ex);
    }
  }

  /** The summary and evaluation as a text table. */
  public String table() {
    StringBuilder b = new StringBuilder();
    b.append("Replay summary\n");
    row(b, "input", input);
    row(b, "output", output);
    row(b, "model", model);
    row(b, "records in", recordsIn() + " of " + expected + " in the input");
    row(b, "results", Long.toString(results));
    StringBuilder reasons = new StringBuilder();
    deadLetters.forEach((k, v) -> reasons.append(reasons.length() == 0 ? "  (" : ", ")
        .append(k).append(' ').append(v));
    row(b, "dead letters", deadLetterTotal() + (reasons.length() > 0 ? reasons + ")" : ""));
    row(b, "elapsed", fmt("%.1f s, %.1f records/s", elapsed.toMillis() / 1000.0,
        recordsPerSecond()));
    row(b, "score cache", cache == null ? "off"
        : fmt("hit rate %.1f%% (%d of %d pairs)", 100 * cache.hitRate(), cache.hits(),
            cache.lookups()));

    Evaluation e = evaluation;
    b.append('\n');
    b.append(fmt("Evaluation: %d labelled requests of %d results", e.labelled(), results));
    if (e.labelledWithoutRelevant() + e.badLabels() > 0) {
      b.append(fmt(" (%d labelled without a relevant candidate, %d with bad labels: left out)",
          e.labelledWithoutRelevant(), e.badLabels()));
    }
    b.append('\n');
    if (e.labelled() > 0) {
      b.append(fmt("  %-16s %10s %10s %10s%n", "metric", "retrieval", "reranked", "change"));
      metricRow(b, "top-1 accuracy", e.retrieval().top1Accuracy(), e.reranked().top1Accuracy());
      metricRow(b, "MRR@10", e.retrieval().mrr10(), e.reranked().mrr10());
      metricRow(b, "nDCG@10", e.retrieval().ndcg10(), e.reranked().ndcg10());
    }
    b.append(fmt("  %-16s %d of %d results (%.1f%%)%n", "top-1 changed", e.top1Changed(),
        results, results == 0 ? 0.0 : 100.0 * e.top1Changed() / results));
    Scores s = e.scores();
    b.append('\n');
    b.append(fmt("Scores of %d candidates: min %.4f  p50 %.4f  p90 %.4f  max %.4f%n", s.count(),
        s.min(), s.p50(), s.p90(), s.max()));
    long most = 1;
    for (long c : s.histogram()) {
      most = Math.max(most, c);
    }
    for (int i = 0; i < s.histogram().length; i++) {
      long c = s.histogram()[i];
      b.append(fmt("  [%.1f, %.1f%s %-30s %d%n", i / 10.0, (i + 1) / 10.0, i == 9 ? "]" : ")",
          "#".repeat((int) Math.round(30.0 * c / most)), c));
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String name, String value) {
    b.append(fmt("  %-16s %s%n", name, value));
  }

  private static void metricRow(StringBuilder b, String name, double retrieval, double reranked) {
    b.append(fmt("  %-16s %10.4f %10.4f %+10.4f%n", name, retrieval, reranked,
        reranked - retrieval));
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
