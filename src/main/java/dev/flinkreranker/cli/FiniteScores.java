package dev.flinkreranker.cli;

/**
 * A score that is NaN or infinite is a broken model (NaN or overflowing weights), not a ranking:
 * {@code score} and {@code try} refuse to print it and exit non-zero, naming the model.
 */
final class FiniteScores {
  private FiniteScores() {}

  /**
   * The error line for the first non-finite score, or null when all are finite.
   *
   * @param item what the i-th score belongs to, e.g. "pair" (blank input lines are not pairs) or
   *     "document", numbered from 1
   */
  static String problem(String command, String model, float[] scores, String item) {
    for (int i = 0; i < scores.length; i++) {
      if (!Float.isFinite(scores[i])) {
        return command + ": model " + model + " gave the score " + scores[i] + " for " + item + " "
            + (i + 1) + "; a model whose output is not a finite number is broken (check its"
            + " weights for NaN or infinite values); nothing was written";
      }
    }
    return null;
  }
}
