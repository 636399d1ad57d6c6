package dev.flinkreranker.cli;

import dev.flinkreranker.gateway.GatewayConfig;
import java.net.BindException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The HTTP gateway's options, shared by {@code gateway} and {@code local}. */
final class GatewayOptions {
  @Option(names = {"--gateway-port", "--port"}, paramLabel = "N", defaultValue = "8000",
      description = "Port of the rerank API and web console (default ${DEFAULT-VALUE}; 0 picks a"
          + " free one).")
  int port;

  @Option(names = {"--gateway-host", "--host"}, paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address the gateway listens on (default ${DEFAULT-VALUE}: this machine only).")
  String host;

  @Option(names = "--served-model-name", paramLabel = "NAME",
      description = "Model name clients send, like vLLM's option of that name (e.g."
          + " qwen3-reranker-8b); the job's model.name is accepted too. Default: model.name.")
  String servedModelName;

  @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "Answer 504 when the job's result has not arrived within this ISO-8601"
          + " duration (default ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--max-pending", paramLabel = "N", defaultValue = "256",
      description = "Requests waiting for the job at most; more are answered 503 (default"
          + " ${DEFAULT-VALUE}).")
  int maxPending;

  @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "4194304",
      description = "Largest request body; larger ones are answered 413 (default ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Option(names = "--isolation-level", paramLabel = "LEVEL", defaultValue = "read_uncommitted",
      description = "How the gateway reads results: read_uncommitted (answers as soon as the job"
          + " writes them) or read_committed (after the checkpoint that commits them, up to"
          + " job.checkpoint-interval later). Default ${DEFAULT-VALUE}; see docs/gateway.md.")
  String isolation;

  @Option(names = "--flink-dashboard-url", paramLabel = "URL",
      description = "Flink dashboard linked from the console.")
  String flinkDashboardUrl;

  @Option(names = "--grafana-url", paramLabel = "URL",
      description = "Grafana linked from the console (no link when unset).")
  String grafanaUrl;

  GatewayConfig config() {
    return new GatewayConfig().host(host).port(port).servedModelName(servedModelName)
        .requestTimeout(requestTimeout).maxPending(maxPending).maxBodyBytes(maxBodyBytes)
        .isolation(GatewayConfig.Isolation.parse(isolation))
        .flinkDashboardUrl(flinkDashboardUrl).grafanaUrl(grafanaUrl);
  }

  /** A port-in-use error that says which option to change. */
  static IllegalStateException portInUse(BindException e, String hint) {
    return new IllegalStateException(e.getMessage() + ". Another program (another gateway, a vLLM"
        + " server?) uses that port: " + hint);
  }
}
