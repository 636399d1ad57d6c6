package dev.flinkreranker.job;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.validation.ReasonCode;
import java.time.Instant;

/** Builds dead letters that carry the raw record and where it came from. */
public final class DeadLetters {
  private DeadLetters() {}

  public static DeadLetter of(
      RawRecord raw, ReasonCode code, String reason, String requestId, Instant failedAt) {
    return DeadLetter.newBuilder()
        .setSourceTopic(raw.getTopic())
        .setPartition(raw.getPartition())
        .setOffset(raw.getOffset())
        .setKey(raw.getKey())
        .setPayload(raw.getValue())
        .setReasonCode(code.name())
        .setReason(reason)
        .setRequestId(requestId)
        .setFailedAt(failedAt)
        .build();
  }
}
