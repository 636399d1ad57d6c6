package dev.flinkreranker.ranking;

import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.RankedCandidate;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.validation.Text;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the {@link RerankResult} of a scored request. */
public final class ResultAssembler {
  private ResultAssembler() {}

  /** {@link #assemble(ScoredRequest, int, int, Instant)} copying whole candidate texts. */
  public static RerankResult assemble(ScoredRequest scored, int defaultTopK, Instant emittedAt) {
    return assemble(scored, defaultTopK, -1, emittedAt);
  }

  /**
   * @param defaultTopK used when the request has no {@code top_k}
   * @param textMaxChars candidate text copied into the result: at most this many characters (cut
   *     texts are flagged {@code text_truncated}), 0 for none, -1 for whole texts
   * @param emittedAt wall-clock time of assembly
   */
  public static RerankResult assemble(ScoredRequest scored, int defaultTopK, int textMaxChars,
      Instant emittedAt) {
    CandidateSet set = scored.getRequest().getCandidateSet();
    List<Float> s = scored.getScores();
    List<Boolean> t = scored.getTruncated();
    float[] scores = new float[s.size()];
    boolean[] truncated = new boolean[s.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = s.get(i);
      truncated[i] = t.get(i);
    }
    List<RankedCandidate> ranked = Ranking.rank(set.getCandidates(), scores, truncated);
    int k = set.getTopK() != null ? set.getTopK() : defaultTopK;
    List<RankedCandidate> top = Ranking.topK(ranked, k);
    if (textMaxChars >= 0) {
      // top1 is top.get(0): one object, cut once.
      for (RankedCandidate c : top) {
        String text = Text.cut(c.getText(), textMaxChars);
        if (text.length() < c.getText().length()) {
          c.setText(text);
          c.setTextTruncated(true);
        }
      }
    }
    Map<String, String> attributes = new LinkedHashMap<>(set.getAttributes());
    int dropped = scored.getRequest().getDroppedDuplicates();
    if (dropped > 0) {
      attributes.put("dropped_duplicate_candidates", Integer.toString(dropped));
    }
    return RerankResult.newBuilder()
        .setRequestId(set.getRequestId())
        .setQuery(set.getQuery())
        .setTop1(top.get(0))
        .setRanked(top)
        .setModel(scored.getModel())
        .setEventTime(set.getEventTime())
        .setEmittedAt(emittedAt)
        .setQueueMillis(scored.getQueueMillis())
        .setInferenceMillis(scored.getInferenceMillis())
        .setCandidateCount(set.getCandidates().size())
        .setAttributes(attributes)
        .build();
  }
}
