package dev.flinkreranker.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.score.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

class LexicalScorerTest {
  private final LexicalScorer scorer = new LexicalScorer();

  @Test
  void tokenizesScriptsSensibly() {
    assertEquals(List.of("cafe", "naive", "x2"), LexicalScorer.tokenize("Café NAÏVE, x2!"));
    assertEquals(List.of("东", "京", "东京"), LexicalScorer.tokenize("东京"));
    // Arabic diacritics (harakat) do not change the word.
    assertEquals(LexicalScorer.tokenize("كتب"), LexicalScorer.tokenize("كَتَبَ"));
  }

  @Test
  void ranksTheMatchingDocumentFirstInEveryScript() {
    float[] s = scorer.score(List.of(
        Pair.of("东京 博物馆", "京都の金閣寺は世界遺産です。"),
        Pair.of("东京 博物馆", "東京の国立科学博物馆は子どもに人気です。"),
        Pair.of("东京 博物馆", "")));
    assertTrue(s[1] > s[0] && s[0] >= s[2], java.util.Arrays.toString(s));
    assertEquals(0f, s[2]);
  }

  @Test
  void scoresAreInTheUnitIntervalAndZeroWithoutOverlap() {
    float[] s = scorer.score(List.of(
        Pair.of("merge sorted lists", "merge two sorted lists with two pointers"),
        Pair.of("merge sorted lists", "the weather is nice")));
    assertTrue(s[0] > 0 && s[0] <= 1);
    assertEquals(0f, s[1]);
  }

  @Test
  void eachQueryIsItsOwnCorpus() {
    List<Pair> mixed = List.of(Pair.of("alpha", "alpha beta"), Pair.of("gamma", "gamma delta"),
        Pair.of("alpha", "beta beta"));
    float[] together = scorer.score(mixed);
    float[] alone = scorer.score(List.of(mixed.get(0), mixed.get(2)));
    assertEquals(alone[0], together[0]);
    assertEquals(alone[1], together[2]);
  }
}
