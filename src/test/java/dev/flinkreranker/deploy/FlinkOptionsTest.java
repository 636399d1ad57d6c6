package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.Test;

/**
 * Every key of deploy/flink/config.yaml (and the environment keys of compose and Kubernetes) is an
 * option of the Flink version we build against, under its current name, and its value parses as
 * that option's type. Flink ignores unknown keys silently, so a typo or a pre-2.0 key name would
 * otherwise just not take effect.
 */
class FlinkOptionsTest {

  /** The option classes of flink-core 2.x that hold the settings a cluster config uses. */
  static final List<String> OPTION_CLASSES =
      List.of(
          "org.apache.flink.configuration.CoreOptions",
          "org.apache.flink.configuration.TaskManagerOptions",
          "org.apache.flink.configuration.JobManagerOptions",
          "org.apache.flink.configuration.RestOptions",
          "org.apache.flink.configuration.CheckpointingOptions",
          "org.apache.flink.configuration.StateBackendOptions",
          "org.apache.flink.configuration.RestartStrategyOptions",
          "org.apache.flink.configuration.HeartbeatManagerOptions",
          "org.apache.flink.configuration.MetricOptions",
          "org.apache.flink.configuration.HighAvailabilityOptions",
          "org.apache.flink.configuration.StateRecoveryOptions",
          "org.apache.flink.configuration.WebOptions");

  /** Options of reporters are per reporter name: metrics.reporter.NAME.KEY. */
  static final Pattern REPORTER_KEY = Pattern.compile("^metrics\\.reporter\\.[a-z0-9_-]+\\..+$");

  static Map<String, ConfigOption<?>> flinkOptions() {
    Map<String, ConfigOption<?>> options = new HashMap<>();
    for (String cls : OPTION_CLASSES) {
      Class<?> c;
      try {
        c = Class.forName(cls);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("Flink option class moved: " + cls, e);
      }
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
          try {
            ConfigOption<?> o = (ConfigOption<?>) f.get(null);
            options.put(o.key(), o);
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return options;
  }

  /** Keys that are no Flink option, or only a deprecated (fallback) name of one. */
  static List<String> unknownKeys(Map<String, String> config) {
    Map<String, ConfigOption<?>> options = flinkOptions();
    Map<String, String> deprecated = new HashMap<>();
    for (ConfigOption<?> o : options.values()) {
      for (FallbackKey k : o.fallbackKeys()) {
        deprecated.put(k.getKey(), o.key());
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String key : config.keySet()) {
      if (options.containsKey(key) || REPORTER_KEY.matcher(key).matches()) {
        continue;
      }
      unknown.add(deprecated.containsKey(key)
          ? key + " (deprecated, use " + deprecated.get(key) + ")"
          : key);
    }
    return unknown;
  }

  /** Values that do not parse as their option's type. */
  static List<String> badValues(Map<String, String> config) {
    Map<String, ConfigOption<?>> options = flinkOptions();
    Configuration conf = Configuration.fromMap(config);
    List<String> bad = new ArrayList<>();
    for (String key : config.keySet()) {
      ConfigOption<?> o = options.get(key);
      if (o == null) {
        continue;
      }
      try {
        conf.get(o);
      } catch (RuntimeException e) {
        bad.add(key + "=" + config.get(key) + ": " + e.getMessage());
      }
    }
    return bad;
  }

  static Map<String, String> allClusterSettings() {
    Map<String, String> all = new LinkedHashMap<>(DeployFiles.flinkConfig());
    all.putAll(FlinkConfigConsistencyTest.k8sFlinkConfiguration());
    DeployFiles.flinkServices(DeployFiles.compose()).values().forEach(s -> all.putAll(
        DeployFiles.flinkProperties(s.path("environment").path("FLINK_PROPERTIES").asText())));
    return all;
  }

  @Test
  void everyKeyIsACurrentFlinkOption() {
    assertEquals(List.of(), unknownKeys(allClusterSettings()));
  }

  @Test
  void everyValueParses() {
    assertEquals(List.of(), badValues(allClusterSettings()));
  }

  @Test
  void memoryModelResolves() {
    // Flink derives every memory pool from these settings at TaskManager start and refuses to start
    // when they contradict each other; resolve them the same way here.
    Configuration conf = Configuration.fromMap(DeployFiles.flinkConfig());
    org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec tm =
        org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils.processSpecFromConfig(conf);
    assertEquals(org.apache.flink.configuration.MemorySize.parse("6144m"), tm.getTaskOffHeapSize());
    assertTrue(tm.getTaskHeapSize().compareTo(org.apache.flink.configuration.MemorySize.parse("1g")) >= 0,
        "task heap left for batching and Kafka clients: " + tm.getTaskHeapSize());
    assertEquals(0, tm.getManagedMemorySize().getBytes());
    org.apache.flink.runtime.jobmanager.JobManagerProcessUtils.processSpecFromConfig(conf);
  }

  @Test
  void typosAndOldNamesAreCaught() {
    Map<String, String> broken = new LinkedHashMap<>();
    broken.put("execution.checkpointing.intervall", "10s");
    broken.put("state.checkpoints.dir", "file:///x");
    broken.put("execution.checkpointing.timeout", "45 parsecs");
    List<String> unknown = unknownKeys(broken);
    assertTrue(unknown.contains("execution.checkpointing.intervall"), unknown.toString());
    assertTrue(unknown.stream().anyMatch(k -> k.startsWith("state.checkpoints.dir (deprecated")),
        unknown.toString());
    List<String> bad = badValues(broken);
    assertTrue(bad.stream().anyMatch(b -> b.startsWith("execution.checkpointing.timeout=45 parsecs")),
        bad.toString());
  }
}
