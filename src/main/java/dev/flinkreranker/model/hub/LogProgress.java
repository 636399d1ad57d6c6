package dev.flinkreranker.model.hub;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Progress as log lines for non-interactive runs (TaskManager logs, CI): one at the start, then
 * whenever another 10 % is done or 5 seconds have passed, and one at the end. Files under 1 MB
 * (config, tokenizer) take no time worth reporting and stay silent.
 */
final class LogProgress implements ProgressSink {
  static final long INTERVAL_NANOS = 5_000_000_000L;
  static final int PERCENT_STEP = 10;
  static final long QUIET_BELOW_BYTES = 1_000_000;

  private static final FileProgress SILENT =
      new FileProgress() {
        @Override
        public void advance(long bytes) {}

        @Override
        public void finish() {}
      };

  private final Consumer<String> log;
  private final LongSupplier nanoClock;

  LogProgress(Consumer<String> log, LongSupplier nanoClock) {
    this.log = log;
    this.nanoClock = nanoClock;
  }

  @Override
  public FileProgress start(String file, long totalBytes, long resumedFrom) {
    if (totalBytes >= 0 && totalBytes < QUIET_BELOW_BYTES) {
      return SILENT;
    }
    log.accept(
        "downloading "
            + file
            + (totalBytes >= 0 ? " (" + Bytes.human(totalBytes) + ")" : "")
            + (resumedFrom > 0 ? ", resuming at " + Bytes.human(resumedFrom) : ""));
    return new Lines(file, totalBytes, resumedFrom);
  }

  private final class Lines implements FileProgress {
    private final String file;
    private final long total;
    private final long resumedFrom;
    private final long startNanos;
    private long done;
    private long lastLogNanos;
    private long lastLoggedStep;
    private boolean finished;

    Lines(String file, long total, long resumedFrom) {
      this.file = file;
      this.total = total;
      this.resumedFrom = resumedFrom;
      this.done = resumedFrom;
      this.startNanos = nanoClock.getAsLong();
      this.lastLogNanos = startNanos;
      this.lastLoggedStep = step(resumedFrom);
    }

    @Override
    public synchronized void advance(long bytes) {
      done += bytes;
      long now = nanoClock.getAsLong();
      long step = step(done);
      boolean newStep = step > lastLoggedStep && done < total;
      if (newStep || now - lastLogNanos >= INTERVAL_NANOS) {
        lastLoggedStep = Math.max(lastLoggedStep, step);
        lastLogNanos = now;
        log.accept(line(now));
      }
    }

    @Override
    public synchronized void finish() {
      if (!finished) {
        finished = true;
        long now = nanoClock.getAsLong();
        log.accept(
            "finished "
                + file
                + ": "
                + Bytes.human(done)
                + " in "
                + Bytes.duration((now - startNanos) / 1_000_000_000L)
                + " ("
                + Bytes.human((long) rate(now))
                + "/s)");
      }
    }

    private long step(long bytes) {
      return total > 0 ? (100 * bytes / total) / PERCENT_STEP : 0;
    }

    private double rate(long now) {
      double seconds = (now - startNanos) / 1e9;
      return seconds > 0 ? (done - resumedFrom) / seconds : 0;
    }

    private String line(long now) {
      double rate = rate(now);
      StringBuilder s = new StringBuilder(file).append(": ");
      if (total > 0) {
        s.append(100 * done / total)
            .append("% ")
            .append(Bytes.human(done))
            .append(" of ")
            .append(Bytes.human(total));
      } else {
        s.append(Bytes.human(done));
      }
      s.append(", ").append(Bytes.human((long) rate)).append("/s");
      if (total > 0 && rate > 0) {
        s.append(", ETA ").append(Bytes.duration((long) ((total - done) / rate)));
      }
      return s.toString();
    }
  }
}
