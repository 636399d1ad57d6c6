package dev.flinkreranker.gateway;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.validation.CandidateSetValidator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;

/**
 * What the gateway needs: its own HTTP settings (set by the {@code gateway} and {@code local}
 * commands) and the job's topics, formats, model and validation limits, read from the same job
 * configuration the job runs with ({@link #job}), so that both sides agree.
 */
public final class GatewayConfig {
  /** Which results the gateway's consumer sees; see docs/gateway.md for the trade-off. */
  public enum Isolation {
    READ_UNCOMMITTED,
    READ_COMMITTED;

    public static Isolation parse(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
        case "read_uncommitted" -> READ_UNCOMMITTED;
        case "read_committed" -> READ_COMMITTED;
        default -> throw new IllegalArgumentException(
            "isolation level must be read_uncommitted or read_committed, got '" + value + "'");
      };
    }

    String kafkaValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  // HTTP side.
  String host = "127.0.0.1";
  int port = 8000;
  String servedModelName;
  Duration requestTimeout = Duration.ofSeconds(30);
  int maxPending = 256;
  int maxBodyBytes = 4 * 1024 * 1024;
  int threads = 8;
  Isolation isolation = Isolation.READ_UNCOMMITTED;
  String flinkDashboardUrl;
  String grafanaUrl;

  // Job side (from the job configuration).
  String bootstrapServers;
  Properties kafkaProperties = new Properties();
  String inputTopic;
  CandidateSetCodec.Format inputFormat;
  String resultsTopic;
  String deadLetterTopic;
  CandidateSetCodec.Format outputFormat;
  String jobModel;
  int maxLength;
  String defaultInstruction;
  int maxRecordBytes;
  CandidateSetValidator validator;
  Duration checkpointInterval;

  /** Takes the topics, formats, model and limits from the job's configuration. */
  public GatewayConfig job(Configuration conf) {
    bootstrapServers = conf.get(RerankOptions.BOOTSTRAP_SERVERS);
    kafkaProperties = KafkaFactory.clientProperties(conf);
    List<String> inputs = conf.get(RerankOptions.INPUT_TOPICS);
    inputTopic = inputs.get(0);
    inputFormat = CandidateSetCodec.Format.parse(conf.get(RerankOptions.INPUT_FORMAT));
    resultsTopic = conf.get(RerankOptions.OUTPUT_TOPIC);
    deadLetterTopic = conf.get(RerankOptions.DEAD_LETTER_TOPIC);
    outputFormat = CandidateSetCodec.Format.parse(conf.get(RerankOptions.OUTPUT_FORMAT));
    jobModel = conf.get(RerankOptions.MODEL);
    maxLength = conf.get(RerankOptions.MAX_LENGTH);
    defaultInstruction = conf.get(RerankOptions.DEFAULT_INSTRUCTION);
    maxRecordBytes = conf.get(RerankOptions.MAX_RECORD_BYTES);
    validator = new CandidateSetValidator(conf.get(RerankOptions.MAX_CANDIDATES),
        CandidateSetValidator.DuplicatePolicy.parse(conf.get(RerankOptions.DUPLICATE_IDS)));
    checkpointInterval = conf.get(RerankOptions.CHECKPOINT_INTERVAL);
    return this;
  }

  /** Address to listen on (default 127.0.0.1). */
  public GatewayConfig host(String value) {
    host = value;
    return this;
  }

  /** Port to listen on (default 8000; 0 picks a free one). */
  public GatewayConfig port(int value) {
    port = value;
    return this;
  }

  /** The model name clients send (like vLLM's --served-model-name); null: the job's model name. */
  public GatewayConfig servedModelName(String value) {
    servedModelName = value;
    return this;
  }

  /** How long a request waits for its result before it is answered 504. */
  public GatewayConfig requestTimeout(Duration value) {
    requestTimeout = value;
    return this;
  }

  /** Requests waiting for their results at most; more are answered 503. */
  public GatewayConfig maxPending(int value) {
    maxPending = value;
    return this;
  }

  /** Largest request body accepted; larger ones are answered 413. */
  public GatewayConfig maxBodyBytes(int value) {
    maxBodyBytes = value;
    return this;
  }

  /** HTTP worker threads. */
  public GatewayConfig threads(int value) {
    threads = value;
    return this;
  }

  public GatewayConfig isolation(Isolation value) {
    isolation = value;
    return this;
  }

  /** Shown as a link in the console (null: no link). */
  public GatewayConfig flinkDashboardUrl(String value) {
    flinkDashboardUrl = value;
    return this;
  }

  /** Shown as a link in the console (null: no link). */
  public GatewayConfig grafanaUrl(String value) {
    grafanaUrl = value;
    return this;
  }

  /** The served model name: the configured one, else the job's model. */
  /**
   * A warning to print when the gateway listens beyond this machine, or null: it has no
   * authentication, and whoever reaches it can make the job score (and read the console's stream).
   */
  public String exposureWarning() {
    try {
      if (java.net.InetAddress.getByName(host).isLoopbackAddress()) {
        return null;
      }
    } catch (java.net.UnknownHostException e) {
      // reported when the server binds
    }
    return "WARNING: the rerank API and console listen on " + host + ":" + port + ", reachable"
        + " from the network without authentication: anyone who connects can send requests to the"
        + " job and read the console's stream of results. Use this on a trusted network only.";
  }

  /** The name set with {@link #servedModelName(String)}, or null. */
  public String servedModelName() {
    return servedModelName;
  }

  public String servedModel() {
    return servedModelName != null ? servedModelName : jobModel;
  }

  public int port() {
    return port;
  }

  public String host() {
    return host;
  }

  void check() {
    if (bootstrapServers == null) {
      throw new IllegalStateException("the gateway needs the job configuration (job(conf))");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("gateway port must be in [0, 65535], got " + port);
    }
    if (maxPending < 1 || threads < 1 || maxBodyBytes < 1) {
      throw new IllegalArgumentException(
          "gateway max-pending, threads and max-body-bytes must be positive");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("gateway request timeout must be positive");
    }
  }
}
