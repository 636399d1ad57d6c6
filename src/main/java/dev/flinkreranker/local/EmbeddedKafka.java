package dev.flinkreranker.local;

import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka (combined broker + controller) in this JVM, for the local demo and
 * the integration tests. Settings follow ARCHITECTURE.md pitfall 4: with one broker, the internal
 * topics must have replication factor 1 and transactions a min ISR of 1, or exactly-once sinks
 * never commit.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats storage under {@code baseDir} and starts the node; returns when it accepts clients. */
  public static EmbeddedKafka start(Path baseDir) throws Exception {
    return start(baseDir, java.util.Map.of());
  }

  /** As {@link #start(Path)}, with broker settings added or overriding the defaults. */
  public static EmbeddedKafka start(Path baseDir, java.util.Map<String, String> brokerProperties)
      throws Exception {
    TestKitNodes nodes = new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .setBaseDirectory(baseDir)
        .build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("transaction.state.log.num.partitions", "4")
        .setConfigProp("transaction.max.timeout.ms", "900000")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024))
        .setConfigProp("auto.create.topics.enable", "false")
        .setDeleteOnClose(true);
    brokerProperties.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    java.io.PrintStream stdout = System.out;
    try {
      // format() prints its bootstrap metadata on stdout, which would bury the demo's output.
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      try {
        cluster.format();
      } finally {
        System.setOut(stdout);
      }
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new EmbeddedKafka(cluster);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
