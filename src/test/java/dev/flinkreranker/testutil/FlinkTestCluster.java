package dev.flinkreranker.testutil;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster of the integration tests: one TaskManager with two slots, like `local`. */
public final class FlinkTestCluster {
  private FlinkTestCluster() {}

  public static MiniClusterExtension oneTaskManagerTwoSlots() {
    return withConfiguration(new Configuration());
  }

  /**
   * The same cluster for tests that read metrics from the REST API (the dashboard's source): the
   * REST endpoint fetches them from the TaskManagers every 200 ms instead of every 10 s.
   */
  public static MiniClusterExtension withRestMetrics() {
    Configuration conf = new Configuration();
    conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
    return withConfiguration(conf);
  }

  /**
   * Waits until at least {@code after} records of {@code topic} are committed, then kills the
   * cluster's TaskManager (its in-flight requests, batcher and producers go with it) and starts a
   * new one. Fails if that point is not reached, or if everything was already written ({@code
   * total}): the failure must land mid-stream.
   */
  public static void killTaskManagerMidStream(MiniCluster cluster, String bootstrap, String topic,
      int after, int total) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    int committed;
    while ((committed = KafkaTestUtil.readCommitted(bootstrap, topic).size()) < after) {
      assertTrue(System.nanoTime() < deadline, "no progress before the failure");
      Thread.sleep(100);
    }
    assertTrue(committed < total, "the failure must land mid-stream, got " + committed);
    cluster.terminateTaskManager(0).get(60, TimeUnit.SECONDS);
    cluster.startTaskManager();
  }

  private static MiniClusterExtension withConfiguration(Configuration conf) {
    return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setConfiguration(conf)
        .setNumberTaskManagers(1)
        .setNumberSlotsPerTaskManager(2)
        .build());
  }
}
