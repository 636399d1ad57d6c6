package dev.flinkreranker.cli;

import dev.flinkreranker.gateway.RerankGateway;
import java.net.BindException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gateway}: the HTTP rerank API and web console in front of a running job's topics. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Serve the rerank API (vLLM/Jina/Cohere /v1/rerank, vLLM /v1/score, TEI"
        + " /rerank) and the web console in front of a running job: each request becomes a"
        + " candidate set on the job's input topic, its answer is the job's result. Use the job's"
        + " own profile (--config) so that topics, formats and limits match.")
final class GatewayCommand implements Callable<Integer> {
  @Mixin JobOptions job = new JobOptions();
  @Mixin GatewayOptions gateway = new GatewayOptions();

  @Override
  public Integer call() throws Exception {
    var conf = job.load(null, List.of());
    var config = gateway.config().job(conf);
    if (config.exposureWarning() != null) {
      System.out.println(config.exposureWarning());
    }
    RerankGateway server;
    try {
      server = RerankGateway.start(config);
    } catch (BindException e) {
      throw GatewayOptions.portInUse(e, "choose another with --port N.");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "gateway-shutdown"));
    System.out.println("Rerank API and console on " + server.uri() + " (POST /v1/rerank,"
        + " /v1/score; GET /v1/models, /health, /metrics). Ctrl-C to stop.");
    stopped.await();
    return 0;
  }
}
