package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import dev.flinkreranker.model.qwen3.TinyQwen3Checkpoint;
import dev.flinkreranker.model.safetensors.DType;
import dev.flinkreranker.score.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code score} and {@code try} end to end through {@link Main#run} on a tiny checkpoint. */
class ScoreAndTryCommandTest {
  @TempDir static Path tmp;
  static Path model;

  private final InputStream stdin = System.in;
  private final PrintStream stdout = System.out;
  private final PrintStream stderr = System.err;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void checkpoint() throws Exception {
    // Bind log4j's console appender to the real stdout before any test captures System.out.
    org.slf4j.LoggerFactory.getLogger(ScoreAndTryCommandTest.class).info("writing tiny checkpoint");
    model = TinyQwen3Checkpoint.builder().dtype(DType.F32).tied(false).heads(4, 1).seed(3).writeTo(tmp.resolve("model"));
  }

  @AfterEach
  void restore() {
    System.setIn(stdin);
    System.setOut(stdout);
    System.setErr(stderr);
  }

  private int run(String input, String... args) {
    System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @Test
  void scoreWritesOneLinePerInputInOrder() throws Exception {
    String input =
        """
        {"query": "capital of France", "document": "Paris is the capital of France."}
        {"query": "capital of France", "document": ""}
        {"query": "Hauptstadt", "document": "Berlin ist die Hauptstadt. 北京是首都。", "instruction": "Find capitals"}
        {"query": "capital of France", "document": "Paris is the capital of France."}
        """;
    int rc = run(input, "score", "--model", model.toString(), "--device", "cpu", "--max-length", "1024");
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(4, lines.size(), out.toString(StandardCharsets.UTF_8));
    ObjectMapper json = new ObjectMapper();
    double[] scores = new double[4];
    for (int i = 0; i < 4; i++) {
      JsonNode n = json.readTree(lines.get(i));
      assertEquals(1, n.size(), lines.get(i));
      scores[i] = n.get("score").asDouble();
      assertTrue(scores[i] > 0 && scores[i] < 1, lines.get(i));
    }
    assertEquals(scores[0], scores[3], 1e-6); // same pair, same score
    assertNotEquals(scores[0], scores[1]);
    // The same numbers as the library, in input order (the third line has its own instruction).
    try (Qwen3Reranker r = Qwen3Reranker.load(model, Qwen3Reranker.Options.defaults().withDevice("cpu").withMaxLength(1024))) {
      float[] expected =
          r.score(
              List.of(
                  Pair.of("capital of France", "Paris is the capital of France."),
                  Pair.of("capital of France", ""),
                  new Pair("Hauptstadt", "Berlin ist die Hauptstadt. 北京是首都。", "Find capitals")));
      for (int i = 0; i < 3; i++) {
        assertEquals(expected[i], scores[i], 1e-5, "line " + (i + 1));
      }
    }
  }

  @Test
  void logitOptionWritesTheRawLogitToo() throws Exception {
    String input = "{\"query\": \"q\", \"document\": \"d1\"}\n{\"query\": \"q\", \"document\": \"\"}\n";
    assertEquals(0, run(input, "score", "--model", model.toString(), "--device", "cpu", "--logit"), err.toString(StandardCharsets.UTF_8));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2, lines.size());
    try (Qwen3Reranker r = Qwen3Reranker.load(model, Qwen3Reranker.Options.defaults().withDevice("cpu"))) {
      float[] logits = r.logits(List.of(Pair.of("q", "d1"), Pair.of("q", "")));
      for (int i = 0; i < 2; i++) {
        JsonNode n = new ObjectMapper().readTree(lines.get(i));
        assertEquals(logits[i], n.get("logit").asDouble(), 1e-6);
        assertEquals(1 / (1 + Math.exp(-logits[i])), n.get("score").asDouble(), 1e-6);
      }
    }
    err.reset();
    assertNotEquals(0, run(input, "score", "--model", "lexical", "--logit"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--logit needs a Qwen3 model"));
  }

  @Test
  void commandLineInstructionAppliesToLinesWithoutOne() throws Exception {
    String line = "{\"query\": \"q\", \"document\": \"some document\"}\n";
    assertEquals(0, run(line, "score", "--model", model.toString(), "--device", "cpu"));
    String plain = out.toString(StandardCharsets.UTF_8);
    out.reset();
    assertEquals(0, run(line, "score", "--model", model.toString(), "--device", "cpu", "--instruction", "Judge relevance to a legal question"));
    assertNotEquals(plain, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void badLineIsAnErrorNamingTheLine() {
    String input = "{\"query\": \"q\", \"document\": \"d\"}\n{\"query\": \"q\"}\n";
    int rc = run(input, "score", "--model", model.toString(), "--device", "cpu");
    assertNotEquals(0, rc);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("line 2") && e.contains("document"), e);
    assertEquals("", out.toString(StandardCharsets.UTF_8)); // nothing half-written

    err.reset();
    // A blank line is skipped but still counted: the error names the line as an editor numbers it.
    assertNotEquals(0, run("{\"query\": \"q\", \"document\": \"d\"}\n\nnot json\n", "score", "--model", model.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("line 3"), err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertNotEquals(0, run("{\"query\": 1, \"document\": \"d\"}\n", "score", "--model", model.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("line 1: \"query\" must be a string"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aSecondObjectOrTrailingTextOnALineIsAnErrorNamingTheLine() {
    String good = "{\"query\": \"q\", \"document\": \"d\"}";
    for (String bad : new String[] {good + " " + good, good + good, good + " garbage", good + " ]", good + " 1"}) {
      err.reset();
      out.reset();
      int rc = run(good + "\n" + bad + "\n", "score", "--model", "lexical");
      String e = err.toString(StandardCharsets.UTF_8);
      assertEquals(2, rc, bad + " -> " + e);
      assertTrue(e.contains("line 2: text after the JSON object"), e);
      assertEquals("", out.toString(StandardCharsets.UTF_8), bad);
    }
  }

  @Test
  void aModelThatOutputsNaNIsAnErrorNamingTheModel() throws Exception {
    TinyQwen3Checkpoint broken = TinyQwen3Checkpoint.builder().dtype(DType.F32).tied(false).heads(4, 1).seed(3).build();
    java.util.Arrays.fill(broken.weights().get("model.norm.weight"), Float.NaN);
    Path nanModel = broken.writeTo(tmp.resolve("nan-model"));

    int rc = run("{\"query\": \"q\", \"document\": \"d\"}\n", "score", "--model", nanModel.toString(), "--device", "cpu");
    String e = err.toString(StandardCharsets.UTF_8);
    assertNotEquals(0, rc, e);
    assertTrue(e.contains("score: model " + nanModel) && e.contains("NaN") && e.contains("pair 1"), e);
    assertEquals("", out.toString(StandardCharsets.UTF_8), "no \"NaN\" score written");

    err.reset();
    rc = run("", "try", "--model", nanModel.toString(), "--device", "cpu", "--query", "q", "--doc", "a", "--doc", "b");
    e = err.toString(StandardCharsets.UTF_8);
    assertNotEquals(0, rc, e);
    assertTrue(e.contains("try: model " + nanModel) && e.contains("NaN"), e);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void tryPrintsARankedTable() throws Exception {
    Path docs = tmp.resolve("docs.txt");
    String longDoc = "A long document. ".repeat(20);
    Files.writeString(docs, longDoc + "\n中文文档\n");
    int rc =
        run("", "try", "--model", model.toString(), "--device", "cpu", "--query", "which document?",
            "--doc", "first document", "--doc", "", "--docs", docs.toString());
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(5, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("rank") && lines.get(0).contains("score"), lines.get(0));
    assertFalse(out.toString(StandardCharsets.UTF_8).contains("\u001b["), "no ANSI codes when stdout is not a terminal");
    assertTrue(lines.get(1).startsWith("   1  ") && lines.get(1).endsWith("<- top 1"), lines.get(1));
    double previous = Double.MAX_VALUE;
    for (int i = 1; i < lines.size(); i++) {
      String[] cols = lines.get(i).trim().split("\\s+", 3);
      assertEquals(String.valueOf(i), cols[0]);
      double s = Double.parseDouble(cols[1]);
      assertTrue(s <= previous, "ranked by score: " + lines);
      previous = s;
    }
    String longRow = lines.stream().filter(l -> l.contains("A long document.")).findFirst().orElseThrow();
    assertTrue(longRow.contains("…"), longRow);
    assertTrue(longRow.length() < 160, longRow);
  }

  @Test
  void lexicalScoresEachQueryAsOneRequest() throws Exception {
    String input =
        """
        {"query": "red apple", "document": "a red apple"}
        {"query": "blue sky", "document": "the blue sky"}
        {"query": "red apple", "document": "a green pear"}
        {"query": "blue sky", "document": "a red apple"}
        """;
    assertEquals(0, run(input, "score", "--model", "lexical"), err.toString(StandardCharsets.UTF_8));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(4, lines.size());
    ObjectMapper json = new ObjectMapper();
    float[] got = new float[4];
    for (int i = 0; i < 4; i++) {
      got[i] = (float) json.readTree(lines.get(i)).get("score").asDouble();
    }
    try (var lexical = dev.flinkreranker.scoring.Scorers.open(dev.flinkreranker.scoring.ScorerSpec.lexical())) {
      float[] red = lexical.score(List.of(Pair.of("red apple", "a red apple"), Pair.of("red apple", "a green pear")));
      float[] blue = lexical.score(List.of(Pair.of("blue sky", "the blue sky"), Pair.of("blue sky", "a red apple")));
      assertEquals(red[0], got[0], 1e-6);
      assertEquals(blue[0], got[1], 1e-6);
      assertEquals(red[1], got[2], 1e-6);
      assertEquals(blue[1], got[3], 1e-6);
    }
    assertTrue(got[0] > got[2] && got[1] > got[3], java.util.Arrays.toString(got));
  }

  @Test
  void unknownModelIsOneClearLine() {
    Path missing = tmp.resolve("no-such-model");
    assertEquals(1, run("{\"query\": \"q\", \"document\": \"d\"}\n", "score", "--model", missing.toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.startsWith("error: ") && e.contains("no-such-model"), e);
    assertFalse(e.contains("\tat "), "no stack trace: " + e);
  }

  @Test
  void blankLinesAreSkippedAndGetNoScore() throws Exception {
    String input = "{\"query\": \"q\", \"document\": \"q d\"}\n\n \t\n{\"query\": \"q\", \"document\": \"d\"}\n\n";
    assertEquals(0, run(input, "score", "--model", "lexical"), err.toString(StandardCharsets.UTF_8));
    assertEquals(2, out.toString(StandardCharsets.UTF_8).lines().count(), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingFileIsNamedWithItsPath() {
    Path missing = tmp.resolve("absent-docs.txt");
    assertEquals(1, run("", "try", "--model", "lexical", "--query", "q", "--docs", missing.toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.startsWith("error: no such file: " + missing), e);
    assertFalse(e.contains("\tat "), "no stack trace: " + e);
  }

  @Test
  void tryWithoutDocumentsFails() {
    assertNotEquals(0, run("", "try", "--model", model.toString(), "--query", "q"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no documents"));
  }
}
