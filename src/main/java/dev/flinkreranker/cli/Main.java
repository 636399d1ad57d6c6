package dev.flinkreranker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The program Flink runs: {@code flink run}, a jar submitted through the dashboard or REST
 * ({@code /jars/:id/run}), application mode (a standalone-job container, the Kubernetes operator).
 * Both jars name this class as their {@code program-class}, which Flink prefers to
 * {@code Main-Class}.
 *
 * <p>Flink calls {@link #main} inside the JobManager's JVM for everything but {@code flink run},
 * so it must never end the JVM: it returns when the command succeeded and throws when it failed
 * (Flink reports the exception to the submitter). {@code java -jar target/flink-reranker.jar}
 * starts {@link Launcher} instead, the one class that turns the exit code into the process's.
 */
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
      GatewayCommand.class,
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

  /** A finished command line: its exit code and, if it failed, why. */
  record Outcome(int exitCode, Exception failure) {}

  /**
   * Runs a command line where Flink runs it: returns normally when the command succeeded, throws
   * when it did not (the command's own exception, or one that names the exit code).
   */
  public static void main(String[] args) throws Exception {
    Outcome outcome = execute(args);
    if (outcome.exitCode() == 0) {
      return;
    }
    if (outcome.failure() != null) {
      throw outcome.failure();
    }
    throw new IllegalStateException("flink-reranker " + String.join(" ", args)
        + " ended with exit code " + outcome.exitCode() + " (its output says why)");
  }

  /** Runs a command line and returns its exit code (tests and {@link Launcher} call this). */
  public static int run(String... args) {
    return execute(args).exitCode();
  }

  static Outcome execute(String... args) {
    Exception[] failure = new Exception[1];
    CommandLine cmd = new CommandLine(new Main());
    CommandLine.IParameterExceptionHandler usage = cmd.getParameterExceptionHandler();
    cmd.setParameterExceptionHandler((e, arguments) -> {
      failure[0] = e;
      return usage.handleParseException(e, arguments);
    });
    cmd.setExecutionExceptionHandler((e, command, parsed) -> {
      failure[0] = e;
      // A user error (bad config, missing model) deserves one clear line, not a stack trace.
      command.getErr().println("error: " + UserErrors.describe(e));
      if (System.getenv("FLINK_RERANKER_DEBUG") != null) {
        e.printStackTrace(command.getErr());
      }
      return 1;
    });
    int exitCode = cmd.execute(args);
    return new Outcome(exitCode, failure[0]);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
