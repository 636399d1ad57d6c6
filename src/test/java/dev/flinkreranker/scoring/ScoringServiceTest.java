package dev.flinkreranker.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.testutil.RecordingScorer;
import dev.flinkreranker.validation.ReasonCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScoringServiceTest {

  private final AtomicLong fakeNanos = new AtomicLong(1_000_000_000L);

  private ScoringService service(RecordingScorer scorer, BatchSettings settings) {
    return new ScoringService(new ScoringService.Key(ScorerSpec.lexical(), settings), scorer, 0,
        fakeNanos::get);
  }

  private static List<Pair> pairs(String query, String... docs) {
    List<Pair> out = new ArrayList<>();
    for (String d : docs) {
      out.add(Pair.of(query, d));
    }
    return out;
  }

  @Test
  void batchClosesOnSizeWithoutWaiting() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    try (ScoringService s = service(scorer, new BatchSettings(4, 1_000_000, Duration.ofHours(1), 100))) {
      CompletableFuture<RequestScores> a = s.submit(pairs("q", "aa", "bb"));
      CompletableFuture<RequestScores> b = s.submit(pairs("q", "cc", "dd"));
      // Four pairs = max-pairs: scored although the (fake) clock never moves.
      b.get(10, TimeUnit.SECONDS);
      a.get(10, TimeUnit.SECONDS);
      assertEquals(1, scorer.batches.size());
      assertEquals(4, scorer.batches.get(0).size());
    }
  }

  @Test
  void batchClosesOnPaddedTokens() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    // 3 pairs of 10 "tokens" = 30 padded tokens >= max-tokens 30.
    try (ScoringService s = service(scorer, new BatchSettings(100, 30, Duration.ofHours(1), 100))) {
      s.submit(pairs("q", "x".repeat(10), "y".repeat(10), "z".repeat(10))).get(10, TimeUnit.SECONDS);
      assertEquals(1, scorer.batches.size());
    }
  }

  @Test
  void batchClosesOnWaitOnlyWhenTimePasses() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    try (ScoringService s = service(scorer, new BatchSettings(100, 1_000_000, Duration.ofMillis(20), 100))) {
      CompletableFuture<RequestScores> f = s.submit(pairs("q", "one"));
      Thread.sleep(200); // real time passes, fake time does not: the batch stays open
      assertFalse(f.isDone());
      assertTrue(scorer.batches.isEmpty());
      fakeNanos.addAndGet(Duration.ofMillis(20).toNanos());
      f.get(10, TimeUnit.SECONDS);
      assertEquals(List.of(List.of("one")), scorer.batches);
    }
  }

  @Test
  void requestSpansBatchesAndCompletesWithItsLastPair() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    try (ScoringService s = service(scorer, new BatchSettings(3, 1_000_000, Duration.ofHours(1), 100))) {
      List<Pair> request = pairs("q", "a", "bb", "ccc", "dddd", "eeeee", "ffffff");
      RequestScores scores = s.submit(request).get(10, TimeUnit.SECONDS);
      assertEquals(2, scorer.batches.size());
      for (int i = 0; i < request.size(); i++) {
        assertEquals(RecordingScorer.expectedScore(request.get(i)), scores.scores()[i]);
      }
    }
  }

  @Test
  void pairsOfAFailedRequestLeaveTheQueue() throws Exception {
    RecordingScorer scorer = new RecordingScorer(d -> d.equals("x"));
    // Capacity 4: if the 2 unscored pairs of the failed request kept their places, the next
    // request of 3 pairs would wait for space forever.
    try (ScoringService s = service(scorer, new BatchSettings(1, 1_000_000, Duration.ZERO, 4))) {
      CompletableFuture<RequestScores> bad = s.submit(pairs("q", "x", "yy", "zz"));
      assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
      // Submitted from another thread: a submitter blocked for good fails the test, not hangs it.
      CompletableFuture<RequestScores> next = CompletableFuture.supplyAsync(() -> {
        try {
          return s.submit(pairs("q", "a", "b", "c")).join();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      assertEquals(3, next.get(10, TimeUnit.SECONDS).scores().length);
      assertEquals(0, s.queueDepth());
      assertFalse(scorer.batches.contains(List.of("yy")), "a failed request's pairs are skipped");
    }
  }

  @Test
  void windowIsLengthSortedToCutPadding() {
    BatchPlanner planner = new BatchPlanner(new BatchSettings(2, 1_000_000, Duration.ZERO, 100));
    List<List<S>> batches = planner.plan(List.of(new S(9), new S(1), new S(8), new S(2)), 1e9);
    assertEquals(List.of(List.of(new S(1), new S(2)), List.of(new S(8), new S(9))), batches);
  }

  record S(int tokens) implements BatchPlanner.Sized {}

  @Test
  void cheapCallsSplitShortPairsFromLongOnesAndDearCallsFillBatches() {
    BatchPlanner planner = new BatchPlanner(new BatchSettings(32, 1_000_000, Duration.ZERO, 100));
    List<S> window = List.of(new S(100), new S(10), new S(10), new S(100), new S(10));
    // Padding three short pairs to 100 tokens wastes 270 tokens; a call costs 50: split.
    assertEquals(List.of(List.of(new S(10), new S(10), new S(10)), List.of(new S(100), new S(100))),
        planner.plan(window, 50));
    // A call costs more than the padding: one batch.
    assertEquals(List.of(List.of(new S(10), new S(10), new S(10), new S(100), new S(100))),
        planner.plan(window, 500));
  }

  /** Every way to split {@code items} into groups (set partitions). */
  static void partitions(List<S> items, int at, List<List<S>> groups, List<List<List<S>>> out) {
    if (at == items.size()) {
      List<List<S>> copy = new ArrayList<>();
      groups.forEach(g -> copy.add(new ArrayList<>(g)));
      out.add(copy);
      return;
    }
    for (int k = 0, existing = groups.size(); k < existing; k++) {
      List<S> g = groups.get(k);
      g.add(items.get(at));
      partitions(items, at + 1, groups, out);
      g.remove(g.size() - 1);
    }
    List<S> alone = new ArrayList<>(List.of(items.get(at)));
    groups.add(alone);
    partitions(items, at + 1, groups, out);
    groups.remove(groups.size() - 1);
  }

  static double cost(List<List<S>> batches, double callCost) {
    double c = 0;
    for (List<S> b : batches) {
      c += callCost + (double) b.size() * b.stream().mapToInt(S::tokens).max().orElse(0);
    }
    return c;
  }

  @Test
  void planIsTheCheapestOfAllPartitionsWithinTheLimits() {
    java.util.Random r = new java.util.Random(5);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + r.nextInt(7);
      List<S> window = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        window.add(new S(1 + r.nextInt(r.nextBoolean() ? 10 : 200)));
      }
      BatchSettings settings =
          new BatchSettings(1 + r.nextInt(4), 20 + r.nextInt(400), Duration.ZERO, 100);
      double callCost = r.nextInt(4) == 0 ? 0 : r.nextDouble() * 300;
      List<List<S>> plan = new BatchPlanner(settings).plan(window, callCost);

      List<S> flat = new ArrayList<>();
      plan.forEach(flat::addAll);
      flat.sort(java.util.Comparator.comparingInt(S::tokens));
      List<S> expectedItems = new ArrayList<>(window);
      expectedItems.sort(java.util.Comparator.comparingInt(S::tokens));
      assertEquals(expectedItems, flat, "every pair exactly once");
      List<List<List<S>>> all = new ArrayList<>();
      partitions(window, 0, new ArrayList<>(), all);
      double cheapest = Double.POSITIVE_INFINITY;
      for (List<List<S>> p : all) {
        if (p.stream().allMatch(b -> withinLimits(b, settings))) {
          cheapest = Math.min(cheapest, cost(p, callCost));
        }
      }
      assertTrue(plan.stream().allMatch(b -> withinLimits(b, settings)), "limits: " + plan);
      assertEquals(cheapest, cost(plan, callCost), 1e-6, "window " + window + " cost " + callCost);
    }
  }

  static boolean withinLimits(List<S> batch, BatchSettings s) {
    int longest = batch.stream().mapToInt(S::tokens).max().orElse(0);
    return batch.size() == 1
        || (batch.size() <= s.maxPairs() && (long) longest * batch.size() <= s.maxTokens());
  }

  @Test
  void failingBatchIsSplitAndOnlyTheBadRequestFails() throws Exception {
    RecordingScorer scorer = new RecordingScorer(d -> d.contains("bad"));
    try (ScoringService s = service(scorer, new BatchSettings(8, 1_000_000, Duration.ZERO, 100))) {
      fakeNanos.addAndGet(1);
      CompletableFuture<RequestScores> good1 = s.submit(pairs("q1", "g1", "g2", "g3"));
      CompletableFuture<RequestScores> bad = s.submit(pairs("q2", "ok", "bad!"));
      CompletableFuture<RequestScores> good2 = s.submit(pairs("q3", "g4", "g5", "g6"));
      assertEquals(3, good1.get(10, TimeUnit.SECONDS).scores().length);
      assertEquals(3, good2.get(10, TimeUnit.SECONDS).scores().length);
      ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
      ScoringException cause = assertInstanceOf(ScoringException.class, e.getCause());
      assertEquals(ReasonCode.SCORING_FAILED, cause.code());
      // The failing pair was eventually scored alone.
      assertTrue(scorer.batches.contains(List.of("bad!")));
      // Every pair left the queue once: the halves of a failed batch are not counted twice.
      assertEquals(0, s.queueDepth());
    }
  }

  @Test
  void aNonFiniteScoreFailsItsRequestOnly() throws Exception {
    RecordingScorer recording = new RecordingScorer();
    // A model with NaN weights: a number comes back, but not a score.
    Scorer nanForSome = new ForwardingScorer(recording) {
      @Override
      public float[] scorePrepared(List<PreparedPair> pairs) {
        float[] scores = delegate.scorePrepared(pairs);
        for (int i = 0; i < scores.length; i++) {
          String d = pairs.get(i).pair().document();
          scores[i] = d.equals("nan") ? Float.NaN : d.equals("inf") ? Float.POSITIVE_INFINITY : scores[i];
        }
        return scores;
      }
    };
    try (ScoringService s = new ScoringService(new ScoringService.Key(ScorerSpec.lexical(),
        new BatchSettings(8, 1_000_000, Duration.ZERO, 100)), nanForSome, 0, fakeNanos::get)) {
      fakeNanos.addAndGet(1);
      CompletableFuture<RequestScores> good = s.submit(pairs("q1", "g1", "g2"));
      CompletableFuture<RequestScores> nan = s.submit(pairs("q2", "ok", "nan"));
      CompletableFuture<RequestScores> inf = s.submit(pairs("q3", "inf"));
      assertEquals(2, good.get(10, TimeUnit.SECONDS).scores().length);
      for (CompletableFuture<RequestScores> bad : List.of(nan, inf)) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        ScoringException cause = assertInstanceOf(ScoringException.class, e.getCause());
        assertEquals(ReasonCode.SCORING_FAILED, cause.code());
        assertTrue(cause.getMessage().contains("non-finite score"), cause.getMessage());
      }
      assertEquals(0, s.queueDepth());
    }
  }

  @Test
  void subtasksShareOneModelPerJvmAndTheLastReleaseClosesIt() {
    AtomicInteger opened = new AtomicInteger();
    List<RecordingScorer> scorers = new ArrayList<>();
    ScoringService.ScorerFactory factory = spec -> {
      opened.incrementAndGet();
      RecordingScorer r = new RecordingScorer();
      scorers.add(r);
      return r;
    };
    ScoringService.Key key = new ScoringService.Key(
        new ScorerSpec("shared-test-model", "cpu", "fp32", 512), BatchSettings.defaults());
    ScoringService first = ScoringService.acquire(key, factory);
    ScoringService second = ScoringService.acquire(key, factory);
    ScoringService third = ScoringService.acquire(key, factory);
    assertSame(first, second);
    assertSame(first, third);
    assertEquals(1, opened.get());
    first.release();
    second.release();
    assertFalse(scorers.get(0).closed());
    third.release();
    assertTrue(scorers.get(0).closed());
    // A new acquisition (e.g. after a restart) loads a fresh model.
    ScoringService again = ScoringService.acquire(key, factory);
    assertEquals(2, opened.get());
    again.release();
  }

  @Test
  void fullQueueBlocksSubmitters() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    try (ScoringService s = service(scorer, new BatchSettings(100, 1_000_000, Duration.ofHours(1), 4))) {
      s.submit(pairs("q", "a", "b", "c"));
      Thread blocked = new Thread(() -> {
        try {
          s.submit(pairs("q", "d", "e"));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      blocked.start();
      blocked.join(300);
      assertTrue(blocked.isAlive(), "a submitter must wait while the queue is full");
      fakeNanos.addAndGet(Duration.ofHours(1).toNanos()); // the waiting batch closes, space frees
      blocked.join(10_000);
      assertFalse(blocked.isAlive());
    }
  }

  @Test
  void paddingEfficiencyCountsRealOverPaddedTokens() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    try (ScoringService s = service(scorer, new BatchSettings(2, 1_000_000, Duration.ofHours(1), 100))) {
      s.submit(pairs("q", "x".repeat(2), "y".repeat(4))).get(10, TimeUnit.SECONDS);
      assertEquals(6.0 / 8.0, s.paddingEfficiency(), 1e-9);
      assertEquals(1, s.batches());
    }
  }
}
