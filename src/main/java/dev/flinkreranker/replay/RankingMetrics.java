package dev.flinkreranker.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Ranking quality of one ordering of a request's candidates against graded labels: top-1
 * accuracy, MRR@10 and nDCG@10, the usual offline metrics for rerankers (BEIR, MTEB use nDCG@10).
 *
 * <ul>
 *   <li>top-1 accuracy: 1 when the first candidate has grade &gt; 0;
 *   <li>MRR@10: 1 / rank of the first candidate with grade &gt; 0 within the first 10, else 0;
 *   <li>nDCG@10: DCG@10 / IDCG@10 with DCG = sum over ranks r of (2^grade - 1) / log2(r + 1), and
 *       IDCG the DCG of the request's candidates sorted by grade (exponential gain, as trec_eval
 *       and BEIR compute it).
 * </ul>
 */
public record RankingMetrics(double top1, double reciprocalRank, double ndcg) {

  public static final int CUTOFF = 10;

  /**
   * @param orderedIds candidate ids in the order to evaluate, best first
   * @param grades grade per candidate id (missing = 0); must contain a grade &gt; 0 for one of
   *     {@code orderedIds}, or the metrics are undefined
   */
  public static RankingMetrics of(List<String> orderedIds, Map<String, Double> grades) {
    double top1 = grade(grades, orderedIds.get(0)) > 0 ? 1 : 0;
    double rr = 0;
    double dcg = 0;
    for (int r = 1; r <= Math.min(CUTOFF, orderedIds.size()); r++) {
      double g = grade(grades, orderedIds.get(r - 1));
      if (g > 0 && rr == 0) {
        rr = 1.0 / r;
      }
      dcg += gain(g, r);
    }
    List<Double> ideal = new ArrayList<>();
    for (String id : orderedIds) {
      ideal.add(grade(grades, id));
    }
    ideal.sort(Comparator.reverseOrder());
    double idcg = 0;
    for (int r = 1; r <= Math.min(CUTOFF, ideal.size()); r++) {
      idcg += gain(ideal.get(r - 1), r);
    }
    if (idcg == 0) {
      throw new IllegalArgumentException("no relevant candidate: metrics are undefined");
    }
    return new RankingMetrics(top1, rr, dcg / idcg);
  }

  /** True when some candidate of the list is relevant, i.e. the metrics are defined. */
  public static boolean hasRelevant(List<String> ids, Map<String, Double> grades) {
    return ids.stream().anyMatch(id -> grade(grades, id) > 0);
  }

  private static double grade(Map<String, Double> grades, String id) {
    return grades.getOrDefault(id, 0.0);
  }

  private static double gain(double grade, int rank) {
    return (Math.pow(2, grade) - 1) / (Math.log(rank + 1) / Math.log(2));
  }
}
