package dev.flinkreranker.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.scoring.Scorers;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkTestCluster;
import dev.flinkreranker.testutil.KafkaJobRun;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list shape over a Kafka-backed table of candidate sets (JSON, the job's input format): the
 * top-1 that ML_PREDICT picks is the DataStream job's top-1 for the same records.
 */
class ListRerankingKafkaSqlITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path tmp;

  @Test
  void top1MatchesTheDataStreamJob() throws Exception {
    Path checkpoint = SqlTestModels.tinyCheckpoint(tmp);
    String in = "sql-candidates";
    String out = "sql-job-results";
    String dlq = "sql-job-dead-letters";
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(in, out, dlq), 2,
        (short) 1);
    List<CandidateSet> sets = new ArrayList<>();
    Random random = new Random(9);
    for (int i = 0; i < 16; i++) {
      sets.add(CandidateSets.generate(i, random).set());
    }
    sets.add(new CandidateSet("mixed", "东京有哪些博物馆？", null, List.of(
        new Candidate("ja", "東京の国立科学博物館は人気です。", null, null),
        new Candidate("empty", "", null, null)), Instant.EPOCH, null, Map.of()));
    List<byte[]> values = new ArrayList<>();
    for (CandidateSet s : sets) {
      values.add(CandidateSets.json(s, false));
    }
    KafkaTestUtil.produce(kafka.bootstrapServers(), in, values);

    Map<String, String> jobTop1 = dataStreamTop1(checkpoint, in, out, dlq, sets.size());
    assertEquals(sets.size(), jobTop1.size());

    StreamTableEnvironment tEnv = SqlTestModels.tableEnv(2);
    tEnv.executeSql("CREATE TABLE candidate_sets ("
        + " request_id STRING, query STRING, candidates ARRAY<ROW<id STRING, text STRING>>"
        + ") WITH ("
        + " 'connector' = 'kafka', 'topic' = '" + in + "',"
        + " 'properties.bootstrap.servers' = '" + kafka.bootstrapServers() + "',"
        + " 'properties.group.id' = 'sql-itcase',"
        + " 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',"
        + " 'format' = 'json')");
    Map<String, String> options = SqlTestModels.options(checkpoint);
    options.put("max-candidates", "9"); // generated sets have 2..9 candidates
    tEnv.executeSql(SqlTestModels.createModel("reranker",
        "query STRING, candidates ARRAY<ROW<id STRING, text STRING>>",
        "top1_index INT, top1_score DOUBLE, scores ARRAY<DOUBLE>", options));

    List<Row> rows = SqlTestModels.collect(tEnv, "SELECT request_id,"
        + " candidates[top1_index].id AS top1_id, top1_score, CARDINALITY(scores) AS n"
        + " FROM ML_PREDICT(TABLE candidate_sets, MODEL reranker, DESCRIPTOR(query, candidates))");
    assertEquals(sets.size(), rows.size());
    Map<String, Integer> sizes = new HashMap<>();
    for (CandidateSet s : sets) {
      sizes.put(s.getRequestId(), s.getCandidates().size());
    }
    for (Row r : rows) {
      String id = (String) r.getField("request_id");
      assertEquals(jobTop1.get(id), r.getField("top1_id"), id);
      assertEquals(sizes.get(id), r.getField("n"), id);
    }

    // A set over max-candidates is not scored: NULL outputs (no reason column declared).
    tEnv.executeSql(SqlTestModels.createModel("small", "query STRING, candidates ARRAY<STRING>",
        "top1_index INT, top1_score DOUBLE, scores ARRAY<DOUBLE>, reason STRING",
        Map.of("model", checkpoint.toString(), "device", "cpu", "max-candidates", "2")));
    List<Row> tooMany = SqlTestModels.collect(tEnv, "SELECT top1_index, reason FROM ML_PREDICT("
        + "(SELECT 'q' AS query, ARRAY['a', 'b', 'c'] AS candidates), MODEL small,"
        + " DESCRIPTOR(query, candidates))");
    assertEquals(1, tooMany.size());
    assertNull(tooMany.get(0).getField("top1_index"));
    assertEquals("TOO_MANY_CANDIDATES: 3 candidates, more than the model's max-candidates=2",
        tooMany.get(0).getField("reason"));
  }

  /** Runs the DataStream job over the topic; request id → id of its top-1 candidate. */
  private Map<String, String> dataStreamTop1(Path checkpoint, String in, String out, String dlq,
      int expected) throws Exception {
    new KafkaJobRun(kafka.bootstrapServers(), in, out, dlq, "sql-itcase")
        .set("model.name", checkpoint.toString())
        .set("model.device", "cpu")
        .set("model.dtype", "fp32")
        .set("model.max-length", "256")
        .run(Scorers::open, "sql-itcase-datastream");
    ObjectMapper json = new ObjectMapper();
    Map<String, String> top1 = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r
        : KafkaTestUtil.awaitCommitted(kafka.bootstrapServers(), out, expected)) {
      JsonNode node = json.readTree(r.value());
      top1.put(node.get("request_id").asText(), node.get("top1").get("id").asText());
    }
    return top1;
  }
}
