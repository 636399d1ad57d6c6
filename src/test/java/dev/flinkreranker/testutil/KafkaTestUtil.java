package dev.flinkreranker.testutil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for tests: produce raw bytes, read everything committed. */
public final class KafkaTestUtil {
  private KafkaTestUtil() {}

  public static void produce(String bootstrap, String topic, List<byte[]> values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    // Plain ordered sends: the input of a test must arrive exactly as listed, and every send is
    // checked, so a test never passes on input that was silently not written.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (byte[] v : values) {
        sent.add(producer.send(new ProducerRecord<>(topic, v)));
      }
      producer.flush();
      for (java.util.concurrent.Future<?> f : sent) {
        f.get();
      }
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError("could not produce test input to " + topic, e);
    }
  }

  /**
   * Reads every record of a topic whose writers are done (a job that has finished): first waits
   * until no transaction is open on it, then reads everything committed. A transaction's commit
   * returns before the broker has written its commit markers to the partitions, so right after a
   * job finishes the last stable offset can still be short of its final commit.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAllCommitted(String bootstrap,
      String topic) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!noOpenTransaction(bootstrap, topic)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("a transaction stayed open on " + topic);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return readCommitted(bootstrap, topic);
  }

  /** Whether the last stable offset of every partition has reached its end. */
  private static boolean noOpenTransaction(String bootstrap, String topic) {
    return endOffsets(bootstrap, topic, "read_committed")
        .equals(endOffsets(bootstrap, topic, "read_uncommitted"));
  }

  private static Map<TopicPartition, Long> endOffsets(String bootstrap, String topic,
      String isolation) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      return consumer.endOffsets(partitions);
    }
  }

  /**
   * Reads every record of a topic that is visible to a read_committed consumer right now (up to
   * the last stable offset), from the beginning.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // For read_committed, endOffsets is the last stable offset.
      var end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The topics as the broker describes them (partitions, replicas); fails if one is missing. */
  public static java.util.Map<String, org.apache.kafka.clients.admin.TopicDescription> describeTopics(
      String bootstrap, List<String> topics) throws Exception {
    Properties p = new Properties();
    p.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      return admin.describeTopics(topics).allTopicNames()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /**
   * Reads a topic read_committed until it holds at least {@code count} records: a transaction's
   * commit returns before the broker has written its markers to every partition, so committed
   * records may become visible a moment after the job that wrote them has finished.
   */
  public static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(String bootstrap, String topic,
      int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<ConsumerRecord<byte[], byte[]>> records = readCommitted(bootstrap, topic);
    while (records.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(200);
      records = readCommitted(bootstrap, topic);
    }
    return records;
  }
}
