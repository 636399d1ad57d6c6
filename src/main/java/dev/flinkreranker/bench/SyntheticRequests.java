package dev.flinkreranker.bench;

import dev.flinkreranker.score.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A reproducible stream of rerank requests with a realistic mix: most requests carry 5–20
 * candidates, some up to 100; documents are mostly snippets, some paragraphs, a few long passages.
 * The mix matters: padding and batching only show their effect on mixed lengths.
 */
public final class SyntheticRequests {
  private static final String[] WORDS = (
      "stream flink kafka model token batch query document search vector index latency "
      + "throughput river market engine garden castle orbit lantern network kernel merge sorted "
      + "list pointer memory window checkpoint state operator result score rank candidate retrieve "
      + "question answer museum tokyo water health capital germany transformer attention long "
      + "short context python error module install numpy java file line read").split(" ");

  private SyntheticRequests() {}

  /** {@code count} requests, each a list of pairs sharing one query. */
  public static List<List<Pair>> generate(int count, long seed) {
    return generate(count, seed, 1.0, 1.0);
  }

  /**
   * Like {@link #generate(int, long)} with candidate counts and document lengths scaled (at least
   * 1), for models too slow on a CPU to take the full mix in a benchmark's time.
   */
  public static List<List<Pair>> generate(int count, long seed, double candidateScale,
      double lengthScale) {
    Random r = new Random(seed);
    List<List<Pair>> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String query = words(r, 4 + r.nextInt(8));
      double u = r.nextDouble();
      int candidates = scale(candidateScale,
          u < 0.5 ? 5 + r.nextInt(16) : u < 0.85 ? 20 + r.nextInt(31) : 50 + r.nextInt(51));
      List<Pair> pairs = new ArrayList<>(candidates);
      for (int c = 0; c < candidates; c++) {
        double v = r.nextDouble();
        int length = scale(lengthScale,
            v < 0.6 ? 15 + r.nextInt(50) : v < 0.9 ? 80 + r.nextInt(150) : 250 + r.nextInt(250));
        pairs.add(Pair.of(query, words(r, length)));
      }
      requests.add(pairs);
    }
    return requests;
  }

  private static int scale(double factor, int n) {
    return Math.max(1, (int) Math.round(n * factor));
  }

  private static String words(Random r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }
}
