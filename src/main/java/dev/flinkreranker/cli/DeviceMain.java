package dev.flinkreranker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the GPU device kit ({@code tools/gpu/build-kit.sh}): the engine's commands
 * without Flink. {@link Main} registers every subcommand, and picocli instantiates them all when it
 * parses a command line, so {@code run}, {@code local} and {@code replay} would pull Flink and
 * Kafka classes into a runtime that has neither. Everything reachable from here stays inside
 * {@code model.*}, {@code scoring}, {@code bench} and picocli.
 */
@Command(
    name = "flink-reranker-device",
    mixinStandardHelpOptions = true,
    version = "flink-reranker 0.1.0 (device kit)",
    description = "The engine's commands without Flink: score, bench engine, bench batching,"
        + " bench shape.",
    subcommands = {
      CommandLine.HelpCommand.class,
      ScoreCommand.class,
      DeviceMain.Bench.class,
    })
public final class DeviceMain implements Runnable {

  static {
    // The same logging configuration as the runnable jar (log4j would otherwise warn that it has
    // none and print nothing of ours).
    if (System.getProperty("log4j2.configurationFile") == null
        && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "flink-reranker-log4j2.xml");
    }
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code, with {@link Main}'s error handling. */
  public static int run(String... args) {
    return new CommandLine(new DeviceMain())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          if (System.getenv("FLINK_RERANKER_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
          }
          return 1;
        })
        .execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** {@code bench}: the same engine and batching benchmarks as the runnable jar, plus shapes. */
  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Benchmarks (figures are ratios measured in the same run).",
      subcommands = {
        EngineBenchCommand.class, BenchBatchingCommand.class, ShapeBenchCommand.class})
  static final class Bench implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(System.out);
    }
  }
}
