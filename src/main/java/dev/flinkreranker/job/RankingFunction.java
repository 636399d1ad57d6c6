package dev.flinkreranker.job;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RawRecord;
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
  private final boolean sourceAttributes;

  private transient Counter resultsOut;
  private transient Counter deadLetterCount;
  private transient Histogram requestLatency;

  public RankingFunction(int defaultTopK, OutputTag<DeadLetter> deadLetters, Clock clock) {
    this(defaultTopK, deadLetters, clock, false);
  }

  /**
   * @param sourceAttributes add {@link #SOURCE_TOPIC}, {@link #SOURCE_PARTITION} and
   *     {@link #SOURCE_OFFSET} to each result (replay sorts and traces results by them)
   */
  public RankingFunction(int defaultTopK, OutputTag<DeadLetter> deadLetters, Clock clock,
      boolean sourceAttributes) {
    this.defaultTopK = defaultTopK;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.sourceAttributes = sourceAttributes;
  }

  /** Result attributes with the input position ({@code output.source-attributes}). */
  public static final String SOURCE_TOPIC = "source.topic";
  public static final String SOURCE_PARTITION = "source.partition";
  public static final String SOURCE_OFFSET = "source.offset";

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
    RerankResult result = ResultAssembler.assemble(scored, defaultTopK, now);
    if (sourceAttributes) {
      RawRecord raw = request.getRaw();
      result.getAttributes().put(SOURCE_TOPIC, String.valueOf(raw.getTopic()));
      result.getAttributes().put(SOURCE_PARTITION, String.valueOf(raw.getPartition()));
      result.getAttributes().put(SOURCE_OFFSET, String.valueOf(raw.getOffset()));
    }
    out.collect(result);
    resultsOut.inc();
    requestLatency.update(now.toEpochMilli() - request.getReceivedAt());
  }
}
