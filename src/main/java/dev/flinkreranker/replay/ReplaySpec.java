package dev.flinkreranker.replay;

import dev.flinkreranker.config.RerankOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/** The replay.* settings of a configuration, parsed and checked together. */
public record ReplaySpec(Endpoint input, Endpoint output, KafkaRange.Bound from,
    KafkaRange.Bound to, boolean ordered, Path report, Duration progressInterval) {

  public static ReplaySpec of(Configuration conf) {
    Endpoint input = Endpoint.parse(conf.get(RerankOptions.REPLAY_INPUT), "replay.input (--input)");
    Endpoint output =
        Endpoint.parse(conf.get(RerankOptions.REPLAY_OUTPUT), "replay.output (--output)");
    if (!output.isKafka() && output.paths().size() != 1) {
      throw new IllegalArgumentException("replay.output is one directory, got " + output);
    }
    boolean fromTime = conf.getOptional(RerankOptions.REPLAY_FROM).isPresent();
    boolean toTime = conf.getOptional(RerankOptions.REPLAY_TO).isPresent();
    if (fromTime && conf.contains(RerankOptions.REPLAY_FROM_OFFSETS)) {
      throw new IllegalArgumentException("give replay.from (--from) or replay.from-offsets"
          + " (--from-offsets), not both");
    }
    if (toTime && conf.contains(RerankOptions.REPLAY_TO_OFFSETS)) {
      throw new IllegalArgumentException("give replay.to (--to) or replay.to-offsets"
          + " (--to-offsets), not both");
    }
    boolean anyRange = fromTime || toTime || conf.contains(RerankOptions.REPLAY_FROM_OFFSETS)
        || conf.contains(RerankOptions.REPLAY_TO_OFFSETS);
    if (!input.isKafka() && anyRange) {
      throw new IllegalArgumentException("--from/--to/--from-offsets/--to-offsets select a range"
          + " of a Kafka topic; a file input is replayed whole");
    }
    KafkaRange.Bound from = fromTime
        ? new KafkaRange.Bound.AtTime(KafkaRange.parseTime(conf.get(RerankOptions.REPLAY_FROM)))
        : KafkaRange.parseOffsets(conf.get(RerankOptions.REPLAY_FROM_OFFSETS));
    KafkaRange.Bound to = toTime
        ? new KafkaRange.Bound.AtTime(KafkaRange.parseTime(conf.get(RerankOptions.REPLAY_TO)))
        : KafkaRange.parseOffsets(conf.get(RerankOptions.REPLAY_TO_OFFSETS));
    if (from instanceof KafkaRange.Bound.AtTime f && to instanceof KafkaRange.Bound.AtTime t
        && !f.time().isBefore(t.time())) {
      throw new IllegalArgumentException("--from " + f.time() + " is not before --to " + t.time());
    }
    boolean ordered = conf.get(RerankOptions.REPLAY_ORDERED);
    if (ordered && output.isKafka()) {
      throw new IllegalArgumentException("--ordered sorts file output after the job; a Kafka"
          + " output topic is written as results are committed (use a directory output)");
    }
    Path report = conf.getOptional(RerankOptions.REPLAY_REPORT).map(Path::of).orElse(null);
    return new ReplaySpec(input, output, from, to, ordered, report,
        conf.get(RerankOptions.REPLAY_PROGRESS_INTERVAL));
  }
}
