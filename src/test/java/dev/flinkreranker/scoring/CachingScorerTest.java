package dev.flinkreranker.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.testutil.RecordingScorer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachingScorerTest {

  @Test
  void repeatedPairsAreScoredOnceWithIdenticalScores() {
    RecordingScorer model = new RecordingScorer();
    CachingScorer cache = new CachingScorer(model, 100);
    List<Pair> first = List.of(Pair.of("q1", "doc a"), Pair.of("q1", "doc b"));
    List<Pair> second = List.of(Pair.of("q1", "doc b"), Pair.of("q2", "doc a"),
        Pair.of("q1", "doc a"));

    float[] s1 = cache.score(first);
    float[] s2 = cache.score(second);

    assertArrayEquals(model.score(first), s1);
    assertEquals(s1[1], s2[0]);
    assertEquals(s1[0], s2[2]);
    assertEquals(RecordingScorer.expectedScore(Pair.of("q2", "doc a")), s2[1]);
    // The model saw each distinct pair once: the first call whole, the second only its miss
    // (the third batch is this test's direct model.score call above).
    assertEquals(List.of(List.of("doc a", "doc b"), List.of("doc a"), List.of("doc a", "doc b")),
        model.batches);
    assertEquals(2, cache.hits());
    assertEquals(5, cache.lookups());
    assertEquals(0.4, cache.hitRate(), 1e-12);
  }

  @Test
  void instructionIsPartOfTheKey() {
    RecordingScorer model = new RecordingScorer();
    CachingScorer cache = new CachingScorer(model, 100);
    cache.score(List.of(new Pair("q", "d", null)));
    cache.score(List.of(new Pair("q", "d", "")));
    cache.score(List.of(new Pair("q", "d", "Find code")));
    assertEquals(0, cache.hits());
    cache.score(List.of(new Pair("q", "d", "Find code")));
    assertEquals(1, cache.hits());
  }

  @Test
  void leastRecentlyUsedEntriesAreEvicted() {
    RecordingScorer model = new RecordingScorer();
    CachingScorer cache = new CachingScorer(model, 2);
    cache.score(List.of(Pair.of("q", "a")));
    cache.score(List.of(Pair.of("q", "b")));
    cache.score(List.of(Pair.of("q", "a"))); // hit; b is now the least recently used
    cache.score(List.of(Pair.of("q", "c"))); // evicts b
    assertEquals(2, cache.size());
    cache.score(List.of(Pair.of("q", "a")));
    assertEquals(2, cache.hits());
    cache.score(List.of(Pair.of("q", "b")));
    assertEquals(2, cache.hits(), "b was evicted, so it is a miss");
  }

  @Test
  void requestScopedScoresAreOnlyReusedForTheSameCorpus() {
    LexicalScorer bm25 = new LexicalScorer();
    CachingScorer cache = new CachingScorer(new LexicalScorer(), 100);
    List<Pair> request = List.of(Pair.of("flink stream", "flink is a stream processor"),
        Pair.of("flink stream", "a river flows"));
    // Same first document, other corpus: BM25's idf changes, so must its score.
    List<Pair> otherCorpus = List.of(Pair.of("flink stream", "flink is a stream processor"),
        Pair.of("flink stream", "flink flink flink"), Pair.of("flink stream", "stream of data"));

    float[] a = cache.score(request);
    float[] b = cache.score(otherCorpus);
    float[] again = cache.score(request);

    assertArrayEquals(bm25.score(request), a);
    assertArrayEquals(bm25.score(otherCorpus), b);
    assertNotEquals(a[0], b[0]);
    assertArrayEquals(a, again);
    assertEquals(2, cache.hits(), "only the repeated request hits");
    assertEquals(7, cache.lookups());
  }
}
