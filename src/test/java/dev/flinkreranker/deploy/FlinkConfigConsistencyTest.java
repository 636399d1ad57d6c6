package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkreranker.config.RerankOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/**
 * deploy/flink/config.yaml is the one source of the cluster's Flink settings: compose runs with it
 * (baked into the image) and may only add environment keys; the FlinkDeployment repeats it.
 */
class FlinkConfigConsistencyTest {

  static Map<String, String> k8sFlinkConfiguration() {
    return DeployFiles.flatMap(DeployFiles.flinkDeployment().path("spec").path("flinkConfiguration"));
  }

  /** Differences of {@code actual} from the shared config; environment keys may differ. */
  static List<String> drift(Map<String, String> shared, Map<String, String> actual, boolean complete) {
    List<String> problems = new ArrayList<>();
    shared.forEach((k, v) -> {
      if (!actual.containsKey(k)) {
        if (complete) {
          problems.add("missing " + k);
        }
      } else if (!v.equals(actual.get(k))) {
        problems.add(k + ": " + actual.get(k) + " != " + v);
      }
    });
    actual.keySet().stream()
        .filter(k -> !shared.containsKey(k) && !DeployFiles.ENVIRONMENT_KEYS.contains(k))
        .forEach(k -> problems.add("not in deploy/flink/config.yaml: " + k));
    return problems;
  }

  @Test
  void sharedConfigHoldsNoEnvironmentKeys() {
    Set<String> env = new LinkedHashSet<>(DeployFiles.flinkConfig().keySet());
    env.retainAll(DeployFiles.ENVIRONMENT_KEYS);
    assertEquals(Set.of(), env);
  }

  @Test
  void kubernetesRepeatsTheSharedConfig() {
    assertEquals(List.of(), drift(DeployFiles.flinkConfig(), k8sFlinkConfiguration(), true));
  }

  @Test
  void composeOnlyAddsEnvironmentKeys() {
    Map<String, JsonNode> services = DeployFiles.flinkServices(DeployFiles.compose());
    assertEquals(Set.of("jobmanager", "taskmanager", "taskmanager-cpu"), services.keySet());
    Map<String, String> first = null;
    for (Map.Entry<String, JsonNode> s : services.entrySet()) {
      Map<String, String> props = DeployFiles.flinkProperties(
          s.getValue().path("environment").path("FLINK_PROPERTIES").asText());
      assertEquals(List.of(), drift(DeployFiles.flinkConfig(), props, false), s.getKey());
      assertEquals("jobmanager", props.get("jobmanager.rpc.address"), s.getKey());
      // JobManager and TaskManagers must agree on where checkpoints live (a shared volume).
      if (first == null) {
        first = props;
      } else {
        assertEquals(first, props, s.getKey() + " has the same FLINK_PROPERTIES");
      }
    }
  }

  @Test
  void driftIsCaught() {
    Map<String, String> broken = new HashMap<>(k8sFlinkConfiguration());
    broken.put("execution.checkpointing.interval", "1min");
    broken.remove("classloader.parent-first-patterns.additional");
    broken.put("state.backend.type", "rocksdb");
    broken.put("taskmanager.numberOfTaskSlots", "4");
    broken.put("pipeline.object-reuse", "true");
    List<String> problems = drift(DeployFiles.flinkConfig(), broken, true);
    assertTrue(problems.contains("missing classloader.parent-first-patterns.additional"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("execution.checkpointing.interval")));
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("taskmanager.numberOfTaskSlots")));
    assertTrue(problems.contains("not in deploy/flink/config.yaml: pipeline.object-reuse"));
  }

  @Test
  void kubernetesSetsDurableStorageAndHa() {
    Map<String, String> k8s = k8sFlinkConfiguration();
    assertEquals("kubernetes", k8s.get("high-availability.type"));
    for (String k : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
        "high-availability.storageDir")) {
      assertTrue(k8s.getOrDefault(k, "").startsWith("s3://"), k + " on durable storage");
    }
    JsonNode spec = DeployFiles.flinkDeployment().path("spec");
    assertEquals("flink.apache.org/v1beta1", DeployFiles.flinkDeployment().path("apiVersion").asText());
    assertEquals("last-state", spec.path("job").path("upgradeMode").asText());
    assertTrue(spec.path("jobManager").path("replicas").asInt() >= 2, "a standby JobManager");
  }

  @Test
  void resourcesMatchTheMemoryModel() {
    JsonNode spec = DeployFiles.flinkDeployment().path("spec");
    Map<String, String> shared = DeployFiles.flinkConfig();
    // The operator derives process.size from resource.memory: both must describe the same pod.
    assertEquals(
        MemorySize.parse(shared.get("taskmanager.memory.process.size")),
        MemorySize.parse(spec.path("taskManager").path("resource").path("memory").asText()));
    assertEquals(
        MemorySize.parse(shared.get("jobmanager.memory.process.size")),
        MemorySize.parse(spec.path("jobManager").path("resource").path("memory").asText()));
    MemorySize offHeap = MemorySize.parse(shared.get("taskmanager.memory.task.off-heap.size"));
    assertTrue(offHeap.compareTo(MemorySize.parse("2g")) >= 0, "native room for the model");
    assertTrue(offHeap.compareTo(MemorySize.parse(shared.get("taskmanager.memory.process.size"))) < 0);
    int slots = Integer.parseInt(shared.get("taskmanager.numberOfTaskSlots"));
    int parallelism = spec.path("job").path("parallelism").asInt();
    assertEquals(0, parallelism % slots, "whole TaskManagers (GPUs): parallelism % slots == 0");
  }

  @Test
  void taskManagersRequestOneGpuAndMountTheHfCache() {
    JsonNode spec = DeployFiles.flinkDeployment().path("spec");
    JsonNode podSpec = spec.path("taskManager").path("podTemplate").path("spec");
    JsonNode main = podSpec.path("containers").get(0);
    assertEquals("flink-main-container", main.path("name").asText());
    assertEquals(1, main.path("resources").path("limits").path("nvidia.com/gpu").asInt());
    String claim = null;
    for (JsonNode v : podSpec.path("volumes")) {
      if (!v.path("persistentVolumeClaim").isMissingNode()) {
        claim = v.path("persistentVolumeClaim").path("claimName").asText();
      }
    }
    final String claimName = claim;
    assertTrue(DeployFiles.k8sKind("PersistentVolumeClaim").stream()
        .anyMatch(p -> p.path("metadata").path("name").asText().equals(claimName)
            && DeployFiles.strings(p.path("spec").path("accessModes")).contains("ReadWriteMany")),
        "a ReadWriteMany PVC " + claimName + " shared by all TaskManagers");
    boolean mounted = false;
    for (JsonNode m : main.path("volumeMounts")) {
      mounted |= m.path("mountPath").asText().equals("/opt/hf-cache");
    }
    assertTrue(mounted, "mounted at HF_HOME of the image");
    assertEquals("local:///opt/flink/usrlib/flink-reranker-job.jar", spec.path("job").path("jarURI").asText());
    assertEquals("dev.flinkreranker.cli.Main", spec.path("job").path("entryClass").asText());
  }

  @Test
  void classLoadingKeepsDjlInTheParentClassLoader() {
    List<String> patterns =
        List.of(DeployFiles.flinkConfig().get("classloader.parent-first-patterns.additional").split(";"));
    assertTrue(patterns.contains("ai.djl."), "pitfall 9: " + patterns);
    assertTrue(patterns.contains("com.sun.jna."), "JNA loads a JNI library too: " + patterns);
  }

  @Test
  void checkpointingMatchesTheJobAndKafkaTransactions() {
    Map<String, String> flink = DeployFiles.flinkConfig();
    Map<String, String> job = DeployFiles.clusterProfile();
    assertEquals("EXACTLY_ONCE", flink.get("execution.checkpointing.mode"));
    assertEquals("exactly-once", job.get(RerankOptions.DELIVERY_GUARANTEE.key()));
    Duration interval = TimeUtils.parseDuration(flink.get("execution.checkpointing.interval"));
    assertEquals(
        TimeUtils.parseDuration(job.get(RerankOptions.CHECKPOINT_INTERVAL.key())), interval,
        "job.checkpoint-interval (set by the job) equals the cluster's interval");
    Duration txTimeout = TimeUtils.parseDuration(job.get(RerankOptions.TRANSACTION_TIMEOUT.key()));
    Duration cpTimeout = TimeUtils.parseDuration(flink.get("execution.checkpointing.timeout"));
    // A checkpoint may only complete while its Kafka transaction is still alive.
    assertTrue(cpTimeout.compareTo(txTimeout) < 0, cpTimeout + " < transaction timeout " + txTimeout);
    assertTrue(interval.plus(cpTimeout).compareTo(txTimeout) <= 0,
        "a transaction spans an interval plus a checkpoint: " + interval + " + " + cpTimeout);
    // Pitfall 3: the broker must allow the job's transaction timeout.
    JsonNode kafka = DeployFiles.compose().path("services").path("kafka").path("environment");
    long brokerMax = Long.parseLong(kafka.path("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asText());
    assertTrue(brokerMax >= txTimeout.toMillis(),
        "transaction.max.timeout.ms " + brokerMax + " >= output.transaction-timeout " + txTimeout);
  }

  @Test
  void singleBrokerCanRunTransactions() {
    JsonNode kafka = DeployFiles.compose().path("services").path("kafka").path("environment");
    // Pitfall 4: one broker means replication factor 1 and min ISR 1 for the internal topics.
    assertEquals("1", kafka.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asText());
    assertEquals("1", kafka.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText());
    assertEquals("1", kafka.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asText());
    assertTrue(kafka.path("KAFKA_PROCESS_ROLES").asText().contains("controller"), "KRaft");
    assertFalse(kafka.has("KAFKA_ZOOKEEPER_CONNECT"));
    String init = String.join("\n", DeployFiles.strings(
        DeployFiles.compose().path("services").path("kafka-init").path("command")));
    assertFalse(init.contains("--replication-factor 3"), "one broker holds one replica");
  }

  @Test
  void failuresRestartWithBackoff() {
    Map<String, String> flink = DeployFiles.flinkConfig();
    assertEquals("exponential-delay", flink.get("restart-strategy.type"));
    assertEquals("RETAIN_ON_CANCELLATION",
        flink.get("execution.checkpointing.externalized-checkpoint-retention"));
    assertTrue(TimeUtils.parseDuration(flink.get("restart-strategy.exponential-delay.max-backoff"))
        .compareTo(Duration.ofSeconds(30)) >= 0);
  }
}
