package dev.flinkreranker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.model.qwen3.Qwen3PromptTokens;
import dev.flinkreranker.model.qwen3.TinyQwen3Checkpoint;
import dev.flinkreranker.score.Pair;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** usage.prompt_tokens: counted as the scorer sees the request, or not at all. */
class TokenCounterTest {
  @TempDir Path tmp;

  private static CandidateSet set(String instruction) {
    return new CandidateSet("r", "merge two sorted lists", instruction,
        List.of(new Candidate("0", "heapq.merge(list1, list2)", null, null),
            new Candidate("1", "list1 + list2 then sort", null, null)),
        Instant.EPOCH, 2, Map.of());
  }

  @Test
  void countsQwen3InputsFromTheModelsTokenizerAndLexicalWords() throws Exception {
    Path model = TinyQwen3Checkpoint.builder().writeTo(tmp.resolve("model"));
    try (TokenCounter counter = TokenCounter.open(model.toString(), 1024, "Find code");
        Qwen3PromptTokens expected = Qwen3PromptTokens.open(model, 1024)) {
      int sum = expected.tokens(new Pair("merge two sorted lists", "heapq.merge(list1, list2)",
          "Find code")) + expected.tokens(new Pair("merge two sorted lists",
          "list1 + list2 then sort", "Find code"));
      assertEquals(sum, counter.tokens(set(null)));
    }
    try (TokenCounter lexical = TokenCounter.open("lexical", 1024, null)) {
      // BM25's words: query merge/two/sorted/lists, documents heapq/merge/list1/list2 and
      // list1/list2/then/sort: (4 + 4) + (4 + 4).
      assertEquals(16, lexical.tokens(set(null)));
    }
    try (TokenCounter absent = TokenCounter.open(tmp.resolve("no-such-model").toString(), 1024,
        null)) {
      assertNull(absent.tokens(set(null)), "no made-up counts");
    }
  }
}
