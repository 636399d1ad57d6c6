package dev.flinkreranker.scoring;

import java.util.List;

/**
 * Placeholder so that {@link Scorers} compiles on the engine branch; the lead's BM25 scorer replaces
 * this file when the branches merge.
 */
public final class LexicalScorer implements Scorer {
  @Override
  public String name() {
    return ScorerSpec.LEXICAL;
  }

  @Override
  public PreparedPair prepare(Pair pair) {
    throw new UnsupportedOperationException("the lexical scorer is not on this branch yet");
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    throw new UnsupportedOperationException("the lexical scorer is not on this branch yet");
  }

  @Override
  public boolean requestScoped() {
    return true;
  }
}
