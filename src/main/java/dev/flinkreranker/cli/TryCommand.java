package dev.flinkreranker.cli;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.Scorers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code try}: rank a few documents for one query and show them as a table. */
@Command(
    name = "try",
    mixinStandardHelpOptions = true,
    description = "Scores documents against one query and prints them ranked, top-1 highlighted.")
public final class TryCommand implements Callable<Integer> {
  @Mixin ModelOptions model;

  @Option(names = "--query", required = true, description = "The query.")
  String query;

  @Option(names = "--doc", description = "A document (repeat for more).")
  List<String> docs = new ArrayList<>();

  @Option(names = "--docs", description = "A file with one document per line.")
  Path docsFile;

  @Override
  public Integer call() throws Exception {
    List<String> all = new ArrayList<>(docs);
    if (docsFile != null) {
      all.addAll(Files.readAllLines(docsFile, StandardCharsets.UTF_8));
    }
    if (all.isEmpty()) {
      System.err.println("try: no documents (use --doc TEXT or --docs FILE)");
      return 2;
    }
    List<Pair> pairs = new ArrayList<>(all.size());
    for (String d : all) {
      pairs.add(new Pair(query, d, model.instruction));
    }
    float[] scores;
    try (Scorer scorer = Scorers.open(model.spec())) {
      // One call: the documents are one request (what request-scoped scorers need).
      scores = scorer.score(pairs);
    }
    String broken = FiniteScores.problem("try", model.model, scores, "document");
    if (broken != null) {
      System.err.println(broken);
      return 1;
    }
    boolean color = System.console() != null && System.getenv("NO_COLOR") == null;
    System.out.print(RankedTable.render(all, scores, color));
    System.out.flush();
    return 0;
  }
}
