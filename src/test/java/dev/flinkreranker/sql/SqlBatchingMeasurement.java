package dev.flinkreranker.sql;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.scoring.ScoringService;
import dev.flinkreranker.testutil.CandidateSets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Measures ML_PREDICT on a tiny random checkpoint, async vs sync, on the same rows: mean batch size
 * (the service's counters) and pairs/s. Not a test (speed is not asserted); run it with
 * {@code java} on the test classpath (see docs/sql.md; Maven's exec:java
 * classloader breaks Flink's job submission).
 */
public final class SqlBatchingMeasurement {
  private SqlBatchingMeasurement() {}

  public static void main(String[] args) throws Exception {
    int sets = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    Path dir = Files.createTempDirectory("sql-measure");
    Path checkpoint = SqlTestModels.tinyCheckpoint(dir);
    Map<String, String> options = SqlTestModels.options(checkpoint);
    List<Row> rows = new ArrayList<>();
    Random random = new Random(1);
    for (int i = 0; i < sets; i++) {
      CandidateSet set = CandidateSets.generate(i, random).set();
      for (Candidate c : set.getCandidates()) {
        rows.add(Row.of(set.getQuery(), c.getText()));
      }
    }
    // A DataStream source: VALUES would compile every row into generated code, which costs more
    // than scoring them.
    var type = Types.ROW_NAMED(new String[] {"query", "document"}, Types.STRING, Types.STRING);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
    tEnv.createTemporaryView("many", tEnv.fromDataStream(env.fromData(rows, type)));
    tEnv.executeSql(SqlTestModels.createModel("reranker", "query STRING, document STRING",
        "score DOUBLE", options));
    // The same model without max-wait: a batch takes what is queued when the model is free.
    Map<String, String> noWait = new java.util.LinkedHashMap<>(options);
    noWait.put("batch.max-wait", "0ms");
    tEnv.executeSql(SqlTestModels.createModel("no_wait", "query STRING, document STRING",
        "score DOUBLE", noWait));
    ScoringService service = SqlTestModels.acquire(options);
    ScoringService noWaitService = SqlTestModels.acquire(noWait);
    try {
      String async = "MAP['async', 'true', 'max-concurrent-operations', '32']";
      String sync = "MAP['async', 'false']";
      measure(tEnv, service, "reranker", async, rows.size()); // warm-up: JIT, model threads
      double[] a = measure(tEnv, service, "reranker", async, rows.size());
      double[] s = measure(tEnv, service, "reranker", sync, rows.size());
      double[] s0 = measure(tEnv, noWaitService, "no_wait", sync, rows.size());
      double[] a0 = measure(tEnv, noWaitService, "no_wait", async, rows.size());
      System.out.printf("ML_PREDICT on %d pairs, tiny Qwen3, parallelism 1:%n", rows.size());
      System.out.printf("  async (32 concurrent): mean batch %.2f pairs, %.0f pairs/s%n", a[0],
          a[1]);
      System.out.printf("  sync:                  mean batch %.2f pairs, %.0f pairs/s%n", s[0],
          s[1]);
      System.out.printf("  sync, max-wait 0:      mean batch %.2f pairs, %.0f pairs/s%n", s0[0],
          s0[1]);
      System.out.printf("  async, max-wait 0:     mean batch %.2f pairs, %.0f pairs/s%n", a0[0],
          a0[1]);
      System.out.printf("  async / sync: %.2fx batch size, %.2fx pairs/s; with max-wait 0: %.2fx"
          + " batch size, %.2fx pairs/s%n", a[0] / s[0], a[1] / s[1], a0[0] / s0[0], a0[1] / s0[1]);
    } finally {
      service.release();
      noWaitService.release();
    }
    System.exit(0); // the MiniCluster's non-daemon threads would keep the measurement alive
  }

  /**
   * Mean batch size and pairs/s of one query, timed from its first result row to its last so that
   * job start-up does not count.
   */
  private static double[] measure(StreamTableEnvironment tEnv, ScoringService service,
      String model, String mode, int pairs) throws Exception {
    long batches = service.batches();
    long batched = service.batchedPairs();
    long first = 0;
    long last = 0;
    int rows = 0;
    try (CloseableIterator<Row> it = tEnv.executeSql("SELECT score FROM ML_PREDICT(TABLE many,"
        + " MODEL " + model + ", DESCRIPTOR(query, document), " + mode + ")").collect()) {
      while (it.hasNext()) {
        it.next();
        last = System.nanoTime();
        if (rows++ == 0) {
          first = last;
        }
      }
    }
    if (rows != pairs) {
      throw new IllegalStateException(rows + " rows back for " + pairs + " pairs");
    }
    return new double[] {
        (double) (service.batchedPairs() - batched) / (service.batches() - batches),
        (rows - 1) / ((last - first) / 1e9)};
  }
}
