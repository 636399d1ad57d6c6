package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkClusterProcess;
import dev.flinkreranker.testutil.JobJars;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job submitted the way the dashboard does it: the jar uploaded to {@code /jars/upload} and
 * started with {@code /jars/:id/run}, without an entry class or a parallelism, on a fresh broker
 * without topics.
 *
 * <p>Why this setup. The cluster runs in a process of its own ({@link FlinkClusterProcess}: a
 * JobManager with REST and web submission plus a TaskManager, configured from a
 * {@code config.yaml} in {@code FLINK_CONF_DIR} with {@code parallelism.default: 2}, as a real
 * cluster is), because Flink runs a submitted program's {@code main} inside the JobManager's JVM:
 * an entry point that calls {@code System.exit} ends that process, and this test sees it as a
 * failure instead of losing its own JVM. The uploaded jar is built from {@code target/classes}
 * with the manifest the pom gives {@code target/flink-reranker-job.jar} (that jar is made in
 * {@code package}, after the tests); the cluster's classpath lacks {@code target/classes}, so the
 * program really comes from the uploaded jar, and Flink picks the entry class from its manifest,
 * as it does for a user's upload. Everything else (Flink's REST handlers, {@code PackagedProgram},
 * the detached application runner) is Flink's own code path.
 */
class RestSubmitITCase {

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int CLUSTER_PARALLELISM = 2;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(30)).build();

  @Test
  void restSubmissionRunsTheJobAtTheClustersParallelismAndTheJobManagerSurvives(
      @TempDir Path dir) throws Exception {
    Path jar = JobJars.build(dir.resolve("flink-reranker-job.jar"), JobJars.CLASSES,
        JobJars.manifest(JobJars.JOB));
    Map<String, String> flinkConfig = Map.of(
        "parallelism.default", Integer.toString(CLUSTER_PARALLELISM),
        "taskmanager.numberOfTaskSlots", Integer.toString(CLUSTER_PARALLELISM),
        "rest.address", "127.0.0.1",
        "rest.bind-address", "127.0.0.1",
        "rest.bind-port", "0",
        "web.submit.enable", "true",
        "web.upload.dir", Files.createDirectories(dir.resolve("uploads")).toString());
    String in = "rest.candidates";
    String out = "rest.results";
    String dlq = "rest.dead-letter";

    try (FlinkClusterProcess cluster = FlinkClusterProcess.start(dir, flinkConfig,
        FlinkClusterProcess.testClasspathWithout(JobJars.CLASSES), WAIT)) {
      String jarId = upload(cluster, jar);
      List<String> programArgs = List.of("run",
          "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "--set", "input.topics=" + in,
          "--set", "output.topic=" + out,
          "--set", "output.dead-letter-topic=" + dlq,
          "--set", "input.starting-offsets=earliest",
          "--set", "job.checkpoint-interval=500ms",
          "--set", "output.transactional-id-prefix=rest-itcase");
      // What the dashboard's "Submit" sends when the parallelism field is left empty.
      JsonNode run = post(cluster, "/jars/" + jarId + "/run",
          JSON.createObjectNode().set("programArgsList", JSON.valueToTree(programArgs)));
      String jobId = run.path("jobid").asText();
      assertTrue(!jobId.isEmpty(), "no job id in " + run);

      // The JobManager outlived the program's main() and still answers.
      assertTrue(cluster.isAlive(), "the JobManager ended: " + cluster.describe());
      assertEquals(1, get(cluster, "/overview").path("taskmanagers").asInt());

      JsonNode job = awaitRunning(cluster, jobId);
      for (JsonNode vertex : job.path("vertices")) {
        assertEquals(CLUSTER_PARALLELISM, vertex.path("parallelism").asInt(),
            "parallelism of " + vertex.path("name").asText());
      }

      // The job created its topics, with as many partitions as its parallelism.
      Map<String, TopicDescription> topics =
          KafkaTestUtil.describeTopics(kafka.bootstrapServers(), List.of(in, out, dlq));
      topics.forEach((name, d) ->
          assertEquals(CLUSTER_PARALLELISM, d.partitions().size(), name + " partitions"));

      Random random = new Random(14);
      Map<String, String> expectedTop1 = new HashMap<>();
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        CandidateSets.Generated g = CandidateSets.generate(i, random);
        CandidateSet set = g.set();
        set.setEventTime(Instant.now()); // within the results topic's retention
        expectedTop1.put(set.getRequestId(), g.expectedTop1());
        values.add(CandidateSets.json(set, false));
      }
      KafkaTestUtil.produce(kafka.bootstrapServers(), in, values);

      Map<String, String> top1 = awaitResults(cluster, out, values.size());
      assertEquals(expectedTop1, top1);
      assertTrue(cluster.isAlive(), "the JobManager ended: " + cluster.describe());

      send(cluster, HttpRequest.newBuilder(cluster.rest().resolve("/jobs/" + jobId + "?mode=cancel"))
          .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }
  }

  private JsonNode awaitRunning(FlinkClusterProcess cluster, String jobId) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      JsonNode job = get(cluster, "/jobs/" + jobId);
      String state = job.path("state").asText();
      boolean allRunning = job.path("vertices").size() > 0;
      for (JsonNode v : job.path("vertices")) {
        allRunning &= v.path("status").asText().equals("RUNNING");
      }
      if (state.equals("RUNNING") && allRunning) {
        return job;
      }
      if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
        fail("job " + jobId + " is " + state + ": "
            + get(cluster, "/jobs/" + jobId + "/exceptions").path("root-exception").asText());
      }
      if (System.nanoTime() > deadline) {
        fail("job " + jobId + " not running after " + WAIT + ": " + job);
      }
      Thread.sleep(200);
    }
  }

  /** request id → top-1 id of the committed results, once there are {@code expected}. */
  private Map<String, String> awaitResults(FlinkClusterProcess cluster, String topic, int expected)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<String, String> top1 = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readCommitted(kafka.bootstrapServers(), topic)) {
        JsonNode result = JSON.readTree(r.value());
        top1.put(result.path("request_id").asText(), result.path("top1").path("id").asText());
      }
      if (top1.size() >= expected) {
        return top1;
      }
      if (System.nanoTime() > deadline || !cluster.isAlive()) {
        fail(top1.size() + " of " + expected + " results; cluster " + cluster.describe());
      }
      Thread.sleep(500);
    }
  }

  /** Uploads a jar as the dashboard does (multipart field {@code jarfile}); returns its id. */
  private String upload(FlinkClusterProcess cluster, Path jar) throws Exception {
    String boundary = "----flink-reranker-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName()
        + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    JsonNode uploaded = send(cluster, HttpRequest.newBuilder(cluster.rest().resolve("/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    assertEquals("success", uploaded.path("status").asText(), uploaded.toString());
    return Path.of(uploaded.path("filename").asText()).getFileName().toString();
  }

  private JsonNode get(FlinkClusterProcess cluster, String path) throws Exception {
    return send(cluster, HttpRequest.newBuilder(cluster.rest().resolve(path)).GET());
  }

  private JsonNode post(FlinkClusterProcess cluster, String path, JsonNode body) throws Exception {
    return send(cluster, HttpRequest.newBuilder(cluster.rest().resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /**
   * Sends a request and returns the JSON answer; a request that gets no answer because the
   * cluster process ended fails the test with the process's exit code and last output.
   */
  private JsonNode send(FlinkClusterProcess cluster, HttpRequest.Builder request)
      throws Exception {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // The JobManager may still be on its way down: give it a moment to say how it ended.
      for (int i = 0; i < 50 && cluster.isAlive(); i++) {
        Thread.sleep(100);
      }
      throw new AssertionError("no answer from the JobManager (" + e + "); the cluster process is "
          + cluster.describe(), e);
    }
    assertTrue(response.statusCode() / 100 == 2,
        "HTTP " + response.statusCode() + " " + response.body());
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }
}
