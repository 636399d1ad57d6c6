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
   * Cuts a window into batches of least total cost. A batch costs a fixed {@code callCostTokens}
   * (per call: launches, copies, JNI) plus its padded tokens (pairs × its longest pair). In
   * length order, the best batches are contiguous runs, so the cut points are found exactly by
   * dynamic programming over the sorted window, within the pair and padded-token limits. A high
   * call cost gives few full batches; a low one splits short pairs from long ones rather than pad
   * them. Returns batches shortest first; every input element appears in exactly one batch.
   */
  public <T extends Sized> List<List<T>> plan(List<T> window, double callCostTokens) {
    List<T> sorted = new ArrayList<>(window);
    sorted.sort(Comparator.comparingInt(Sized::tokens)); // stable: ties keep arrival order
    int n = sorted.size();
    // best[j]: least cost of the first j pairs; start[j]: where the last batch of that plan starts.
    double[] best = new double[n + 1];
    int[] start = new int[n + 1];
    for (int j = 1; j <= n; j++) {
      long longest = sorted.get(j - 1).tokens();
      // The largest batch ending at j that the limits allow (a single pair always may).
      long maxSize = Math.min(settings.maxPairs(),
          Math.max(1, settings.maxTokens() / Math.max(1, longest)));
      int first = (int) Math.max(0, j - maxSize);
      best[j] = Double.POSITIVE_INFINITY;
      for (int i = first; i < j; i++) { // larger batches first: on a tie, fewer calls
        double cost = best[i] + callCostTokens + (double) longest * (j - i);
        if (cost < best[j]) {
          best[j] = cost;
          start[j] = i;
        }
      }
    }
    List<List<T>> batches = new ArrayList<>();
    for (int j = n; j > 0; j = start[j]) {
      batches.add(0, new ArrayList<>(sorted.subList(start[j], j)));
    }
    return batches;
  }

  /** Something with a token length. */
  public interface Sized {
    int tokens();
  }
}
