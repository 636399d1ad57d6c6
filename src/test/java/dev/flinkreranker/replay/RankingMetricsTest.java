package dev.flinkreranker.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metric values computed by hand; the arithmetic is in the comments. */
class RankingMetricsTest {

  private static final double EPS = 1e-9;
  private static final double LOG2_3 = Math.log(3) / Math.log(2); // 1.5849625007...

  @Test
  void binaryLabelsFromTheRelevantAttribute() {
    Map<String, Double> grades = Labels.grades(Map.of("relevant", "c, e", "scenario", "x"));
    assertEquals(Map.of("c", 1.0, "e", 1.0), grades);

    // Order a b c d e: first relevant at rank 3.
    // top1 = 0; RR = 1/3
    // DCG  = (2^1-1)/log2(4) + (2^1-1)/log2(6) = 1/2 + 1/2.5849625 = 0.5 + 0.3868528 = 0.8868528
    // IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.6309298 = 1.6309298
    // nDCG = 0.8868528 / 1.6309298 = 0.5437713
    RankingMetrics m = RankingMetrics.of(List.of("a", "b", "c", "d", "e"), grades);
    assertEquals(0, m.top1(), EPS);
    assertEquals(1.0 / 3, m.reciprocalRank(), EPS);
    double dcg = 1 / 2.0 + 1 / (Math.log(6) / Math.log(2));
    double idcg = 1 + 1 / LOG2_3;
    assertEquals(dcg / idcg, m.ndcg(), EPS);
    assertEquals(0.5437713, m.ndcg(), 1e-6);

    // Reranked order c e a b d: both relevant on top: top1 = 1, RR = 1, nDCG = 1.
    RankingMetrics best = RankingMetrics.of(List.of("c", "e", "a", "b", "d"), grades);
    assertEquals(1, best.top1(), EPS);
    assertEquals(1, best.reciprocalRank(), EPS);
    assertEquals(1, best.ndcg(), EPS);
  }

  @Test
  void gradedLabelsWinOverRelevantAndUseExponentialGain() {
    Map<String, Double> grades =
        Labels.grades(Map.of("label:x", "2", "label:y", "1", "relevant", "y,z", "label:z", "0"));
    assertEquals(Map.of("x", 2.0, "y", 1.0, "z", 0.0), grades);

    // Order y x z: top1 = 1 (y has grade 1); RR = 1
    // DCG  = (2^1-1)/log2(2) + (2^2-1)/log2(3) + 0 = 1 + 3/1.5849625 = 1 + 1.8927893 = 2.8927893
    // IDCG = (2^2-1)/log2(2) + (2^1-1)/log2(3)     = 3 + 0.6309298 = 3.6309298
    // nDCG = 2.8927893 / 3.6309298 = 0.7967076
    RankingMetrics m = RankingMetrics.of(List.of("y", "x", "z"), grades);
    assertEquals(1, m.top1(), EPS);
    assertEquals(1, m.reciprocalRank(), EPS);
    assertEquals((1 + 3 / LOG2_3) / (3 + 1 / LOG2_3), m.ndcg(), EPS);
    assertEquals(0.7967076, m.ndcg(), 1e-6);
  }

  @Test
  void onlyTheFirstTenRanksCount() {
    // 12 candidates, the only relevant one at rank 11: RR@10 = 0, nDCG@10 = 0, top1 = 0.
    List<String> ids = List.of("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10",
        "c11", "c12");
    RankingMetrics m = RankingMetrics.of(ids, Map.of("c11", 1.0));
    assertEquals(0, m.top1(), EPS);
    assertEquals(0, m.reciprocalRank(), EPS);
    assertEquals(0, m.ndcg(), EPS);
  }

  @Test
  void labelsWithoutARelevantCandidateAreUndefined() {
    Map<String, Double> grades = Labels.grades(Map.of("label:a", "0"));
    assertFalse(RankingMetrics.hasRelevant(List.of("a", "b"), grades));
    assertTrue(RankingMetrics.hasRelevant(List.of("a", "b"), Map.of("b", 1.0)));
    assertThrows(IllegalArgumentException.class, () -> RankingMetrics.of(List.of("a"), grades));
    assertThrows(IllegalArgumentException.class, () -> Labels.grades(Map.of("label:a", "high")));
    assertThrows(IllegalArgumentException.class, () -> Labels.grades(Map.of("label:a", "-1")));
    assertEquals(Map.of(), Labels.grades(Map.of("scenario", "no labels")));
  }
}
