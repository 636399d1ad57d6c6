package dev.flinkreranker.replay;

import dev.flinkreranker.testutil.FlinkTestCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.local.EmbeddedKafka;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.KafkaTestUtil;
import dev.flinkreranker.testutil.PoisonScorer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka replay on the embedded broker: records spread over two partitions with known timestamps;
 * a time-range replay must read exactly the records whose timestamp is in [from, to), and an
 * offset-range replay exactly the records between the offsets, results going to a Kafka topic.
 */
class KafkaReplayITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IN = "replay-candidates";
  private static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
  private static final int RECORDS = 40;
  private static EmbeddedKafka kafka;
  /** Request id → (partition, timestamp) of what was produced. */
  private static final Map<String, long[]> PRODUCED = new HashMap<>();

  @BeforeAll
  static void produceLog() throws Exception {
    kafka = EmbeddedKafka.start(Files.createTempDirectory("kafka-replay"));
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(IN), 2, (short) 1);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    Random random = new Random(3);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < RECORDS; i++) {
        CandidateSet set = CandidateSets.generate(i, random).set();
        int partition = i % 2;
        long timestamp = T0 + i * 60_000L; // one record a minute
        producer.send(new ProducerRecord<>(IN, partition, timestamp, null,
            CandidateSets.json(set, false))).get();
        PRODUCED.put(set.getRequestId(), new long[] {partition, timestamp});
      }
    }
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  private static ReplaySummary replay(String out, Map<String, String> range) throws Exception {
    Map<String, String> settings = new HashMap<>(Map.of(
        "kafka.bootstrap-servers", kafka.bootstrapServers(),
        "replay.input", "kafka:" + IN,
        "replay.output", "kafka:" + out,
        "output.dead-letter-topic", out + "-dlq",
        "output.transactional-id-prefix", "replay-itcase-" + out,
        "input.format", "json",
        "job.parallelism", "2",
        "job.checkpoint-interval", "300ms"));
    settings.putAll(range);
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(),
        List.of(out, out + "-dlq"), 2, (short) 1);
    PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Replay.run(StreamExecutionEnvironment.getExecutionEnvironment(),
        JobConfig.fromMap(settings), PoisonScorer.factory(), new Replay.Console(err, false))
        .summary();
  }

  private static Set<String> resultIds(String topic) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readAllCommitted(kafka.bootstrapServers(), topic)) {
      ids.add(JSON.readTree(r.value()).get("request_id").asText());
    }
    return ids;
  }

  @Test
  void timeRangeSelectsExactlyTheRecordsInRange() throws Exception {
    // [00:10, 00:25): minutes 10..24, i.e. records 10..24 (both partitions).
    ReplaySummary summary = replay("replay-by-time", Map.of(
        "replay.from", "2026-11-01T00:10Z",
        "replay.to", "2026-11-01T00:25:00+00:00"));

    Set<String> expected = new TreeSet<>();
    PRODUCED.forEach((id, pt) -> {
      if (pt[1] >= T0 + 10 * 60_000L && pt[1] < T0 + 25 * 60_000L) {
        expected.add(id);
      }
    });
    assertEquals(15, expected.size());
    assertEquals(expected, resultIds("replay-by-time"));
    assertEquals(15, summary.results());
    assertEquals(15, summary.expected());
    assertEquals(Map.of(), summary.deadLetters());
  }

  @Test
  void offsetRangeSelectsExactlyTheRecordsBetweenTheOffsets() throws Exception {
    // Partition 0 holds records 0,2,4,... at offsets 0,1,2,...; partition 1 records 1,3,5,...
    // [0:3, 0:5) = records 6 and 8; partition 1 from 18 to latest-at-start (20) = records 37, 39.
    replay("replay-by-offset", Map.of(
        "replay.from-offsets", "0:3,1:18",
        "replay.to-offsets", "0:5"));
    Set<String> expected = new TreeSet<>(List.of("req-6", "req-8", "req-37", "req-39"));
    assertEquals(expected, resultIds("replay-by-offset"));
  }

  @Test
  void rangeOptionsAreCheckedBeforeTheJobStarts() {
    assertThrows(IllegalArgumentException.class, () -> replay("never", Map.of(
        "replay.from", "2026-11-01T00:30Z", "replay.to", "2026-11-01T00:10Z")));
    assertThrows(IllegalArgumentException.class, () -> replay("never", Map.of(
        "replay.from", "2026-11-01T00:10Z", "replay.from-offsets", "earliest")));
    assertThrows(IllegalArgumentException.class, () -> replay("never", Map.of(
        "replay.ordered", "true")));
  }
}
