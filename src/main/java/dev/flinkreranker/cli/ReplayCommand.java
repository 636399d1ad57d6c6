package dev.flinkreranker.cli;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.replay.Replay;
import dev.flinkreranker.scoring.Scorers;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code replay}: rerank a bounded log (a topic range or files) and report what changed. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay historical candidate sets through the rerank job (a Kafka topic between"
        + " two timestamps or offsets, or JSON lines / Avro files), write the results to a topic"
        + " or a directory exactly-once, and print a summary with an offline evaluation.")
final class ReplayCommand implements Callable<Integer> {
  @Mixin JobOptions job = new JobOptions();

  @Option(names = "--input", required = true, paramLabel = "kafka:TOPIC|PATH",
      description = "kafka:TOPIC, or files: a file, a directory or a glob of *.jsonl / *.avro"
          + " (optionally .gz); several separated by ';'.")
  String input;

  @Option(names = "--output", required = true, paramLabel = "kafka:TOPIC|DIR",
      description = "kafka:TOPIC (dead letters go to output.dead-letter-topic), or a new"
          + " directory for results/ and dead-letters/.")
  String output;

  @Option(names = "--from", paramLabel = "TIME",
      description = "Kafka input: first record timestamp (inclusive), e.g. 2026-11-01T00:00Z.")
  String from;

  @Option(names = "--to", paramLabel = "TIME",
      description = "Kafka input: end record timestamp (exclusive).")
  String to;

  @Option(names = "--from-offsets", paramLabel = "OFFSETS",
      description = "Kafka input: earliest (default) | latest-at-start | P:O,...")
  String fromOffsets;

  @Option(names = "--to-offsets", paramLabel = "OFFSETS",
      description = "Kafka input: latest-at-start (default) | P:O,... (exclusive)")
  String toOffsets;

  @Option(names = "--ordered",
      description = "Directory output: merge into results and dead-letters files sorted by input"
          + " position, in canonical form (byte-identical across runs).")
  boolean ordered;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the report as JSON.")
  Path report;

  @Option(names = "--model", paramLabel = "M",
      description = "Scorer: a model directory, a hub id, or 'lexical' (default: the profile's).")
  String model;

  @Option(names = "--format", paramLabel = "json|avro",
      description = "Encoding of the output files or records (output.format).")
  String format;

  @Override
  public Integer call() throws Exception {
    // The score cache pays off on logs (repeated queries); --set cache.enabled=false turns it off.
    List<String> extra = new ArrayList<>(List.of("job.mode=replay", "cache.enabled=true",
        "replay.input=" + input, "replay.output=" + output));
    add(extra, "replay.from", from);
    add(extra, "replay.to", to);
    add(extra, "replay.from-offsets", fromOffsets);
    add(extra, "replay.to-offsets", toOffsets);
    add(extra, "replay.report", report == null ? null : report.toString());
    add(extra, "model.name", model);
    add(extra, "output.format", format);
    if (ordered) {
      extra.add("replay.ordered=true");
    }
    Configuration conf = job.load(null, extra);
    return run(conf, System.out, System.err);
  }

  private static void add(List<String> extra, String key, String value) {
    if (value != null) {
      extra.add(key + "=" + value);
    }
  }

  /** Runs a replay configuration in the current environment; shared with {@code run}. */
  static int run(Configuration conf, PrintStream out, PrintStream err) throws Exception {
    Configuration flink = new Configuration();
    // Accumulators reach the client with TaskManager heartbeats: beat often for a live progress bar.
    flink.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
    // A bounded job that fails for good (an unreadable file) must end, not restart forever as a
    // streaming job would; a few attempts still ride out a transient broker or model hiccup.
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    Replay.Outcome outcome = Replay.run(env, conf, Scorers::open,
        new Replay.Console(err, System.console() != null));
    out.print(outcome.summary().table());
    conf.getOptional(RerankOptions.REPLAY_REPORT).ifPresent(r -> out.println("Report: " + r));
    return 0;
  }
}
