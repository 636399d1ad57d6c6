package dev.flinkreranker.scoring;

import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the scorer a {@link ScorerSpec} names. */
public final class Scorers {
  private Scorers() {}

  public static Scorer open(ScorerSpec spec) {
    if (spec.isLexical()) {
      return new LexicalScorer();
    }
    Path dir = Path.of(spec.model());
    if (Files.isDirectory(dir)) {
      try {
        return Qwen3Reranker.load(
            dir,
            Qwen3Reranker.Options.defaults()
                .withDevice(spec.device())
                .withDtype(spec.dtype())
                .withMaxLength(spec.maxLength()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open model directory " + dir + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(
        "cannot open model '" + spec.model() + "': not a directory (hub ids are not wired in yet)");
  }
}
