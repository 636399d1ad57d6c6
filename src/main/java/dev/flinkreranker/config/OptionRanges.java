package dev.flinkreranker.config;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The valid range of every numeric setting, checked in one place when a profile is loaded, so that
 * {@code ranking.top-k: 0} or {@code job.checkpoint-interval: 0} fails at start-up naming the key
 * instead of deep inside Flink (or not at all). Add a line here with every new numeric option.
 */
final class OptionRanges {
  private OptionRanges() {}

  /** One option's rule: the values it accepts and how to say so. */
  private record Range<T>(ConfigOption<T> option, Predicate<T> valid, String expected) {
    void check(Configuration conf) {
      conf.getOptional(option).ifPresent(value -> {
        if (!valid.test(value)) {
          throw new IllegalArgumentException("bad value for '" + option.key() + "': " + value
              + " (expected " + expected + ")");
        }
      });
    }
  }

  /** Flink refuses checkpoint intervals under 10 ms. */
  private static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

  private static final List<Range<?>> RANGES = List.of(
      positive(RerankOptions.TOP_K),
      positive(RerankOptions.BATCH_MAX_PAIRS),
      positive(RerankOptions.BATCH_MAX_TOKENS),
      positive(RerankOptions.BATCH_QUEUE_PAIRS),
      positive(RerankOptions.ASYNC_CAPACITY),
      positive(RerankOptions.CACHE_MAX_ENTRIES),
      positive(RerankOptions.MAX_RECORD_BYTES),
      positive(RerankOptions.MAX_CANDIDATES),
      positive(RerankOptions.MAX_LENGTH),
      notNegative(RerankOptions.ASYNC_RETRIES),
      notNegative(RerankOptions.BATCH_CALL_COST_TOKENS),
      new Range<>(RerankOptions.PARALLELISM, p -> p == -1 || p >= 1,
          "-1 (the environment's default) or a parallelism of at least 1"),
      new Range<>(RerankOptions.CHECKPOINT_INTERVAL,
          d -> d.compareTo(MIN_CHECKPOINT_INTERVAL) >= 0, "at least 10 ms, e.g. 10s"),
      positiveDuration(RerankOptions.ASYNC_TIMEOUT),
      positiveDuration(RerankOptions.TRANSACTION_TIMEOUT),
      positiveDuration(RerankOptions.IDLE_TIMEOUT),
      positiveDuration(RerankOptions.REPLAY_PROGRESS_INTERVAL),
      notNegativeDuration(RerankOptions.BATCH_MAX_WAIT),
      notNegativeDuration(RerankOptions.MAX_OUT_OF_ORDERNESS),
      notNegativeDuration(RerankOptions.MAX_EVENT_TIME_AHEAD),
      new Range<>(RerankOptions.TEXT_MAX_CHARS, n -> n >= -1,
          "-1 (whole texts), 0 (no text) or a number of characters"),
      new Range<>(RerankOptions.MAX_OUTPUT_RECORD_BYTES, n -> n >= 1024, "at least 1024 bytes"),
      notNegative(RerankOptions.DEAD_LETTER_MAX_PAYLOAD_BYTES),
      new Range<>(RerankOptions.TOPIC_PARTITIONS, n -> n == -1 || n >= 1,
          "-1 (the job's parallelism) or at least 1"),
      new Range<>(RerankOptions.TOPIC_REPLICATION, n -> n == -1 || (n >= 1 && n <= Short.MAX_VALUE),
          "-1 (the broker's default) or at least 1"),
      positiveDuration(RerankOptions.ADMIN_TIMEOUT));

  /** Throws naming the first option whose value is out of its range. */
  static void check(Configuration conf) {
    for (Range<?> r : RANGES) {
      r.check(conf);
    }
  }

  private static Range<Integer> positive(ConfigOption<Integer> option) {
    return new Range<>(option, n -> n > 0, "an integer of at least 1");
  }

  private static Range<Integer> notNegative(ConfigOption<Integer> option) {
    return new Range<>(option, n -> n >= 0, "an integer of at least 0");
  }

  private static Range<Duration> positiveDuration(ConfigOption<Duration> option) {
    return new Range<>(option, d -> d.compareTo(Duration.ZERO) > 0, "a duration above 0, e.g. 10s");
  }

  private static Range<Duration> notNegativeDuration(ConfigOption<Duration> option) {
    return new Range<>(option, d -> !d.isNegative(), "a duration of 0 or more, e.g. 10ms");
  }
}
