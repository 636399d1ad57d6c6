package dev.flinkreranker.scoring;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.validation.ReasonCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scorer per JVM, shared by every subtask (slot) of a TaskManager, with a batcher thread that
 * packs pairs from many requests into micro-batches.
 *
 * <p>Why one per JVM: a Qwen3-Reranker-8B takes 16 GB; one copy per slot would not fit a GPU, and
 * a GPU is only fast on large batches, which no single subtask can fill on its own. Subtasks
 * {@link #acquire} the service for a {@link Key} and {@link #release} it; the last release closes
 * the scorer (and frees device memory). This class has no Flink dependency so it can be tested and
 * benchmarked on its own.
 *
 * <p>Flow: {@link #submit} prepares (tokenizes) the request's pairs on the caller's thread and puts
 * them in a bounded queue, blocking while it is full, which backpressures the Flink source. The
 * batcher thread takes a window of waiting pairs when {@link BatchPlanner#ready} says so, cuts it
 * into length-sorted batches and scores them. A failing batch is split in halves down to single
 * pairs, so only the requests with a pair that fails alone are failed.
 */
public final class ScoringService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringService.class);

  /** Identity of a shared service: one model per (scorer spec, batch settings) per JVM. */
  public record Key(ScorerSpec spec, BatchSettings settings, int cacheEntries)
      implements java.io.Serializable {
    /**
     * @param cacheEntries size of the score cache in front of the model, 0 for none: a job with a
     *     cache and one without must not share a service (the first to open it would decide)
     */
    public Key {}

    /** A service without a score cache. */
    public Key(ScorerSpec spec, BatchSettings settings) {
      this(spec, settings, 0);
    }
  }

  /** Opens the scorer of a spec; serializable so Flink functions can carry it. */
  @FunctionalInterface
  public interface ScorerFactory extends java.io.Serializable {
    Scorer open(ScorerSpec spec);
  }

  private static final Map<Key, ScoringService> REGISTRY = new HashMap<>();
  private static final int WINDOW_BATCHES = 16;
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * Returns the JVM's service for {@code key}, opening it (loading the model) on first use, and
   * counts a reference that the caller must {@link #release}.
   */
  public static ScoringService acquire(Key key, ScorerFactory factory) {
    synchronized (REGISTRY) {
      ScoringService service = REGISTRY.get(key);
      if (service == null) {
        long start = System.nanoTime();
        Scorer scorer = factory.open(key.spec());
        long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        LOG.info("Loaded scorer {} in {} ms", scorer.name(), loadMillis);
        service = new ScoringService(key, scorer, loadMillis, System::nanoTime);
        REGISTRY.put(key, service);
      }
      service.references++;
      return service;
    }
  }

  /** Drops one reference; the last one stops the batcher and closes the scorer. */
  public void release() {
    synchronized (REGISTRY) {
      if (references == 0) {
        return;
      }
      if (--references == 0) {
        REGISTRY.remove(key, this);
        close();
      }
    }
  }

  /** Closes every service of this JVM (job restart: the user-code classloader is released). */
  public static void releaseAll() {
    synchronized (REGISTRY) {
      for (ScoringService s : new ArrayList<>(REGISTRY.values())) {
        s.references = 0;
        s.close();
      }
      REGISTRY.clear();
    }
  }

  /**
   * The live service of a key in this JVM, without taking a reference (for observers such as the
   * replay's cache statistics); empty when none is open.
   */
  public static java.util.Optional<ScoringService> peek(Key key) {
    synchronized (REGISTRY) {
      return java.util.Optional.ofNullable(REGISTRY.get(key));
    }
  }

  /** Number of live services in this JVM (tests: one model per TaskManager). */
  public static int liveServices() {
    synchronized (REGISTRY) {
      return REGISTRY.size();
    }
  }

  // ------------------------------------------------------------------ instance

  private final Key key;
  private final Scorer scorer;
  private final BatchPlanner planner;
  private final BatchSettings settings;
  private final LongSupplier nanoTime;
  private final long modelLoadMillis;
  private final boolean ownsScorer;
  private int references; // guarded by REGISTRY

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmptyOrReady = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<PendingPair> queue = new ArrayDeque<>(); // guarded by lock
  private final ArrayDeque<Ticket> requestQueue = new ArrayDeque<>(); // request-scoped scorers
  private int queuedPairs; // guarded by lock
  private int queueLongest; // tokens of the longest pair in queue, guarded by lock
  private boolean closed; // guarded by lock
  private final Thread batcher;

  // Statistics for metrics; cumulative so that gauges read consistent ratios.
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong batchedPairs = new AtomicLong();
  private final AtomicLong paddedTokens = new AtomicLong();
  private final AtomicLong realTokens = new AtomicLong();
  private final AtomicLong busyNanos = new AtomicLong();
  private final AtomicInteger lastBatchPairs = new AtomicInteger();
  private final AtomicInteger lastBatchTokens = new AtomicInteger();

  ScoringService(Key key, Scorer scorer, long modelLoadMillis, LongSupplier nanoTime) {
    this(key, scorer, modelLoadMillis, nanoTime, true);
  }

  private ScoringService(Key key, Scorer scorer, long modelLoadMillis, LongSupplier nanoTime,
      boolean ownsScorer) {
    this.ownsScorer = ownsScorer;
    this.key = key;
    this.scorer = scorer;
    this.settings = key.settings();
    this.planner = new BatchPlanner(settings);
    this.modelLoadMillis = modelLoadMillis;
    this.nanoTime = nanoTime;
    this.batcher = new Thread(this::runBatcher, "reranker-batcher-" + scorer.name());
    batcher.setDaemon(true);
    batcher.start();
  }

  /**
   * A service outside the JVM registry (benchmarks): close it when done; the scorer stays open and
   * belongs to the caller, so several services can be run over one loaded model.
   */
  public static ScoringService standalone(Scorer scorer, BatchSettings settings) {
    return new ScoringService(new Key(new ScorerSpec(scorer.name(), "cpu", "fp32", 0), settings),
        scorer, 0, System::nanoTime, false);
  }

  public String modelName() {
    return scorer.name();
  }

  /** The score cache in front of the model, when {@code cache.enabled}. */
  public java.util.Optional<CachingScorer> cache() {
    return scorer instanceof CachingScorer c ? java.util.Optional.of(c) : java.util.Optional.empty();
  }

  /**
   * Queues a request's pairs for scoring. Blocks while the queue is full (backpressure). The future
   * completes with scores in the order of {@code pairs}, or exceptionally with a
   * {@link ScoringException}.
   */
  public CompletableFuture<RequestScores> submit(List<Pair> pairs) throws InterruptedException {
    Ticket ticket = new Ticket(pairs.size(), nanoTime.getAsLong());
    if (pairs.isEmpty()) {
      ticket.future.complete(new RequestScores(new float[0], new boolean[0], 0, 0));
      return ticket.future;
    }
    List<PendingPair> prepared = new ArrayList<>(pairs.size());
    try {
      for (int i = 0; i < pairs.size(); i++) {
        prepared.add(new PendingPair(scorer.prepare(pairs.get(i)), ticket, i));
      }
    } catch (RuntimeException e) {
      ticket.future.completeExceptionally(new ScoringException(ReasonCode.SCORING_FAILED,
          "could not prepare the request's pairs: " + e.getMessage(), e));
      return ticket.future;
    }
    lock.lockInterruptibly();
    try {
      // A request larger than the whole queue may still enter an empty queue.
      while (!closed && queuedPairs > 0 && queuedPairs + pairs.size() > settings.queueCapacity()) {
        notFull.await();
      }
      if (closed) {
        ticket.future.completeExceptionally(new ScoringException(ReasonCode.SCORING_FAILED,
            "scoring service is closed", null));
        return ticket.future;
      }
      ticket.enqueuedNanos = nanoTime.getAsLong();
      if (scorer.requestScoped()) {
        ticket.pairs = prepared;
        requestQueue.add(ticket);
      } else {
        queue.addAll(prepared);
        for (PendingPair p : prepared) {
          queueLongest = Math.max(queueLongest, p.tokens());
        }
      }
      queuedPairs += pairs.size();
      notEmptyOrReady.signal();
    } finally {
      lock.unlock();
    }
    return ticket.future;
  }

  private void runBatcher() {
    try {
      while (true) {
        List<PendingPair> window = new ArrayList<>();
        List<Ticket> requests = new ArrayList<>();
        lock.lockInterruptibly();
        try {
          while (!closed && !windowReady()) {
            if (queue.isEmpty() && requestQueue.isEmpty()) {
              notEmptyOrReady.await();
            } else {
              // Re-check at least every RECHECK_NANOS so that the time source is followed even
              // when it is not the wall clock (tests drive it by hand).
              long untilDeadline = planner.nanosUntilDeadline(oldestArrival(), nanoTime.getAsLong());
              notEmptyOrReady.awaitNanos(Math.max(1, Math.min(untilDeadline, RECHECK_NANOS)));
            }
          }
          if (closed) {
            return;
          }
          // A window is at most WINDOW_BATCHES batches, taken in arrival order: enough pairs to sort
          // by length (padding), few enough that a backlog cannot make early pairs wait behind it.
          int limit = settings.maxPairs() * WINDOW_BATCHES;
          while (!queue.isEmpty() && window.size() < limit) {
            window.add(queue.poll());
          }
          // Once per window, not on every wake-up: the longest pair still waiting.
          queueLongest = 0;
          for (PendingPair p : queue) {
            queueLongest = Math.max(queueLongest, p.tokens());
          }
          requests.addAll(requestQueue);
          requestQueue.clear();
        } finally {
          lock.unlock();
        }
        if (!requests.isEmpty()) {
          for (Ticket t : requests) {
            scoreBatch(t.pairs, false);
          }
        }
        if (!window.isEmpty()) {
          for (List<PendingPair> batch : planner.plan(window, settings.callCostTokens())) {
            scoreBatch(batch, true);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      LOG.error("Batcher thread of {} died", scorer.name(), t);
      failEverything("batcher thread died: " + t);
    }
  }

  private boolean windowReady() {
    if (!requestQueue.isEmpty()) {
      return true; // request-scoped scorers take one whole request per call: nothing to wait for
    }
    return planner.ready(queue.size(), queueLongest, oldestArrival(), nanoTime.getAsLong());
  }

  private long oldestArrival() {
    if (!requestQueue.isEmpty()) {
      return requestQueue.peek().enqueuedNanos;
    }
    return queue.isEmpty() ? nanoTime.getAsLong() : queue.peek().ticket.enqueuedNanos;
  }

  /** Scores one batch; on failure splits it (when {@code splittable}) down to single pairs. */
  private void scoreBatch(List<PendingPair> batch, boolean splittable) {
    // Pairs of requests that already failed are not worth scoring; they leave the queue all the
    // same, or their places would be lost to backpressure for good.
    List<PendingPair> live = batch.stream().filter(p -> !p.ticket.future.isDone()).toList();
    if (live.size() < batch.size()) {
      dequeued(batch.size() - live.size());
    }
    batch = live;
    if (batch.isEmpty()) {
      return;
    }
    long start = nanoTime.getAsLong();
    for (PendingPair p : batch) {
      p.ticket.markFirstBatch(start);
    }
    float[] scores;
    try {
      List<PreparedPair> prepared = batch.stream().map(p -> p.prepared).toList();
      scores = scorer.scorePrepared(prepared);
      if (scores.length != batch.size()) {
        throw new IllegalStateException(
            "scorer returned " + scores.length + " scores for " + batch.size() + " pairs");
      }
    } catch (RuntimeException | OutOfMemoryError e) {
      if (splittable && batch.size() > 1) {
        LOG.warn("Batch of {} pairs failed ({}); retrying in halves", batch.size(), e.toString());
        int half = batch.size() / 2;
        // Each half leaves the queue on its own; counting the whole batch here too would free
        // places twice and let the queue outgrow its capacity.
        scoreBatch(batch.subList(0, half), true);
        scoreBatch(batch.subList(half, batch.size()), true);
        return;
      }
      dequeued(batch.size());
      String what = batch.size() == 1 ? "pair " + batch.get(0).index : "request";
      for (PendingPair p : batch) {
        p.ticket.future.completeExceptionally(new ScoringException(ReasonCode.SCORING_FAILED,
            "scorer failed on " + what + ": " + e, e));
      }
      return;
    }
    long end = nanoTime.getAsLong();
    recordBatch(batch, end - start);
    // Before the results: whoever sees a result also sees the queue places it freed.
    dequeued(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      PendingPair p = batch.get(i);
      if (Float.isFinite(scores[i])) {
        p.complete(scores[i], end);
      } else {
        // NaN weights or an overflow: a ranking by NaN is no ranking. Retrying cannot help (the
        // model is deterministic), so the request fails and is dead-lettered as SCORING_FAILED.
        p.ticket.future.completeExceptionally(new ScoringException(ReasonCode.SCORING_FAILED,
            "the model (" + modelName() + ") returned a non-finite score (" + scores[i]
                + ") for candidate " + p.index + "; check its weights (NaN or inf in the"
                + " checkpoint) and dtype (fp16 can overflow where fp32 does not)", null));
      }
    }
  }

  private void recordBatch(List<PendingPair> batch, long nanos) {
    busyNanos.addAndGet(nanos);
    int longest = 0;
    long real = 0;
    for (PendingPair p : batch) {
      longest = Math.max(longest, p.prepared.tokens());
      real += p.prepared.tokens();
    }
    batches.incrementAndGet();
    batchedPairs.addAndGet(batch.size());
    paddedTokens.addAndGet((long) longest * batch.size());
    realTokens.addAndGet(real);
    lastBatchPairs.set(batch.size());
    lastBatchTokens.set(longest * batch.size());
  }

  private void dequeued(int pairs) {
    lock.lock();
    try {
      queuedPairs -= pairs;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void failEverything(String reason) {
    lock.lock();
    try {
      closed = true;
      for (PendingPair p : queue) {
        p.ticket.future.completeExceptionally(
            new ScoringException(ReasonCode.SCORING_FAILED, reason, null));
      }
      for (Ticket t : requestQueue) {
        t.future.completeExceptionally(
            new ScoringException(ReasonCode.SCORING_FAILED, reason, null));
      }
      queue.clear();
      requestQueue.clear();
      queuedPairs = 0;
      queueLongest = 0;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed && !batcher.isAlive()) {
        return;
      }
      closed = true;
      notEmptyOrReady.signalAll();
    } finally {
      lock.unlock();
    }
    batcher.interrupt();
    try {
      batcher.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failEverything("scoring service closed");
    if (ownsScorer) {
      scorer.close();
      LOG.info("Closed scorer {}", scorer.name());
    }
  }

  // ------------------------------------------------------------------ statistics

  public long batches() {
    return batches.get();
  }

  public long batchedPairs() {
    return batchedPairs.get();
  }

  /** Mean pairs per batch so far. */
  public double meanBatchPairs() {
    long b = batches.get();
    return b == 0 ? 0 : (double) batchedPairs.get() / b;
  }

  /** Mean padded tokens per batch so far. */
  public double meanBatchTokens() {
    long b = batches.get();
    return b == 0 ? 0 : (double) paddedTokens.get() / b;
  }

  /** Real tokens / padded tokens over all batches so far (1.0 = no padding). */
  public double paddingEfficiency() {
    long padded = paddedTokens.get();
    return padded == 0 ? 1.0 : (double) realTokens.get() / padded;
  }

  /** Time spent in successful scorer calls so far (busy time ÷ wall time = utilisation). */
  public long busyNanos() {
    return busyNanos.get();
  }

  public int lastBatchPairs() {
    return lastBatchPairs.get();
  }

  public int queueDepth() {
    lock.lock();
    try {
      return queuedPairs;
    } finally {
      lock.unlock();
    }
  }

  public long modelLoadMillis() {
    return modelLoadMillis;
  }

  // ------------------------------------------------------------------ bookkeeping

  /** A request in flight: its scores fill in as its pairs are scored, possibly across batches. */
  private final class Ticket {
    final CompletableFuture<RequestScores> future = new CompletableFuture<>();
    final float[] scores;
    final boolean[] truncated;
    final long submittedNanos;
    long enqueuedNanos;
    long firstBatchNanos = -1;
    int remaining;
    List<PendingPair> pairs; // request-scoped scorers only

    Ticket(int size, long now) {
      scores = new float[size];
      truncated = new boolean[size];
      remaining = size;
      submittedNanos = now;
      enqueuedNanos = now;
    }

    synchronized void markFirstBatch(long start) {
      if (firstBatchNanos < 0) {
        firstBatchNanos = start;
      }
    }

    synchronized void complete(int index, float score, boolean cut, long end) {
      scores[index] = score;
      truncated[index] = cut;
      if (--remaining == 0) {
        future.complete(new RequestScores(scores, truncated,
            TimeUnit.NANOSECONDS.toMillis(firstBatchNanos - submittedNanos),
            TimeUnit.NANOSECONDS.toMillis(end - firstBatchNanos)));
      }
    }
  }

  private static final class PendingPair implements BatchPlanner.Sized {
    final PreparedPair prepared;
    final Ticket ticket;
    final int index;

    PendingPair(PreparedPair prepared, Ticket ticket, int index) {
      this.prepared = prepared;
      this.ticket = ticket;
      this.index = index;
    }

    @Override
    public int tokens() {
      return prepared.tokens();
    }

    void complete(float score, long end) {
      ticket.complete(index, score, prepared.truncated(), end);
    }
  }
}
