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
}
