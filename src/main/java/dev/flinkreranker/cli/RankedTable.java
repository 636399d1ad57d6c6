package dev.flinkreranker.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The terminal table of {@code try}: rank, score, the first 120 characters, top-1 highlighted. */
final class RankedTable {
  static final int PREVIEW_CHARS = 120;
  private static final String BOLD_GREEN = "\u001b[1;32m";
  private static final String RESET = "\u001b[0m";

  private RankedTable() {}

  static String render(List<String> docs, float[] scores, boolean ansi) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      order.add(i);
    }
    // Highest score first; ties keep the input order (List.sort is stable).
    order.sort(Comparator.comparingDouble((Integer i) -> -scores[i]));
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%4s  %-8s  %s%n", "rank", "score", "document"));
    for (int r = 0; r < order.size(); r++) {
      int i = order.get(r);
      String line = String.format("%4d  %.6f  %s", r + 1, scores[i], preview(docs.get(i)));
      if (r == 0) {
        line = ansi ? BOLD_GREEN + line + RESET : line + "   <- top 1";
      }
      sb.append(line).append(System.lineSeparator());
    }
    return sb.toString();
  }

  /** First 120 characters (code points, so no emoji is split) on one line. */
  static String preview(String doc) {
    String flat = doc.replaceAll("\\s+", " ").strip();
    if (flat.codePointCount(0, flat.length()) <= PREVIEW_CHARS) {
      return flat;
    }
    return flat.substring(0, flat.offsetByCodePoints(0, PREVIEW_CHARS)) + "…";
  }
}
