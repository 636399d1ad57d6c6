package dev.flinkreranker.score;

import java.util.ArrayList;
import java.util.List;

/**
 * A relevance scorer: the model-handler interface between the streaming job and a model.
 *
 * <p>Contract: {@code score(pairs)[i]} is the score of {@code pairs.get(i)}, and it does not depend on
 * the other pairs of the call, except for {@linkplain #requestScoped() request-scoped} scorers (BM25
 * needs corpus statistics), which must be called with exactly the pairs of one request.
 *
 * <p>Implementations are used by one batcher thread at a time but must be safe to {@link #close()}
 * from another thread once scoring has stopped.
 */
public interface Scorer extends AutoCloseable {

  /** Name reported in results, e.g. the model directory or hub id, or {@code lexical}. */
  String name();

  /** Cheap per-pair preparation (tokenization, truncation). */
  PreparedPair prepare(Pair pair);

  /** Scores prepared pairs; result {@code i} belongs to {@code pairs.get(i)}. */
  float[] scorePrepared(List<PreparedPair> pairs);

  /** Convenience: prepare and score. */
  default float[] score(List<Pair> pairs) {
    List<PreparedPair> prepared = new ArrayList<>(pairs.size());
    for (Pair p : pairs) {
      prepared.add(prepare(p));
    }
    return scorePrepared(prepared);
  }

  /**
   * True when scores are only meaningful within one request (the candidate list is the corpus), so
   * the micro-batcher must hand such a scorer one whole request per call.
   */
  default boolean requestScoped() {
    return false;
  }

  @Override
  default void close() {}
}
