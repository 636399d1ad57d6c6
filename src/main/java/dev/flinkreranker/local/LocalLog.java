package dev.flinkreranker.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;

/**
 * Moves this JVM's logs from the terminal to a file, so that {@code local}'s terminal shows its
 * results only. Works with the jar's log4j configuration (flink-reranker-log4j2.xml), which
 * writes to the file named by {@link #PROPERTY} when it is set.
 */
public final class LocalLog {
  private LocalLog() {}

  public static final String PROPERTY = "flink-reranker.log-file";

  /**
   * Sends the logs to a new file (readable by this user only) and returns it; empty when the
   * logging configuration is someone else's (a {@code log4j2.configurationFile} of the user's),
   * which then keeps deciding where logs go.
   */
  public static Optional<Path> toNewFile() throws IOException {
    Path file = Files.createTempFile("flink-reranker-local-", ".log");
    System.setProperty(PROPERTY, file.toString());
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.reconfigure();
    boolean used = context.getConfiguration().getAppenders().values().stream()
        .anyMatch(a -> a instanceof FileAppender f && Path.of(f.getFileName()).equals(file));
    if (!used) {
      System.clearProperty(PROPERTY);
      Files.deleteIfExists(file);
      return Optional.empty();
    }
    return Optional.of(file);
  }
}
