package dev.flinkreranker.model.hub;

import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Receives download progress. One {@link FileProgress} per file; a sink may be used by several
 * downloading threads at once.
 */
public interface ProgressSink {

  /**
   * A file download starts.
   *
   * @param file the file's name in the repository
   * @param totalBytes its full size, or -1 when the hub did not say
   * @param resumedFrom bytes already on disk from an earlier, interrupted attempt
   */
  FileProgress start(String file, long totalBytes, long resumedFrom);

  /** Progress of one file. */
  interface FileProgress {
    /** {@code bytes} more bytes were written. */
    void advance(long bytes);

    /** The file is complete (called once, also after a failure, so bars end their line). */
    void finish();
  }

  /** Discards progress (tests, library use). */
  ProgressSink NONE =
      (file, total, resumed) ->
          new FileProgress() {
            @Override
            public void advance(long bytes) {}

            @Override
            public void finish() {}
          };

  /**
   * A bar on stderr when a person is watching (a console is attached), otherwise log lines every 5
   * seconds or 10 %, which is what a TaskManager log or {@code kubectl logs} can show.
   */
  static ProgressSink forStderr() {
    if (System.console() != null) {
      return new TerminalProgressBar(System.err, System::nanoTime);
    }
    Logger log = LogManager.getLogger(ModelResolver.class);
    return lines(log::info);
  }

  /** Progress as lines (start, every 5 seconds or 10 %, end) handed to {@code sink}. */
  static ProgressSink lines(Consumer<String> sink) {
    return new LogProgress(sink, System::nanoTime);
  }
}
