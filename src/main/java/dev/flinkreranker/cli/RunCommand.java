package dev.flinkreranker.cli;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.kafka.TopicAdmin;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code run}: builds the job in the current execution environment. Under {@code flink run}, a
 * REST/dashboard submission or application mode that is the cluster; from a plain
 * {@code java -jar} it is a local MiniCluster. Before the job starts, its topics are checked and
 * the missing ones created ({@code kafka.create-topics}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Build and submit the rerank job to the current Flink environment"
        + " (flink run -c dev.flinkreranker.cli.Main flink-reranker-job.jar run --config ...);"
        + " creates missing topics (kafka.create-topics); a profile with job.mode: replay runs a"
        + " replay (see the replay command).")
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin JobOptions job = new JobOptions();

  @Override
  public Integer call() throws Exception {
    Configuration conf = job.load(null, List.of());
    String mode = conf.get(RerankOptions.MODE).trim().toLowerCase(Locale.ROOT);
    if (!mode.equals("streaming") && !mode.equals("replay")) {
      throw new IllegalArgumentException("job.mode must be streaming or replay, got '" + mode + "'");
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    int parallelism = parallelism(conf.get(RerankOptions.PARALLELISM), env.getParallelism(),
        clusterDefaultParallelism());
    conf.set(RerankOptions.PARALLELISM, parallelism);
    LOG.info("Running {} at parallelism {}", conf.get(RerankOptions.JOB_NAME), parallelism);
    if (mode.equals("replay")) {
      return ReplayCommand.run(conf, System.out, System.err);
    }
    TopicAdmin.ensureJobTopics(conf, parallelism);
    RerankJob.buildKafka(env, conf);
    env.execute(conf.get(RerankOptions.JOB_NAME));
    return 0;
  }

  /**
   * The parallelism the job runs at, set on the job so that every way of submitting it agrees.
   *
   * <ul>
   *   <li>{@code job.parallelism} when it is set (&gt; 0);
   *   <li>else the environment's: what the submission asked for ({@code flink run -p}, the
   *       parallelism of a REST or dashboard request, the Kubernetes operator's
   *       {@code job.parallelism}), or the cluster's {@code parallelism.default};
   *   <li>except where the environment says 1 and the cluster's configuration file says more.
   *       Flink's REST submission ({@code /jars/:id/run}) replaces a request without a
   *       parallelism by 1 instead of the cluster's {@code parallelism.default}, so a job
   *       submitted from the dashboard ran at 1 on a cluster configured for 2. An explicit 1 looks
   *       the same; {@code job.parallelism: 1} asks for it.
   * </ul>
   *
   * @param environment the execution environment's parallelism
   * @param clusterDefault {@code parallelism.default} of the cluster's configuration file, if any
   */
  static int parallelism(int configured, int environment, OptionalInt clusterDefault) {
    if (configured > 0) {
      return configured;
    }
    if (configured != -1) {
      throw new IllegalArgumentException(RerankOptions.PARALLELISM.key()
          + " must be >= 1 or -1 (the cluster's default), got " + configured);
    }
    if (environment <= 1 && clusterDefault.isPresent() && clusterDefault.getAsInt() > 1) {
      return clusterDefault.getAsInt();
    }
    return Math.max(1, environment);
  }

  /**
   * {@code parallelism.default} of the Flink configuration file in {@code FLINK_CONF_DIR}, which
   * Flink's scripts, its Docker image and its Kubernetes pods set for every Flink process; empty
   * where there is none (a plain {@code java -jar}).
   */
  static OptionalInt clusterDefaultParallelism() {
    String dir = System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR);
    if (dir == null || dir.isBlank()) {
      return OptionalInt.empty();
    }
    try {
      return GlobalConfiguration.loadConfiguration(dir).getOptional(CoreOptions.DEFAULT_PARALLELISM)
          .map(OptionalInt::of).orElse(OptionalInt.empty());
    } catch (RuntimeException e) {
      LOG.warn("Cannot read the Flink configuration in {} ({}): parallelism {} is left to the"
          + " environment", dir, e.getMessage(), RerankOptions.PARALLELISM.key());
      return OptionalInt.empty();
    }
  }
}
