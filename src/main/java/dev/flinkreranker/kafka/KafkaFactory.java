package dev.flinkreranker.kafka;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.config.RerankOptions;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the job's Kafka source and sinks from {@link RerankOptions}. */
public final class KafkaFactory {
  private KafkaFactory() {}

  /** Raw client properties given as {@code kafka.properties.*}. */
  public static Properties clientProperties(Configuration conf) {
    Properties props = new Properties();
    conf.toMap().forEach((k, v) -> {
      if (k.startsWith(RerankOptions.KAFKA_PROPERTIES_PREFIX)) {
        props.setProperty(k.substring(RerankOptions.KAFKA_PROPERTIES_PREFIX.length()), v);
      }
    });
    return props;
  }

  public static KafkaSource<RawRecord> source(Configuration conf) {
    Properties props = clientProperties(conf);
    // Only committed results of upstream transactional producers are rerank requests.
    props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var builder = KafkaSource.<RawRecord>builder()
        .setBootstrapServers(conf.get(RerankOptions.BOOTSTRAP_SERVERS))
        .setTopics(conf.get(RerankOptions.INPUT_TOPICS))
        .setGroupId(conf.get(RerankOptions.GROUP_ID))
        .setStartingOffsets(startingOffsets(conf.get(RerankOptions.STARTING_OFFSETS)))
        .setDeserializer(new RawRecordDeserializer())
        .setProperties(props);
    if (conf.get(RerankOptions.BOUNDED)) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  static OffsetsInitializer startingOffsets(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "earliest" -> OffsetsInitializer.earliest();
      case "latest" -> OffsetsInitializer.latest();
      case "committed-or-earliest" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      default -> throw new IllegalArgumentException(
          "input.starting-offsets must be earliest, latest or committed-or-earliest, got '"
              + value + "'");
    };
  }

  public static DeliveryGuarantee deliveryGuarantee(Configuration conf) {
    String value = conf.get(RerankOptions.DELIVERY_GUARANTEE);
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
      case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
      default -> throw new IllegalArgumentException(
          "output.delivery-guarantee must be exactly-once or at-least-once, got '" + value + "'");
    };
  }

  public static KafkaSink<RerankResult> resultSink(Configuration conf) {
    return sink(conf, new KeyedRecordSerializer<>(conf.get(RerankOptions.OUTPUT_TOPIC),
        CandidateSetCodec.Format.parse(conf.get(RerankOptions.OUTPUT_FORMAT)),
        RerankResult::getRequestId), "results");
  }

  public static KafkaSink<DeadLetter> deadLetterSink(Configuration conf) {
    return sink(conf, new KeyedRecordSerializer<>(conf.get(RerankOptions.DEAD_LETTER_TOPIC),
        CandidateSetCodec.Format.parse(conf.get(RerankOptions.OUTPUT_FORMAT)),
        DeadLetter::getRequestId), "dead-letters");
  }

  private static <T> KafkaSink<T> sink(Configuration conf,
      org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer,
      String name) {
    Properties props = clientProperties(conf);
    // Pitfall 3: above the broker's transaction.max.timeout.ms the job restart-loops forever.
    props.setProperty("transaction.timeout.ms",
        Long.toString(conf.get(RerankOptions.TRANSACTION_TIMEOUT).toMillis()));
    return KafkaSink.<T>builder()
        .setBootstrapServers(conf.get(RerankOptions.BOOTSTRAP_SERVERS))
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(deliveryGuarantee(conf))
        .setTransactionalIdPrefix(conf.get(RerankOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
        .setKafkaProducerConfig(props)
        .build();
  }
}
