package dev.flinkreranker.cli;

import dev.flinkreranker.model.hub.Bytes;
import dev.flinkreranker.model.hub.CacheInventory;
import dev.flinkreranker.model.hub.HubException;
import dev.flinkreranker.model.hub.HubOptions;
import dev.flinkreranker.model.hub.ModelId;
import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.model.hub.ProgressSink;
import dev.flinkreranker.model.hub.ResolvedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code models list | download}: the hub cache shared with the Python tools. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = {
      "Models in the Hugging Face cache shared with Python tools (HF_HUB_CACHE, else HF_HOME/hub,"
          + " else ~/.cache/huggingface/hub).",
      "Environment: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_CACHE, HF_HOME."
    },
    subcommands = {CommandLine.HelpCommand.class})
public final class ModelsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Option(
      names = "--cache-dir",
      description = "Hub cache directory (default: from the environment, as the Python tools do).")
  Path cacheDir;

  @Option(names = "--endpoint", description = "Hub endpoint (default: HF_ENDPOINT, else the public hub).")
  String endpoint;

  private final Supplier<HubOptions> environment;

  public ModelsCommand() {
    this(HubOptions::fromEnvironment);
  }

  /** For tests: options that do not come from the real environment. */
  ModelsCommand(Supplier<HubOptions> environment) {
    this.environment = environment;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", description = "Cached models: refs, snapshot commits, files, sizes on disk.")
  int list() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    HubOptions options = options();
    List<CacheInventory.CachedModel> models = CacheInventory.scan(options.cacheDir());
    out.println("Cache: " + options.cacheDir());
    if (models.isEmpty()) {
      out.println("No models cached. Download one with: models download Qwen/Qwen3-Reranker-0.6B");
      out.flush();
      return 0;
    }
    String row = "%-40s %-12s %-12s %6s %10s  %s%n";
    out.printf(row, "MODEL", "REFS", "COMMIT", "FILES", "SIZE", "STATUS");
    long total = 0;
    for (CacheInventory.CachedModel m : models) {
      total += m.sizeOnDisk() + m.partialBytes();
      for (CacheInventory.Snapshot s : m.snapshots()) {
        out.printf(
            row,
            m.repo(),
            s.refs().isEmpty() ? "-" : String.join(",", s.refs()),
            s.commit().substring(0, Math.min(12, s.commit().length())),
            s.files(),
            Bytes.human(s.size()),
            s.loadable() ? "ready" : "incomplete (missing " + String.join(", ", s.missing()) + ")");
      }
      out.printf(
          "%-40s %s on disk%s%n",
          "",
          Bytes.human(m.sizeOnDisk()),
          m.partialBytes() > 0 ? ", " + Bytes.human(m.partialBytes()) + " partial (resumed by the next download)" : "");
    }
    out.printf("%d model(s), %s on disk%n", models.size(), Bytes.human(total));
    out.flush();
    return 0;
  }

  @Command(
      name = "download",
      description = "Download a model into the cache (only the files the reranker needs), resuming partial files.")
  int download(
      @Parameters(paramLabel = "ID[@REVISION]", description = "e.g. Qwen/Qwen3-Reranker-0.6B or Qwen/Qwen3-Reranker-0.6B@main")
          String model) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<ModelId> id = ModelId.parse(model);
    if (id.isEmpty()) {
      err.println("'" + model + "' is not a hub model id; expected org/name[@revision], e.g. Qwen/Qwen3-Reranker-0.6B");
      err.flush();
      return 2;
    }
    HubOptions options = options();
    if (System.console() == null) {
      // Not a terminal (CI, docker build): progress lines on stderr, where the caller sees them,
      // rather than in a log configuration this command may not have.
      options = options.withProgress(ProgressSink.lines(line -> {
        err.println(line);
        err.flush();
      }));
    }
    try {
      ResolvedModel m = new ModelResolver(options).resolve(id.get());
      out.println(id.get() + " (commit " + m.commit() + ") is in " + m.dir());
      out.flush();
      return 0;
    } catch (HubException e) {
      err.println(e.reason() + ": " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private HubOptions options() {
    HubOptions options = environment.get();
    if (cacheDir != null) {
      options = options.withCacheDir(cacheDir);
    }
    if (endpoint != null) {
      options = options.withEndpoint(endpoint);
    }
    return options;
  }
}
