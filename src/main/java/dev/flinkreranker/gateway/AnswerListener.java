package dev.flinkreranker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.RecordEncoding;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one consumer of the results and dead-letter topics. It assigns every partition
 * itself (no consumer group: each gateway must see every answer, since any partition may hold the
 * answer to one of its requests) and starts at the end, so it only reads what is written after the
 * gateway started. Each record is handed on as a plain JSON tree, whatever the output format.
 */
final class AnswerListener implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AnswerListener.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration METADATA_REFRESH = Duration.ofSeconds(10);

  private final GatewayConfig config;
  private final BiConsumer<JsonNode, Long> onResult;
  private final BiConsumer<JsonNode, Long> onDeadLetter;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Set<TopicPartition> assigned = new HashSet<>();
  private volatile boolean running = true;

  AnswerListener(GatewayConfig config, BiConsumer<JsonNode, Long> onResult,
      BiConsumer<JsonNode, Long> onDeadLetter) {
    this.config = config;
    this.onResult = onResult;
    this.onDeadLetter = onDeadLetter;
    Properties p = new Properties();
    p.putAll(config.kafkaProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, config.isolation.kafkaValue());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumer = new KafkaConsumer<>(p);
  }

  /**
   * Assigns every partition of both topics at their current end and resolves those positions, so
   * that no answer written after this returns can be missed. Fails when a topic does not exist.
   */
  void seekToEnd() {
    List<TopicPartition> fresh = new ArrayList<>();
    for (String topic : List.of(config.resultsTopic, config.deadLetterTopic)) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      } catch (KafkaException e) {
        throw new IllegalStateException("cannot read topic '" + topic + "' from Kafka at "
            + config.bootstrapServers + " (kafka.bootstrap-servers): " + e.getMessage()
            + ". Is Kafka running there?");
      }
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic '" + topic + "' does not exist on "
            + config.bootstrapServers + ": create it or start the job first");
      }
      infos.forEach(i -> fresh.add(new TopicPartition(topic, i.partition())));
    }
    assigned.addAll(fresh);
    consumer.assign(assigned);
    consumer.seekToEnd(fresh);
    fresh.forEach(consumer::position);
  }

  @Override
  public void run() {
    long nextRefresh = System.nanoTime() + METADATA_REFRESH.toNanos();
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          long now = System.currentTimeMillis();
          try {
            if (r.topic().equals(config.resultsTopic)) {
              onResult.accept(decode(r.value(), RerankResult.class), now);
            } else {
              onDeadLetter.accept(decode(r.value(), DeadLetter.class), now);
            }
          } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping an unreadable record of {} at {}@{}: {}", r.topic(), r.partition(),
                r.offset(), e.toString());
          }
        }
        if (System.nanoTime() > nextRefresh) {
          addNewPartitions();
          nextRefresh = System.nanoTime() + METADATA_REFRESH.toNanos();
        }
      }
    } catch (WakeupException e) {
      // close() was called.
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Partitions added to the topics later are read from their beginning. */
  private void addNewPartitions() {
    List<TopicPartition> added = new ArrayList<>();
    for (String topic : List.of(config.resultsTopic, config.deadLetterTopic)) {
      for (PartitionInfo i : consumer.partitionsFor(topic, Duration.ofSeconds(5))) {
        TopicPartition tp = new TopicPartition(topic, i.partition());
        if (!assigned.contains(tp)) {
          added.add(tp);
        }
      }
    }
    if (!added.isEmpty()) {
      assigned.addAll(added);
      consumer.assign(assigned);
      consumer.seekToBeginning(added);
    }
  }

  private <T extends SpecificRecord> JsonNode decode(byte[] value, Class<T> type)
      throws IOException {
    if (config.outputFormat == CandidateSetCodec.Format.JSON) {
      return JSON.readTree(value);
    }
    T record = new SpecificDatumReader<>(type).read(null,
        DecoderFactory.get().binaryDecoder(value, null));
    return RecordEncoding.toJson((GenericRecord) record);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
