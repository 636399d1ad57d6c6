package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.scoring.BatchScoring;
import dev.flinkreranker.scoring.JsonLinePairs;
import dev.flinkreranker.scoring.Pair;
import dev.flinkreranker.scoring.Scorer;
import dev.flinkreranker.scoring.Scorers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code score}: JSON lines of pairs on stdin, one {@code {"score": s}} line each on stdout. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Reads JSON lines {\"query\", \"document\", \"instruction\"?} on stdin and writes one"
          + " {\"score\": s} line per input, in the same order (like vLLM /score).",
      "A malformed line is an error naming its line number; nothing is skipped."
    })
public final class ScoreCommand implements Callable<Integer> {
  @Mixin ModelOptions model;

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
    try (Scorer scorer = Scorers.open(model.spec())) {
      scores = BatchScoring.scoreAll(scorer, pairs);
    }
    ObjectMapper json = new ObjectMapper();
    PrintStream out = System.out;
    for (float s : scores) {
      out.println(json.createObjectNode().put("score", s));
    }
    out.flush();
    return 0;
  }
}
