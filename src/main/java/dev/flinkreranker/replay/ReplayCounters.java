package dev.flinkreranker.replay;

/**
 * Names of the accumulators the replay taps fill. Accumulators rather than metrics because the
 * client that submitted the job can read them through its {@code JobClient} while the job runs
 * (progress) and from the {@code JobExecutionResult} when it ends (summary), on a MiniCluster in
 * the same JVM as on a cluster. Sums of fractional values are kept as fixed-point longs
 * ({@link #FIXED_POINT}) so that the totals do not depend on the order in which subtasks merge.
 */
public final class ReplayCounters {
  private ReplayCounters() {}

  public static final String PREFIX = "replay.";
  public static final String RESULTS = PREFIX + "results";
  /** Followed by the reason code. */
  public static final String DEAD_LETTERS = PREFIX + "deadLetters.";
  public static final String TOP1_CHANGED = PREFIX + "top1Changed";
  public static final String LABELLED = PREFIX + "labelled";
  public static final String LABELLED_WITHOUT_RELEVANT = PREFIX + "labelledWithoutRelevant";
  public static final String BAD_LABELS = PREFIX + "badLabels";
  /** Followed by {@link #RETRIEVAL} or {@link #RERANKED}, then {@code .top1}, {@code .rr}, {@code .ndcg}. */
  public static final String METRIC = PREFIX + "metric.";
  public static final String RETRIEVAL = "retrieval";
  public static final String RERANKED = "reranked";
  public static final String SCORE_COUNT = PREFIX + "scores.count";
  public static final String SCORE_MIN = PREFIX + "scores.min";
  public static final String SCORE_MAX = PREFIX + "scores.max";
  /** Histogram of scores in {@link #SCORE_BINS} bins over [0, 1] (outliers in the end bins). */
  public static final String SCORE_HISTOGRAM = PREFIX + "scores.histogram";
  public static final int SCORE_BINS = 10_000;

  /**
   * The score cache's cumulative counts, one per TaskManager JVM ({@code ...@<jvm id>}), summed
   * over JVMs by the summary. Rich async functions cannot have accumulators, so the evaluation tap
   * downstream of the scorer reads the JVM's shared cache and publishes its counts as maxima.
   */
  public static final String CACHE_HITS = PREFIX + "cacheHits@";
  public static final String CACHE_LOOKUPS = PREFIX + "cacheLookups@";

  public static final double FIXED_POINT = 1e9;

  public static long fixed(double value) {
    return Math.round(value * FIXED_POINT);
  }

  /** The value of one accumulator, 0 when absent. */
  public static long count(java.util.Map<String, Object> acc, String name) {
    Object v = acc.get(name);
    return v == null ? 0 : ((Number) v).longValue();
  }

  /** The sum of every accumulator whose name starts with {@code prefix}. */
  public static long sumWithPrefix(java.util.Map<String, Object> acc, String prefix) {
    long sum = 0;
    for (java.util.Map.Entry<String, Object> e : acc.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        sum += ((Number) e.getValue()).longValue();
      }
    }
    return sum;
  }

  public static int scoreBin(double score) {
    int bin = (int) Math.floor(score * SCORE_BINS);
    return Math.max(0, Math.min(SCORE_BINS - 1, bin));
  }
}
