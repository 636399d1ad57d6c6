package dev.flinkreranker.testutil;

import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.ForwardingScorer;
import dev.flinkreranker.scoring.LexicalScorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.ScoringService;
import java.util.List;

/**
 * BM25, except that it throws on any call containing a document with the word POISON, and scores
 * a document with the word NANSCORE as NaN (what a model with NaN weights returns).
 */
public final class PoisonScorer extends ForwardingScorer {
  public static final String POISON = "POISON";
  public static final String NAN = "NANSCORE";

  public PoisonScorer(Scorer delegate) {
    super(delegate);
  }

  /** A serializable factory for the job graph. */
  public static ScoringService.ScorerFactory factory() {
    return (ScorerSpec spec) -> new PoisonScorer(new LexicalScorer());
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    for (PreparedPair p : pairs) {
      if (p.pair().document().contains(POISON)) {
        throw new IllegalStateException("poisoned document");
      }
    }
    float[] scores = delegate.scorePrepared(pairs);
    for (int i = 0; i < scores.length; i++) {
      if (pairs.get(i).pair().document().contains(NAN)) {
        scores[i] = Float.NaN;
      }
    }
    return scores;
  }
}
