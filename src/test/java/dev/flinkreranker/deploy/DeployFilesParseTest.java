package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every YAML and JSON file of the deployment parses, and none is empty. */
class DeployFilesParseTest {

  static List<Path> structuredFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path dir : List.of(DeployFiles.DEPLOY, DeployFiles.ROOT.resolve("job"))) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(Files::isRegularFile)
            .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
            .forEach(files::add);
      }
    }
    try (Stream<Path> top = Files.list(DeployFiles.ROOT)) {
      top.filter(p -> p.getFileName().toString().matches("docker-compose.*\\.ya?ml"))
          .forEach(files::add);
    }
    return files.stream().sorted().collect(Collectors.toList());
  }

  @TestFactory
  Stream<DynamicTest> everyFileParses() throws IOException {
    return structuredFiles().stream()
        .map(file -> DynamicTest.dynamicTest(DeployFiles.ROOT.relativize(file).toString(), () -> {
          List<JsonNode> docs =
              file.toString().endsWith(".json")
                  ? List.of(DeployFiles.json(file))
                  : DeployFiles.yamlDocuments(file);
          assertFalse(docs.isEmpty(), file + " has no document");
          for (JsonNode doc : docs) {
            assertTrue(doc.isObject() && doc.size() > 0, file + ": a document is not a map");
          }
        }));
  }

  @Test
  void theDeploymentIsComplete() throws IOException {
    // A file that is renamed or deleted must fail here, not silently drop out of the checks.
    List<Path> expected =
        List.of(
            DeployFiles.COMPOSE,
            DeployFiles.FLINK_CONFIG,
            DeployFiles.DASHBOARD,
            DeployFiles.DEPLOY.resolve("prometheus/prometheus.yml"),
            DeployFiles.DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"),
            DeployFiles.DEPLOY.resolve("grafana/provisioning/dashboards/flink-reranker.yml"),
            DeployFiles.K8S.resolve("flink-deployment.yaml"),
            DeployFiles.K8S.resolve("hf-cache-pvc.yaml"),
            DeployFiles.K8S.resolve("kafka-topics.yaml"),
            DeployFiles.CLUSTER_PROFILE);
    List<Path> found = structuredFiles();
    for (Path p : expected) {
      assertTrue(found.contains(p), "missing " + DeployFiles.ROOT.relativize(p));
    }
    assertTrue(Files.isRegularFile(DeployFiles.DOCKERFILE), "missing deploy/Dockerfile");
    assertTrue(Files.isRegularFile(DeployFiles.ENGINE_POM), "missing " + DeployFiles.ENGINE_POM);
  }

  @Test
  void kustomizationListsEveryManifest() throws IOException {
    JsonNode kustomization = DeployFiles.yaml(DeployFiles.K8S.resolve("kustomization.yaml"));
    List<String> resources = DeployFiles.strings(kustomization.path("resources"));
    try (Stream<Path> files = Files.list(DeployFiles.K8S)) {
      List<String> manifests =
          files.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .sorted()
              .collect(Collectors.toList());
      assertTrue(
          resources.containsAll(manifests) && manifests.containsAll(resources),
          "kustomization resources " + resources + " != manifests " + manifests);
    }
  }
}
