package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.scoring.RerankMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard queries only metrics the job registers, under the names Flink's
 * Prometheus reporter gives them, and has every panel operators need.
 */
class GrafanaDashboardTest {

  /**
   * Flink's PrometheusReporter names a metric "flink_" + logical scope + "_" + name, the scope's
   * parts joined with "_" (AbstractPrometheusReporter#getScopedName). An operator's user group
   * "reranker" therefore gives flink_taskmanager_job_task_operator_reranker_&lt;name&gt;; histograms
   * become summaries with a quantile label plus a &lt;name&gt;_count series.
   */
  static final String RERANKER_PREFIX =
      "flink_taskmanager_job_task_operator_" + RerankMetrics.GROUP + "_";

  static final Pattern RERANKER_METRIC =
      Pattern.compile(Pattern.quote(RERANKER_PREFIX) + "([A-Za-z0-9_]+)");

  static final Pattern ANY_METRIC = Pattern.compile("\\b(flink_[A-Za-z0-9_]+)");

  /** Panels the dashboard must have, identified by the metric they query (titles may change). */
  static final Map<String, String> REQUIRED_PANELS = new LinkedHashMap<>();

  static {
    REQUIRED_PANELS.put("throughput", RERANKER_PREFIX + RerankMetrics.PAIRS_SCORED);
    REQUIRED_PANELS.put("batch size", RERANKER_PREFIX + RerankMetrics.BATCH_PAIRS);
    REQUIRED_PANELS.put("padding efficiency", RERANKER_PREFIX + RerankMetrics.PADDING_EFFICIENCY);
    REQUIRED_PANELS.put("queue depth", RERANKER_PREFIX + RerankMetrics.QUEUE_DEPTH);
    REQUIRED_PANELS.put("inference latency", RERANKER_PREFIX + RerankMetrics.INFERENCE_MILLIS);
    REQUIRED_PANELS.put(
        "end-to-end latency", RERANKER_PREFIX + RerankMetrics.REQUEST_LATENCY_MILLIS);
    REQUIRED_PANELS.put("dead letters", RERANKER_PREFIX + RerankMetrics.DEAD_LETTERS);
    // Flink's own metrics (task, job and Kafka source scopes).
    REQUIRED_PANELS.put("backpressure", "flink_taskmanager_job_task_backPressuredTimeMsPerSecond");
    REQUIRED_PANELS.put("checkpoint duration", "flink_jobmanager_job_lastCheckpointDuration");
    REQUIRED_PANELS.put("consumer lag", "flink_taskmanager_job_task_operator_pendingRecords");
  }

  /** Flink system metrics the dashboard may use besides the reranker group. */
  static final Set<String> FLINK_METRICS =
      Set.of(
          "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
          "flink_taskmanager_job_task_busyTimeMsPerSecond",
          "flink_jobmanager_job_lastCheckpointDuration",
          "flink_jobmanager_job_numberOfFailedCheckpoints",
          "flink_jobmanager_job_numRestarts",
          "flink_jobmanager_job_uptime",
          "flink_taskmanager_job_task_operator_pendingRecords",
          "flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max");

  /** Every PromQL expression of the dashboard (panels, rows' panels, template queries). */
  static List<String> expressions(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    collect(dashboard.path("panels"), exprs);
    for (JsonNode v : dashboard.path("templating").path("list")) {
      JsonNode q = v.path("query");
      exprs.add(q.isObject() ? q.path("query").asText() : q.asText());
    }
    return exprs;
  }

  private static void collect(JsonNode panels, List<String> exprs) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        exprs.add(t.path("expr").asText());
      }
      collect(p.path("panels"), exprs);
    }
  }

  /** Problems: reranker metrics the job does not have, Flink metrics not known to exist. */
  static List<String> unknownMetrics(JsonNode dashboard) {
    List<String> problems = new ArrayList<>();
    for (String expr : expressions(dashboard)) {
      Matcher m = ANY_METRIC.matcher(expr);
      while (m.find()) {
        String metric = m.group(1);
        if (metric.startsWith(RERANKER_PREFIX)) {
          String name = metric.substring(RERANKER_PREFIX.length()).replaceFirst("_count$", "");
          if (!RerankMetrics.ALL.contains(name)) {
            problems.add("'" + name + "' is not in RerankMetrics.ALL: " + expr);
          }
        } else if (!FLINK_METRICS.contains(metric)) {
          problems.add("unexpected metric " + metric + ": " + expr);
        }
      }
    }
    return problems;
  }

  static List<String> missingPanels(JsonNode dashboard) {
    List<String> exprs = expressions(dashboard);
    List<String> missing = new ArrayList<>();
    REQUIRED_PANELS.forEach((panel, metric) -> {
      Pattern p = Pattern.compile("\\b" + Pattern.quote(metric) + "\\b");
      if (exprs.stream().noneMatch(e -> p.matcher(e).find())) {
        missing.add(panel + " (" + metric + ")");
      }
    });
    return missing;
  }

  @Test
  void queriesOnlyMetricsTheJobRegisters() {
    JsonNode dashboard = DeployFiles.json(DeployFiles.DASHBOARD);
    assertEquals(List.of(), unknownMetrics(dashboard));
    Set<String> used = new LinkedHashSet<>();
    for (String e : expressions(dashboard)) {
      Matcher m = RERANKER_METRIC.matcher(e);
      while (m.find()) {
        used.add(m.group(1));
      }
    }
    assertFalse(used.isEmpty(), "the dashboard shows reranker metrics");
  }

  @Test
  void hasEveryRequiredPanel() {
    assertEquals(List.of(), missingPanels(DeployFiles.json(DeployFiles.DASHBOARD)));
  }

  @Test
  void aRenamedMetricIsCaught() {
    ObjectNode dashboard = (ObjectNode) DeployFiles.json(DeployFiles.DASHBOARD);
    String renamed =
        dashboard.toString().replace(
            RERANKER_PREFIX + RerankMetrics.QUEUE_DEPTH, RERANKER_PREFIX + "queueLength");
    JsonNode broken;
    try {
      broken = DeployFiles.JSON.readTree(renamed);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertTrue(unknownMetrics(broken).stream().anyMatch(p -> p.contains("'queueLength'")));
    assertTrue(missingPanels(broken).stream().anyMatch(p -> p.startsWith("queue depth")));
  }

  @Test
  void panelsAreWellFormed() {
    JsonNode dashboard = DeployFiles.json(DeployFiles.DASHBOARD);
    assertEquals("flink-reranker", dashboard.path("uid").asText());
    Set<Integer> ids = new java.util.HashSet<>();
    List<String> problems = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      String title = p.path("title").asText();
      if (!ids.add(p.path("id").asInt(-1))) {
        problems.add("duplicate or missing id: " + title);
      }
      if (!Set.of("row", "timeseries", "stat", "gauge", "bargauge", "table").contains(p.path("type").asText())) {
        problems.add("unknown panel type " + p.path("type") + ": " + title);
      }
      JsonNode g = p.path("gridPos");
      if (g.path("w").asInt() <= 0 || g.path("x").asInt() + g.path("w").asInt() > 24) {
        problems.add("gridPos outside the 24 columns: " + title);
      }
      if (!p.path("type").asText().equals("row")) {
        if (title.isBlank() || p.path("targets").isEmpty()) {
          problems.add("panel without title or queries: " + p.path("id"));
        }
        Set<String> refIds = new java.util.HashSet<>();
        p.path("targets").forEach(t -> {
          if (!refIds.add(t.path("refId").asText()) || t.path("expr").asText().isBlank()) {
            problems.add("bad target in " + title);
          }
        });
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void panelsUseTheProvisionedDataSource() {
    JsonNode ds =
        DeployFiles.yaml(DeployFiles.DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"))
            .path("datasources").get(0);
    String uid = ds.path("uid").asText();
    assertEquals("prometheus", ds.path("type").asText());
    List<String> wrong = new ArrayList<>();
    checkDataSources(DeployFiles.json(DeployFiles.DASHBOARD).path("panels"), uid, wrong);
    assertEquals(List.of(), wrong);
  }

  private static void checkDataSources(JsonNode panels, String uid, List<String> wrong) {
    for (JsonNode p : panels) {
      if (!p.path("type").asText().equals("row")
          && !uid.equals(p.path("datasource").path("uid").asText())) {
        wrong.add(p.path("title").asText());
      }
      for (JsonNode t : p.path("targets")) {
        if (!uid.equals(t.path("datasource").path("uid").asText(uid))) {
          wrong.add(p.path("title").asText() + "/" + t.path("refId").asText());
        }
      }
      checkDataSources(p.path("panels"), uid, wrong);
    }
  }

  @Test
  void dashboardProviderPointsWhereComposeMountsTheDashboards() {
    JsonNode provider =
        DeployFiles.yaml(DeployFiles.DEPLOY.resolve("grafana/provisioning/dashboards/flink-reranker.yml"))
            .path("providers").get(0);
    String path = provider.path("options").path("path").asText();
    List<String> volumes =
        DeployFiles.strings(DeployFiles.compose().path("services").path("grafana").path("volumes"));
    assertTrue(
        volumes.stream().anyMatch(v -> v.startsWith("./deploy/grafana/dashboards:" + path)),
        "grafana mounts deploy/grafana/dashboards at " + path + ": " + volumes);
  }

  @Test
  void prometheusScrapesTheReporterPort() {
    String port = DeployFiles.flinkConfig().get("metrics.reporter.prom.port");
    JsonNode prom = DeployFiles.yaml(DeployFiles.DEPLOY.resolve("prometheus/prometheus.yml"));
    List<String> ports = new ArrayList<>();
    for (JsonNode job : prom.path("scrape_configs")) {
      if (!job.path("job_name").asText().startsWith("flink")) {
        continue;
      }
      for (JsonNode sc : job.path("static_configs")) {
        sc.path("targets").forEach(t -> ports.add(t.asText().replaceFirst(".*:", "")));
      }
      for (JsonNode dns : job.path("dns_sd_configs")) {
        ports.add(dns.path("port").asText());
        // Every Flink service of compose is scraped under its DNS name.
      }
    }
    assertFalse(ports.isEmpty());
    assertEquals(Set.of(port), Set.copyOf(ports));
    Set<String> scraped = new LinkedHashSet<>();
    for (JsonNode job : prom.path("scrape_configs")) {
      job.path("static_configs").forEach(sc -> sc.path("targets")
          .forEach(t -> scraped.add(t.asText().replaceFirst(":.*", ""))));
      job.path("dns_sd_configs").forEach(d -> d.path("names").forEach(n -> scraped.add(n.asText())));
    }
    Set<String> flinkServices = DeployFiles.flinkServices(DeployFiles.compose()).keySet();
    assertTrue(scraped.containsAll(flinkServices), "scraped " + scraped + " ⊇ " + flinkServices);
    assertEquals(
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
        DeployFiles.flinkConfig().get("metrics.reporter.prom.factory.class"));
    assertTrue(
        List.of(DeployFiles.flinkConfig().get("metrics.reporters").split(",")).stream()
            .map(String::strip).collect(Collectors.toList()).contains("prom"));
  }
}
