package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The deployment files are safe as shipped: nothing is published beyond the host's loopback, no
 * password has a default, nobody can upload a jar, Kubernetes pods are fenced by a NetworkPolicy and
 * take their secrets from Secrets key by key.
 */
class SecureDefaultsTest {
  /** Environment variables that hold credentials. */
  static final Pattern SECRET_NAME =
      Pattern.compile(".*(PASSWORD|SECRET|TOKEN|CREDENTIAL|JAAS|ACCESS_KEY|API_KEY).*");
  /** Compose interpolation with a default: ${VAR:-default} or ${VAR-default}. */
  static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)}");

  // ---- compose ----

  /** Ports that are published beyond 127.0.0.1 on the host. */
  static List<String> exposedPorts(JsonNode compose) {
    List<String> problems = new ArrayList<>();
    compose.path("services").fields().forEachRemaining(s -> {
      for (JsonNode port : s.getValue().path("ports")) {
        String hostIp = port.isObject() ? port.path("host_ip").asText("") : hostIp(port.asText());
        if (!hostIp.equals("127.0.0.1")) {
          problems.add(s.getKey() + ": port " + port + " is published on "
              + (hostIp.isEmpty() ? "every interface" : hostIp) + "; publish on 127.0.0.1");
        }
      }
    });
    return problems;
  }

  /** "127.0.0.1:8081:8081" → 127.0.0.1; "8081:8081" and "8081" → "". */
  private static String hostIp(String port) {
    String[] parts = port.split(":");
    return parts.length == 3 ? parts[0] : "";
  }

  /** Credentials with a default value, or written into the file. */
  static List<String> defaultCredentials(JsonNode compose) {
    List<String> problems = new ArrayList<>();
    compose.path("services").fields().forEachRemaining(s -> {
      s.getValue().path("environment").fields().forEachRemaining(e -> {
        String value = e.getValue().asText();
        Matcher d = DEFAULTED.matcher(value);
        while (d.find()) {
          if (SECRET_NAME.matcher(d.group(1)).matches() && !d.group(2).isEmpty()) {
            problems.add(s.getKey() + ": " + e.getKey() + " defaults to '" + d.group(2) + "'");
          }
        }
        if (SECRET_NAME.matcher(e.getKey()).matches() && !value.isEmpty() && !value.contains("${")) {
          problems.add(s.getKey() + ": " + e.getKey() + " is written into the file");
        }
      });
    });
    return problems;
  }

  @Test
  void composePublishesEveryPortOnLoopbackOnly() {
    assertEquals(List.of(), exposedPorts(DeployFiles.compose()));
  }

  @Test
  void composeHasNoDefaultPasswords() {
    assertEquals(List.of(), defaultCredentials(DeployFiles.compose()));
    String grafana = DeployFiles.compose().path("services").path("grafana").path("environment")
        .path("GF_SECURITY_ADMIN_PASSWORD").asText();
    assertTrue(grafana.startsWith("${GRAFANA_ADMIN_PASSWORD:?"), grafana);
  }

  @Test
  void theComposeRulesCatchAnOpenPortAndADefaultPassword() {
    ObjectNode compose = (ObjectNode) DeployFiles.compose().deepCopy();
    ObjectNode grafana = (ObjectNode) compose.path("services").path("grafana");
    ((com.fasterxml.jackson.databind.node.ArrayNode) grafana.path("ports")).add("3001:3000");
    ((ObjectNode) grafana.path("environment")).put("GF_SECURITY_ADMIN_PASSWORD",
        "${GRAFANA_ADMIN_PASSWORD:-admin}");
    ((ObjectNode) grafana.path("environment")).set("GF_DATABASE_PASSWORD", TextNode.valueOf("pw"));
    assertEquals(1, exposedPorts(compose).size(), exposedPorts(compose).toString());
    assertEquals(2, defaultCredentials(compose).size(), defaultCredentials(compose).toString());
  }

  // ---- Flink ----

  @Test
  void nobodyCanUploadAJarToTheCluster() {
    assertEquals("false", DeployFiles.flinkConfig().get("web.submit.enable"),
        "deploy/flink/config.yaml must disable web submission");
    assertEquals("false", FlinkConfigConsistencyTest.k8sFlinkConfiguration().get("web.submit.enable"));
  }

  // ---- Kubernetes ----

  @Test
  void aNetworkPolicyFencesTheFlinkPods() {
    List<JsonNode> policies = DeployFiles.k8sKind("NetworkPolicy");
    assertEquals(1, policies.size(), "one NetworkPolicy in deploy/k8s");
    JsonNode spec = policies.get(0).path("spec");
    // The operator labels JobManager and TaskManager pods app: <FlinkDeployment name>.
    String name = DeployFiles.flinkDeployment().path("metadata").path("name").asText();
    assertEquals(name, spec.path("podSelector").path("matchLabels").path("app").asText());
    assertTrue(DeployFiles.strings(spec.path("policyTypes")).contains("Ingress"));
    for (JsonNode rule : spec.path("ingress")) {
      assertFalse(rule.path("from").isMissingNode() || rule.path("from").isEmpty(),
          "an ingress rule without 'from' admits everyone: " + rule);
    }
  }

  @Test
  void kubernetesSecretsComeFromSecretKeyRefs() {
    List<String> problems = new ArrayList<>();
    List<String> fromSecrets = new ArrayList<>();
    for (JsonNode doc : DeployFiles.k8sDocuments()) {
      doc.findParents("env").forEach(container -> {
        for (JsonNode env : container.path("env")) {
          String var = env.path("name").asText();
          if (env.has("value") && SECRET_NAME.matcher(var).matches()) {
            problems.add(var + " has a literal value");
          }
          if (env.path("valueFrom").has("secretKeyRef")) {
            fromSecrets.add(var);
          }
        }
        if (container.has("envFrom")) {
          problems.add("envFrom in " + container.path("name").asText()
              + ": name each secret variable with a secretKeyRef");
        }
      });
    }
    assertEquals(List.of(), problems);
    for (String var : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "HF_TOKEN",
        "KAFKA_SASL_JAAS_CONFIG")) {
      assertTrue(fromSecrets.contains(var), var + " from a secretKeyRef: " + fromSecrets);
    }
  }

  /**
   * docs/security.md passes Kafka credentials as {@code ${env:KAFKA_SASL_JAAS_CONFIG}}: Kafka's
   * clients resolve it with the environment config provider, so the secret never enters the job's
   * configuration. (HOME stands in for the credential, which this JVM does not have.)
   */
  @Test
  void kafkaClientsResolveCredentialsFromTheEnvironment() {
    Map<String, Object> props = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        "config.providers", "env",
        "config.providers.env.class",
        "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        ProducerConfig.CLIENT_ID_CONFIG, "${env:HOME}");
    assertEquals(System.getenv("HOME"),
        new ProducerConfig(props).getString(ProducerConfig.CLIENT_ID_CONFIG));
  }
}
