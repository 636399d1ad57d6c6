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
      ModelsCommand.class,
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
