package dev.flinkreranker.scoring;

import java.util.List;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Names of the job's metrics, all registered under the Flink metric group {@link #GROUP}. Kept in
 * one place because dashboards and alerts (deploy/) refer to them.
 */
public final class RerankMetrics {
  private RerankMetrics() {}

  public static final String GROUP = "reranker";

  // Accounting: recordsIn = resultsOut + deadLetters once the job is drained.
  public static final String RECORDS_IN = "recordsIn";
  public static final String RESULTS_OUT = "resultsOut";
  public static final String DEAD_LETTERS = "deadLetters";

  // Scoring (per subtask, counted once by the subtask that owns the request).
  public static final String PAIRS_SCORED = "pairsScored";
  public static final String REQUESTS_SCORED = "requestsScored";
  public static final String TRUNCATED_DOCUMENTS = "truncatedDocuments";
  public static final String REQUEST_LATENCY_MILLIS = "requestLatencyMillis";
  public static final String INFERENCE_MILLIS = "inferenceMillis";

  // Micro-batcher (per TaskManager: registered by one subtask only, to avoid double counting).
  public static final String BATCHES = "batches";
  public static final String BATCH_PAIRS = "batchPairs";
  public static final String BATCH_TOKENS = "batchTokens";
  public static final String PADDING_EFFICIENCY = "paddingEfficiency";
  public static final String QUEUE_DEPTH = "queueDepth";
  public static final String MODEL_LOAD_MILLIS = "modelLoadMillis";

  // Score cache (cache.enabled; per TaskManager like the batcher metrics): hits / lookups so far.
  public static final String CACHE_HIT_RATE = "cacheHitRate";


  /**
   * Registers the gauges of a TaskManager's micro-batcher on {@code group}. Call it from one
   * subtask per service only (the others would report the same numbers twice).
   */
  public static void registerBatcherGauges(MetricGroup group, ScoringService s) {
    group.gauge(BATCHES, (Gauge<Long>) s::batches);
    group.gauge(BATCH_PAIRS, (Gauge<Double>) s::meanBatchPairs);
    group.gauge(BATCH_TOKENS, (Gauge<Double>) s::meanBatchTokens);
    group.gauge(PADDING_EFFICIENCY, (Gauge<Double>) s::paddingEfficiency);
    group.gauge(QUEUE_DEPTH, (Gauge<Integer>) s::queueDepth);
    group.gauge(MODEL_LOAD_MILLIS, (Gauge<Long>) s::modelLoadMillis);
    s.cache().ifPresent(c -> group.gauge(CACHE_HIT_RATE, (Gauge<Double>) c::hitRate));
  }

  public static final List<String> ALL =
      List.of(
          RECORDS_IN, RESULTS_OUT, DEAD_LETTERS, PAIRS_SCORED, REQUESTS_SCORED,
          TRUNCATED_DOCUMENTS, REQUEST_LATENCY_MILLIS, INFERENCE_MILLIS, BATCHES, BATCH_PAIRS,
          BATCH_TOKENS, PADDING_EFFICIENCY, QUEUE_DEPTH, MODEL_LOAD_MILLIS, CACHE_HIT_RATE);
}
