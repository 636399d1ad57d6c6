package dev.flinkreranker.scoring;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the micro-batcher closes a batch, and how it cuts a window into batches.
 *
 * @param maxPairs a batch holds at most this many pairs
 * @param maxTokens a batch's padded size (pairs x longest pair) stays within this many tokens
 *     (a single pair longer than this still forms a batch of one)
 * @param maxWait a batch closes at the latest this long after its oldest pair arrived
 * @param queueCapacity pairs that may wait per service before submitters block (backpressure)
 * @param callCostTokens the fixed cost of one scorer call in padded-token equivalents: the planner
 *     splits a window where that saves more padding than a call costs (see {@link BatchPlanner});
 *     {@code maxTokens} or more always fills batches
 */
public record BatchSettings(int maxPairs, int maxTokens, Duration maxWait, int queueCapacity,
    int callCostTokens) implements Serializable {

  /** A scorer call on a CPU with a small model costs about as much as this many padded tokens. */
  public static final int DEFAULT_CALL_COST_TOKENS = 1024;

  public BatchSettings {
    if (maxPairs < 1 || maxTokens < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("batch sizes must be >= 1: " + maxPairs + ", "
          + maxTokens + ", " + queueCapacity);
    }
    if (callCostTokens < 0) {
      throw new IllegalArgumentException("batch.call-cost-tokens must not be negative: "
          + callCostTokens);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("batch.max-wait must not be negative");
    }
  }

  /** Settings with the default call cost. */
  public BatchSettings(int maxPairs, int maxTokens, Duration maxWait, int queueCapacity) {
    this(maxPairs, maxTokens, maxWait, queueCapacity, DEFAULT_CALL_COST_TOKENS);
  }

  public static BatchSettings defaults() {
    return new BatchSettings(32, 16384, Duration.ofMillis(10), 4096);
  }

  public BatchSettings withMaxPairs(int pairs) {
    return new BatchSettings(pairs, maxTokens, maxWait, queueCapacity, callCostTokens);
  }
}
