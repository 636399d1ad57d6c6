package dev.flinkreranker.scoring;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Okapi BM25 over the candidates of one request: the no-weights baseline and the demo's fallback.
 *
 * <p>The corpus of a pair is the set of pairs in the same call that share its query and
 * instruction, i.e. the candidates of its request ({@link #requestScoped()} makes the batcher call
 * this scorer once per request). Scores are mapped to [0, 1] by dividing by the score a document
 * containing every query term would reach at saturation, so 0 means no term in common and the
 * value is comparable across requests of the same query length.
 *
 * <p>Tokenization is Unicode-aware: NFKC, lower case, combining marks removed (Arabic diacritics,
 * Latin accents: café = cafe); runs of letters/digits are words; Han, Hiragana, Katakana and Hangul, which are
 * written without spaces, become single characters plus overlapping bigrams.
 */
public final class LexicalScorer implements Scorer {
  private static final double K1 = 1.2;
  private static final double B = 0.75;

  @Override
  public String name() {
    return ScorerSpec.LEXICAL;
  }

  @Override
  public boolean requestScoped() {
    return true;
  }

  @Override
  public PreparedPair prepare(Pair pair) {
    return new PreparedPair(pair, tokenize(pair.document()).size(), false, null);
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    // Group pairs into corpora by (query, instruction), keeping their positions.
    Map<List<String>, List<Integer>> corpora = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i).pair();
      List<String> key = List.of(p.query(), Objects.requireNonNullElse(p.instruction(), ""));
      corpora.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
    }
    float[] scores = new float[pairs.size()];
    for (Map.Entry<List<String>, List<Integer>> corpus : corpora.entrySet()) {
      List<String> docs = new ArrayList<>();
      for (int i : corpus.getValue()) {
        docs.add(pairs.get(i).pair().document());
      }
      double[] s = bm25(corpus.getKey().get(0), docs);
      for (int j = 0; j < s.length; j++) {
        scores[corpus.getValue().get(j)] = (float) s[j];
      }
    }
    return scores;
  }

  /** Normalised BM25 of each document against the query, with the documents as the corpus. */
  static double[] bm25(String query, List<String> documents) {
    int n = documents.size();
    List<Map<String, Integer>> termFreqs = new ArrayList<>(n);
    Map<String, Integer> docFreq = new HashMap<>();
    double totalLength = 0;
    int[] lengths = new int[n];
    for (int d = 0; d < n; d++) {
      List<String> tokens = tokenize(documents.get(d));
      lengths[d] = tokens.size();
      totalLength += tokens.size();
      Map<String, Integer> tf = new HashMap<>();
      for (String t : tokens) {
        tf.merge(t, 1, Integer::sum);
      }
      for (String t : tf.keySet()) {
        docFreq.merge(t, 1, Integer::sum);
      }
      termFreqs.add(tf);
    }
    double avgLength = n == 0 ? 0 : totalLength / n;
    Set<String> queryTerms = new LinkedHashSet<>(tokenize(query));

    // Saturation bound: a document with every query term and tf -> infinity scores sum(idf*(k1+1)).
    double bound = 0;
    Map<String, Double> idf = new HashMap<>();
    for (String q : queryTerms) {
      int df = docFreq.getOrDefault(q, 0);
      // Lucene's IDF: always positive, so common terms still count a little.
      double w = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      idf.put(q, w);
      bound += w * (K1 + 1);
    }
    double[] scores = new double[n];
    if (bound == 0) {
      return scores;
    }
    for (int d = 0; d < n; d++) {
      double s = 0;
      double norm = avgLength == 0 ? 1 : (1 - B + B * lengths[d] / avgLength);
      for (String q : queryTerms) {
        int tf = termFreqs.get(d).getOrDefault(q, 0);
        if (tf > 0) {
          s += idf.get(q) * tf * (K1 + 1) / (tf + K1 * norm);
        }
      }
      scores[d] = Math.min(1.0, s / bound);
    }
    return scores;
  }

  /** Unicode-aware tokens of a text (see class comment). */
  static List<String> tokenize(String text) {
    String normal = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(java.util.Locale.ROOT);
    List<String> tokens = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    int prevCjk = -1;
    for (int i = 0; i < normal.length(); ) {
      int cp = normal.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
        continue; // diacritics do not change the word
      }
      if (isCjk(cp)) {
        flush(word, tokens);
        tokens.add(new String(Character.toChars(cp)));
        if (prevCjk >= 0) {
          tokens.add(new String(Character.toChars(prevCjk)) + new String(Character.toChars(cp)));
        }
        prevCjk = cp;
      } else if (Character.isLetterOrDigit(cp)) {
        // Strip accents: decompose the letter alone and keep everything but combining marks
        // (per letter, so Hangul syllables, handled above, are never split into jamo).
        String decomposed = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD);
        decomposed.codePoints()
            .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
            .forEach(word::appendCodePoint);
        prevCjk = -1;
      } else {
        flush(word, tokens);
        prevCjk = -1;
      }
    }
    flush(word, tokens);
    return tokens;
  }

  private static void flush(StringBuilder word, List<String> tokens) {
    if (word.length() > 0) {
      tokens.add(word.toString());
      word.setLength(0);
    }
  }

  private static boolean isCjk(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN
        || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA
        || script == Character.UnicodeScript.HANGUL;
  }
}
