package dev.flinkreranker.ranking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.RankedCandidate;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.avro.internal.ScoredRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultAssemblerTest {
  private static final String LONG = "a".repeat(9) + "\ud83d\ude00" + "b".repeat(1000);

  private static ScoredRequest scored() {
    CandidateSet set = new CandidateSet("r", "q", null, List.of(
        new Candidate("long", LONG, null, null), new Candidate("short", "tiny", null, null)),
        Instant.EPOCH, null, Map.of());
    RerankRequest request = RerankRequest.newBuilder().setCandidateSet(set)
        .setRaw(RawRecord.newBuilder().build()).setReceivedAt(0L).setDroppedDuplicates(0).build();
    return ScoredRequest.newBuilder().setRequest(request).setScores(List.of(0.9f, 0.1f))
        .setTruncated(List.of(false, false)).setModel("m").setQueueMillis(0L)
        .setInferenceMillis(0L).build();
  }

  @Test
  void textsAreCutToTheLimitAndFlagged() {
    RerankResult r = ResultAssembler.assemble(scored(), 10, 10, Instant.EPOCH);
    RankedCandidate top = r.getRanked().get(0);
    assertSame(top, r.getTop1());
    // Never half a surrogate pair: the emoji at chars 9-10 is left out whole.
    assertEquals("a".repeat(9), top.getText());
    assertTrue(top.getTextTruncated());
    assertEquals("tiny", r.getRanked().get(1).getText());
    assertFalse(r.getRanked().get(1).getTextTruncated());
  }

  @Test
  void zeroCopiesNoTextAndMinusOneCopiesAll() {
    RerankResult none = ResultAssembler.assemble(scored(), 10, 0, Instant.EPOCH);
    assertEquals("", none.getTop1().getText());
    assertTrue(none.getTop1().getTextTruncated());
    RerankResult all = ResultAssembler.assemble(scored(), 10, -1, Instant.EPOCH);
    assertEquals(LONG, all.getTop1().getText());
    assertFalse(all.getTop1().getTextTruncated());
  }
}
