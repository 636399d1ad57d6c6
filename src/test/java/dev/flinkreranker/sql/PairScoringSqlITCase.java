package dev.flinkreranker.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.ScoringService;
import dev.flinkreranker.scoring.Scorers;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.FlinkTestCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code CREATE MODEL ... 'qwen3-reranker'} and {@code ML_PREDICT} on a tiny random Qwen3
 * checkpoint: the scores are the scorer's own for the same pairs, async rows share batches, and a
 * row that cannot be scored comes back with a NULL score and its reason.
 */
class PairScoringSqlITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @TempDir Path tmp;

  @Test
  void scoresEqualTheScorerAndAsyncRowsShareBatches() throws Exception {
    Path checkpoint = SqlTestModels.tinyCheckpoint(tmp);
    Map<String, String> options = SqlTestModels.options(checkpoint);

    List<Pair> pairs = new ArrayList<>();
    Random random = new Random(5);
    for (int i = 0; i < 12; i++) {
      CandidateSet set = CandidateSets.generate(i, random).set();
      for (Candidate c : set.getCandidates()) {
        pairs.add(Pair.of(set.getQuery(), c.getText()));
      }
    }
    pairs.add(Pair.of("東京の博物館", "")); // an empty document is scored, as in the job
    List<Row> rows = new ArrayList<>();
    for (Pair p : pairs) {
      rows.add(Row.of(rows.size(), p.query(), p.document()));
    }
    rows.add(Row.of(rows.size(), "a query", null));
    rows.add(Row.of(rows.size(), " ", "a document"));

    StreamTableEnvironment tEnv = SqlTestModels.tableEnv(1);
    tEnv.createTemporaryView("pairs", tEnv.fromValues(DataTypes.ROW(
        DataTypes.FIELD("id", DataTypes.INT()),
        DataTypes.FIELD("query", DataTypes.STRING()),
        DataTypes.FIELD("document", DataTypes.STRING())), rows));
    tEnv.executeSql(SqlTestModels.createModel("reranker", "query STRING, document STRING",
        "score DOUBLE, reason STRING", options));

    float[] expected;
    try (Scorer scorer = Scorers.open(
        Qwen3RerankerModelProviderFactory.scoringKey("test", org.apache.flink.configuration
            .Configuration.fromMap(options)).spec())) {
      expected = scorer.score(pairs);
    }

    // The test holds a reference to the TaskManager's service (same JVM) to read its counters.
    ScoringService service = SqlTestModels.acquire(options);
    try {
      long batches = service.batches();
      long batched = service.batchedPairs();
      List<Row> out = SqlTestModels.collect(tEnv, "SELECT id, score, reason"
          + " FROM ML_PREDICT(TABLE pairs, MODEL reranker, DESCRIPTOR(query, document),"
          + " MAP['async', 'true', 'max-concurrent-operations', '16'])");
      long asyncBatches = service.batches() - batches;
      long asyncPairs = service.batchedPairs() - batched;

      assertEquals(rows.size(), out.size(), "every row comes back, the unscorable ones too");
      out = byId(out);
      for (int i = 0; i < pairs.size(); i++) {
        Row r = out.get(i);
        assertEquals(expected[i], (Double) r.getField("score"), 1e-5, "pair " + i);
        assertNull(r.getField("reason"));
      }
      Row nullDocument = out.get(pairs.size());
      assertNull(nullDocument.getField("score"));
      assertEquals("NULL_FIELD: document is NULL", nullDocument.getField("reason"));
      Row blankQuery = out.get(pairs.size() + 1);
      assertNull(blankQuery.getField("score"));
      assertEquals("MISSING_QUERY: query is NULL or empty", blankQuery.getField("reason"));

      assertEquals(pairs.size(), asyncPairs, "each scorable row scored once");
      double asyncMean = (double) asyncPairs / asyncBatches;
      assertTrue(asyncMean > 1.0, "async rows share batches, mean batch " + asyncMean);

      // The same rows with 'async' = 'false' on one subtask: one row per batch.
      batches = service.batches();
      batched = service.batchedPairs();
      List<Row> sync = SqlTestModels.collect(tEnv, "SELECT id, score FROM ML_PREDICT(TABLE pairs,"
          + " MODEL reranker, DESCRIPTOR(query, document), MAP['async', 'false'])");
      assertEquals(rows.size(), sync.size());
      sync = byId(sync);
      for (int i = 0; i < pairs.size(); i++) {
        assertEquals(expected[i], (Double) sync.get(i).getField("score"), 1e-5, "sync pair " + i);
      }
      assertEquals(service.batchedPairs() - batched, service.batches() - batches,
          "a sync subtask scores one row per batch");
    } finally {
      service.release();
    }
  }

  private static List<Row> byId(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(java.util.Comparator.comparing(r -> (Integer) r.getField("id")));
    return sorted;
  }
}
