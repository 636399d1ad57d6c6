package dev.flinkreranker.cli;

import picocli.CommandLine.Command;

/** {@code bench}: benchmarks that print ratios. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks.",
    subcommands = {EngineBenchCommand.class})
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }
}
