package dev.flinkreranker.job;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.ranking.ResultAssembler;
import dev.flinkreranker.scoring.RerankMetrics;
import dev.flinkreranker.validation.ReasonCode;
import java.time.Clock;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Turns scored requests into ranked results; failed ones into dead letters. */
public final class RankingFunction extends ProcessFunction<ScoredRequest, RerankResult> {
  private final int defaultTopK;
  private final OutputTag<DeadLetter> deadLetters;
  private final Clock clock;

  private transient Counter resultsOut;
  private transient Counter deadLetterCount;
  private transient Histogram requestLatency;

  public RankingFunction(int defaultTopK, OutputTag<DeadLetter> deadLetters, Clock clock) {
    this.defaultTopK = defaultTopK;
    this.deadLetters = deadLetters;
    this.clock = clock;
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(RerankMetrics.GROUP);
    resultsOut = group.counter(RerankMetrics.RESULTS_OUT);
    deadLetterCount = group.counter(RerankMetrics.DEAD_LETTERS);
    requestLatency = group.histogram(RerankMetrics.REQUEST_LATENCY_MILLIS,
        new DescriptiveStatisticsHistogram(1000));
  }

  @Override
  public void processElement(ScoredRequest scored, Context ctx, Collector<RerankResult> out) {
    RerankRequest request = scored.getRequest();
    Instant now = clock.instant();
    if (scored.getFailureCode() != null) {
      deadLetterCount.inc();
      ctx.output(deadLetters, DeadLetters.of(request.getRaw(),
          ReasonCode.valueOf(scored.getFailureCode()), scored.getFailureReason(),
          request.getCandidateSet().getRequestId(), now));
      return;
    }
    out.collect(ResultAssembler.assemble(scored, defaultTopK, now));
    resultsOut.inc();
    requestLatency.update(now.toEpochMilli() - request.getReceivedAt());
  }
}
