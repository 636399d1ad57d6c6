package dev.flinkreranker.cli;

/**
 * {@code Main-Class} of {@code target/flink-reranker.jar}: runs a command from a terminal
 * ({@code java -jar target/flink-reranker.jar score ...}) and ends the process with its exit code.
 * This is the only class that calls {@link System#exit}: Flink runs {@link Main} (the jars'
 * {@code program-class}), whose {@code main} returns or throws, because where Flink runs it (the
 * JobManager) exiting would take the cluster down.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    System.exit(Main.run(args));
  }
}
