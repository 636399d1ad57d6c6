package dev.flinkreranker.job;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.avro.RankedCandidate;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.RecordEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cheap bound that spares most results a second encoding is never below the real size. */
class ResultSizeBoundTest {
  /** Characters that encode largest: control characters (JSON escapes), CJK, emoji, quotes. */
  private static final String[] PIECES = {"\u0001", "\u001f", "\"", "\\", "中", "\ud83d\ude00", "a", " "};

  private static String text(Random random, int n) {
    StringBuilder b = new StringBuilder();
    while (b.length() < n) {
      b.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return b.toString();
  }

  private static RerankResult result(Random random) {
    List<RankedCandidate> ranked = new ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(12); i++) {
      ranked.add(RankedCandidate.newBuilder().setId(text(random, random.nextInt(20)))
          .setText(text(random, random.nextInt(300))).setScore(random.nextDouble() / 3)
          .setRank(i + 1).setOriginalRank(random.nextInt(200) + 1)
          .setRetrievalScore(random.nextBoolean() ? -random.nextDouble() * 1e-300 : null)
          .setSource(random.nextBoolean() ? text(random, 8) : null).setTruncated(true)
          .setTextTruncated(true).build());
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i < random.nextInt(5); i++) {
      attributes.put(text(random, 1 + random.nextInt(10)), text(random, random.nextInt(30)));
    }
    return RerankResult.newBuilder().setRequestId(text(random, 1 + random.nextInt(40)))
        .setQuery(text(random, random.nextInt(200))).setTop1(ranked.get(0)).setRanked(ranked)
        .setModel("lexical").setEventTime(Instant.ofEpochMilli(Long.MAX_VALUE / 2))
        .setEmittedAt(Instant.ofEpochMilli(-1)).setQueueMillis(Long.MIN_VALUE)
        .setInferenceMillis(Long.MAX_VALUE).setCandidateCount(Integer.MIN_VALUE)
        .setAttributes(attributes).build();
  }

  @Test
  void theBoundIsAtLeastTheEncodedSizeInEitherFormat() {
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      RerankResult r = result(random);
      long bound = RankingFunction.sizeBound(r);
      for (CandidateSetCodec.Format f : CandidateSetCodec.Format.values()) {
        int size = RecordEncoding.encode(r, f).length;
        assertTrue(size <= bound, f + ": " + size + " bytes, bound " + bound);
      }
    }
  }
}
