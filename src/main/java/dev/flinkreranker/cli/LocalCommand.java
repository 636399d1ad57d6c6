package dev.flinkreranker.cli;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.local.LocalDemo;
import dev.flinkreranker.local.LocalLog;
import dev.flinkreranker.local.ModelChoice;
import dev.flinkreranker.local.Ports;
import dev.flinkreranker.model.hub.ModelResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code local}: the whole pipeline on this machine, with the dashboard. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run the job locally: embedded Kafka (KRaft) + Flink MiniCluster with the web"
        + " dashboard, publish job/samples and print every ranked result.")
final class LocalCommand implements Callable<Integer> {
  @Mixin JobOptions job = new JobOptions();
  @Mixin GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--no-gateway", description = "Do not start the rerank API and web console.")
  boolean noGateway;

  @Option(names = "--model", paramLabel = "M",
      description = "Scorer: a model directory, a hub id, or 'lexical' (default: "
          + ModelChoice.DEFAULT_MODEL + " when it can be resolved, else lexical with a banner).")
  String model;

  @Option(names = "--once", description = "Exit 0 once every sample is ranked (or dead-lettered).")
  boolean once;

  @Option(names = "--samples", paramLabel = "DIR", description = "Directory of *.jsonl candidate"
      + " sets to publish (default: job/samples, else the copy in the jar).")
  Path samples = Path.of("job", "samples");

  @Option(names = "--dashboard-port", defaultValue = "8081", description = "Flink dashboard port.")
  int dashboardPort;

  @Option(names = "--kafka-port", defaultValue = "0",
      description = "Port of the embedded Kafka broker (default: a free port, printed).")
  int kafkaPort;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = Ports.LOOPBACK,
      description = "Address the dashboard and Kafka listen on (default: ${DEFAULT-VALUE}, this"
          + " machine only). Another address, or 0.0.0.0 for all, opens them to the network:"
          + " Kafka without authentication, the dashboard with cancel but never jar upload."
          + " Flink's internal ports stay on 127.0.0.1.")
  String bind;

  @Option(names = "--timeout", defaultValue = "PT5M",
      description = "With --once: fail if not done within this ISO-8601 duration.")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    // The terminal is for results: logs go to a file (the library chatter of a broker and a
    // MiniCluster would bury them).
    LocalLog.toNewFile().ifPresent(f -> System.out.println("Logs: " + f.toAbsolutePath()));
    List<String> extra = new ArrayList<>();
    if (model != null) {
      extra.add("model.name=" + model);
    }
    var conf = job.load(Path.of("job", "local.yaml"), extra);
    // The default model is tried and may fall back to lexical; a named one must work.
    String named = conf.getOptional(RerankOptions.MODEL).orElse(null);
    conf.set(RerankOptions.MODEL,
        ModelChoice.choose(named, ModelResolver.fromEnvironment(), System.out));
    var gatewayConfig = noGateway ? null : gateway.config();
    if (gatewayConfig != null && gateway.flinkDashboardUrl == null) {
      gatewayConfig.flinkDashboardUrl("http://localhost:" + dashboardPort);
    }
    try {
      return LocalDemo.run(new LocalDemo.Settings(conf, samples, dashboardPort, once, timeout,
          System.out, System.console() != null, once ? null : System.in, bind, kafkaPort,
          gatewayConfig));
    } catch (java.net.BindException e) {
      throw GatewayOptions.portInUse(e,
          "choose another with --gateway-port N, or run without it with --no-gateway.");
    }
  }
}
