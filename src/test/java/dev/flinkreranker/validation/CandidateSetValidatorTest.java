package dev.flinkreranker.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CandidateSetValidatorTest {
  private static CandidateSet set(String query, String... ids) {
    List<Candidate> c = new ArrayList<>();
    for (String id : ids) {
      c.add(new Candidate(id, "text of " + id, null, null));
    }
    return new CandidateSet("r", query, null, c, Instant.EPOCH, null, Map.of());
  }

  private final CandidateSetValidator reject =
      new CandidateSetValidator(3, CandidateSetValidator.DuplicatePolicy.REJECT);
  private final CandidateSetValidator keepFirst =
      new CandidateSetValidator(3, CandidateSetValidator.DuplicatePolicy.KEEP_FIRST);

  private ReasonCode code(CandidateSetValidator v, CandidateSet s) {
    return assertThrows(RejectedRecordException.class, () -> v.validate(s)).code();
  }

  @Test
  void acceptsAGoodRequest() throws Exception {
    assertEquals(0, reject.validate(set("q", "a", "b", "c")));
  }

  @Test
  void rejectsEachBadKind() {
    assertEquals(ReasonCode.MISSING_QUERY, code(reject, set(" \t", "a")));
    assertEquals(ReasonCode.NO_CANDIDATES, code(reject, set("q")));
    assertEquals(ReasonCode.TOO_MANY_CANDIDATES, code(reject, set("q", "a", "b", "c", "d")));
    assertEquals(ReasonCode.DUPLICATE_CANDIDATE_ID, code(reject, set("q", "a", "b", "a")));
    assertEquals(ReasonCode.MISSING_FIELD, code(reject, set("q", "a", "")));
    CandidateSet badK = set("q", "a");
    badK.setTopK(0);
    assertEquals(ReasonCode.INVALID_FIELD, code(reject, badK));
  }

  @Test
  void keepFirstDropsLaterDuplicatesAndSaysHowMany() throws Exception {
    CandidateSet s = set("q", "a", "b", "a");
    assertEquals(1, keepFirst.validate(s));
    assertEquals(List.of("a", "b"), s.getCandidates().stream().map(Candidate::getId).toList());
    assertEquals("text of a", s.getCandidates().get(0).getText());
  }

  @Test
  void policyNamesAreParsed() {
    assertEquals(CandidateSetValidator.DuplicatePolicy.KEEP_FIRST,
        CandidateSetValidator.DuplicatePolicy.parse("keep-first"));
    assertThrows(IllegalArgumentException.class,
        () -> CandidateSetValidator.DuplicatePolicy.parse("merge"));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "\u00a0", "\u200b", "\u3000", "\ufeff", "\u2060\u200d", "\u00a0 \t\u202f\u205f", "\u0085"})
  void aQueryOfOnlyInvisibleCharactersIsMissing(String query) {
    assertEquals(ReasonCode.MISSING_QUERY, code(reject, set(query, "a")));
  }

  @Test
  void visibleTextAmongInvisibleCharactersIsAQuery() throws Exception {
    assertEquals(0, reject.validate(set("\u00a0\u200bx\u3000", "a")));
    assertEquals(0, reject.validate(set("\ud83d\ude00", "a"))); // an emoji: a surrogate pair
  }

  @Test
  void unpairedSurrogatesAreInvalidUtf8InEveryString() {
    String lone = "x\ud800y";
    String reversed = "\udc00\ud800";
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, set(lone, "a")));
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, set(reversed, "a")));
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, set("q", "a", lone)));
    CandidateSet text = set("q", "a");
    text.getCandidates().get(0).setText("\udfff");
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, text));
    CandidateSet instruction = set("q", "a");
    instruction.setInstruction(reversed);
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, instruction));
    CandidateSet attribute = set("q", "a");
    attribute.setAttributes(Map.of("k\ud800", "v"));
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, attribute));
    CandidateSet id = set("q", "a");
    id.setRequestId("r\udbff");
    assertEquals(ReasonCode.INVALID_UTF8, code(reject, id));
  }

  @Test
  void retrievalScoresMustBeFinite() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      CandidateSet s = set("q", "a");
      s.getCandidates().get(0).setRetrievalScore(bad);
      assertEquals(ReasonCode.INVALID_FIELD, code(reject, s));
    }
  }

  @Test
  void overlongRequestIdsAreRejected() throws Exception {
    CandidateSet s = set("q", "a");
    s.setRequestId("r".repeat(CandidateSetValidator.MAX_REQUEST_ID_CHARS));
    assertEquals(0, reject.validate(s));
    s.setRequestId("r".repeat(CandidateSetValidator.MAX_REQUEST_ID_CHARS + 1));
    assertEquals(ReasonCode.INVALID_FIELD, code(reject, s));
  }

  @Test
  void eventTimeMustBeRepresentableAndNotRunAhead() throws Exception {
    long now = Instant.parse("2026-12-03T00:00:00Z").toEpochMilli();
    CandidateSetValidator v = new CandidateSetValidator(3,
        CandidateSetValidator.DuplicatePolicy.REJECT, java.time.Duration.ofHours(1));
    java.util.function.Function<Instant, CandidateSet> at = t -> {
      CandidateSet s = set("q", "a");
      s.setEventTime(t);
      return s;
    };
    // Old event times are fine: replays of old logs keep their results.
    assertEquals(0, v.validate(at.apply(Instant.EPOCH), now));
    assertEquals(0, v.validate(at.apply(Instant.ofEpochMilli(now).plusSeconds(3600)), now));
    for (Instant bad : List.of(Instant.ofEpochMilli(-1), Instant.ofEpochMilli(now).plusSeconds(3601),
        Instant.ofEpochMilli(Long.MAX_VALUE), Instant.parse("+300000000-01-01T00:00:00Z"),
        Instant.MIN, Instant.MAX)) {
      RejectedRecordException e = assertThrows(RejectedRecordException.class,
          () -> v.validate(at.apply(bad), now), bad.toString());
      assertEquals(ReasonCode.INVALID_EVENT_TIME, e.code());
    }
  }
}
