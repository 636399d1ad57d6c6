package dev.flinkreranker.model.hub;

import java.util.Locale;

/** Human-readable sizes and durations for progress and {@code models list}. */
public final class Bytes {
  private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB"};

  private Bytes() {}

  /** 1536 → "1.54 KB" (powers of 1000, like the hub's web pages and huggingface-cli). */
  public static String human(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double v = bytes;
    int unit = 0;
    while (v >= 1000 && unit < UNITS.length - 1) {
      v /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, UNITS[unit]);
  }

  /** 83 → "1:23", 3723 → "1:02:03". */
  static String duration(long seconds) {
    long s = Math.max(0, seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /** Keeps the end of a long file name, which is the part that differs between shards. */
  static String shortName(String name, int width) {
    if (name.length() <= width) {
      return String.format(Locale.ROOT, "%-" + width + "s", name);
    }
    return "…" + name.substring(name.length() - width + 1);
  }
}
