package dev.flinkreranker.model.qwen3;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.flinkreranker.score.Pair;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Counts a pair's model input tokens exactly as {@link Qwen3Reranker#prepare} builds them (prefix +
 * body cut to fit + suffix), with only the tokenizer: for usage reports of callers that do not
 * score (the gateway), without loading any weights.
 */
public final class Qwen3PromptTokens implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int promptTokens;
  private final int room;

  private Qwen3PromptTokens(HuggingFaceTokenizer tokenizer, int maxLength) {
    this.tokenizer = tokenizer;
    this.promptTokens = Qwen3Reranker.ids(tokenizer, Qwen3Reranker.PREFIX).length
        + Qwen3Reranker.ids(tokenizer, Qwen3Reranker.SUFFIX).length;
    this.room = maxLength - promptTokens;
  }

  /** The tokenizer of a Hugging Face model directory, counting for inputs of {@code maxLength}. */
  public static Qwen3PromptTokens open(Path modelDir, int maxLength) throws IOException {
    return new Qwen3PromptTokens(Qwen3Reranker.openTokenizer(modelDir), maxLength);
  }

  /** Tokens of the pair's model input, truncation included. */
  public int tokens(Pair pair) {
    int body = Qwen3Reranker.ids(tokenizer, Qwen3Reranker.body(pair)).length;
    return promptTokens + Math.min(body, room);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
