package dev.flinkreranker.ranking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.RankedCandidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankingTest {
  private static List<Candidate> candidates(String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new Candidate(id, id, null, null)).toList();
  }

  @Test
  void sortsByScoreAndKeepsInputOrderOnTies() {
    List<RankedCandidate> r = Ranking.rank(candidates("a", "b", "c", "d"),
        new float[] {0.2f, 0.9f, 0.2f, Float.NaN}, new boolean[] {false, false, true, false});
    assertEquals(List.of("b", "a", "c", "d"), r.stream().map(RankedCandidate::getId).toList());
    assertEquals(List.of(1, 2, 3, 4), r.stream().map(RankedCandidate::getRank).toList());
    assertEquals(List.of(2, 1, 3, 4), r.stream().map(RankedCandidate::getOriginalRank).toList());
    assertEquals(true, r.get(2).getTruncated());
  }

  @Test
  void topKIsAPrefixAndNeverLongerThanTheRanking() {
    List<RankedCandidate> r = Ranking.rank(candidates("a", "b", "c"),
        new float[] {0.1f, 0.3f, 0.2f}, new boolean[3]);
    assertEquals(List.of("b", "c"), Ranking.topK(r, 2).stream().map(RankedCandidate::getId).toList());
    assertEquals(3, Ranking.topK(r, 10).size());
  }
}
