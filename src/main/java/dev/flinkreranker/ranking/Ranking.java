package dev.flinkreranker.ranking;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.RankedCandidate;
import java.util.ArrayList;
import java.util.List;

/** Orders candidates by score. */
public final class Ranking {
  private Ranking() {}

  /**
   * Ranks candidates by descending score; equal scores keep their input order, so the result is
   * deterministic. NaN scores (never expected from a scorer) rank last.
   *
   * @return every candidate, best first, with 1-based {@code rank} and {@code original_rank}
   */
  public static List<RankedCandidate> rank(
      List<Candidate> candidates, float[] scores, boolean[] truncated) {
    if (scores.length != candidates.size() || truncated.length != candidates.size()) {
      throw new IllegalArgumentException(scores.length + " scores for "
          + candidates.size() + " candidates");
    }
    Integer[] order = new Integer[candidates.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> {
      int byScore = Double.compare(key(scores[b]), key(scores[a]));
      return byScore != 0 ? byScore : Integer.compare(a, b);
    });
    List<RankedCandidate> ranked = new ArrayList<>(order.length);
    for (int r = 0; r < order.length; r++) {
      int i = order[r];
      Candidate c = candidates.get(i);
      ranked.add(RankedCandidate.newBuilder()
          .setId(c.getId())
          .setText(c.getText())
          .setScore(scores[i])
          .setRank(r + 1)
          .setOriginalRank(i + 1)
          .setRetrievalScore(c.getRetrievalScore())
          .setSource(c.getSource())
          .setTruncated(truncated[i])
          .build());
    }
    return ranked;
  }

  private static double key(float score) {
    return Float.isNaN(score) ? Double.NEGATIVE_INFINITY : score;
  }

  /** The first {@code k} of a ranking (all of it when shorter). */
  public static List<RankedCandidate> topK(List<RankedCandidate> ranked, int k) {
    return new ArrayList<>(ranked.subList(0, Math.min(Math.max(k, 1), ranked.size())));
  }
}
