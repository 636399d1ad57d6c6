package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flinkreranker.config.RerankOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.ConfigOption;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the deployment files of the repository (deploy/, job/, docker-compose*.yml, pom.xml) for
 * the consistency tests. Paths are relative to the project directory, which is the working
 * directory of Surefire.
 */
final class DeployFiles {
  private DeployFiles() {}

  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
  static final Path FLINK_CONFIG = DEPLOY.resolve("flink/config.yaml");
  static final Path K8S = DEPLOY.resolve("k8s");
  static final Path DASHBOARD = DEPLOY.resolve("grafana/dashboards/flink-reranker.json");
  static final Path DOCKERFILE = DEPLOY.resolve("Dockerfile");
  static final Path ENGINE_POM = DEPLOY.resolve("docker/engine-libs.pom.xml");
  static final Path CLUSTER_PROFILE = ROOT.resolve("job/cluster.yaml");

  /**
   * Flink keys that differ between docker-compose and Kubernetes by design (addresses, storage,
   * HA), so deploy/flink/config.yaml leaves them out and each environment sets them itself.
   */
  static final Set<String> ENVIRONMENT_KEYS =
      Set.of(
          "jobmanager.rpc.address",
          "execution.checkpointing.dir",
          "execution.checkpointing.savepoint-dir",
          "high-availability.type",
          "high-availability.storageDir");

  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  static {
    assertTrue(
        Files.isRegularFile(ROOT.resolve("pom.xml")),
        "tests must run in the project directory, not " + ROOT);
  }

  static JsonNode yaml(Path file) {
    List<JsonNode> docs = yamlDocuments(file);
    if (docs.size() != 1) {
      throw new IllegalStateException(file + ": expected one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  /** All documents of a (possibly multi-document, {@code ---}-separated) YAML file. */
  static List<JsonNode> yamlDocuments(Path file) {
    try (MappingIterator<JsonNode> it =
        YAML.readerFor(JsonNode.class).readValues(new YAMLFactory().createParser(file.toFile()))) {
      List<JsonNode> docs = new ArrayList<>();
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode compose() {
    return yaml(COMPOSE);
  }

  /** A flat YAML map (Flink config, job profile) as key → value text. */
  static Map<String, String> flatMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      if (e.getValue().isContainerNode()) {
        throw new IllegalStateException("not a flat key: " + e.getKey());
      }
      map.put(e.getKey(), e.getValue().asText());
    }
    return map;
  }

  static Map<String, String> flinkConfig() {
    return flatMap(yaml(FLINK_CONFIG));
  }

  static Map<String, String> clusterProfile() {
    return flatMap(yaml(CLUSTER_PROFILE));
  }

  static List<Path> jobProfiles() {
    try (Stream<Path> files = Files.list(ROOT.resolve("job"))) {
      return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of every YAML file under deploy/k8s. */
  static List<JsonNode> k8sDocuments() {
    try (Stream<Path> files = Files.list(K8S)) {
      return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .flatMap(p -> yamlDocuments(p).stream())
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> k8sKind(String kind) {
    return k8sDocuments().stream()
        .filter(d -> kind.equals(d.path("kind").asText()))
        .collect(Collectors.toList());
  }

  static JsonNode flinkDeployment() {
    List<JsonNode> deployments = k8sKind("FlinkDeployment");
    if (deployments.size() != 1) {
      throw new IllegalStateException("expected one FlinkDeployment, found " + deployments.size());
    }
    return deployments.get(0);
  }

  /** Keys of every RerankOptions option: the only keys a job profile or --set may use. */
  static Set<String> rerankOptionKeys() {
    return RerankOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
  }

  static boolean isRerankKey(String key) {
    return rerankOptionKeys().contains(key)
        || (key.startsWith(RerankOptions.KAFKA_PROPERTIES_PREFIX)
            && key.length() > RerankOptions.KAFKA_PROPERTIES_PREFIX.length());
  }

  /** The {@code --set key=value} pairs of a command line, in order. */
  static Map<String, String> setArgs(List<String> args) {
    Map<String, String> sets = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String kv = null;
      if (a.equals("--set") && i + 1 < args.size()) {
        kv = args.get(++i);
      } else if (a.startsWith("--set=")) {
        kv = a.substring("--set=".length());
      }
      if (kv != null) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalStateException("--set without key=value: " + kv);
        }
        sets.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return sets;
  }

  /** The value following {@code option} in a command line, or null. */
  static String optionValue(List<String> args, String option) {
    int i = args.indexOf(option);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
  }

  static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(n -> list.add(n.asText()));
    } else if (array.isTextual()) {
      // Compose also accepts a command as one string; split like a shell would for simple words.
      list.addAll(List.of(array.asText().trim().split("\\s+")));
    }
    return list;
  }

  /**
   * FLINK_PROPERTIES as the official image's entrypoint reads it: one {@code key: value} per line,
   * split at the first colon.
   */
  static Map<String, String> flinkProperties(String text) {
    Map<String, String> props = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty()) {
        continue;
      }
      int colon = l.indexOf(':');
      if (colon <= 0) {
        throw new IllegalStateException("FLINK_PROPERTIES line without 'key: value': " + l);
      }
      props.put(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
    }
    return props;
  }

  /** Services of the compose file that run Flink (the official image's entrypoint commands). */
  static Map<String, JsonNode> flinkServices(JsonNode compose) {
    Map<String, JsonNode> services = new LinkedHashMap<>();
    compose.path("services").fields().forEachRemaining(e -> {
      List<String> cmd = strings(e.getValue().path("command"));
      if (!cmd.isEmpty()
          && Set.of("jobmanager", "taskmanager", "standalone-job").contains(cmd.get(0))) {
        services.put(e.getKey(), e.getValue());
      }
    });
    return services;
  }

  static Document xml(Path file) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(false);
      return f.newDocumentBuilder().parse(file.toFile());
    } catch (Exception e) {
      throw new IllegalStateException("cannot parse " + file, e);
    }
  }

  /** A property of a pom's {@code <properties>}. */
  static String pomProperty(Document pom, String name) {
    NodeList props = pom.getDocumentElement().getElementsByTagName("properties");
    for (int i = 0; i < props.getLength(); i++) {
      Element p = (Element) props.item(i);
      if (p.getParentNode() == pom.getDocumentElement()) {
        NodeList values = p.getElementsByTagName(name);
        if (values.getLength() > 0) {
          return values.item(0).getTextContent().trim();
        }
      }
    }
    throw new IllegalStateException("no property " + name);
  }
}
