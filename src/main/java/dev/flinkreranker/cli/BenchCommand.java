package dev.flinkreranker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench}: benchmarks that print ratios measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks (figures are ratios measured in the same run).",
    subcommands = {EngineBenchCommand.class, BenchBatchingCommand.class,
        BenchGatewayCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
