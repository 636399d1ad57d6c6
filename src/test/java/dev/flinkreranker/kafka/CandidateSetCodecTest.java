package dev.flinkreranker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.validation.ReasonCode;
import dev.flinkreranker.validation.RejectedRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CandidateSetCodecTest {
  private final CandidateSetCodec json = new CandidateSetCodec(CandidateSetCodec.Format.JSON);
  private final CandidateSetCodec avro = new CandidateSetCodec(CandidateSetCodec.Format.AVRO);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static CandidateSet sample() {
    return new CandidateSet("r1", "query", null,
        List.of(new Candidate("a", "text a", 0.5, "bm25"), new Candidate("b", "", null, null)),
        Instant.ofEpochMilli(1234), 3, Map.of("k", "v"));
  }

  @Test
  void avroRoundTrip() throws Exception {
    CandidateSet set = sample();
    assertEquals(set, avro.decode(RecordEncoding.avro(set), 0));
  }

  @Test
  void jsonWithTheSameFieldNames() throws Exception {
    CandidateSet decoded = json.decode(RecordEncoding.json(sample()), 0);
    assertEquals(sample(), decoded);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1234|1234",
      "\"1234\"|1234",
      "\"1970-01-01T00:00:01.234Z\"|1234",
      "\"1970-01-01T02:00:01.234+02:00\"|1234"})
  void eventTimeAsEpochMillisOrIso8601(String value, long millis) throws Exception {
    CandidateSet set = json.decode(utf8("{\"request_id\":\"r\",\"query\":\"q\",\"event_time\":"
        + value + ",\"candidates\":[{\"id\":\"a\",\"text\":\"t\"}]}"), 0);
    assertEquals(Instant.ofEpochMilli(millis), set.getEventTime());
  }

  @Test
  void missingEventTimeFallsBackToTheKafkaTimestamp() throws Exception {
    CandidateSet set = json.decode(utf8("{\"request_id\":\"r\",\"query\":\"q\","
        + "\"candidates\":[{\"id\":\"a\",\"text\":\"t\"}]}"), 777);
    assertEquals(Instant.ofEpochMilli(777), set.getEventTime());
    assertNull(set.getInstruction());
  }

  private ReasonCode rejectJson(String value) {
    return assertThrows(RejectedRecordException.class, () -> json.decode(utf8(value), 0)).code();
  }

  @Test
  void jsonRejectionsCarryTheRightReason() {
    assertEquals(ReasonCode.MALFORMED_JSON, rejectJson("{\"request_id\": "));
    assertEquals(ReasonCode.MALFORMED_JSON, rejectJson("[1,2]"));
    assertEquals(ReasonCode.MALFORMED_JSON,
        rejectJson("{\"request_id\":\"a\",\"request_id\":\"b\"}"));
    assertEquals(ReasonCode.MISSING_FIELD, rejectJson("{\"query\":\"q\",\"candidates\":[]}"));
    assertEquals(ReasonCode.MISSING_QUERY, rejectJson("{\"request_id\":\"r\",\"candidates\":[]}"));
    assertEquals(ReasonCode.NULL_FIELD, rejectJson(
        "{\"request_id\":\"r\",\"query\":\"q\",\"candidates\":[{\"id\":\"a\",\"text\":null}]}"));
    assertEquals(ReasonCode.NULL_FIELD,
        rejectJson("{\"request_id\":\"r\",\"query\":\"q\",\"candidates\":null}"));
    assertEquals(ReasonCode.INVALID_EVENT_TIME, rejectJson("{\"request_id\":\"r\",\"query\":\"q\","
        + "\"event_time\":\"yesterday\",\"candidates\":[{\"id\":\"a\",\"text\":\"t\"}]}"));
    assertEquals(ReasonCode.INVALID_FIELD, rejectJson(
        "{\"request_id\":\"r\",\"query\":\"q\",\"candidates\":[{\"id\":\"a\",\"text\":5}]}"));
  }

  @Test
  void invalidUtf8IsRejectedInBothFormats() throws Exception {
    byte[] bad = utf8("{\"request_id\":\"r\",\"query\":\"q\",\"candidates\":[{\"id\":\"a\",\"text\":\"XX\"}]}");
    for (int i = 0; i < bad.length - 1; i++) {
      if (bad[i] == 'X' && bad[i + 1] == 'X') {
        bad[i] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed
        break;
      }
    }
    assertEquals(ReasonCode.INVALID_UTF8,
        assertThrows(RejectedRecordException.class, () -> json.decode(bad, 0)).code());

    CandidateSet set = sample();
    set.getCandidates().get(0).setText("ZZZZ");
    byte[] encoded = RecordEncoding.avro(set);
    String s = new String(encoded, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("ZZZZ");
    encoded[at] = (byte) 0xFF;
    RejectedRecordException e =
        assertThrows(RejectedRecordException.class, () -> avro.decode(encoded, 0));
    assertEquals(ReasonCode.INVALID_UTF8, e.code());
    assertEquals("r1", e.requestId());
  }

  @Test
  void garbageAndTrailingBytesAreUndecodableAvro() throws Exception {
    assertEquals(ReasonCode.UNDECODABLE_AVRO, assertThrows(RejectedRecordException.class,
        () -> avro.decode(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1}, 0)).code());
    byte[] good = RecordEncoding.avro(sample());
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
    assertEquals(ReasonCode.UNDECODABLE_AVRO,
        assertThrows(RejectedRecordException.class, () -> avro.decode(longer, 0)).code());
    assertEquals(ReasonCode.EMPTY_RECORD,
        assertThrows(RejectedRecordException.class, () -> avro.decode(null, 0)).code());
  }

  private static final String ONE =
      "{\"request_id\":\"r\",\"query\":\"q\",\"candidates\":[{\"id\":\"a\",\"text\":\"t\"}]}";

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "' '", "'{}'", "'xyz'", "'\n{\"request_id\":\"s\"}'", "' ]'", "' 5'"})
  void anythingAfterTheObjectIsMalformed(String tail) {
    RejectedRecordException e = assertThrows(RejectedRecordException.class,
        () -> json.decode(utf8(ONE + " " + tail + "x"), 0));
    assertEquals(ReasonCode.MALFORMED_JSON, e.code());
    assertTrue(e.getMessage().contains("exactly one JSON object"), e.getMessage());
  }

  @Test
  void trailingWhitespaceIsNotGarbage() throws Exception {
    assertEquals("r", json.decode(utf8(ONE + " \r\n\t "), 0).getRequestId());
  }

  @Test
  void malformedJsonReasonsAreShortAndFreeOfParserInternals() {
    for (String bad : List.of("{\"request_id\": ", "{\"a\" 1}", "{'a':1}", "{\"a\":tru}",
        "[".repeat(5000) + "]".repeat(5000), "{\"a\":1}}", "\u0000{}")) {
      RejectedRecordException e =
          assertThrows(RejectedRecordException.class, () -> json.decode(utf8(bad), 0));
      assertEquals(ReasonCode.MALFORMED_JSON, e.code());
      String reason = e.getMessage();
      assertFalse(reason.contains("Source:") || reason.contains("REDACTED")
          || reason.contains("com.fasterxml") || reason.contains("(code ")
          || reason.contains("\n") || reason.length() > 240, reason);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1e30", "99999999999999999999", "\"99999999999999999999\"",
      "1.5", "true", "\"yesterday\""})
  void unusableEventTimesAreInvalidEventTime(String value) {
    assertEquals(ReasonCode.INVALID_EVENT_TIME, rejectJson("{\"request_id\":\"r\",\"query\":\"q\","
        + "\"event_time\":" + value + ",\"candidates\":[{\"id\":\"a\",\"text\":\"t\"}]}"));
  }

  @Test
  void noEventTimeAndNoKafkaTimestampIsInvalidEventTime() {
    assertEquals(ReasonCode.INVALID_EVENT_TIME, assertThrows(RejectedRecordException.class,
        () -> json.decode(utf8(ONE), -1)).code());
  }

  @Test
  void invalidUtf8InAnAvroMapKeyIsRejectedNotReplaced() throws Exception {
    CandidateSet set = sample();
    set.setAttributes(Map.of("KKKK", "v"));
    byte[] encoded = RecordEncoding.avro(set);
    int at = new String(encoded, StandardCharsets.ISO_8859_1).indexOf("KKKK");
    encoded[at] = (byte) 0xFF;
    RejectedRecordException e =
        assertThrows(RejectedRecordException.class, () -> avro.decode(encoded, 0));
    assertEquals(ReasonCode.INVALID_UTF8, e.code());
  }
}
