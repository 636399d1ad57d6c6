package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docker-compose*.yml follow the Compose rules we rely on and run the job as intended. */
class ComposeTest {

  @Test
  void composeFilesFollowTheSpecification() throws IOException {
    try (Stream<Path> files = Files.list(DeployFiles.ROOT)) {
      List<Path> composeFiles =
          files.filter(p -> p.getFileName().toString().matches("docker-compose.*\\.ya?ml"))
              .collect(Collectors.toList());
      assertFalse(composeFiles.isEmpty());
      for (Path f : composeFiles) {
        assertEquals(List.of(), ComposeRules.check(DeployFiles.yaml(f), DeployFiles.ROOT), f.toString());
      }
    }
  }

  // ---- the rules catch broken files ----

  private static List<String> problemsAfter(Consumer<ObjectNode> breakIt) {
    ObjectNode compose = (ObjectNode) DeployFiles.compose().deepCopy();
    breakIt.accept(compose);
    return ComposeRules.check(compose, DeployFiles.ROOT);
  }

  private static ObjectNode service(ObjectNode compose, String name) {
    return (ObjectNode) compose.path("services").path(name);
  }

  @Test
  void undeclaredNamedVolumeIsCaught() {
    List<String> p = problemsAfter(c -> ((ObjectNode) c.path("volumes")).remove("hf-cache"));
    assertTrue(p.stream().anyMatch(s -> s.contains("'hf-cache' is not declared")), p.toString());
  }

  @Test
  void badPortIsCaught() {
    List<String> p = problemsAfter(c ->
        ((ArrayNode) service(c, "jobmanager").path("ports")).add("80812:x"));
    assertTrue(p.stream().anyMatch(s -> s.contains("invalid port")), p.toString());
  }

  @Test
  void unknownConditionAndServiceAreCaught() {
    List<String> p = problemsAfter(c -> {
      ObjectNode deps = (ObjectNode) service(c, "jobmanager").path("depends_on");
      deps.putObject("kafka-init").put("condition", "service_finished");
      deps.putObject("zookeeper").put("condition", "service_started");
    });
    assertTrue(p.stream().anyMatch(s -> s.contains("condition 'service_finished'")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains("unknown service 'zookeeper'")), p.toString());
  }

  @Test
  void serviceWithoutImageOrBuildIsCaught() {
    List<String> p = problemsAfter(c -> service(c, "prometheus").remove("image"));
    assertTrue(p.stream().anyMatch(s -> s.contains("'prometheus': needs 'image' or 'build'")), p.toString());
  }

  @Test
  void dependingOnAProfiledServiceIsCaught() {
    List<String> p = problemsAfter(c ->
        ((ObjectNode) service(c, "grafana").path("depends_on"))
            .putObject("taskmanager").put("condition", "service_started"));
    assertTrue(p.stream().anyMatch(s -> s.contains("only runs in a profile")), p.toString());
  }

  @Test
  void typoInAttributeIsCaught() {
    List<String> p = problemsAfter(c -> service(c, "kafka").put("enviroment", "x"));
    assertTrue(p.stream().anyMatch(s -> s.contains("unknown attribute 'enviroment'")), p.toString());
  }

  @Test
  void missingBindSourceIsCaught() {
    List<String> p = problemsAfter(c ->
        ((ArrayNode) service(c, "prometheus").path("volumes")).add("./deploy/nope.yml:/etc/x.yml:ro"));
    assertTrue(p.stream().anyMatch(s -> s.contains("'./deploy/nope.yml' does not exist")), p.toString());
  }

  // ---- what the stack must contain ----

  @Test
  void gpuTaskManagerReservesAnNvidiaGpuAndCpuProfileHasNone() {
    Map<String, JsonNode> flink = DeployFiles.flinkServices(DeployFiles.compose());
    JsonNode gpu = null;
    JsonNode cpu = null;
    for (Map.Entry<String, JsonNode> e : flink.entrySet()) {
      if (!DeployFiles.strings(e.getValue().path("command")).get(0).equals("taskmanager")) {
        continue;
      }
      List<String> profiles = DeployFiles.strings(e.getValue().path("profiles"));
      if (profiles.contains("gpu")) {
        gpu = e.getValue();
      } else if (profiles.contains("cpu")) {
        cpu = e.getValue();
      }
    }
    assertNotNull(gpu, "a TaskManager in profile 'gpu'");
    assertNotNull(cpu, "a TaskManager in profile 'cpu'");
    JsonNode devices = gpu.path("deploy").path("resources").path("reservations").path("devices");
    assertTrue(devices.isArray() && !devices.isEmpty(), "GPU reservation");
    JsonNode d = devices.get(0);
    assertEquals("nvidia", d.path("driver").asText());
    assertTrue(DeployFiles.strings(d.path("capabilities")).contains("gpu"));
    assertTrue(d.path("count").asInt(0) >= 1 || d.has("device_ids"));
    assertEquals("cu128", gpu.path("build").path("args").path("PYTORCH_FLAVOR").asText());
    assertTrue(cpu.path("deploy").isMissingNode(), "the CPU TaskManager reserves no device");
    assertEquals("cpu", cpu.path("build").path("args").path("PYTORCH_FLAVOR").asText());
  }

  @Test
  void taskManagersShareTheHuggingFaceCacheAndCheckpointVolumes() {
    JsonNode compose = DeployFiles.compose();
    Map<String, JsonNode> flink = DeployFiles.flinkServices(compose);
    for (Map.Entry<String, JsonNode> e : flink.entrySet()) {
      List<String> volumes = DeployFiles.strings(e.getValue().path("volumes"));
      assertTrue(volumes.contains("flink-data:/flink-data"), e.getKey() + " mounts the checkpoint volume");
      if (DeployFiles.strings(e.getValue().path("command")).get(0).equals("taskmanager")) {
        // HF_HOME of the image (deploy/Dockerfile) is /opt/hf-cache.
        assertTrue(volumes.contains("hf-cache:/opt/hf-cache"), e.getKey() + " mounts the HF cache");
      }
    }
    assertTrue(DeployFiles.text(DeployFiles.DOCKERFILE).contains("HF_HOME=/opt/hf-cache"));
  }

  @Test
  void jobRunsInApplicationModeFromTheImage() {
    JsonNode jm = DeployFiles.compose().path("services").path("jobmanager");
    List<String> cmd = DeployFiles.strings(jm.path("command"));
    assertEquals("standalone-job", cmd.get(0));
    assertEquals("dev.flinkreranker.cli.Main", DeployFiles.optionValue(cmd, "--job-classname"));
    assertTrue(cmd.contains("run"), "the 'run' subcommand");
    // Kafka must be up with its topics before the job's main() runs.
    assertEquals(
        "service_completed_successfully",
        jm.path("depends_on").path("kafka-init").path("condition").asText());
  }

  @Test
  void kafkaClusterIdIsAValidKraftId() {
    // kafka-storage format refuses anything but a base64url UUID; check with Kafka's own parser.
    String id = DeployFiles.compose().path("services").path("kafka").path("environment")
        .path("CLUSTER_ID").asText();
    org.apache.kafka.common.Uuid uuid = org.apache.kafka.common.Uuid.fromString(id);
    assertEquals(id, uuid.toString());
  }

  @Test
  void monitoringIsWired() {
    JsonNode services = DeployFiles.compose().path("services");
    for (String s : Set.of("prometheus", "grafana")) {
      assertTrue(services.has(s), s);
    }
    List<String> grafanaVolumes = DeployFiles.strings(services.path("grafana").path("volumes"));
    assertTrue(grafanaVolumes.stream().anyMatch(v -> v.startsWith("./deploy/grafana/provisioning:")));
    assertTrue(grafanaVolumes.stream().anyMatch(v -> v.startsWith("./deploy/grafana/dashboards:")));
    assertTrue(DeployFiles.strings(services.path("prometheus").path("volumes")).stream()
        .anyMatch(v -> v.startsWith("./deploy/prometheus/prometheus.yml:")));
  }
}
