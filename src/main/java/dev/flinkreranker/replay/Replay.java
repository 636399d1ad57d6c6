package dev.flinkreranker.replay;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.scoring.ScoringService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Replays a bounded input through the rerank job ({@link RerankJob#build}, the same graph as
 * streaming) and reports what happened: progress while it runs, then a summary with an offline
 * evaluation. The replay adds two side branches to the graph, which read and count but emit
 * nothing: {@link EvaluationTap} on the scored requests and {@link DeadLetterTap} on the dead
 * letters.
 */
public final class Replay {
  private Replay() {}

  public static final String UID_EVALUATION = "replay-evaluation";
  public static final String UID_DEAD_LETTER_COUNT = "replay-dead-letter-count";

  /** What a replay produced. */
  public record Outcome(ReplaySummary summary, OrderedOutput.Merged merged) {}

  /** Where progress goes: stderr, drawn as a bar when it is a terminal. */
  public record Console(PrintStream err, boolean terminal) {}

  /**
   * Builds, runs and reports a replay. Blocks until the job has finished and, with
   * {@code replay.ordered}, the output is merged.
   *
   * @param conf the job configuration with {@code replay.*} set
   */
  public static Outcome run(StreamExecutionEnvironment env, Configuration conf,
      ScoringService.ScorerFactory scorers, Console console) throws Exception {
    ReplaySpec spec = ReplaySpec.of(conf);
    ReplayIo.Input input = ReplayIo.input(spec, conf);

    Configuration jobConf = new Configuration(conf);
    jobConf.set(RerankOptions.INPUT_FORMAT, input.format().name().toLowerCase(Locale.ROOT));
    jobConf.set(RerankOptions.OUTPUT_SOURCE_ATTRIBUTES, true);
    // A replay next to the production job must not fence (abort) its Kafka transactions.
    jobConf.set(RerankOptions.TRANSACTIONAL_ID_PREFIX,
        conf.get(RerankOptions.TRANSACTIONAL_ID_PREFIX) + "-replay");
    ReplayIo.Sinks sinks = ReplayIo.sinks(spec, jobConf);

    RerankJob.Streams streams = RerankJob.build(env, jobConf, input.source(), sinks.results(),
        sinks.deadLetters(), scorers);
    streams.scored().process(new EvaluationTap(RerankJob.scoringKey(jobConf)))
        .name("replay evaluation").uid(UID_EVALUATION);
    streams.deadLetters().process(new DeadLetterTap())
        .name("replay dead-letter count").uid(UID_DEAD_LETTER_COUNT);

    console.err().println("Replaying " + input.description() + ": " + input.records()
        + " records, model " + conf.get(RerankOptions.MODEL) + " -> " + spec.output());
    long start = System.nanoTime();
    JobClient job = env.executeAsync(conf.get(RerankOptions.JOB_NAME) + "-replay");
    Progress progress = new Progress(() -> accumulators(job), input.records(), start,
        console.err(), console.terminal(), spec.progressInterval()).start();
    JobExecutionResult result;
    try {
      result = job.getJobExecutionResult().get();
    } catch (ExecutionException e) {
      progress.close();
      throw new IllegalStateException("replay job failed: " + rootMessage(e), e);
    }
    Map<String, Object> acc = result.getAllAccumulatorResults();
    progress.finish(acc);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    OrderedOutput.Merged merged = null;
    String output = spec.output().toString();
    if (!spec.output().isKafka()) {
      Path dir = ReplayIo.outputDirectory(spec.output().paths().get(0));
      if (spec.ordered()) {
        merged = OrderedOutput.merge(dir,
            dev.flinkreranker.kafka.CandidateSetCodec.Format.parse(
                conf.get(RerankOptions.OUTPUT_FORMAT)));
        output = merged.results() + " + " + merged.deadLetters().getFileName();
      } else {
        output = dir + "/{" + ReplayIo.RESULTS_DIR + "," + ReplayIo.DEAD_LETTERS_DIR + "}/";
      }
    }
    ReplaySummary summary = ReplaySummary.of(spec.input().toString(), output,
        conf.get(RerankOptions.MODEL), input.records(), acc, elapsed,
        conf.get(RerankOptions.CACHE_ENABLED));
    if (spec.report() != null) {
      summary.writeJson(spec.report());
    }
    return new Outcome(summary, merged);
  }

  private static Map<String, Object> accumulators(JobClient job) {
    try {
      return job.getAccumulators().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof AvroLog.DamagedLogException) {
        return root.getMessage(); // written for the user; its cause is Avro's detail
      }
      root = root.getCause();
    }
    return root instanceof AvroLog.DamagedLogException ? root.getMessage() : root.toString();
  }
}
