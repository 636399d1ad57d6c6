package dev.flinkreranker.testutil;

import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.scoring.ScoringService;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job of an integration test: read {@code in} from the earliest offset up to what it holds at
 * start, write results to {@code out} and dead letters to {@code dlq}, checkpoint (commit) every
 * 500 ms at parallelism 2, and end by itself.
 */
public final class KafkaJobRun {
  private final Map<String, String> settings = new LinkedHashMap<>();

  public KafkaJobRun(String bootstrap, String in, String out, String dlq, String idPrefix) {
    settings.put("kafka.bootstrap-servers", bootstrap);
    settings.put("input.topics", in);
    settings.put("input.starting-offsets", "earliest");
    settings.put("output.topic", out);
    settings.put("output.dead-letter-topic", dlq);
    settings.put("output.transactional-id-prefix", idPrefix);
    settings.put("job.bounded", "true");
    settings.put("job.checkpoint-interval", "500ms");
    settings.put("job.parallelism", "2");
  }

  /** Adds or overrides a job setting. */
  public KafkaJobRun set(String key, String value) {
    settings.put(key, value);
    return this;
  }

  public Configuration conf() {
    return JobConfig.fromMap(settings);
  }

  /**
   * Builds the job with these scorers and runs it to its end. Restarts are off: a record that
   * fails a task fails the test instead of looping.
   */
  public void run(ScoringService.ScorerFactory scorers, String name) throws Exception {
    Configuration conf = conf();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
        new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none"));
    RerankJob.build(env, conf, KafkaFactory.source(conf), KafkaFactory.resultSink(conf),
        KafkaFactory.deadLetterSink(conf), scorers);
    env.execute(name);
  }
}
