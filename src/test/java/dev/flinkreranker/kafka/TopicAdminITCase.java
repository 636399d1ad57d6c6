package dev.flinkreranker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What {@code run} does with the job's topics before it starts, on a real broker. */
class TopicAdminITCase {

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private static Configuration conf(String prefix, String... settings) {
    Map<String, String> map = new HashMap<>(Map.of(
        "kafka.bootstrap-servers", kafka.bootstrapServers(),
        "input.topics", prefix + ".in-a;" + prefix + ".in-b",
        "output.topic", prefix + ".results",
        "output.dead-letter-topic", prefix + ".dead-letters"));
    for (int i = 0; i < settings.length; i += 2) {
      map.put(settings[i], settings[i + 1]);
    }
    return JobConfig.fromMap(map);
  }

  private static Map<String, TopicDescription> describe(List<String> topics) throws Exception {
    return KafkaTestUtil.describeTopics(kafka.bootstrapServers(), topics);
  }

  @Test
  void createsEveryMissingTopicWithTheConfiguredPartitions() throws Exception {
    Configuration conf = conf("fresh", "kafka.topic-partitions", "3", "kafka.topic-replication", "1");
    List<String> topics = List.of("fresh.in-a", "fresh.in-b", "fresh.results", "fresh.dead-letters");
    assertEquals(topics, TopicAdmin.jobTopics(conf));

    assertEquals(topics, TopicAdmin.ensureJobTopics(conf, 2));
    describe(topics).forEach((name, d) -> {
      assertEquals(3, d.partitions().size(), name + " partitions");
      assertEquals(1, d.partitions().get(0).replicas().size(), name + " replicas");
    });
    // A second start finds them and changes nothing.
    assertEquals(List.of(), TopicAdmin.ensureJobTopics(
        conf("fresh", "kafka.topic-partitions", "5"), 2));
    describe(topics).values().forEach(d -> assertEquals(3, d.partitions().size()));
  }

  @Test
  void partitionsDefaultToTheJobsParallelism() throws Exception {
    Configuration conf = conf("parallel");
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(),
        List.of("parallel.in-a"), 1, (short) 1);

    // Only the missing ones are created; the broker's default replication factor (1 here).
    assertEquals(List.of("parallel.in-b", "parallel.results", "parallel.dead-letters"),
        TopicAdmin.ensureJobTopics(conf, 4));
    Map<String, TopicDescription> topics = describe(TopicAdmin.jobTopics(conf));
    assertEquals(1, topics.get("parallel.in-a").partitions().size(), "existing: untouched");
    for (String t : List.of("parallel.in-b", "parallel.results", "parallel.dead-letters")) {
      assertEquals(4, topics.get(t).partitions().size(), t);
    }
  }

  @Test
  void withoutCreateTopicsAMissingTopicIsNamedAtOnce() throws Exception {
    Configuration conf = conf("check", "kafka.create-topics", "false");
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(),
        List.of("check.in-a", "check.results"), 1, (short) 1);

    var e = assertThrows(IllegalStateException.class, () -> TopicAdmin.ensureJobTopics(conf, 2));
    assertTrue(e.getMessage().contains("[check.in-b, check.dead-letters]"), e.getMessage());
    assertTrue(e.getMessage().contains("kafka.create-topics"), e.getMessage());
    assertEquals(2, describe(List.of("check.in-a", "check.results")).size());
    assertThrows(Exception.class, () -> describe(List.of("check.in-b")), "nothing was created");
  }

  @Test
  void anUnreachableBrokerIsAnErrorNamingTheBootstrapServers() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String address = "127.0.0.1:" + closedPort;
    Configuration conf = conf("unreachable",
        "kafka.bootstrap-servers", address, "kafka.admin-timeout", "2s");

    var e = assertThrows(IllegalStateException.class, () -> TopicAdmin.ensureJobTopics(conf, 2));
    assertTrue(e.getMessage().contains("kafka.bootstrap-servers=" + address), e.getMessage());
    assertTrue(e.getMessage().contains("kafka.admin-timeout"), e.getMessage());
  }

  @Test
  void anUnresolvableAddressIsAnErrorNamingTheBootstrapServers() {
    Configuration conf = conf("unresolvable",
        "kafka.bootstrap-servers", "no-such-host.invalid:9092", "kafka.admin-timeout", "2s");

    var e = assertThrows(IllegalStateException.class, () -> TopicAdmin.ensureJobTopics(conf, 2));
    assertTrue(e.getMessage().contains("kafka.bootstrap-servers=no-such-host.invalid:9092"),
        e.getMessage());
  }

  @Test
  void moreReplicasThanBrokersIsAnErrorNamingTheOption() throws Exception {
    Configuration conf = conf("replicas", "kafka.topic-replication", "3");

    var e = assertThrows(IllegalStateException.class, () -> TopicAdmin.ensureJobTopics(conf, 2));
    assertTrue(e.getMessage().contains("kafka.topic-replication"), e.getMessage());
    assertThrows(Exception.class, () -> describe(List.of("replicas.results")), "nothing created");
  }

  @Test
  void invalidSettingsAreRejectedByName() {
    for (String[] bad : List.of(new String[] {"kafka.topic-partitions", "0"},
        new String[] {"kafka.topic-replication", "0"}, new String[] {"kafka.admin-timeout", "0s"})) {
      var e = assertThrows(IllegalArgumentException.class,
          () -> TopicAdmin.ensureJobTopics(conf("bad", bad[0], bad[1]), 2));
      assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
    }
  }
}
