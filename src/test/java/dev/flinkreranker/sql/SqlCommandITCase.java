package dev.flinkreranker.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sql FILE} runs the example of docs/sql.md on an embedded cluster and prints its rows. */
class SqlCommandITCase {

  @TempDir Path tmp;

  @Test
  void runsTheExampleScript() {
    Output out = run("sql", "job/sql/rerank.sql");
    assertEquals(0, out.code, out.err);
    // Pair scoring: the NULL document comes back with its reason.
    assertTrue(out.out.contains("NULL_FIELD: document is NULL"), out.out);
    // List reranking: BM25 picks the bread recipe and Paris.
    assertTrue(out.out.matches("(?s).*req-1\\s*\\|\\s*b\\s*\\|.*"), out.out);
    assertTrue(out.out.matches("(?s).*req-2\\s*\\|\\s*x\\s*\\|.*"), out.out);
  }

  @Test
  void aBadStatementNamesItselfAndTheProblem() throws Exception {
    Path script = tmp.resolve("bad.sql");
    Files.writeString(script, "CREATE MODEL m INPUT (q STRING, d STRING) OUTPUT (s FLOAT)"
        + " WITH ('provider' = 'qwen3-reranker', 'model' = 'lexical');\n"
        + "SELECT * FROM ML_PREDICT((SELECT 'a' AS q, 'b' AS d), MODEL m, DESCRIPTOR(q, d));");
    Output out = run("sql", script.toString());
    assertEquals(1, out.code);
    assertTrue(out.err.contains("statement 2 failed"), out.err);
    assertTrue(out.err.contains("pair scoring (INPUT query STRING, document STRING) needs OUTPUT"
        + " (score DOUBLE [, reason STRING]), got (s FLOAT)"), out.err);
    assertEquals(2, run("sql", tmp.resolve("missing.sql").toString()).code);
  }

  private record Output(int code, String out, String err) {}

  private static Output run(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Output(code, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }
}
