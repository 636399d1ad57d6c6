package dev.flinkreranker.cli;

import dev.flinkreranker.config.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** The options every job-running command shares: a profile and overrides. */
final class JobOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "Job profile (YAML), e.g. job/cluster.yaml.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one configuration key (repeatable); see README 'Configuration'.")
  List<String> overrides = new ArrayList<>();

  Configuration load(Path defaultProfile, List<String> extra) {
    Path profile = config != null ? config
        : defaultProfile != null && defaultProfile.toFile().isFile() ? defaultProfile : null;
    List<String> all = new ArrayList<>(extra);
    all.addAll(overrides);
    return JobConfig.load(profile, all);
  }
}
