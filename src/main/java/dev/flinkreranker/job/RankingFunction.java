package dev.flinkreranker.job;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RankedCandidate;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.kafka.RecordEncoding;
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
  private final OutputLimits limits;
  private final DeadLetters deadLetterBuilder;

  private transient Counter resultsOut;
  private transient Counter deadLetterCount;
  private transient Histogram requestLatency;

  /**
   * @param sourceAttributes add {@link #SOURCE_TOPIC}, {@link #SOURCE_PARTITION} and
   *     {@link #SOURCE_OFFSET} to each result (replay sorts and traces results by them)
   * @param limits how much text a result carries and how large it may be
   */
  public RankingFunction(int defaultTopK, OutputTag<DeadLetter> deadLetters, Clock clock,
      boolean sourceAttributes, OutputLimits limits) {
    if (defaultTopK < 1) {
      throw new IllegalArgumentException("ranking.top-k must be >= 1, got " + defaultTopK);
    }
    this.defaultTopK = defaultTopK;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.sourceAttributes = sourceAttributes;
    this.limits = limits;
    this.deadLetterBuilder = limits.deadLetters();
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
      ctx.output(deadLetters, deadLetterBuilder.of(request.getRaw(),
          ReasonCode.valueOf(scored.getFailureCode()), scored.getFailureReason(),
          request.getCandidateSet().getRequestId(), now));
      return;
    }
    RerankResult result = ResultAssembler.assemble(scored, defaultTopK, limits.textMaxChars(), now);
    if (sourceAttributes) {
      RawRecord raw = request.getRaw();
      result.getAttributes().put(SOURCE_TOPIC, String.valueOf(raw.getTopic()));
      result.getAttributes().put(SOURCE_PARTITION, String.valueOf(raw.getPartition()));
      result.getAttributes().put(SOURCE_OFFSET, String.valueOf(raw.getOffset()));
    }
    // The sink cannot write a record over the producer's limit; it would fail the job on every
    // restart. A result that large (a huge query, attributes or ids) is a dead letter instead.
    // Encoding every result twice (here and in the sink) would tax the hot path, so only a result
    // whose size bound exceeds the limit is encoded to measure it.
    long size = sizeBound(result);
    if (size > limits.maxRecordBytes()) {
      size = RecordEncoding.encode(result, limits.format()).length;
    }
    if (size > limits.maxRecordBytes()) {
      deadLetterCount.inc();
      ctx.output(deadLetters, deadLetterBuilder.of(request.getRaw(), ReasonCode.RESULT_TOO_LARGE,
          "the result would be " + size + " bytes, more than output.max-record-bytes="
              + limits.maxRecordBytes() + " (its query, attributes or candidate ids are too large;"
              + " output.text-max-chars and ranking.top-k also bound it)",
          result.getRequestId(), now));
      return;
    }
    out.collect(result);
    resultsOut.inc();
    requestLatency.update(now.toEpochMilli() - request.getReceivedAt());
  }

  /** Room a field name, number or punctuation takes in either encoding, generously. */
  private static final int FIELD_BYTES = 64;

  /**
   * An upper bound of the encoded size of a result in either format: a char takes at most 6 bytes
   * in JSON (a {@code \\uXXXX} escape) and at most 3 in Avro's UTF-8, and every field adds its
   * name, number or punctuation.
   */
  static long sizeBound(RerankResult r) {
    long chars = length(r.getRequestId()) + length(r.getQuery()) + length(r.getModel());
    long fields = 16;
    for (var e : r.getAttributes().entrySet()) {
      chars += length(e.getKey()) + length(e.getValue());
      fields += 2;
    }
    for (RankedCandidate c : r.getRanked()) {
      chars += length(c.getId()) + length(c.getText()) + length(c.getSource());
      fields += 12;
    }
    RankedCandidate top1 = r.getTop1();
    chars += length(top1.getId()) + length(top1.getText()) + length(top1.getSource());
    return 6 * chars + FIELD_BYTES * (fields + 12);
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }
}
