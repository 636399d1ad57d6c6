package dev.flinkreranker.scoring;

import dev.flinkreranker.model.hub.ModelResolver;
import java.nio.file.Path;

/** Opens the scorer a {@link ScorerSpec} names. */
public final class Scorers {
  private Scorers() {}

  public static Scorer open(ScorerSpec spec) {
    if (spec.isLexical()) {
      return new LexicalScorer();
    }
    // A directory stays as is; a hub id becomes its snapshot in the shared cache (downloaded once).
    Path dir = ModelResolver.fromEnvironment().resolve(spec.model()).dir();
    throw new IllegalArgumentException(
        "cannot open model '" + spec.model() + "' (" + dir + "): the Qwen3 engine is not wired in yet");
  }
}
