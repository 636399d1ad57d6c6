package dev.flinkreranker.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.kafka.RecordEncoding;
import dev.flinkreranker.validation.ReasonCode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static RawRecord raw(byte[] value, byte[] key) {
    return RawRecord.newBuilder().setTopic("in").setPartition(3).setOffset(42L)
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setKey(key == null ? null : ByteBuffer.wrap(key)).build();
  }

  @Test
  void aLargeRecordLeavesABoundedDeadLetterThatStillFindsIt() {
    byte[] value = new byte[1_500_000];
    Arrays.fill(value, (byte) 'x');
    byte[] key = new byte[100_000];
    DeadLetter d = new DeadLetters(1000).of(raw(value, key), ReasonCode.MALFORMED_JSON,
        "why ".repeat(10_000), "id".repeat(1000), Instant.EPOCH);
    assertEquals(1000, d.getPayload().remaining());
    assertTrue(d.getPayloadTruncated());
    assertEquals(1_500_000L, d.getPayloadSize());
    assertEquals(DeadLetters.sha256(value), d.getPayloadSha256());
    assertEquals(DeadLetters.MAX_KEY_BYTES, d.getKey().remaining());
    assertTrue(d.getReason().length() <= DeadLetters.MAX_REASON_CHARS);
    assertTrue(d.getRequestId().length() <= 512);
    assertEquals("in", d.getSourceTopic());
    assertEquals(42L, d.getOffset());
    // Whole dead letter, either encoding: a few KB, whatever came in.
    assertTrue(RecordEncoding.avro(d).length < 8 * 1024);
    assertTrue(RecordEncoding.json(d).length < 8 * 1024);
  }

  @Test
  void aSmallRecordIsKeptWhole() {
    byte[] value = "{\"a\":1}".getBytes();
    DeadLetter d = new DeadLetters(1000).of(raw(value, null), ReasonCode.MISSING_FIELD, "r", null,
        Instant.EPOCH);
    assertFalse(d.getPayloadTruncated());
    assertEquals(value.length, d.getPayload().remaining());
    assertEquals((long) value.length, d.getPayloadSize());
  }

  @Test
  void aValueCutByItsReaderKeepsTheWholeSizeAndHash() {
    RawRecord r = raw(new byte[] {1, 2, 3}, null);
    r.setOriginalSize(5_000_000_000L);
    r.setOriginalSha256("ab".repeat(32));
    DeadLetter d = new DeadLetters(1000).of(r, ReasonCode.RECORD_TOO_LARGE, "big", null,
        Instant.EPOCH);
    assertEquals(5_000_000_000L, d.getPayloadSize());
    assertEquals("ab".repeat(32), d.getPayloadSha256());
    assertTrue(d.getPayloadTruncated());
  }

  @Test
  void unpairedSurrogatesInAReasonOrIdCannotBreakTheJsonWriter() {
    DeadLetter d = new DeadLetters(10).of(raw(null, null), ReasonCode.INVALID_UTF8,
        "id 'x\ud800'", "r\udc00", Instant.EPOCH);
    assertEquals("r\ufffd", d.getRequestId());
    assertTrue(new String(RecordEncoding.json(d), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\ufffd"));
    assertEquals(null, d.getPayloadSize());
  }

  @Test
  void limitsThatCannotFitTheProducerAreRejectedNamingTheOptions() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        OutputLimits.from(JobConfig.fromMap(Map.of("output.max-record-bytes", "2000000"))));
    assertTrue(e.getMessage().contains("output.max-record-bytes")
        && e.getMessage().contains("max.request.size"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OutputLimits.from(JobConfig.fromMap(
        Map.of("output.dead-letter-max-payload-bytes", "900000"))));
    assertTrue(e.getMessage().contains("output.dead-letter-max-payload-bytes"), e.getMessage());
    // Raising the producer's limit makes room.
    assertEquals(2_000_000, OutputLimits.from(JobConfig.fromMap(Map.of(
        "output.max-record-bytes", "2000000",
        "kafka.properties.max.request.size", "4194304"))).maxRecordBytes());
  }
}
