package dev.flinkreranker.testutil;

import dev.flinkreranker.scoring.LexicalScorer;
import dev.flinkreranker.scoring.Pair;
import dev.flinkreranker.scoring.PreparedPair;
import dev.flinkreranker.scoring.Scorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.ScoringService;
import java.util.List;

/** BM25, except that it throws on any call containing a document with the word POISON. */
public final class PoisonScorer implements Scorer {
  public static final String POISON = "POISON";
  private final Scorer delegate;

  public PoisonScorer(Scorer delegate) {
    this.delegate = delegate;
  }

  /** A serializable factory for the job graph. */
  public static ScoringService.ScorerFactory factory() {
    return (ScorerSpec spec) -> new PoisonScorer(new LexicalScorer());
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean requestScoped() {
    return delegate.requestScoped();
  }

  @Override
  public PreparedPair prepare(Pair pair) {
    return delegate.prepare(pair);
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
