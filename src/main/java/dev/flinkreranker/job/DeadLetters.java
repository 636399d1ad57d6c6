package dev.flinkreranker.job;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.kafka.RecordEncoding;
import dev.flinkreranker.validation.CandidateSetValidator;
import dev.flinkreranker.validation.ReasonCode;
import dev.flinkreranker.validation.Text;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Builds dead letters that carry the raw record and where it came from, bounded in size: a dead
 * letter of a 1 MB record (or of 30,000 candidates) must not itself be too large for the sink, or
 * the job would fail on writing it. The payload keeps its first bytes; its size, SHA-256 and source
 * topic/partition/offset find and verify the whole record.
 */
public final class DeadLetters implements Serializable {
  /** Record keys are ids, not documents: the first bytes identify one. */
  static final int MAX_KEY_BYTES = 1024;
  /** Reasons are ours, but quote input values (an id, a time). */
  static final int MAX_REASON_CHARS = 1000;

  private final int maxPayloadBytes;

  /** @param maxPayloadBytes {@code output.dead-letter-max-payload-bytes} */
  public DeadLetters(int maxPayloadBytes) {
    if (maxPayloadBytes < 0) {
      throw new IllegalArgumentException(
          "output.dead-letter-max-payload-bytes must be >= 0, got " + maxPayloadBytes);
    }
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public DeadLetter of(
      RawRecord raw, ReasonCode code, String reason, String requestId, Instant failedAt) {
    byte[] value = raw.getValue() == null ? null : RecordEncoding.bytes(raw.getValue());
    // A reader that already cut the value (a log line over the limit) knows the whole size/hash.
    Long size = raw.getOriginalSize() != null ? raw.getOriginalSize()
        : value == null ? null : (long) value.length;
    String sha256 = raw.getOriginalSha256() != null ? raw.getOriginalSha256()
        : value == null ? null : sha256(value);
    boolean cut = raw.getOriginalSize() != null || (value != null && value.length > maxPayloadBytes);
    byte[] payload = value == null ? null
        : value.length > maxPayloadBytes ? Arrays.copyOf(value, maxPayloadBytes) : value;
    byte[] key = raw.getKey() == null ? null : RecordEncoding.bytes(raw.getKey());
    if (key != null && key.length > MAX_KEY_BYTES) {
      key = Arrays.copyOf(key, MAX_KEY_BYTES);
    }
    return DeadLetter.newBuilder()
        .setSourceTopic(raw.getTopic())
        .setPartition(raw.getPartition())
        .setOffset(raw.getOffset())
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
        .setPayloadSize(size)
        .setPayloadSha256(sha256)
        .setPayloadTruncated(cut)
        .setReasonCode(code.name())
        .setReason(Text.scrub(Text.cut(reason == null ? code.name() : reason, MAX_REASON_CHARS)))
        .setRequestId(requestId == null ? null
            : Text.scrub(Text.cut(requestId, CandidateSetValidator.MAX_REQUEST_ID_CHARS)))
        .setFailedAt(failedAt)
        .build();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
