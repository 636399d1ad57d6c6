package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Job profiles and the job arguments of compose and Kubernetes use only RerankOptions keys, and
 * the topics agree everywhere.
 */
class JobArgumentsTest {

  static List<String> composeJobArgs() {
    return DeployFiles.strings(
        DeployFiles.compose().path("services").path("jobmanager").path("command"));
  }

  static List<String> k8sJobArgs() {
    return DeployFiles.strings(DeployFiles.flinkDeployment().path("spec").path("job").path("args"));
  }

  @Test
  void profilesUseOnlyRerankOptionKeys() {
    List<Path> profiles = DeployFiles.jobProfiles();
    assertFalse(profiles.isEmpty());
    List<String> unknown = new ArrayList<>();
    for (Path p : profiles) {
      DeployFiles.flatMap(DeployFiles.yaml(p)).keySet().stream()
          .filter(k -> !DeployFiles.isRerankKey(k))
          .forEach(k -> unknown.add(p.getFileName() + ": " + k));
    }
    assertEquals(List.of(), unknown);
  }

  @Test
  void setArgumentsUseOnlyRerankOptionKeys() {
    Map<String, List<String>> commandLines = new LinkedHashMap<>();
    commandLines.put("docker-compose.yml jobmanager", composeJobArgs());
    commandLines.put("deploy/k8s FlinkDeployment", k8sJobArgs());
    List<String> unknown = new ArrayList<>();
    commandLines.forEach((where, args) -> {
      assertTrue(args.contains("run"), where + " runs the 'run' subcommand");
      DeployFiles.setArgs(args).keySet().stream()
          .filter(k -> !DeployFiles.isRerankKey(k))
          .forEach(k -> unknown.add(where + ": --set " + k));
    });
    assertEquals(List.of(), unknown);
  }

  @Test
  void unknownKeysAreCaught() {
    assertFalse(DeployFiles.isRerankKey("kafka.bootstrap.servers"));
    assertFalse(DeployFiles.isRerankKey("kafka.properties."));
    assertTrue(DeployFiles.isRerankKey("kafka.properties.security.protocol"));
    assertEquals(
        Map.of("batch.max-pairs", "8"),
        DeployFiles.setArgs(List.of("run", "--config", "x.yaml", "--set", "batch.max-pairs=8")));
  }

  /** Topic names of job/cluster.yaml: inputs (';'-separated list), results, dead letters. */
  static List<String> profileTopics() {
    Map<String, String> profile = DeployFiles.clusterProfile();
    List<String> topics = new ArrayList<>();
    for (String t : profile.get("input.topics").split(";")) {
      topics.add(t.strip());
    }
    topics.add(profile.get("output.topic"));
    topics.add(profile.get("output.dead-letter-topic"));
    return topics;
  }

  /** Topics the compose init container creates: every {@code --create ... --topic NAME}. */
  static Map<String, Integer> composeTopics() {
    JsonNode init = DeployFiles.compose().path("services").path("kafka-init");
    String script = String.join("\n", DeployFiles.strings(init.path("command")));
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (String line : script.split("\n")) {
      if (line.contains("--create")) {
        List<String> words = List.of(line.strip().split("\\s+"));
        topics.put(DeployFiles.optionValue(words, "--topic"),
            Integer.parseInt(DeployFiles.optionValue(words, "--partitions")));
      }
    }
    return topics;
  }

  static Map<String, Integer> k8sTopics() {
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (JsonNode t : DeployFiles.k8sKind("KafkaTopic")) {
      String name = t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText());
      topics.put(name, t.path("spec").path("partitions").asInt());
    }
    return topics;
  }

  @Test
  void topicsAgreeBetweenProfileComposeAndKubernetes() {
    List<String> expected = profileTopics();
    assertEquals(3, expected.size());
    // --set may override topics; neither environment does, so the profile's names are the truth.
    for (List<String> args : List.of(composeJobArgs(), k8sJobArgs())) {
      Map<String, String> sets = DeployFiles.setArgs(args);
      for (String k : List.of("input.topics", "output.topic", "output.dead-letter-topic")) {
        assertFalse(sets.containsKey(k), "topics come from job/cluster.yaml, not --set " + k);
      }
    }
    assertEquals(List.copyOf(expected), List.copyOf(composeTopics().keySet()));
    assertEquals(List.copyOf(expected), List.copyOf(k8sTopics().keySet()));
    // Same partitioning on both, so a replay on compose behaves like production.
    assertEquals(composeTopics(), k8sTopics());
  }

  @Test
  void inputPartitionsCoverTheJobParallelism() {
    String input = profileTopics().get(0);
    int parallelism = DeployFiles.flinkDeployment().path("spec").path("job").path("parallelism").asInt();
    assertTrue(k8sTopics().get(input) >= parallelism,
        "a source subtask without a partition sits idle: partitions >= parallelism " + parallelism);
  }

  @Test
  void jobReachesKafkaInEachEnvironment() {
    Map<String, String> compose = DeployFiles.setArgs(composeJobArgs());
    assertEquals("kafka:9092", compose.get("kafka.bootstrap-servers"));
    assertTrue(DeployFiles.compose().path("services").has("kafka"));
    String k8s = DeployFiles.setArgs(k8sJobArgs()).get("kafka.bootstrap-servers");
    // Strimzi names the bootstrap service <cluster>-kafka-bootstrap.
    String cluster = DeployFiles.k8sKind("KafkaTopic").get(0).path("metadata").path("labels")
        .path("strimzi.io/cluster").asText();
    assertEquals(cluster + "-kafka-bootstrap:9092", k8s);
  }
}
