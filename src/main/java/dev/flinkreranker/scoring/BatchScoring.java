package dev.flinkreranker.scoring;

import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.Scorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Scores a list of pairs outside the streaming job (command line, tests), in input order. */
public final class BatchScoring {
  /** Pairs per scorer call for independent (model) scorers, to bound memory on long inputs. */
  static final int CALL_SIZE = 256;

  private BatchScoring() {}

  /**
   * Scores every pair. For a {@linkplain Scorer#requestScoped() request-scoped} scorer, all pairs
   * with the same query and instruction form one request (one call); otherwise pairs go in calls of
   * at most {@value #CALL_SIZE}.
   */
  public static float[] scoreAll(Scorer scorer, List<Pair> pairs) {
    float[] out = new float[pairs.size()];
    if (scorer.requestScoped()) {
      Map<List<String>, List<Integer>> requests = new LinkedHashMap<>();
      for (int i = 0; i < pairs.size(); i++) {
        Pair p = pairs.get(i);
        List<String> key = new ArrayList<>(2);
        key.add(p.query());
        key.add(Objects.toString(p.instruction(), ""));
        requests.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
      }
      for (List<Integer> idx : requests.values()) {
        List<Pair> request = new ArrayList<>(idx.size());
        for (int i : idx) {
          request.add(pairs.get(i));
        }
        float[] s = scorer.score(request);
        for (int j = 0; j < idx.size(); j++) {
          out[idx.get(j)] = s[j];
        }
      }
      return out;
    }
    for (int start = 0; start < pairs.size(); start += CALL_SIZE) {
      int end = Math.min(pairs.size(), start + CALL_SIZE);
      float[] s = scorer.score(pairs.subList(start, end));
      System.arraycopy(s, 0, out, start, s.length);
    }
    return out;
  }

  /** Raw yes−no logits of every pair, in calls of at most {@value #CALL_SIZE} pairs. */
  public static float[] logitsAll(Qwen3Reranker reranker, List<Pair> pairs) {
    float[] out = new float[pairs.size()];
    for (int start = 0; start < pairs.size(); start += CALL_SIZE) {
      int end = Math.min(pairs.size(), start + CALL_SIZE);
      float[] l = reranker.logits(pairs.subList(start, end));
      System.arraycopy(l, 0, out, start, l.length);
    }
    return out;
  }
}
