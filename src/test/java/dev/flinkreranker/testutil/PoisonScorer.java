package dev.flinkreranker.testutil;

import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.ForwardingScorer;
import dev.flinkreranker.scoring.LexicalScorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.ScoringService;
import java.util.List;

/** BM25, except that it throws on any call containing a document with the word POISON. */
public final class PoisonScorer extends ForwardingScorer {
  public static final String POISON = "POISON";

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
    return delegate.scorePrepared(pairs);
  }
}
