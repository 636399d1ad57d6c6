package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.BatchScoring;
import dev.flinkreranker.scoring.JsonLinePairs;
import dev.flinkreranker.scoring.Scorers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code score}: JSON lines of pairs on stdin, one {@code {"score": s}} line each on stdout. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Reads JSON lines {\"query\", \"document\", \"instruction\"?} on stdin and writes one"
          + " {\"score\": s} line per input, in the same order (like vLLM /score).",
      "A malformed line is an error naming its line number; blank lines are skipped."
    })
public final class ScoreCommand implements Callable<Integer> {
  @Mixin ModelOptions model;

  @Option(
      names = "--logit",
      description = "Also write the raw logit(yes) - logit(no) of each pair (Qwen3 models only):"
          + " {\"score\": s, \"logit\": l}.")
  boolean logit;

  @Override
  public Integer call() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<Pair> pairs;
    try {
      pairs = JsonLinePairs.read(in, model.instruction);
    } catch (JsonLinePairs.BadLineException e) {
      System.err.println("score: stdin " + e.getMessage());
      return 2;
    }
    float[] scores;
    float[] logits = null;
    try (Scorer scorer = Scorers.open(model.spec())) {
      if (logit) {
        if (!(scorer instanceof Qwen3Reranker reranker)) {
          System.err.println("score: --logit needs a Qwen3 model, not " + scorer.name());
          return 2;
        }
        logits = BatchScoring.logitsAll(reranker, pairs);
        scores = Qwen3Reranker.sigmoid(logits);
      } else {
        scores = BatchScoring.scoreAll(scorer, pairs);
      }
    }
    String broken = FiniteScores.problem("score", model.model, scores, "pair");
    if (broken != null) {
      System.err.println(broken);
      return 1;
    }
    ObjectMapper json = new ObjectMapper();
    PrintStream out = System.out;
    for (int i = 0; i < scores.length; i++) {
      ObjectNode line = json.createObjectNode().put("score", scores[i]);
      if (logits != null) {
        line.put("logit", logits[i]);
      }
      out.println(line);
    }
    out.flush();
    return 0;
  }
}
