package dev.flinkreranker.testutil;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster of the integration tests: one TaskManager with two slots, like `local`. */
public final class FlinkTestCluster {
  private FlinkTestCluster() {}

  public static MiniClusterExtension oneTaskManagerTwoSlots() {
    return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setNumberTaskManagers(1)
        .setNumberSlotsPerTaskManager(2)
        .build());
  }
}
