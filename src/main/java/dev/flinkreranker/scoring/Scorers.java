package dev.flinkreranker.scoring;

import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    try {
      return Qwen3Reranker.load(
          dir,
          Qwen3Reranker.Options.defaults()
              .withDevice(spec.device())
              .withDtype(spec.dtype())
              .withMaxLength(spec.maxLength()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open model " + spec.model() + ": " + e.getMessage(), e);
    }
  }
}
