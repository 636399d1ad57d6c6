package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.scoring.RerankMetrics;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkTestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the Flink dashboard shows of the job `local` runs, read from the REST API the dashboard
 * itself uses: one vertex per stage with a plain name, our metrics under their full names with
 * the counts of the samples, and both source subtasks busy (no 100 % skew).
 */
class DashboardITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.withRestMetrics();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofMinutes(3);

  private final HttpClient http = HttpClient.newHttpClient();
  private String rest;

  @Test
  void everyStageIsItsOwnVertexWithItsMetricsAndBothSourceSubtasksRead() throws Exception {
    Configuration client = FLINK.getClientConfiguration();
    rest = "http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT);
    Configuration conf = JobConfig.load(Path.of("job/local.yaml"), List.of(
        "model.name=lexical", "job.parallelism=2", "job.checkpoint-interval=500ms",
        "kafka.bootstrap-servers=" + kafka.bootstrapServers()));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    RerankJob.buildKafka(env, conf);
    // What `local` does: as many partitions as source subtasks, samples spread over them.
    LocalDemo.createTopics(conf, env.getParallelism());
    String topic = conf.get(RerankOptions.INPUT_TOPICS).get(0);
    List<String> samples = Samples.load(Path.of("job/samples"));
    JobClient job = env.executeAsync("dashboard-itcase");
    try (KafkaProducer<byte[], byte[]> producer = LocalDemo.producer(kafka.bootstrapServers())) {
      assertEquals(2, producer.partitionsFor(topic).size());
      LocalDemo.publish(producer, topic, samples, CandidateSetCodec.Format.JSON);
    }
    long results = 0;
    long pairs = 0;
    for (String line : samples) {
      int candidates = JSON.readTree(line).path("candidates").size();
      results += candidates > 0 ? 1 : 0;
      pairs += candidates;
    }
    long deadLetters = samples.size() - results;
    assertTrue(results > 0 && deadLetters > 0, "the samples have both kinds");

    try {
      String jobPath = "/jobs/" + job.getJobID();
      // One vertex per stage, in graph order, each with the parallelism of the job.
      Map<String, String> vertices = new LinkedHashMap<>();
      // The vertices are listed once the job has left INITIALIZING.
      for (JsonNode v : await(() -> get(jobPath), j -> !j.get("vertices").isEmpty())
          .get("vertices")) {
        vertices.put(v.get("name").asText(), v.get("id").asText());
        assertEquals(2, v.get("parallelism").asInt(), v.toString());
      }
      assertEquals(List.of("Source: source", "decode/validate -> watermarks", "score (async)",
          "rank", "results sink: Writer -> results sink: Committer",
          "dead-letter sink: Writer -> dead-letter sink: Committer"),
          new ArrayList<>(vertices.keySet()));
      // The model is in the score vertex's description, not in its (metric-bearing) name.
      JsonNode score = find(get(jobPath + "/plan").get("plan").get("nodes"),
          n -> n.get("id").asText().equals(vertices.get("score (async)")));
      assertTrue(score.get("description").asText().contains("lexical"), score.toString());

      // Our metrics, under their full names, summed over the subtasks, once every sample is in.
      String m = RerankMetrics.GROUP + ".";
      awaitSums(jobPath, vertices.get("decode/validate -> watermarks"), Map.of(
          "decode/validate." + m + RerankMetrics.RECORDS_IN, (long) samples.size(),
          "decode/validate." + m + RerankMetrics.DEAD_LETTERS, deadLetters));
      awaitSums(jobPath, vertices.get("score (async)"), Map.of(
          "score_(async)." + m + RerankMetrics.PAIRS_SCORED, pairs,
          "score_(async)." + m + RerankMetrics.REQUESTS_SCORED, results));
      awaitSums(jobPath, vertices.get("rank"), Map.of(
          "rank." + m + RerankMetrics.RESULTS_OUT, results));

      // No skew: both source subtasks read (and sent on) some of the samples.
      String source = jobPath + "/vertices/" + vertices.get("Source: source");
      JsonNode subtasks = await(() -> get(source).get("subtasks"),
          s -> s.size() == 2 && sum(s, "write-records") == samples.size());
      for (JsonNode s : subtasks) {
        assertTrue(s.get("metrics").get("write-records").asLong() > 0, subtasks.toString());
      }
    } finally {
      job.cancel().get();
      // Let the job's Kafka clients close before the broker goes away.
      while (!job.getJobStatus().get().isGloballyTerminalState()) {
        Thread.sleep(100);
      }
    }
  }

  /** Waits until the vertex's metrics, summed over its subtasks, have the expected values. */
  private void awaitSums(String jobPath, String vertexId, Map<String, Long> expected)
      throws Exception {
    String metrics = jobPath + "/vertices/" + vertexId + "/subtasks/metrics";
    // The full names are listed (what the dashboard offers under "Metrics")...
    await(() -> get(metrics), listed -> {
      List<String> names = new ArrayList<>();
      listed.forEach(n -> names.add(n.get("id").asText()));
      return names.containsAll(expected.keySet());
    });
    // ... and reach the expected values.
    String path = metrics + "?agg=sum&get=" + String.join(",", expected.keySet());
    await(() -> get(path), actual -> {
      Map<String, Long> sums = new LinkedHashMap<>();
      for (JsonNode metric : actual) {
        sums.put(metric.get("id").asText(), metric.get("sum").asLong());
      }
      return sums.equals(expected);
    });
  }

  private static long sum(JsonNode subtasks, String metric) {
    long total = 0;
    for (JsonNode s : subtasks) {
      total += s.path("metrics").path(metric).asLong();
    }
    return total;
  }

  private static JsonNode find(JsonNode array, Predicate<JsonNode> p) {
    for (JsonNode n : array) {
      if (p.test(n)) {
        return n;
      }
    }
    throw new AssertionError("not found in " + array);
  }

  private interface Poll {
    JsonNode get() throws Exception;
  }

  /** Polls until the condition holds; fails with the last answer when the job never gets there. */
  private static JsonNode await(Poll poll, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode last = poll.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the REST API never showed the expected values: " + last);
      }
      Thread.sleep(200);
      last = poll.get();
    }
    return last;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rest + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }
}
