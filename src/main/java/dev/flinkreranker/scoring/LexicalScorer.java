package dev.flinkreranker.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BM25 over the candidates of one request: the baseline that needs no model.
 *
 * <p>The candidate list of a request is the corpus (document frequencies and average length come
 * from it), which is why this scorer is {@linkplain #requestScoped() request-scoped}.
 */
public final class LexicalScorer implements Scorer {
  // The usual Okapi BM25 constants (Robertson and Zaragoza).
  private static final double K1 = 1.2;
  private static final double B = 0.75;

  @Override
  public String name() {
    return ScorerSpec.LEXICAL;
  }

  @Override
  public PreparedPair prepare(Pair pair) {
    return new PreparedPair(pair, terms(pair.document()).size(), false, null);
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    int n = pairs.size();
    List<Map<String, Integer>> termCounts = new ArrayList<>(n);
    int[] lengths = new int[n];
    Map<String, Integer> documentFrequency = new HashMap<>();
    long totalLength = 0;
    for (int i = 0; i < n; i++) {
      List<String> terms = terms(pairs.get(i).pair().document());
      Map<String, Integer> counts = new HashMap<>();
      for (String t : terms) {
        counts.merge(t, 1, Integer::sum);
      }
      for (String t : counts.keySet()) {
        documentFrequency.merge(t, 1, Integer::sum);
      }
      termCounts.add(counts);
      lengths[i] = terms.size();
      totalLength += terms.size();
    }
    double averageLength = n == 0 ? 0 : Math.max(1.0, (double) totalLength / n);
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      double score = 0;
      // Each distinct query term counts once: repeating a word in the query should not double it.
      for (String q : new java.util.LinkedHashSet<>(terms(pairs.get(i).pair().query()))) {
        int tf = termCounts.get(i).getOrDefault(q, 0);
        if (tf == 0) {
          continue;
        }
        int df = documentFrequency.get(q);
        double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[i] / averageLength));
      }
      scores[i] = (float) score;
    }
    return scores;
  }

  @Override
  public boolean requestScoped() {
    return true;
  }

  /** Lower-cased runs of letters and digits. */
  static List<String> terms(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    text.toLowerCase(Locale.ROOT)
        .codePoints()
        .forEach(
            cp -> {
              if (Character.isLetterOrDigit(cp)) {
                current.appendCodePoint(cp);
              } else if (current.length() > 0) {
                out.add(current.toString());
                current.setLength(0);
              }
            });
    if (current.length() > 0) {
      out.add(current.toString());
    }
    return out;
  }
}
