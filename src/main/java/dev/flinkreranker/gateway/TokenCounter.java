package dev.flinkreranker.gateway;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.model.qwen3.Qwen3PromptTokens;
import dev.flinkreranker.scoring.LexicalScorer;
import dev.flinkreranker.score.Pair;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a request's tokens for {@code usage} the way the job's scorer sees them, where the gateway
 * can do that without the model: BM25 word tokens for {@code lexical}, and for a Qwen3 model whose
 * files are on this machine (a directory, or a complete snapshot in the hub cache; never
 * downloaded) the model inputs Qwen3Reranker builds, prompt and truncation included. Otherwise it
 * counts nothing, and answers carry no made-up numbers.
 */
final class TokenCounter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TokenCounter.class);

  private final LexicalScorer lexical;
  private final Qwen3PromptTokens qwen3;
  private final String defaultInstruction;

  private TokenCounter(LexicalScorer lexical, Qwen3PromptTokens qwen3, String defaultInstruction) {
    this.lexical = lexical;
    this.qwen3 = qwen3;
    this.defaultInstruction = defaultInstruction;
  }

  static TokenCounter open(String model, int maxLength, String defaultInstruction) {
    if (ModelResolver.isLexical(model)) {
      return new TokenCounter(new LexicalScorer(), null, null);
    }
    Optional<Qwen3PromptTokens> qwen3 = ModelResolver.fromEnvironment().findCached(model)
        .flatMap(m -> {
          try {
            return Optional.of(Qwen3PromptTokens.open(m.dir(), maxLength));
          } catch (Exception e) {
            LOG.info("No usage token counts: cannot open the tokenizer of {}: {}", model, e.toString());
            return Optional.empty();
          }
        });
    return new TokenCounter(null, qwen3.orElse(null), defaultInstruction);
  }

  /** The request's tokens, or null when they cannot be counted here. */
  Integer tokens(CandidateSet set) {
    if (lexical != null) {
      int query = lexical.prepare(Pair.of("", set.getQuery())).tokens();
      return set.getCandidates().stream()
          .mapToInt(c -> query + lexical.prepare(Pair.of("", c.getText())).tokens()).sum();
    }
    if (qwen3 != null) {
      String instruction = set.getInstruction() != null ? set.getInstruction() : defaultInstruction;
      int sum = 0;
      for (Candidate c : set.getCandidates()) {
        sum += qwen3.tokens(new Pair(set.getQuery(), c.getText(), instruction));
      }
      return sum;
    }
    return null;
  }

  @Override
  public void close() {
    if (qwen3 != null) {
      qwen3.close();
    }
  }
}
