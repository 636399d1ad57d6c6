package dev.flinkreranker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code java -jar target/flink-reranker.jar <command>}. */
@Command(
    name = "flink-reranker",
    mixinStandardHelpOptions = true,
    version = "flink-reranker 0.1.0",
    description = "Flink streaming job that reranks retrieval candidates with Qwen3-Reranker.",
    subcommands = {
      CommandLine.HelpCommand.class,
      LocalCommand.class,
      RunCommand.class,
      ScoreCommand.class,
      TryCommand.class,
      BenchCommand.class,
      ModelsCommand.class,
      ReplayCommand.class,
      SqlCommand.class,
    })
public final class Main implements Runnable {

  static {
    // The embedded Kafka broker's jar ships a log4j2.yaml that log4j prefers over any XML file;
    // name ours explicitly unless the launcher (flink run, a user) already chose one.
    if (System.getProperty("log4j2.configurationFile") == null
        && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "flink-reranker-log4j2.xml");
    }
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          // A user error (bad config, missing model) deserves one clear line, not a stack trace.
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
}
