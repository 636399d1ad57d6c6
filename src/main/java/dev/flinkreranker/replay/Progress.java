package dev.flinkreranker.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Shows a replay's progress from its accumulators: records done (results + dead letters) of the
 * total, records/s, ETA and dead letters. On a terminal a bar redrawn in place on stderr; otherwise
 * one log line per interval, so that CI logs and files are not flooded with carriage returns.
 */
public final class Progress implements Runnable, AutoCloseable {
  private static final long BAR_REDRAW_MILLIS = 500;

  private final Supplier<Map<String, Object>> accumulators;
  private final long total;
  private final PrintStream err;
  private final boolean terminal;
  private final Duration logInterval;
  private final long startNanos;
  private final Thread thread;
  private volatile boolean stopped;
  private boolean drewBar;

  /**
   * @param accumulators the running job's accumulators (may throw while the job starts or ends)
   * @param total records in the input
   * @param startNanos when the replay started ({@link System#nanoTime}), for records/s and ETA
   */
  public Progress(Supplier<Map<String, Object>> accumulators, long total, long startNanos,
      PrintStream err, boolean terminal, Duration logInterval) {
    this.accumulators = accumulators;
    this.startNanos = startNanos;
    this.total = total;
    this.err = err;
    this.terminal = terminal;
    this.logInterval = logInterval;
    this.thread = new Thread(this, "replay-progress");
    thread.setDaemon(true);
  }

  public Progress start() {
    thread.start();
    return this;
  }

  @Override
  public void run() {
    long waitMillis = terminal ? BAR_REDRAW_MILLIS : Math.max(100, logInterval.toMillis());
    while (!stopped) {
      try {
        Thread.sleep(waitMillis);
      } catch (InterruptedException e) {
        return;
      }
      if (stopped) {
        return;
      }
      Map<String, Object> acc;
      try {
        acc = accumulators.get();
      } catch (RuntimeException e) {
        continue; // the job is starting or finishing: nothing to show this time
      }
      show(acc);
    }
  }

  private synchronized void show(Map<String, Object> acc) {
    long results = ReplayCounters.count(acc, ReplayCounters.RESULTS);
    long dead = ReplayCounters.sumWithPrefix(acc, ReplayCounters.DEAD_LETTERS);
    String line = line(results + dead, total, dead,
        (System.nanoTime() - startNanos) / 1e9);
    if (terminal) {
      err.print("\r" + line + "\u001b[K");
      drewBar = true;
    } else {
      err.println("replay progress: " + line);
    }
    err.flush();
  }

  /** One progress line, e.g. {@code [#####-----]  50%  500/1000  120.0 rec/s  ETA 4s  3 dead letters}. */
  static String line(long done, long total, long deadLetters, double seconds) {
    double rate = seconds > 0 ? done / seconds : 0;
    double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
    int width = 30;
    int filled = (int) Math.round(fraction * width);
    String eta = rate > 0 && total > done ? formatSeconds((total - done) / rate) : "-";
    return String.format(Locale.ROOT, "[%s%s] %3.0f%%  %d/%d  %.1f rec/s  ETA %s  %d dead letter%s",
        "#".repeat(filled), "-".repeat(width - filled), 100 * fraction, done, total, rate, eta,
        deadLetters, deadLetters == 1 ? "" : "s");
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
        : t >= 60 ? String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60) : t + "s";
  }

  /** Stops, and draws the final state from the job's final accumulators. */
  public void finish(Map<String, Object> finalAccumulators) {
    close();
    show(finalAccumulators);
    if (terminal) {
      err.println();
    }
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (terminal && drewBar) {
      err.flush();
    }
  }
}
