package dev.flinkreranker.scoring;

import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.model.hub.ResolvedModel;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import dev.flinkreranker.score.Scorer;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Opens the scorer a {@link ScorerSpec} names. */
public final class Scorers {
  private Scorers() {}

  public static Scorer open(ScorerSpec spec) {
    return open(spec, ModelResolver.fromEnvironment());
  }

  /** Opens {@code spec} resolving hub ids with {@code resolver} (SQL models carry hub options). */
  public static Scorer open(ScorerSpec spec, ModelResolver resolver) {
    if (spec.isLexical()) {
      return new LexicalScorer();
    }
    // A directory stays as is; a hub id becomes its snapshot in the shared cache (downloaded once).
    ResolvedModel model = resolver.resolve(spec.model());
    // Results name the model as the user did, pinned to the commit when it came from the hub.
    String name = model.fromHub() ? model.id() + "@" + model.commit() : spec.model();
    try {
      return Qwen3Reranker.load(model.dir(), name,
          Qwen3Reranker.Options.defaults()
              .withDevice(spec.device())
              .withDtype(spec.dtype())
              .withMaxLength(spec.maxLength()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open model " + spec.model() + " (" + model.dir() + "): " + e.getMessage(), e);
    }
  }
}
