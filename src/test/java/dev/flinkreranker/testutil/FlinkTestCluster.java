package dev.flinkreranker.testutil;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
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

  private static MiniClusterExtension withConfiguration(Configuration conf) {
    return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setConfiguration(conf)
        .setNumberTaskManagers(1)
        .setNumberSlotsPerTaskManager(2)
        .build());
  }
}
