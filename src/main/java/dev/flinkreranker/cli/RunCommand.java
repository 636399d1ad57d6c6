package dev.flinkreranker.cli;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.job.RerankJob;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code run}: builds the job in the current execution environment. Under {@code flink run} (or
 * application mode) that is the cluster; from a plain {@code java -jar} it is a local MiniCluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Build and submit the rerank job to the current Flink environment"
        + " (flink run -c dev.flinkreranker.cli.Main flink-reranker-job.jar run --config ...);"
        + " a profile with job.mode: replay runs a replay (see the replay command).")
final class RunCommand implements Callable<Integer> {
  @Mixin JobOptions job = new JobOptions();

  @Override
  public Integer call() throws Exception {
    Configuration conf = job.load(null, List.of());
    String mode = conf.get(RerankOptions.MODE).trim().toLowerCase(java.util.Locale.ROOT);
    if (mode.equals("replay")) {
      return ReplayCommand.run(conf, System.out, System.err);
    }
    if (!mode.equals("streaming")) {
      throw new IllegalArgumentException("job.mode must be streaming or replay, got '" + mode + "'");
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    RerankJob.buildKafka(env, conf);
    env.execute(conf.get(RerankOptions.JOB_NAME));
    return 0;
  }
}
