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
      ScoreCommand.class,
      TryCommand.class,
      BenchCommand.class,
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    // Expected failures (a bad model directory, a corrupt checkpoint, a bad option value) get one
    // clear line instead of a stack trace; anything else keeps picocli's default reporting.
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          if (ex instanceof java.io.IOException
              || ex instanceof java.io.UncheckedIOException
              || ex instanceof IllegalArgumentException) {
            cmd.getErr().println(cmd.getCommandName() + ": " + ex.getMessage());
            return 1;
          }
          throw ex;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
