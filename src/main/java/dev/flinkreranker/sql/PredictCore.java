package dev.flinkreranker.sql;

import dev.flinkreranker.scoring.RequestScores;
import dev.flinkreranker.scoring.RerankMetrics;
import dev.flinkreranker.scoring.ScoringException;
import dev.flinkreranker.scoring.ScoringService;
import dev.flinkreranker.validation.ReasonCode;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sync and the async predict function share: the TaskManager's {@link ScoringService}
 * (the DataStream job's, one model per JVM, reference-counted) and the row ↔ pairs conversion.
 * Every row hands its pairs to the service, whose batcher packs pairs of concurrent rows (async
 * ML_PREDICT, other subtasks) into one model call.
 *
 * <p>Rows never fail the job: a row that cannot be scored completes with NULL outputs and a reason
 * (see {@link ModelShape}).
 */
final class PredictCore implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictCore.class);

  private final String modelName;
  private final ScoringService.Key key;
  private final ScoringService.ScorerFactory factory;
  private final ModelShape shape;
  private final String instruction;
  private final int maxCandidates;
  private final Duration timeout;

  /** The subtask that reports the per-TaskManager batcher gauges (no double counting). */
  private static final AtomicReference<Object> METRICS_OWNER = new AtomicReference<>();

  private transient ScoringService service;
  private transient Object ownerToken;
  private transient Counter pairsScored;
  private transient Counter rowsScored;
  private transient Counter rowsRejected;

  PredictCore(String modelName, ScoringService.Key key, ScoringService.ScorerFactory factory,
      ModelShape shape, String instruction, int maxCandidates, Duration timeout) {
    this.modelName = modelName;
    this.key = key;
    this.factory = factory;
    this.shape = shape;
    this.instruction = instruction;
    this.maxCandidates = maxCandidates;
    this.timeout = timeout;
  }

  void open(MetricGroup metrics) {
    service = ScoringService.acquire(key, factory);
    MetricGroup group = metrics.addGroup(RerankMetrics.GROUP);
    pairsScored = group.counter(RerankMetrics.PAIRS_SCORED);
    rowsScored = group.counter(RerankMetrics.REQUESTS_SCORED);
    rowsRejected = group.counter(RerankMetrics.DEAD_LETTERS);
    ownerToken = new Object();
    if (METRICS_OWNER.compareAndSet(null, ownerToken)) {
      RerankMetrics.registerBatcherGauges(group, service);
    }
  }

  /**
   * Releases this function's reference; the last one closes the model. Flink calls it on
   * cancellation and failover as well, so a restarted job loads the model again instead of
   * leaking a second copy (Table functions get no classloader release hook to do this).
   */
  void close() {
    if (service != null) {
      METRICS_OWNER.compareAndSet(ownerToken, null);
      service.release();
      service = null;
    }
  }

  /** The output row of {@code input}; never completes exceptionally. */
  CompletableFuture<RowData> predict(RowData input) {
    ModelShape.Request request = shape.request(input, instruction, maxCandidates);
    if (request.isRejected()) {
      return CompletableFuture.completedFuture(reject(request.code(), request.message()));
    }
    CompletableFuture<RequestScores> scores;
    try {
      scores = service.submit(request.pairs());
    } catch (InterruptedException e) {
      // Cancellation: the operator is shutting down; nothing is emitted for this row.
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    }
    return scores
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((s, error) -> {
          if (error == null) {
            rowsScored.inc();
            pairsScored.inc(s.scores().length);
            return shape.scored(s.scores());
          }
          Throwable cause = error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error;
          ReasonCode code = cause instanceof ScoringException se ? se.code()
              : cause instanceof TimeoutException ? ReasonCode.TIMEOUT : ReasonCode.SCORING_FAILED;
          String message = cause instanceof TimeoutException
              ? "not scored within the model's scoring-timeout of " + timeout
              : String.valueOf(cause.getMessage());
          return reject(code, message);
        });
  }

  private RowData reject(ReasonCode code, String message) {
    rowsRejected.inc();
    LOG.debug("Model {}: row not scored, {}: {}", modelName, code, message);
    return shape.rejected(code, message);
  }
}
