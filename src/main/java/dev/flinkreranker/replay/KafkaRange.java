package dev.flinkreranker.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The offsets a Kafka replay reads: per partition, [start, stop). Resolved once, in the client,
 * before the job starts, and handed to the KafkaSource as explicit offsets. Resolving up front makes
 * the range fixed (records appended during the replay are not included: "latest-at-start"), gives
 * the progress bar its total, and makes a time range mean exactly "record timestamp in
 * [from, to)": {@code offsetsForTimes(t)} is the first offset whose timestamp is &ge; t, and a
 * partition with no such record contributes nothing past its end.
 *
 * <p>Timestamps are the Kafka record timestamps (producer CreateTime or broker LogAppendTime), not
 * the CandidateSet's event_time, because only those are indexed by the broker.
 */
public record KafkaRange(String topic, Map<Integer, Long> start, Map<Integer, Long> stop) {

  /** Where a range starts or stops. */
  public sealed interface Bound {
    record Earliest() implements Bound {}

    record LatestAtStart() implements Bound {}

    record AtTime(Instant time) implements Bound {}

    record Offsets(Map<Integer, Long> offsets) implements Bound {}
  }

  /** Records in the range (offsets; with transactions the markers count too, so an upper bound). */
  public long size() {
    long n = 0;
    for (Map.Entry<Integer, Long> e : stop.entrySet()) {
      n += Math.max(0, e.getValue() - start.get(e.getKey()));
    }
    return n;
  }

  /** ISO-8601 (2026-11-01T00:00Z, 2026-11-01T00:00:00+01:00) or epoch millis. */
  public static Instant parseTime(String value) {
    String s = value.trim();
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
      return Instant.ofEpochMilli(Long.parseLong(s));
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + value + "' is neither ISO-8601 with an offset"
          + " (2026-11-01T00:00Z) nor epoch millis");
    }
  }

  /** earliest | latest-at-start | PARTITION:OFFSET,... */
  public static Bound parseOffsets(String value) {
    String s = value.trim().toLowerCase(Locale.ROOT);
    if (s.equals("earliest")) {
      return new Bound.Earliest();
    }
    if (s.equals("latest-at-start") || s.equals("latest")) {
      return new Bound.LatestAtStart();
    }
    Map<Integer, Long> offsets = new TreeMap<>();
    for (String part : s.split(",")) {
      String[] po = part.trim().split(":");
      try {
        if (po.length != 2) {
          throw new NumberFormatException();
        }
        offsets.put(Integer.parseInt(po[0].trim()), Long.parseLong(po[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("offsets must be earliest, latest-at-start or"
            + " PARTITION:OFFSET,... (e.g. 0:120,1:98), got '" + value + "'");
      }
    }
    return new Bound.Offsets(offsets);
  }

  /** Resolves both bounds against the broker now. */
  public static KafkaRange resolve(String bootstrapServers, Properties clientProps, String topic,
      Bound from, Bound to) {
    Properties p = new Properties();
    p.putAll(clientProps);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // The job reads read_committed, so "latest" is the last stable offset, as this consumer sees it.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("topic '" + topic + "' does not exist on "
            + bootstrapServers);
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
      Map<Integer, Long> start = offsets(consumer, partitions, from, earliest, latest, earliest);
      Map<Integer, Long> stop = offsets(consumer, partitions, to, earliest, latest, latest);
      stop.replaceAll((partition, s) -> Math.max(s, start.get(partition)));
      return new KafkaRange(topic, start, stop);
    }
  }

  private static Map<Integer, Long> offsets(KafkaConsumer<byte[], byte[]> consumer,
      Collection<TopicPartition> partitions, Bound bound, Map<TopicPartition, Long> earliest,
      Map<TopicPartition, Long> latest, Map<TopicPartition, Long> unlisted) {
    Map<Integer, Long> out = new TreeMap<>();
    Map<TopicPartition, OffsetAndTimestamp> byTime = new HashMap<>();
    if (bound instanceof Bound.AtTime t) {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, t.time().toEpochMilli()));
      byTime.putAll(consumer.offsetsForTimes(query));
    }
    for (TopicPartition tp : partitions) {
      long offset;
      if (bound instanceof Bound.Earliest) {
        offset = earliest.get(tp);
      } else if (bound instanceof Bound.LatestAtStart) {
        offset = latest.get(tp);
      } else if (bound instanceof Bound.AtTime) {
        // No record at or after the time: the partition's range ends (or starts) at its end.
        offset = byTime.get(tp) != null ? byTime.get(tp).offset() : latest.get(tp);
      } else {
        offset = ((Bound.Offsets) bound).offsets().getOrDefault(tp.partition(), unlisted.get(tp));
      }
      // Offsets below the log start (retention) begin at the log start.
      out.put(tp.partition(), Math.min(Math.max(offset, earliest.get(tp)), latest.get(tp)));
    }
    return out;
  }
}
