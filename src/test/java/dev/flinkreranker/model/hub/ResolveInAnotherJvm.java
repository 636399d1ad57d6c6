package dev.flinkreranker.model.hub;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Resolves a model in a separate JVM, so tests can check the cross-process file lock. */
public final class ResolveInAnotherJvm {
  private ResolveInAnotherJvm() {}

  /** Arguments: endpoint, cache directory, model. */
  public static void main(String[] args) {
    // Show the resolver's INFO lines (the lock wait the test looks for) on stdout.
    Configurator.setRootLevel(Level.INFO);
    HubOptions options = new HubOptions(args[0], null, false, Path.of(args[1]), ProgressSink.NONE);
    ResolvedModel m = new ModelResolver(options).resolve(args[2]);
    System.out.println("resolved " + m.dir());
  }
}
