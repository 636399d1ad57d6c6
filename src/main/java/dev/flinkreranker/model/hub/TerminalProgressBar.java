package dev.flinkreranker.model.hub;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar redrawn in place with {@code \r}: name, bar, bytes, rate and ETA. Redraws
 * at most ten times a second so a fast local copy does not flood the terminal.
 */
final class TerminalProgressBar implements ProgressSink {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final LongSupplier nanoClock;

  TerminalProgressBar(PrintStream out, LongSupplier nanoClock) {
    this.out = out;
    this.nanoClock = nanoClock;
  }

  @Override
  public FileProgress start(String file, long totalBytes, long resumedFrom) {
    return new Bar(file, totalBytes, resumedFrom);
  }

  private final class Bar implements FileProgress {
    private final String file;
    private final long total;
    private final long resumedFrom;
    private final long startNanos;
    private long done;
    private long lastDraw;
    private boolean finished;

    Bar(String file, long total, long resumedFrom) {
      this.file = file;
      this.total = total;
      this.resumedFrom = resumedFrom;
      this.done = resumedFrom;
      this.startNanos = nanoClock.getAsLong();
      this.lastDraw = startNanos - REDRAW_NANOS;
      draw(startNanos);
    }

    @Override
    public synchronized void advance(long bytes) {
      done += bytes;
      long now = nanoClock.getAsLong();
      if (now - lastDraw >= REDRAW_NANOS) {
        draw(now);
      }
    }

    @Override
    public synchronized void finish() {
      if (!finished) {
        finished = true;
        draw(nanoClock.getAsLong());
        out.println();
        out.flush();
      }
    }

    private void draw(long now) {
      lastDraw = now;
      double seconds = (now - startNanos) / 1e9;
      double rate = seconds > 0 ? (done - resumedFrom) / seconds : 0;
      StringBuilder line = new StringBuilder("\r").append(Bytes.shortName(file, 28)).append(' ');
      if (total > 0) {
        int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
        line.append('[')
            .append("#".repeat(filled))
            .append(".".repeat(BAR_WIDTH - filled))
            .append("] ")
            .append(String.format("%3d%% ", Math.min(100, 100 * done / total)))
            .append(Bytes.human(done))
            .append('/')
            .append(Bytes.human(total));
      } else {
        line.append(Bytes.human(done));
      }
      line.append("  ").append(Bytes.human((long) rate)).append("/s");
      if (total > 0 && rate > 0 && done < total) {
        line.append("  ETA ").append(Bytes.duration((long) ((total - done) / rate)));
      }
      line.append("   "); // wipe leftovers of a longer previous line
      out.print(line);
      out.flush();
    }
  }
}
