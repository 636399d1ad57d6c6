package dev.flinkreranker.scoring;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import java.util.List;
import java.util.Objects;

/**
 * A scorer that forwards everything to another one; decorators (caching, test doubles) override
 * only what they change.
 */
public abstract class ForwardingScorer implements Scorer {
  protected final Scorer delegate;

  protected ForwardingScorer(Scorer delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  public Scorer delegate() {
    return delegate;
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
    return delegate.scorePrepared(pairs);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
