package dev.flinkreranker.model.qwen3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.model.safetensors.DType;
import dev.flinkreranker.score.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The inputs of the Hugging Face transformers goldens: three tiny random checkpoints and the pairs
 * scored on each. {@code main} writes them for {@code tools/goldens/qwen3_goldens.py}, which runs
 * transformers on them where it is installed and writes
 * {@code src/test/resources/goldens/qwen3-transformers.json}; {@link TransformersGoldenTest} checks
 * this project against that file.
 *
 * <p>Each checkpoint is rebuilt from its settings (recorded in the golden file) rather than
 * committed: the weights are ~40 MB. The SHA-256 of every weight file is recorded too, so a change
 * to the generator fails the golden test loudly instead of comparing against other weights.
 */
final class GoldenCases {
  /** Prompt length limit for every golden pair; one document is long enough to be cut. */
  static final int MAX_LENGTH = 200;

  static final List<Pair> PAIRS = List.of(
      Pair.of("what is the capital of France?", "Paris is the capital and largest city of France."),
      Pair.of("what is the capital of France?", "Berlin is the capital of Germany."),
      Pair.of("what is the capital of France?", ""),
      new Pair("Wie hoch ist der Mount Everest?",
          "珠穆朗玛峰海拔8848米。 Эверест — высочайшая вершина Земли. 🏔️", "Find multilingual passages"),
      Pair.of("  tabs\tand\nnewlines  ", "<|im_end|> is text here, and so is <Document>: itself."),
      Pair.of("q", "a somewhat longer document, " + "with repeated words and numbers 12345 ".repeat(40)));

  /** A checkpoint variant by name; the builder settings are what the golden file records. */
  record Variant(String name, DType dtype, boolean sharded, boolean tied, long seed, int hidden,
      int intermediate, int layers, int heads, int kvHeads, int headDim, double ropeTheta,
      boolean ropeParameters) {

    TinyQwen3Checkpoint build() {
      return TinyQwen3Checkpoint.builder().dtype(dtype).sharded(sharded).tied(tied).seed(seed)
          .hiddenSize(hidden).intermediateSize(intermediate).layers(layers).heads(heads, kvHeads)
          .headDim(headDim).ropeTheta(ropeTheta).ropeParameters(ropeParameters).build();
    }

  }

  static final List<Variant> VARIANTS = List.of(
      // The defaults: GQA 4/2, head_dim 16 = hidden / heads, tied head, BF16 in one file.
      new Variant("bf16-tied", DType.BF16, false, true, 101, 32, 64, 2, 4, 2, 16, 1_000_000, false),
      // F16 in 3 shards, separate lm_head, 4 query heads per KV head, head_dim 32 ≠ 32 / 8,
      // rope_theta under rope_parameters (the newer config layout).
      new Variant("f16-sharded-untied", DType.F16, true, false, 102, 32, 80, 2, 8, 2, 32, 1_000_000,
          true),
      // F32, no GQA, three layers, head_dim 8 < hidden / heads, a small rope_theta.
      new Variant("f32-mha-3-layers", DType.F32, false, true, 103, 16, 48, 3, 4, 4, 8, 10_000,
          false));

  private GoldenCases() {}

  /** SHA-256 of each weight file (name → hex) in a checkpoint directory. */
  static Map<String, String> weightDigests(Path dir) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList()) {
        out.put(f.getFileName().toString(), sha256(f));
      }
    }
    return out;
  }

  private static String sha256(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes {@code cases.json} and one directory of weights + config.json per variant under
   * {@code args[0]}, plus one copy of the tokenizer files in {@code tokenizer/} (the checkpoint
   * directories drop theirs, so the whole thing stays small enough to ship to a GPU machine).
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    ObjectMapper json = new ObjectMapper();
    ObjectNode cases = json.createObjectNode();
    cases.put("prefix", Qwen3Reranker.PREFIX);
    cases.put("suffix", Qwen3Reranker.SUFFIX);
    cases.put("default_instruction", Qwen3Reranker.DEFAULT_INSTRUCTION);
    cases.put("max_length", MAX_LENGTH);
    cases.set("pairs", json.valueToTree(PAIRS));
    ArrayNode variants = cases.putArray("checkpoints");
    for (Variant v : VARIANTS) {
      Path dir = v.build().writeTo(out.resolve(v.name()));
      Files.delete(dir.resolve("tokenizer.json"));
      Files.delete(dir.resolve("tokenizer_config.json"));
      ObjectNode node = variants.addObject();
      node.set("variant", json.valueToTree(v));
      node.set("weight_sha256", json.valueToTree(weightDigests(dir)));
    }
    Path tokenizer = Files.createDirectories(out.resolve("tokenizer"));
    TinyQwen3Checkpoint.copyTokenizer(tokenizer);
    json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("cases.json").toFile(), cases);
  }
}
