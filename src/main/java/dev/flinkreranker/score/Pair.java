package dev.flinkreranker.score;

import java.io.Serializable;
import java.util.Objects;

/**
 * One (query, document) pair to score. {@code instruction} may be null: the scorer then uses its
 * default (for Qwen3-Reranker, the model card's web-search instruction).
 */
public record Pair(String query, String document, String instruction) implements Serializable {
  public Pair {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(document, "document");
  }

  public static Pair of(String query, String document) {
    return new Pair(query, document, null);
  }
}
