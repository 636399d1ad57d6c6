package dev.flinkreranker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.bench.GatewayBenchmark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench gateway}: the gateway's added latency over direct scoring. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Latency of rerank requests through the gateway (HTTP → Kafka → the job on a"
        + " MiniCluster → Kafka → HTTP, as in local) against the same requests scored directly,"
        + " with read_uncommitted and read_committed: p50/p99 and the difference.")
final class BenchGatewayCommand implements Callable<Integer> {
  @Mixin JobOptions job = new JobOptions();

  @Option(names = "--model", defaultValue = "lexical",
      description = "Scorer (default ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--requests", defaultValue = "100", description = "Requests per way of scoring.")
  int requests;

  @Option(names = "--docs", defaultValue = "5", description = "Documents per request.")
  int docs;

  @Option(names = "--max-time", defaultValue = "PT3M",
      description = "Stop sending through the gateway after this ISO-8601 duration.")
  Duration maxTime;

  @Option(names = "--buffer-timeout", paramLabel = "DURATION",
      description = "Flink's execution.buffer-timeout for the job (default: Flink's, 100 ms): how"
          + " long a record may wait in a network buffer between two vertices.")
  Duration bufferTimeout;

  @Option(names = "--json", description = "Also print the figures as one JSON line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<String> extra = new ArrayList<>(List.of("model.name=" + model));
    var conf = job.load(Path.of("job", "local.yaml"), extra);
    var report = GatewayBenchmark.run(conf, requests, docs, maxTime, bufferTimeout,
        System.out);
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(report));
    }
    return 0;
  }
}
