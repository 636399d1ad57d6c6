package dev.flinkreranker.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides when a window of waiting pairs is ready and cuts it into batches. Pure logic (no threads,
 * no clock of its own) so that size, token and wait rules can be tested with a fake time.
 */
public final class BatchPlanner {
  private final BatchSettings settings;

  public BatchPlanner(BatchSettings settings) {
    this.settings = settings;
  }

  /**
   * Whether the waiting pairs should be scored now: a full batch by pairs or by padded tokens is
   * available, or the oldest pair has waited {@code maxWait}.
   *
   * @param waiting number of waiting pairs
   * @param longestTokens the longest waiting pair's tokens
   * @param oldestArrivalNanos arrival time of the oldest waiting pair
   */
  public boolean ready(int waiting, int longestTokens, long oldestArrivalNanos, long nowNanos) {
    if (waiting == 0) {
      return false;
    }
    return waiting >= settings.maxPairs()
        || (long) longestTokens * waiting >= settings.maxTokens()
        || nowNanos - oldestArrivalNanos >= settings.maxWait().toNanos();
  }

  /** Nanoseconds until {@link #ready} turns true by waiting alone. */
  public long nanosUntilDeadline(long oldestArrivalNanos, long nowNanos) {
    return Math.max(0, oldestArrivalNanos + settings.maxWait().toNanos() - nowNanos);
  }

  /**
   * Cuts a window into batches: sorted by length so that neighbours pad little, then packed
   * greedily while both the pair limit and the padded-token limit hold. Returns batches shortest
   * first; every input element appears in exactly one batch.
   */
  public <T extends Sized> List<List<T>> plan(List<T> window) {
    List<T> sorted = new ArrayList<>(window);
    sorted.sort(Comparator.comparingInt(Sized::tokens)); // stable: ties keep arrival order
    List<List<T>> batches = new ArrayList<>();
    List<T> current = new ArrayList<>();
    for (T item : sorted) {
      // Sorted ascending, so the item is the longest of the batch if added.
      long padded = (long) item.tokens() * (current.size() + 1);
      if (!current.isEmpty()
          && (current.size() >= settings.maxPairs() || padded > settings.maxTokens())) {
        batches.add(current);
        current = new ArrayList<>();
      }
      current.add(item);
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /** Something with a token length. */
  public interface Sized {
    int tokens();
  }
}
