package dev.flinkreranker.job;

import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.RecordEncoding;
import dev.flinkreranker.scoring.RerankMetrics;
import dev.flinkreranker.validation.CandidateSetValidator;
import dev.flinkreranker.validation.ReasonCode;
import dev.flinkreranker.validation.RejectedRecordException;
import java.time.Clock;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates raw input records. Good records continue as {@link RerankRequest}s; every
 * other record leaves through {@link RerankJob#DEAD_LETTERS} with its reason. Nothing is dropped
 * and nothing throws: {@code recordsIn} = requests out + dead letters.
 */
public final class DecodeValidateFunction extends ProcessFunction<RawRecord, RerankRequest> {
  private final CandidateSetCodec codec;
  private final CandidateSetValidator validator;
  private final int maxRecordBytes;
  private final OutputTag<DeadLetter> deadLetters;
  private final Clock clock;
  private final DeadLetters deadLetterBuilder;

  private transient Counter recordsIn;
  private transient Counter deadLetterCount;

  public DecodeValidateFunction(CandidateSetCodec codec, CandidateSetValidator validator,
      int maxRecordBytes, OutputTag<DeadLetter> deadLetters, Clock clock,
      DeadLetters deadLetterBuilder) {
    this.codec = codec;
    this.validator = validator;
    this.maxRecordBytes = maxRecordBytes;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.deadLetterBuilder = deadLetterBuilder;
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(RerankMetrics.GROUP);
    recordsIn = group.counter(RerankMetrics.RECORDS_IN);
    deadLetterCount = group.counter(RerankMetrics.DEAD_LETTERS);
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<RerankRequest> out) {
    recordsIn.inc();
    byte[] value = raw.getValue() == null ? null : RecordEncoding.bytes(raw.getValue());
    try {
      // A reader that cut the value (a log line over its limit) tells the whole size.
      long size = raw.getOriginalSize() != null ? raw.getOriginalSize()
          : value == null ? 0 : value.length;
      if (size > maxRecordBytes) {
        throw new RejectedRecordException(ReasonCode.RECORD_TOO_LARGE, "record of "
            + size + " bytes exceeds input.max-record-bytes=" + maxRecordBytes);
      }
      CandidateSet set = codec.decode(value, raw.getTimestamp());
      int dropped;
      try {
        dropped = validator.validate(set, clock.millis());
      } catch (RejectedRecordException e) {
        throw e.withRequestId(set.getRequestId());
      }
      out.collect(RerankRequest.newBuilder()
          .setCandidateSet(set)
          .setRaw(raw)
          .setReceivedAt(clock.millis())
          .setDroppedDuplicates(dropped)
          .build());
    } catch (RejectedRecordException e) {
      deadLetterCount.inc();
      ctx.output(deadLetters,
          deadLetterBuilder.of(raw, e.code(), e.getMessage(), e.requestId(), clock.instant()));
    }
  }
}
