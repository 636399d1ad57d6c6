package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a download stream that has delivered no byte for a while.
 *
 * <p>{@code java.net.http.HttpClient} has no read timeout once the body streams, so a connection that
 * stalls without closing would block a TaskManager's model load forever. Closing the stream from a
 * watchdog thread makes the blocked read fail, and the download resumes from where it stopped.
 */
final class StallGuard implements AutoCloseable {
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "hub-download-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final InputStream stream;
  private final long timeoutNanos;
  private final ScheduledFuture<?> check;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;

  private StallGuard(InputStream stream, Duration timeout) {
    this.stream = stream;
    this.timeoutNanos = timeout.toNanos();
    long period = Math.max(10, timeout.toMillis() / 4);
    this.check = WATCHDOG.scheduleAtFixedRate(this::checkNow, period, period, TimeUnit.MILLISECONDS);
  }

  static StallGuard watch(InputStream stream, Duration timeout) {
    return new StallGuard(stream, timeout);
  }

  /** Bytes arrived. */
  void progress() {
    lastProgress = System.nanoTime();
  }

  /** True when the guard closed the stream because it stalled. */
  boolean stalled() {
    return stalled;
  }

  private void checkNow() {
    if (System.nanoTime() - lastProgress > timeoutNanos) {
      stalled = true;
      check.cancel(false);
      try {
        stream.close(); // the blocked read() now fails with an IOException
      } catch (IOException e) {
        // closing is all we can do; the reader sees the failure either way
      }
    }
  }

  @Override
  public void close() {
    check.cancel(false);
  }
}
