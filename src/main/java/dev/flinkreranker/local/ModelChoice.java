package dev.flinkreranker.local;

import dev.flinkreranker.model.hub.HubException;
import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.model.hub.Resolution;
import dev.flinkreranker.scoring.ScorerSpec;
import java.io.PrintStream;

/**
 * Which scorer the demo runs. A model the user named must work or the demo stops with the reason;
 * the default model ({@link #DEFAULT_MODEL}) is a convenience, so when it cannot be had (no
 * network, not cached) the demo says so in a banner and runs with the lexical scorer instead.
 */
public final class ModelChoice {
  public static final String DEFAULT_MODEL = "Qwen/Qwen3-Reranker-0.6B";

  private ModelChoice() {}

  /**
   * @param named the model the user named (command line or profile), or null for the default
   * @return the model to run
   * @throws HubException when a named hub model cannot be resolved
   */
  public static String choose(String named, ModelResolver resolver, PrintStream out) {
    if (named != null) {
      if (!ModelResolver.isLexical(named)) {
        resolver.resolve(named); // fail now, with the hub's advice, not later in a TaskManager
      }
      return named;
    }
    Resolution r = resolver.tryResolve(DEFAULT_MODEL);
    if (r.resolved()) {
      return DEFAULT_MODEL;
    }
    String reason = r.failure().map(Throwable::getMessage).orElse("unknown reason");
    banner(out, DEFAULT_MODEL + " is not available, so this demo ranks with the lexical (BM25)"
        + " scorer instead.", "Why: " + reason,
        "Pass --model lexical to skip this check, or --model DIR for a model directory.");
    return ScorerSpec.LEXICAL;
  }

  private static void banner(PrintStream out, String... paragraphs) {
    int width = 88;
    String rule = "=".repeat(width);
    out.println(rule);
    for (String p : paragraphs) {
      StringBuilder line = new StringBuilder();
      for (String word : p.split(" ")) {
        if (line.length() + word.length() + 1 > width - 2 && line.length() > 0) {
          out.println("  " + line);
          line.setLength(0);
        }
        line.append(line.length() == 0 ? "" : " ").append(word);
      }
      out.println("  " + line);
    }
    out.println(rule);
  }
}
