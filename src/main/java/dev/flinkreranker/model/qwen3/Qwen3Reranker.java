package dev.flinkreranker.model.qwen3;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.flinkreranker.model.safetensors.SafetensorsCheckpoint;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Qwen3-Reranker as a {@link Scorer}: the model card's chat prompt around
 * {@code <Instruct>/<Query>/<Document>}, and score = sigmoid(logit("yes") − logit("no")) at the
 * last position (what the card's transformers code and vLLM compute).
 */
public final class Qwen3Reranker implements Scorer {
  private static final Logger LOG = LoggerFactory.getLogger(Qwen3Reranker.class);

  public static final String PREFIX =
      "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and"
          + " the Instruct provided. Note that the answer can only be \"yes\" or \"no\".<|im_end|>\n"
          + "<|im_start|>user\n";
  public static final String SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";
  public static final String DEFAULT_INSTRUCTION =
      "Given a web search query, retrieve relevant passages that answer the query";
  /** The model card's max_length; the models handle up to {@link #MAX_SUPPORTED_LENGTH}. */
  public static final int DEFAULT_MAX_LENGTH = 8192;
  public static final int MAX_SUPPORTED_LENGTH = 32768;

  /**
   * How to run the reranker.
   *
   * @param device {@code auto | cpu | gpu | gpu:N}
   * @param dtype {@code auto | fp32 | fp16} (auto: fp16 on a GPU, fp32 on the CPU)
   * @param maxLength maximum model input in tokens, prompt included (the document is cut to fit)
   * @param maxBatchTokens padded tokens per forward pass (batch size × longest input); a single
   *     longer input still runs alone
   */
  public record Options(String device, String dtype, int maxLength, int maxBatchTokens) {
    public Options {
      if (maxLength < 1 || maxLength > MAX_SUPPORTED_LENGTH) {
        throw new IllegalArgumentException(
            "max length " + maxLength + " outside [1, " + MAX_SUPPORTED_LENGTH + "]");
      }
      if (maxBatchTokens < 1) {
        throw new IllegalArgumentException("max batch tokens must be positive: " + maxBatchTokens);
      }
    }

    public static Options defaults() {
      return new Options("auto", "auto", DEFAULT_MAX_LENGTH, 16384);
    }

    public Options withDevice(String d) {
      return new Options(d, dtype, maxLength, maxBatchTokens);
    }

    public Options withDtype(String t) {
      return new Options(device, t, maxLength, maxBatchTokens);
    }

    public Options withMaxLength(int n) {
      return new Options(device, dtype, n, maxBatchTokens);
    }

    public Options withMaxBatchTokens(int n) {
      return new Options(device, dtype, maxLength, n);
    }
  }

  private final String name;
  private final HuggingFaceTokenizer tokenizer;
  private final Qwen3Model model;
  private final int[] prefixIds;
  private final int[] suffixIds;
  private final int yesId;
  private final int noId;
  private final int maxLength;
  private final int maxBatchTokens;

  private Qwen3Reranker(
      String name,
      HuggingFaceTokenizer tokenizer,
      Qwen3Model model,
      TokenIds ids,
      Options options) {
    this.name = name;
    this.tokenizer = tokenizer;
    this.model = model;
    this.prefixIds = ids.prefix;
    this.suffixIds = ids.suffix;
    this.yesId = ids.yes;
    this.noId = ids.no;
    this.maxLength = options.maxLength();
    this.maxBatchTokens = options.maxBatchTokens();
    if (maxLength <= prefixIds.length + suffixIds.length) {
      throw new IllegalArgumentException(
          "max length " + maxLength + " leaves no room for the document: the prompt alone has "
              + (prefixIds.length + suffixIds.length) + " tokens");
    }
    model.cachePrefix(sharedPromptIds(tokenizer, prefixIds));
  }

  /**
   * The tokens every input with the default instruction starts with: the system prompt, then as
   * much of the body as two bodies with different queries and documents tokenize alike (through
   * "{@code <Query>:}"). Found by tokenizing rather than assumed, since where BPE merges end at
   * the query depends on the vocabulary. Inputs that differ earlier (a custom instruction) still
   * share the system prompt; the model checks every input against these ids.
   */
  private static int[] sharedPromptIds(HuggingFaceTokenizer tokenizer, int[] prefixIds) {
    int[] a = ids(tokenizer, body(Pair.of("alpha query", "first document")));
    int[] b = ids(tokenizer, body(Pair.of("Zeta? 42", "Другой документ")));
    int common = 0;
    while (common < Math.min(a.length, b.length) && a[common] == b[common]) {
      common++;
    }
    int[] shared = Arrays.copyOf(prefixIds, prefixIds.length + common);
    System.arraycopy(a, 0, shared, prefixIds.length, common);
    return shared;
  }

  private record TokenIds(int[] prefix, int[] suffix, int yes, int no) {}

  /** Loads config.json, the safetensors weights and the tokenizer of a Hugging Face model directory. */
  public static Qwen3Reranker load(Path modelDir, Options options) throws IOException {
    return load(modelDir, modelDir.toString(), options);
  }

  /** Like {@link #load(Path, Options)}, with the name results report (e.g. a hub id@commit). */
  public static Qwen3Reranker load(Path modelDir, String name, Options options) throws IOException {
    long start = System.nanoTime();
    Qwen3Config config = Qwen3Config.load(modelDir);
    Qwen3Weights weights = Qwen3Weights.load(config, SafetensorsCheckpoint.open(modelDir));
    Qwen3Reranker reranker = withWeights(name, weights, modelDir, options);
    LOG.info("Qwen3-Reranker {} loaded in {} ms (max length {})", modelDir,
        (System.nanoTime() - start) / 1_000_000, options.maxLength());
    return reranker;
  }

  /**
   * A reranker over weights already in memory (benchmarks build random Qwen3-shaped ones) and the
   * tokenizer files in {@code tokenizerDir}.
   */
  public static Qwen3Reranker withWeights(
      String name, Qwen3Weights weights, Path tokenizerDir, Options options) throws IOException {
    HuggingFaceTokenizer tokenizer = openTokenizer(tokenizerDir);
    try {
      TokenIds ids = tokenIds(tokenizer);
      Device device = Qwen3Model.parseDevice(options.device());
      Qwen3Model.Precision precision = Qwen3Model.Precision.parse(options.dtype(), device);
      Qwen3Model model = Qwen3Model.create(weights, device, precision, ids.yes, ids.no);
      try {
        return new Qwen3Reranker(name, tokenizer, model, ids, options);
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /**
   * The tokenizer with truncation, padding and special-token insertion all off: DJL would
   * otherwise truncate at 512 tokens silently; we truncate the body ourselves.
   */
  static HuggingFaceTokenizer openTokenizer(Path modelDir) throws IOException {
    Path tokenizerJson = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new IOException(tokenizerJson + ": missing tokenizer file");
    }
    // The native tokenizer reports a damaged file as a bare parser error that names no file.
    requireJsonObject(tokenizerJson);
    Path tokenizerConfig = modelDir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(tokenizerConfig)) {
      requireJsonObject(tokenizerConfig);
    }
    try {
      return HuggingFaceTokenizer.builder()
          .optTokenizerPath(modelDir)
          .optAddSpecialTokens(false)
          .optTruncation(false)
          .optPadding(false)
          .build();
    } catch (RuntimeException e) {
      // The native reason names the tokenizer library's own types: logged, not shown.
      LOG.warn("the tokenizer library rejected {}: {}", tokenizerJson, e.getMessage());
      throw new IOException(tokenizerJson + ": valid JSON but not a Hugging Face tokenizer; "
          + DAMAGED_TOKENIZER_ADVICE);
    }
  }

  private static final String DAMAGED_TOKENIZER_ADVICE = "download the model again, or replace"
      + " tokenizer.json and tokenizer_config.json with the ones published with the model";

  /** Fails naming {@code file} unless it holds exactly one JSON object (streamed, no tree). */
  private static void requireJsonObject(Path file) throws IOException {
    String problem;
    try (JsonParser p = TOKENIZER_JSON.createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        problem = "not a JSON object";
      } else {
        p.skipChildren();
        problem = p.nextToken() == null ? null : "text after the JSON object";
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      problem = "not valid JSON: " + e.getOriginalMessage()
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }
    if (problem != null) {
      throw new IOException(file + ": " + problem + "; " + DAMAGED_TOKENIZER_ADVICE);
    }
  }

  private static final JsonFactory TOKENIZER_JSON = new JsonFactory();

  private static TokenIds tokenIds(HuggingFaceTokenizer tok) {
    return new TokenIds(ids(tok, PREFIX), ids(tok, SUFFIX), singleToken(tok, "yes"), singleToken(tok, "no"));
  }

  private static int singleToken(HuggingFaceTokenizer tok, String word) {
    Encoding e = tok.encode(word, false, false);
    if (e.getIds().length != 1 || !word.equals(e.getTokens()[0])) {
      throw new IllegalStateException(
          "the tokenizer has no single token '" + word + "' (got " + Arrays.toString(e.getTokens())
              + "): not a Qwen3-Reranker tokenizer");
    }
    return Math.toIntExact(e.getIds()[0]);
  }

  /**
   * Token ids of {@code text} without special tokens. Calls the native encode and reads back only
   * the ids: DJL's {@code encode} also copies every token as a Java string, plus word ids, masks
   * and character spans, which was a third of the cost of tokenizing a candidate, paid on the
   * task threads for every pair.
   */
  static int[] ids(HuggingFaceTokenizer tok, String text) {
    long encoding = TokenizersLibrary.LIB.encode(tok.getHandle(), text, false);
    long[] ids;
    try {
      ids = TokenizersLibrary.LIB.getTokenIds(encoding);
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** The prompt body the model card formats for one pair. */
  public static String body(Pair pair) {
    String instruction = pair.instruction() != null ? pair.instruction() : DEFAULT_INSTRUCTION;
    return "<Instruct>: " + instruction + "\n<Query>: " + pair.query() + "\n<Document>: "
        + pair.document();
  }

  @Override
  public String name() {
    return name;
  }

  /** Tokenizes prefix + body (first max_length − |prefix| − |suffix| tokens) + suffix. */
  @Override
  public PreparedPair prepare(Pair pair) {
    int[] body = ids(tokenizer, body(pair));
    int room = maxLength - prefixIds.length - suffixIds.length;
    boolean truncated = body.length > room;
    int bodyLen = Math.min(body.length, room);
    int[] input = new int[prefixIds.length + bodyLen + suffixIds.length];
    System.arraycopy(prefixIds, 0, input, 0, prefixIds.length);
    System.arraycopy(body, 0, input, prefixIds.length, bodyLen);
    System.arraycopy(suffixIds, 0, input, prefixIds.length + bodyLen, suffixIds.length);
    return new PreparedPair(pair, input.length, truncated, input);
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    return sigmoid(logitsPrepared(pairs));
  }

  /** score = sigmoid(logit(yes) − logit(no)), computed in double. */
  public static float[] sigmoid(float[] logits) {
    float[] scores = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      scores[i] = (float) (1.0 / (1.0 + Math.exp(-logits[i])));
    }
    return scores;
  }

  /** Raw logit("yes") − logit("no") per pair (the score before the sigmoid). */
  public float[] logits(List<Pair> pairs) {
    List<PreparedPair> prepared = new ArrayList<>(pairs.size());
    for (Pair p : pairs) {
      prepared.add(prepare(p));
    }
    return logitsPrepared(prepared);
  }

  /**
   * Raw logits of prepared pairs. Pairs are sorted by length and packed into forward passes of at
   * most {@code maxBatchTokens} padded tokens; results come back in input order.
   */
  public float[] logitsPrepared(List<PreparedPair> pairs) {
    int n = pairs.size();
    float[] out = new float[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      if (pairs.get(i).inputIds() == null) {
        throw new IllegalArgumentException("pair " + i + " was not prepared by a Qwen3 reranker");
      }
    }
    // Longest first: the first pair of a batch fixes its padded length.
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -pairs.get(i).inputIds().length));
    int start = 0;
    while (start < n) {
      int longest = pairs.get(order[start]).inputIds().length;
      int end = start + 1;
      while (end < n && (long) (end - start + 1) * longest <= maxBatchTokens) {
        end++;
      }
      List<int[]> batch = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        batch.add(pairs.get(order[i]).inputIds());
      }
      float[] logits = model.logitDifference(batch);
      for (int i = start; i < end; i++) {
        out[order[i]] = logits[i - start];
      }
      start = end;
    }
    return out;
  }

  public int[] prefixIds() {
    return prefixIds.clone();
  }

  public int[] suffixIds() {
    return suffixIds.clone();
  }

  public int yesId() {
    return yesId;
  }

  public int noId() {
    return noId;
  }

  public int maxLength() {
    return maxLength;
  }

  public Qwen3Model model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
