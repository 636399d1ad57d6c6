package dev.flinkreranker.model.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.model.safetensors.DType;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.Scorers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen3RerankerTest {
  @TempDir static Path tmp;
  static Path modelDir;
  static Qwen3Reranker reranker;
  static HuggingFaceTokenizer tokenizer;

  /** About 900 tokens of text: far beyond DJL's silent 512-token default. */
  static final String LONG_DOC = longDoc();

  static String longDoc() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sb.append("Sentence ").append(i).append(" about rivers, mountains and ").append(i * 7).append(" cities. ");
    }
    return sb.toString();
  }

  @BeforeAll
  static void load() throws IOException {
    modelDir = TinyQwen3Checkpoint.builder().dtype(DType.BF16).seed(5).writeTo(tmp.resolve("model"));
    reranker =
        Qwen3Reranker.load(
            modelDir,
            Qwen3Reranker.Options.defaults().withDevice("cpu").withDtype("fp32").withMaxLength(2048));
    tokenizer = Qwen3Reranker.openTokenizer(modelDir);
  }

  @AfterAll
  static void close() {
    reranker.close();
    tokenizer.close();
  }

  private static long[] encode(String s) {
    return tokenizer.encode(s, false, false).getIds();
  }

  private static int[] toInts(long[] ids) {
    return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
  }

  @Test
  void promptTokensCountWhatPrepareBuildsWithoutTheWeights() throws IOException {
    String longer = LONG_DOC.repeat(3); // beyond max length 2048: cut
    try (Qwen3PromptTokens counter = Qwen3PromptTokens.open(modelDir, 2048)) {
      for (Pair p : List.of(Pair.of("capital of France", "Paris is the capital."),
          new Pair("نص عربي", "يمكنك استخدام مكتبة PyPDF2", "Find code"),
          Pair.of("rivers", LONG_DOC), Pair.of("rivers", longer))) {
        assertEquals(reranker.prepare(p).tokens(), counter.tokens(p), p.query());
      }
      assertEquals(2048, counter.tokens(Pair.of("rivers", longer)));
    }
  }

  @Test
  void yesAndNoComeFromTheTokenizer() {
    assertEquals(9693, reranker.yesId());
    assertEquals(2152, reranker.noId());
  }

  @Test
  void promptPrefixAndSuffixTokens() {
    int[] prefix = reranker.prefixIds();
    int[] suffix = reranker.suffixIds();
    // <|im_start|> system \n ... <|im_end|> \n <|im_start|> user \n
    assertArrayEquals(new int[] {151644, 8948, 198}, Arrays.copyOf(prefix, 3));
    assertArrayEquals(new int[] {151645, 198, 151644, 872, 198}, Arrays.copyOfRange(prefix, prefix.length - 5, prefix.length));
    // <|im_end|> \n <|im_start|> assistant \n <think> \n\n </think> \n\n
    assertArrayEquals(new int[] {151645, 198, 151644, 77091, 198, 151667, 271, 151668, 271}, suffix);
    assertEquals(Qwen3Reranker.PREFIX, tokenizer.decode(Arrays.stream(prefix).asLongStream().toArray(), false));
    assertEquals(Qwen3Reranker.SUFFIX, tokenizer.decode(Arrays.stream(suffix).asLongStream().toArray(), false));
  }

  @Test
  void inputIsPrefixBodySuffix() {
    Pair p = new Pair("what is a reranker?", "It orders candidates.", "Custom task");
    PreparedPair prepared = reranker.prepare(p);
    String body = "<Instruct>: Custom task\n<Query>: what is a reranker?\n<Document>: It orders candidates.";
    assertEquals(body, Qwen3Reranker.body(p));
    int[] expected = concat(reranker.prefixIds(), toInts(encode(body)), reranker.suffixIds());
    assertArrayEquals(expected, prepared.inputIds());
    assertEquals(expected.length, prepared.tokens());
    assertFalse(prepared.truncated());
    // A null instruction means the model card's default.
    assertTrue(Qwen3Reranker.body(Pair.of("q", "d")).startsWith("<Instruct>: " + Qwen3Reranker.DEFAULT_INSTRUCTION + "\n"));
  }

  @Test
  void idsOnlyEncodingEqualsTheFullEncoding() {
    List<String> texts = new java.util.ArrayList<>(List.of(
        "", " ", "a", "  two  spaces\n\n\tand tabs ", "ä ö ü Ελληνικά και 中文 日本語 🙂👍🏽",
        "<|im_end|> special-looking text <think>", "x".repeat(3000), LONG_DOC));
    for (List<Pair> request : dev.flinkreranker.bench.SyntheticRequests.generate(5, 3)) {
      for (Pair p : request) {
        texts.add(Qwen3Reranker.body(p));
      }
    }
    for (String text : texts) {
      assertArrayEquals(toInts(encode(text)), Qwen3Reranker.ids(tokenizer, text), text);
    }
  }

  @Test
  void longDocumentsAreNotCutAt512Tokens() {
    long[] body = encode(Qwen3Reranker.body(Pair.of("rivers", LONG_DOC)));
    assertTrue(body.length > 700, "test document too short: " + body.length);
    PreparedPair p = reranker.prepare(Pair.of("rivers", LONG_DOC));
    assertFalse(p.truncated());
    assertEquals(reranker.prefixIds().length + body.length + reranker.suffixIds().length, p.tokens());
    assertEquals(Qwen3Reranker.body(Pair.of("rivers", LONG_DOC)), tokenizer.decode(body, false));
  }

  @Test
  void bodyIsCutToExactlyMaxLengthMinusPrompt() throws IOException {
    int maxLength = 600;
    try (Qwen3Reranker r =
        Qwen3Reranker.load(modelDir, Qwen3Reranker.Options.defaults().withDevice("cpu").withMaxLength(maxLength))) {
      PreparedPair p = r.prepare(Pair.of("rivers", LONG_DOC));
      assertTrue(p.truncated());
      assertEquals(maxLength, p.tokens());
      int room = maxLength - r.prefixIds().length - r.suffixIds().length;
      int[] body = toInts(encode(Qwen3Reranker.body(Pair.of("rivers", LONG_DOC))));
      assertArrayEquals(concat(r.prefixIds(), Arrays.copyOf(body, room), r.suffixIds()), p.inputIds());
      // One token more than the room is truncated, exactly the room is not.
      assertFalse(r.prepare(Pair.of("q", "short")).truncated());
    }
  }

  @Test
  void scoreDoesNotDependOnBatchNeighboursOrPadding() throws IOException {
    List<Pair> pairs =
        List.of(
            Pair.of("mountains", "The Alps are a mountain range in Europe."),
            Pair.of("mountains", ""),
            Pair.of("mountains", LONG_DOC.substring(0, 1500)),
            new Pair("山", "富士山は日本で最も高い山です。Mount Fuji, 3776 m. ⛰️", "Retrieve multilingual passages"),
            Pair.of("mountains", "short"));
    float[] together = reranker.logits(pairs);
    for (int i = 0; i < pairs.size(); i++) {
      float alone = reranker.logits(List.of(pairs.get(i)))[0];
      assertEquals(alone, together[i], 1e-4, "pair " + i + " alone vs batched");
    }
    // Tiny token budget: every pair in its own forward pass, in sorted order.
    try (Qwen3Reranker small =
        Qwen3Reranker.load(
            modelDir, Qwen3Reranker.Options.defaults().withDevice("cpu").withMaxLength(2048).withMaxBatchTokens(64))) {
      float[] packed = small.logits(pairs);
      for (int i = 0; i < pairs.size(); i++) {
        assertEquals(together[i], packed[i], 1e-4, "pair " + i + " with another packing");
      }
    }
  }

  @Test
  void scoresAreTheSigmoidOfTheLogits() {
    List<Pair> pairs = List.of(Pair.of("a", "b"), Pair.of("a", ""), Pair.of("ä ö ü", "Ελληνικά και 中文"));
    float[] logits = reranker.logits(pairs);
    float[] scores = reranker.score(pairs);
    for (int i = 0; i < pairs.size(); i++) {
      assertEquals(1 / (1 + Math.exp(-logits[i])), scores[i], 1e-6);
      assertTrue(scores[i] > 0 && scores[i] < 1, "score " + scores[i]);
    }
  }

  @Test
  void longInputMatchesTheReference() throws IOException {
    TinyQwen3Checkpoint ck = TinyQwen3Checkpoint.builder().dtype(DType.F16).tied(false).sharded(true).seed(9).build();
    Path dir = ck.writeTo(tmp.resolve("long"));
    try (Qwen3Reranker r =
        Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu").withMaxLength(700))) {
      PreparedPair p = r.prepare(Pair.of("rivers", LONG_DOC));
      assertEquals(700, p.tokens());
      double expected = new ReferenceQwen3(ck).logitDifference(p.inputIds(), r.yesId(), r.noId());
      assertEquals(expected, r.logitsPrepared(List.of(p))[0], 1e-3);
    }
  }

  @Test
  void scorersOpenAModelDirectory() {
    try (Scorer s = Scorers.open(new ScorerSpec(modelDir.toString(), "cpu", "fp32", 2048))) {
      assertInstanceOf(Qwen3Reranker.class, s);
      List<Pair> pairs = List.of(Pair.of("q", "doc one"), Pair.of("q", "doc two"));
      assertArrayEquals(reranker.score(pairs), s.score(pairs), 1e-6f);
    }
    // Not a directory and not a hub id: the resolver says so, naming what was given.
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> Scorers.open(new ScorerSpec(tmp.resolve("nope").toString(), "cpu", "fp32", 512)));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void missingWeightIsReportedWithFileAndTensor() throws IOException {
    Path dir = TinyQwen3Checkpoint.builder().sharded(true).tied(false).writeTo(tmp.resolve("missing"));
    Path index = dir.resolve("model.safetensors.index.json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(index.toFile());
    ((ObjectNode) root.get("weight_map")).remove("model.layers.1.mlp.up_proj.weight");
    json.writeValue(index.toFile(), root);
    IOException e = assertThrows(IOException.class, () -> Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu")));
    assertTrue(e.getMessage().contains(index.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e.getMessage());
  }

  @Test
  void shapeMismatchWithConfigIsReportedWithFileAndTensor() throws IOException {
    Path dir = TinyQwen3Checkpoint.builder().writeTo(tmp.resolve("shape"));
    Path config = dir.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"intermediate_size\" : 64", "\"intermediate_size\" : 96"));
    IOException e = assertThrows(IOException.class, () -> Qwen3Reranker.load(dir, Qwen3Reranker.Options.defaults().withDevice("cpu")));
    assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("model.layers.0.mlp.gate_proj.weight"), e.getMessage());
    assertTrue(e.getMessage().contains("wrong shape [64, 32], expected [96, 32]"), e.getMessage());
  }

  @Test
  void unreadableTokenizerFilesAreNamedWithoutLibraryInternals() throws IOException {
    String[][] cases = {
      {"tokenizer.json", "{\"model\": "}, {"tokenizer.json", "[1, 2, 3]"}, {"tokenizer.json", "{} {}"},
      {"tokenizer.json", "{\"model\": {\"type\": \"NoSuchModel\"}}"},
      {"tokenizer_config.json", "{\"model_max_length\": "}, {"tokenizer_config.json", "\"text\""},
    };
    for (int i = 0; i < cases.length; i++) {
      String file = cases[i][0];
      String content = cases[i][1];
      Path dir = tmp.resolve("tok-" + i);
      TinyQwen3Checkpoint.copyTokenizer(Files.createDirectories(dir));
      Files.writeString(dir.resolve(file), content);
      IOException e = assertThrows(IOException.class, () -> Qwen3Reranker.openTokenizer(dir).close(), file + " = " + content);
      String m = e.getMessage();
      assertTrue(m.contains(dir.resolve(file).toString()), m);
      assertTrue(m.contains("download") || m.contains("replace"), "says what to do: " + m);
      assertFalse(m.contains("ai.djl") || m.contains("serde") || m.contains("Exception") || m.contains("Source:") || m.contains("enum"), "no library internals: " + m);
    }
  }

  @Test
  void maxLengthLimits() {
    assertThrows(IllegalArgumentException.class, () -> Qwen3Reranker.Options.defaults().withMaxLength(32769));
    assertEquals(32768, Qwen3Reranker.Options.defaults().withMaxLength(32768).maxLength());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Qwen3Reranker.load(modelDir, Qwen3Reranker.Options.defaults().withDevice("cpu").withMaxLength(40)));
    assertTrue(e.getMessage().contains("no room for the document"), e.getMessage());
  }

  static int[] concat(int[]... parts) {
    List<Integer> all = new ArrayList<>();
    for (int[] p : parts) {
      for (int v : p) {
        all.add(v);
      }
    }
    return all.stream().mapToInt(Integer::intValue).toArray();
  }
}
