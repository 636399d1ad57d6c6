package dev.flinkreranker.scoring;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the micro-batcher closes a batch.
 *
 * @param maxPairs a batch holds at most this many pairs
 * @param maxTokens a batch's padded size (pairs x longest pair) stays within this many tokens
 *     (a single pair longer than this still forms a batch of one)
 * @param maxWait a batch closes at the latest this long after its oldest pair arrived
 * @param queueCapacity pairs that may wait per service before submitters block (backpressure)
 */
public record BatchSettings(int maxPairs, int maxTokens, Duration maxWait, int queueCapacity)
    implements Serializable {

  public BatchSettings {
    if (maxPairs < 1 || maxTokens < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("batch sizes must be >= 1: " + maxPairs + ", "
          + maxTokens + ", " + queueCapacity);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("batch.max-wait must not be negative");
    }
  }

  public static BatchSettings defaults() {
    return new BatchSettings(32, 16384, Duration.ofMillis(10), 4096);
  }

  public BatchSettings withMaxPairs(int pairs) {
    return new BatchSettings(pairs, maxTokens, maxWait, queueCapacity);
  }
}
