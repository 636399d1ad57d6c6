package dev.flinkreranker.testutil;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * A deterministic scorer for batching tests: a pair's "tokens" is its document's length in
 * characters, its score is a hash of the pair, every batch is recorded, and a predicate decides
 * which documents make a batch fail.
 */
public final class RecordingScorer implements Scorer {
  public final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
  private final Predicate<String> fails;
  private volatile boolean closed;

  public RecordingScorer(Predicate<String> fails) {
    this.fails = fails;
  }

  public RecordingScorer() {
    this(d -> false);
  }

  public static float expectedScore(Pair p) {
    return (p.query() + "\u0000" + p.document()).hashCode() / (float) Integer.MAX_VALUE;
  }

  public boolean closed() {
    return closed;
  }

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public PreparedPair prepare(Pair pair) {
    return new PreparedPair(pair, Math.max(1, pair.document().length()), false, null);
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    List<String> docs = pairs.stream().map(p -> p.pair().document()).toList();
    batches.add(docs);
    for (String d : docs) {
      if (fails.test(d)) {
        throw new IllegalStateException("cannot score " + d);
      }
    }
    float[] out = new float[pairs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = expectedScore(pairs.get(i).pair());
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
  }
}
