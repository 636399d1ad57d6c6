package dev.flinkreranker.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LexicalScorerTest {

  @Test
  void documentSharingRareQueryTermsScoresHighest() {
    float[] s =
        new LexicalScorer()
            .score(
                List.of(
                    Pair.of("capital of France", "Paris is the capital of France."),
                    Pair.of("capital of France", "Berlin is a city in Germany."),
                    Pair.of("capital of France", "The capital letter A.")));
    assertTrue(s[0] > s[2], "both rare terms beat one term");
    assertTrue(s[2] > s[1], "one shared term beats none");
    assertEquals(0f, s[1]);
  }

  @Test
  void tokenizesOnLettersAndDigits() {
    assertEquals(List.of("qwen3", "reranker", "0", "6b"), LexicalScorer.terms("Qwen3-Reranker 0.6B"));
  }
}
