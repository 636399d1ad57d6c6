package dev.flinkreranker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.gateway.GatewayConfig;
import dev.flinkreranker.gateway.RerankGateway;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.local.EmbeddedKafka;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.Scorers;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the gateway's Kafka round trip adds to scoring: the same requests timed through the gateway
 * (HTTP → input topic → the job on a MiniCluster → results topic → HTTP, as in {@code local}) and
 * scored directly by the same scorer in this JVM. One request at a time, on 127.0.0.1, with both
 * isolation levels; bounded by a request count and a time limit.
 */
public final class GatewayBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] WORDS = {"river", "mountain", "network", "kernel", "garden",
      "market", "violin", "orbit", "harbor", "lantern", "castle", "puzzle", "cobalt", "meadow",
      "engine", "silver", "thunder", "canvas", "stream", "merge", "sorted", "lists", "python"};

  /** Latencies of one way of scoring, in ms. */
  public record Timings(String name, double p50, double p99, int count) {}

  private GatewayBenchmark() {}

  /**
   * @param conf the job configuration (local.yaml-like); bootstrap servers are replaced by an
   *     embedded broker's
   */
  public static Map<String, Timings> run(Configuration conf, int requests, int docs,
      Duration maxTime, Duration bufferTimeout, PrintStream out) throws Exception {
    Random random = new Random(7);
    List<List<Pair>> work = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      String query = words(random, 5);
      List<Pair> pairs = new ArrayList<>();
      for (int d = 0; d < docs; d++) {
        pairs.add(Pair.of(query, words(random, 20 + random.nextInt(40))));
      }
      work.add(pairs);
    }
    Map<String, Timings> report = new LinkedHashMap<>();
    long[] direct = new long[requests];
    try (Scorer scorer = Scorers.open(RerankJob.scorerSpec(conf))) {
      for (int i = 0; i < Math.min(20, requests); i++) {
        scorer.score(work.get(i)); // warm-up
      }
      for (int i = 0; i < requests; i++) {
        long t = System.nanoTime();
        scorer.score(work.get(i));
        direct[i] = System.nanoTime() - t;
      }
    }
    report.put("direct", timings("direct scorer call", direct));

    Configuration job = new Configuration(conf);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(
        Files.createTempDirectory("flink-reranker-bench-gateway"))) {
      job.set(RerankOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      List<String> topics = new ArrayList<>(job.get(RerankOptions.INPUT_TOPICS));
      topics.add(job.get(RerankOptions.OUTPUT_TOPIC));
      topics.add(job.get(RerankOptions.DEAD_LETTER_TOPIC));
      TopicAdmin.ensureTopics(kafka.bootstrapServers(), KafkaFactory.clientProperties(job), topics,
          2, (short) 1);
      Configuration flink = new Configuration();
      if (bufferTimeout != null) {
        flink.set(org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT, bufferTimeout);
      }
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
      RerankJob.buildKafka(env, job);
      JobClient client = env.executeAsync("bench-gateway");
      long deadline = System.nanoTime() + maxTime.toNanos();
      try {
        for (GatewayConfig.Isolation isolation : GatewayConfig.Isolation.values()) {
          try (RerankGateway gateway = RerankGateway.start(
              new GatewayConfig().port(0).isolation(isolation).job(job))) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < Math.min(10, requests); i++) {
              send(http, gateway, work.get(i)); // warm-up: the job's first requests start it up
            }
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < requests && System.nanoTime() < deadline; i++) {
              long t = System.nanoTime();
              send(http, gateway, work.get(i));
              times.add(System.nanoTime() - t);
            }
            long[] t = times.stream().mapToLong(Long::longValue).toArray();
            String key = isolation.name().toLowerCase(java.util.Locale.ROOT);
            report.put(key, timings("gateway, " + key, t));
            long[] added = new long[t.length];
            for (int i = 0; i < t.length; i++) {
              added[i] = t[i] - direct[i];
            }
            report.put("added_" + key, timings("added by the gateway, " + key, added));
            breakdown(http, gateway, key, report);
          }
        }
      } finally {
        client.cancel().get();
      }
    }
    out.printf("%d requests of %d documents, one at a time, checkpoint interval %d ms, Flink"
        + " buffer timeout %s, model %s%n", requests, docs,
        conf.get(RerankOptions.CHECKPOINT_INTERVAL).toMillis(),
        bufferTimeout == null ? "default (100 ms)" : bufferTimeout.toMillis() + " ms",
        conf.get(RerankOptions.MODEL));
    out.printf("%-40s %10s %10s %6s%n", "", "p50 ms", "p99 ms", "n");
    report.values().forEach(r ->
        out.printf("%-40s %10.1f %10.1f %6d%n", r.name(), r.p50(), r.p99(), r.count()));
    return report;
  }

  private static void send(HttpClient http, RerankGateway gateway, List<Pair> pairs)
      throws Exception {
    ObjectNode body = JSON.createObjectNode().put("query", pairs.get(0).query());
    body.set("documents", JSON.valueToTree(pairs.stream().map(Pair::document).toList()));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.uri().resolve("/v1/rerank"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("gateway answered " + r.statusCode() + ": " + r.body());
    }
  }

  /**
   * Where the time of the latest gateway requests went, from the results the gateway saw: in the
   * job (sent → emitted_at; the gateway sets event_time to the send time) and after it (emitted_at →
   * seen by the gateway's consumer: the sink's write, the commit for read_committed, the fetch).
   */
  private static void breakdown(HttpClient http, RerankGateway gateway, String key,
      Map<String, Timings> report) throws Exception {
    var stream = JSON.readTree(http.send(HttpRequest.newBuilder(gateway.uri().resolve("/api/stream"))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    List<Long> inJob = new ArrayList<>();
    List<Long> afterJob = new ArrayList<>();
    for (var r : stream.get("results")) {
      if (r.get("via").asText().equals("gateway")) {
        inJob.add((r.get("emitted_at").asLong() - r.get("event_time").asLong()) * 1_000_000);
        afterJob.add((r.get("seen_at").asLong() - r.get("emitted_at").asLong()) * 1_000_000);
      }
    }
    report.put("in_job_" + key, timings("  of which in the job (sent→emitted)",
        inJob.stream().mapToLong(Long::longValue).toArray()));
    report.put("after_job_" + key, timings("  of which after it (emitted→read)",
        afterJob.stream().mapToLong(Long::longValue).toArray()));
  }

  private static String words(Random random, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  private static Timings timings(String name, long[] nanos) {
    long[] v = nanos.clone();
    Arrays.sort(v);
    return new Timings(name, v.length == 0 ? Double.NaN : v[rank(0.5, v.length)] / 1e6,
        v.length == 0 ? Double.NaN : v[rank(0.99, v.length)] / 1e6, v.length);
  }

  private static int rank(double q, int n) {
    return Math.max(0, (int) Math.ceil(q * n) - 1);
  }
}
