package dev.flinkreranker.scoring;

/** Opens the scorer a {@link ScorerSpec} names. */
public final class Scorers {
  private Scorers() {}

  public static Scorer open(ScorerSpec spec) {
    if (spec.isLexical()) {
      return new LexicalScorer();
    }
    throw new IllegalArgumentException(
        "cannot open model '" + spec.model() + "': the Qwen3 engine is not wired in yet");
  }
}
