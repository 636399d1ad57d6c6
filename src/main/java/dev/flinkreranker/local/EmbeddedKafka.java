package dev.flinkreranker.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka (combined broker + controller) in this JVM, for the local demo and
 * the integration tests. Settings follow ARCHITECTURE.md pitfall 4: with one broker, the internal
 * topics must have replication factor 1 and transactions a min ISR of 1, or exactly-once sinks
 * never commit.
 *
 * <p>Every socket is bound to an explicit address: the client listener to the one asked for
 * (127.0.0.1 unless {@code local --bind} says otherwise), the controller listener always to
 * 127.0.0.1, since only this node talks to it. (Kafka's test kit binds its sockets to all
 * interfaces, which is why it is not used here.)
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final String CLIENT_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final KafkaRaftServer server;
  private final Path baseDir;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, Path baseDir, String bootstrapServers) {
    this.server = server;
    this.baseDir = baseDir;
    this.bootstrapServers = bootstrapServers;
  }

  /** A broker on 127.0.0.1 at a free port, storage under {@code baseDir}. */
  public static EmbeddedKafka start(Path baseDir) throws Exception {
    return start(baseDir, Ports.LOOPBACK, 0, java.util.Map.of());
  }

  /** As {@link #start(Path)}, with broker settings added to or overriding the defaults. */
  public static EmbeddedKafka start(Path baseDir, java.util.Map<String, String> brokerProperties)
      throws Exception {
    return start(baseDir, Ports.LOOPBACK, 0, brokerProperties);
  }

  /** As {@link #start(Path, String, int, java.util.Map)} with the default broker settings. */
  public static EmbeddedKafka start(Path baseDir, String bindAddress, int port) throws Exception {
    return start(baseDir, bindAddress, port, java.util.Map.of());
  }

  /**
   * Formats storage under {@code baseDir} and starts the node; returns when it accepts clients.
   *
   * @param bindAddress the address of the client listener (127.0.0.1, an interface's address, or
   *     0.0.0.0 for all)
   * @param port the client listener's port; 0 picks a free one
   * @param brokerProperties broker settings added to or overriding the defaults (tests shorten
   *     retention checks with them)
   */
  public static EmbeddedKafka start(Path baseDir, String bindAddress, int port,
      java.util.Map<String, String> brokerProperties) throws Exception {
    int clientPort = port != 0 ? port : Ports.free(bindAddress);
    int controllerPort = Ports.free(Ports.LOOPBACK);
    String advertised = Ports.advertisedHost(bindAddress);
    Path logDir = baseDir.resolve("log");
    Files.createDirectories(logDir);

    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + Ports.LOOPBACK + ":" + controllerPort);
    p.put("listeners", CLIENT_LISTENER + "://" + bindAddress + ":" + clientPort + ","
        + CONTROLLER_LISTENER + "://" + Ports.LOOPBACK + ":" + controllerPort);
    p.put("advertised.listeners", CLIENT_LISTENER + "://" + advertised + ":" + clientPort);
    p.put("listener.security.protocol.map",
        CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", CLIENT_LISTENER);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("log.dirs", logDir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("transaction.max.timeout.ms", "900000");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
    p.put("auto.create.topics.enable", "false");
    p.putAll(brokerProperties);
    KafkaConfig config = KafkaConfig.fromProps(p, false);
    Path properties = baseDir.resolve("server.properties");
    try (var w = Files.newBufferedWriter(properties)) {
      p.store(w, "embedded broker of flink-reranker");
    }
    // The storage tool prints its bootstrap metadata, which would bury the demo's output.
    int formatted = StorageTool.execute(new String[] {"format", "--config", properties.toString(),
        "--cluster-id", Uuid.randomUuid().toString()},
        new PrintStream(OutputStream.nullOutputStream()));
    if (formatted != 0) {
      throw new IOException("cannot format the embedded Kafka's storage in " + logDir);
    }

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    String bootstrap = advertised + ":" + clientPort;
    try {
      server.startup();
      awaitReady(bootstrap);
    } catch (Exception | Error e) {
      shutdown(server);
      deleteRecursively(baseDir);
      throw e;
    }
    return new EmbeddedKafka(server, baseDir, bootstrap);
  }

  /** The broker answers metadata requests once it is registered and unfenced. */
  private static void awaitReady(String bootstrap) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get();
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() throws Exception {
    shutdown(server);
    deleteRecursively(baseDir);
  }

  private static void shutdown(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
