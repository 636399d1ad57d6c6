package dev.flinkreranker.gateway;

import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.testutil.PoisonScorer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The real job (lexical BM25, except that a document with POISON fails scoring) on the test's
 * MiniCluster and Kafka, and a gateway in front of it, as `local` runs them.
 */
final class GatewayRig implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final Configuration conf;
  final JobClient job;
  final RerankGateway gateway;

  private GatewayRig(Configuration conf, JobClient job, RerankGateway gateway) {
    this.conf = conf;
    this.job = job;
    this.gateway = gateway;
  }

  /** Topics named after {@code name}, the job on them, and a gateway tuned by {@code tune}. */
  static GatewayRig start(String bootstrap, String name, String outputFormat,
      UnaryOperator<GatewayConfig> tune) throws Exception {
    Configuration conf = JobConfig.fromMap(Map.ofEntries(
        Map.entry("kafka.bootstrap-servers", bootstrap),
        Map.entry("input.topics", name + ".candidates"),
        Map.entry("input.format", "json"),
        Map.entry("input.starting-offsets", "earliest"),
        Map.entry("output.topic", name + ".results"),
        Map.entry("output.dead-letter-topic", name + ".dead-letter"),
        Map.entry("output.format", outputFormat),
        Map.entry("output.transactional-id-prefix", name),
        Map.entry("job.checkpoint-interval", "500ms"),
        Map.entry("job.parallelism", "2"),
        Map.entry("batch.max-wait", "2ms")));
    TopicAdmin.ensureTopics(bootstrap, new Properties(),
        List.of(name + ".candidates", name + ".results", name + ".dead-letter"), 2, (short) 1);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    RerankJob.build(env, conf, KafkaFactory.source(conf), KafkaFactory.resultSink(conf),
        KafkaFactory.deadLetterSink(conf), PoisonScorer.factory());
    JobClient job = env.executeAsync(name);
    RerankGateway gateway = RerankGateway.start(tune.apply(new GatewayConfig().port(0).job(conf)));
    return new GatewayRig(conf, job, gateway);
  }

  static HttpResponse<String> post(RerankGateway gateway, String path, String body)
      throws Exception {
    return HTTP.send(HttpRequest.newBuilder(gateway.uri().resolve(path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(RerankGateway gateway, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(gateway.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  URI uri() {
    return gateway.uri();
  }

  @Override
  public void close() throws Exception {
    gateway.close();
    job.cancel().get();
  }
}
