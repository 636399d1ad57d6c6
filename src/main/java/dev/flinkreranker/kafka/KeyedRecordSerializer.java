package dev.flinkreranker.kafka;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an Avro record to a topic, keyed by its request id (so all output of a request lands in
 * one partition), encoded as binary Avro or plain JSON.
 *
 * <p>Records are stamped with the time they are written (the producer's clock), never with the
 * request's {@code event_time}: the broker rejects timestamps far in the future, and deletes
 * records stamped older than the topic's {@code retention.ms} at its next retention check, so a
 * replay of old logs would lose committed results. {@code event_time} stays a field of the value.
 */
public final class KeyedRecordSerializer<T extends GenericRecord>
    implements KafkaRecordSerializationSchema<T> {
  private final String topic;
  private final CandidateSetCodec.Format format;
  private final SerializableKey<T> key;

  /** Extracts the record key. */
  public interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {}

  public KeyedRecordSerializer(String topic, CandidateSetCodec.Format format, SerializableKey<T> key) {
    this.topic = topic;
    this.format = format;
    this.key = key;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
    String k = key.apply(element);
    // A null timestamp makes the producer stamp the record when it is sent.
    return new ProducerRecord<>(topic, null, null,
        k == null ? null : k.getBytes(StandardCharsets.UTF_8),
        RecordEncoding.encode(element, format));
  }
}
