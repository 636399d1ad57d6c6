package dev.flinkreranker.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The gateway's {@code /metrics} in the Prometheus text format. */
final class GatewayMetrics {
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  final LongAdder lateAnswers = new LongAdder();

  void count(String path, int status) {
    // Only known endpoints get their own series, so that random paths cannot grow the map.
    String endpoint = switch (path) {
      case "/rerank", "/v1/rerank", "/v2/rerank", "/score", "/v1/score", "/v1/models", "/health",
          "/metrics", "/api/stream" -> path;
      default -> "other";
    };
    requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
  }

  String render(int pending, StreamView view) {
    StringBuilder b = new StringBuilder();
    b.append("# HELP gateway_requests_total HTTP requests answered, by endpoint and status.\n")
        .append("# TYPE gateway_requests_total counter\n");
    new TreeMap<>(requests).forEach((k, v) -> {
      String[] p = k.split("\u0000");
      b.append("gateway_requests_total{endpoint=\"").append(p[0]).append("\",status=\"")
          .append(p[1]).append("\"} ").append(v.sum()).append('\n');
    });
    gauge(b, "gateway_pending_requests", "Requests waiting for their answer from the job.", pending);
    counter(b, "gateway_late_answers_total",
        "Answers to gateway requests that were no longer waiting (timed out, or duplicates).",
        lateAnswers.sum());
    counter(b, "gateway_stream_results_total", "Results of the job seen by the gateway.",
        view.totalResults());
    counter(b, "gateway_stream_dead_letters_total", "Dead letters of the job seen by the gateway.",
        view.totalDeadLetters());
    double[] p = view.roundTripPercentiles(System.currentTimeMillis());
    b.append("# HELP gateway_request_latency_seconds HTTP round trip of answered rerank/score"
        + " requests over the last 5 minutes.\n# TYPE gateway_request_latency_seconds summary\n");
    if (!Double.isNaN(p[0])) {
      b.append("gateway_request_latency_seconds{quantile=\"0.5\"} ").append(p[0] / 1000).append('\n')
          .append("gateway_request_latency_seconds{quantile=\"0.99\"} ").append(p[1] / 1000)
          .append('\n');
    }
    return b.toString();
  }

  private static void gauge(StringBuilder b, String name, String help, long value) {
    b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
        .append(" gauge\n").append(name).append(' ').append(value).append('\n');
  }

  private static void counter(StringBuilder b, String name, String help, long value) {
    b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
        .append(" counter\n").append(name).append(' ').append(value).append('\n');
  }
}
