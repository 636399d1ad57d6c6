package dev.flinkreranker.testutil;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.kafka.RecordEncoding;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Candidate sets built so that the right answer is unambiguous: request {@code i}'s query is made
 * of words that occur only in that request, and exactly one candidate (the "answer", at a random
 * position) contains all of them, while the others share at most one.
 */
public final class CandidateSets {
  private CandidateSets() {}

  private static final String[] FILLER = {
    "river", "mountain", "network", "kernel", "garden", "market", "violin", "orbit", "harbor",
    "lantern", "castle", "puzzle", "cobalt", "meadow", "engine", "silver", "thunder", "canvas"
  };

  /** A generated request and the id of its answer. */
  public record Generated(CandidateSet set, String expectedTop1) {}

  public static Generated generate(int i, Random random) {
    String[] words = {"qa" + i + "x", "qb" + i + "y", "qc" + i + "z"};
    String query = "where is " + String.join(" ", words);
    int n = 2 + random.nextInt(8);
    int answer = random.nextInt(n);
    List<Candidate> candidates = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 4 + random.nextInt(30); w++) {
        text.append(FILLER[random.nextInt(FILLER.length)]).append(' ');
      }
      if (c == answer) {
        text.append(String.join(" ", words));
      } else if (random.nextBoolean()) {
        text.append(words[random.nextInt(3)]);
      }
      candidates.add(new Candidate("r" + i + "-c" + c, text.toString().trim(),
          random.nextDouble(), c % 2 == 0 ? "bm25" : "vector"));
    }
    CandidateSet set = new CandidateSet("req-" + i, query, null, candidates,
        Instant.ofEpochMilli(1_790_000_000_000L + i * 1000L), null, Map.of("i", Integer.toString(i)));
    return new Generated(set, "r" + i + "-c" + answer);
  }

  /** Plain JSON with the schema's field names, event_time as ISO-8601 for every other record. */
  public static byte[] json(CandidateSet set, boolean isoTime) {
    var node = RecordEncoding.toJson(set);
    if (isoTime) {
      node.put("event_time", set.getEventTime().toString());
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] avro(CandidateSet set) {
    return RecordEncoding.avro(set);
  }

  /** Replaces the first occurrence of {@code marker} (UTF-8) with the same number of 0xFF bytes. */
  public static byte[] corruptUtf8(byte[] encoded, String marker) {
    byte[] m = marker.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + m.length <= encoded.length; i++) {
      for (int j = 0; j < m.length; j++) {
        if (encoded[i + j] != m[j]) {
          continue outer;
        }
      }
      byte[] copy = encoded.clone();
      for (int j = 0; j < m.length; j++) {
        copy[i + j] = (byte) 0xFF;
      }
      return copy;
    }
    throw new IllegalArgumentException("marker not found");
  }
}
