package dev.flinkreranker.scoring;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.validation.ReasonCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The async function of the job: hands every (query, candidate) pair of a request to the
 * TaskManager's shared {@link ScoringService} and completes when the last pair is scored.
 *
 * <p>It never completes a future exceptionally: a request that cannot be scored comes back as a
 * {@link ScoredRequest} with a failure code, which Flink's retry strategy retries and the ranking
 * step finally turns into a dead letter. (An exceptional completion would fail the whole job.)
 * Each attempt has its own deadline ({@code attemptTimeout}) so that a stuck attempt is retried
 * before Flink's overall {@code async.timeout} fires {@link #timeout}.
 */
public final class RerankFunction extends RichAsyncFunction<RerankRequest, ScoredRequest> {

  /** The subtask that reports the per-TaskManager batcher metrics (no double counting). */
  private static final AtomicReference<Object> METRICS_OWNER = new AtomicReference<>();

  private final ScoringService.Key key;
  private final ScoringService.ScorerFactory factory;
  private final String defaultInstruction;
  private final Duration attemptTimeout;

  private transient ScoringService service;
  private transient Object ownerToken;
  private transient Counter pairsScored;
  private transient Counter requestsScored;
  private transient Counter truncatedDocuments;
  private transient Histogram inferenceMillis;

  public RerankFunction(ScoringService.Key key, ScoringService.ScorerFactory factory,
      String defaultInstruction, Duration attemptTimeout) {
    this.key = key;
    this.factory = factory;
    this.defaultInstruction = defaultInstruction;
    this.attemptTimeout = attemptTimeout;
  }

  @Override
  public void open(OpenContext openContext) {
    // A job restart releases the user-code classloader; the model must go with it or failover
    // would load a second copy and leak device memory (ARCHITECTURE.md pitfall 9).
    getRuntimeContext().registerUserCodeClassLoaderReleaseHookIfAbsent(
        "flink-reranker-scoring-services", ScoringService::releaseAll);
    service = ScoringService.acquire(key, factory);

    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(RerankMetrics.GROUP);
    pairsScored = group.counter(RerankMetrics.PAIRS_SCORED);
    requestsScored = group.counter(RerankMetrics.REQUESTS_SCORED);
    truncatedDocuments = group.counter(RerankMetrics.TRUNCATED_DOCUMENTS);
    inferenceMillis = group.histogram(RerankMetrics.INFERENCE_MILLIS,
        new DescriptiveStatisticsHistogram(1000));
    ownerToken = new Object();
    if (METRICS_OWNER.compareAndSet(null, ownerToken)) {
      RerankMetrics.registerBatcherGauges(group, service);
    }
  }

  @Override
  public void close() {
    METRICS_OWNER.compareAndSet(ownerToken, null);
    if (service != null) {
      service.release();
      service = null;
    }
  }

  @Override
  public void asyncInvoke(RerankRequest request, ResultFuture<ScoredRequest> resultFuture)
      throws Exception {
    CandidateSet set = request.getCandidateSet();
    String instruction = set.getInstruction() != null ? set.getInstruction() : defaultInstruction;
    List<Pair> pairs = new ArrayList<>(set.getCandidates().size());
    for (Candidate c : set.getCandidates()) {
      pairs.add(new Pair(set.getQuery(), c.getText(), instruction));
    }
    CompletableFuture<RequestScores> future = service.submit(pairs);
    future
        .orTimeout(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((scores, error) -> {
          if (error == null) {
            count(scores);
            resultFuture.complete(Collections.singleton(success(request, scores)));
          } else {
            resultFuture.complete(Collections.singleton(failure(request, error)));
          }
        });
  }

  @Override
  public void timeout(RerankRequest request, ResultFuture<ScoredRequest> resultFuture) {
    resultFuture.complete(Collections.singleton(failure(request, new TimeoutException(
        "not scored within async.timeout, retries included"))));
  }

  private void count(RequestScores scores) {
    requestsScored.inc();
    pairsScored.inc(scores.scores().length);
    for (boolean t : scores.truncated()) {
      if (t) {
        truncatedDocuments.inc();
      }
    }
    inferenceMillis.update(scores.inferenceMillis());
  }

  private ScoredRequest success(RerankRequest request, RequestScores scores) {
    List<Float> s = new ArrayList<>(scores.scores().length);
    List<Boolean> t = new ArrayList<>(scores.scores().length);
    for (int i = 0; i < scores.scores().length; i++) {
      s.add(scores.scores()[i]);
      t.add(scores.truncated()[i]);
    }
    return ScoredRequest.newBuilder()
        .setRequest(request)
        .setScores(s)
        .setTruncated(t)
        .setModel(service.modelName())
        .setQueueMillis(scores.queueMillis())
        .setInferenceMillis(scores.inferenceMillis())
        .build();
  }

  private ScoredRequest failure(RerankRequest request, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    ReasonCode code = cause instanceof ScoringException se ? se.code()
        : cause instanceof TimeoutException ? ReasonCode.TIMEOUT : ReasonCode.SCORING_FAILED;
    return ScoredRequest.newBuilder()
        .setRequest(request)
        .setModel(service != null ? service.modelName() : key.spec().model())
        .setFailureCode(code.name())
        .setFailureReason(String.valueOf(cause.getMessage()))
        .build();
  }
}
