package dev.flinkreranker.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.scoring.LexicalScorer;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkTestCluster;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Async ML_PREDICT from Kafka to an exactly-once Kafka sink, with the only TaskManager killed
 * mid-stream: after the restore every candidate set has exactly one committed result, with the
 * scores of a failure-free run (the rows in flight were re-issued, none lost or doubled).
 */
class SqlFailoverITCase {
  private static final int SETS = 4000;

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @Test
  void killingTheTaskManagerLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster miniCluster)
      throws Exception {
    String in = "sql-failover-in";
    String out = "sql-failover-out";
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(in, out), 2,
        (short) 1);
    Random random = new Random(8);
    List<byte[]> values = new ArrayList<>();
    Map<String, Integer> expectedTop1 = new HashMap<>();
    for (int i = 0; i < SETS; i++) {
      CandidateSet set = CandidateSets.generate(i, random).set();
      values.add(CandidateSets.json(set, false));
      List<Pair> pairs = new ArrayList<>();
      for (Candidate c : set.getCandidates()) {
        pairs.add(Pair.of(set.getQuery(), c.getText()));
      }
      float[] s = new LexicalScorer().score(pairs); // the failure-free scores, outside Flink
      int best = 0;
      for (int c = 1; c < s.length; c++) {
        if (s[c] > s[best]) {
          best = c;
        }
      }
      expectedTop1.put(set.getRequestId(), best + 1);
    }
    KafkaTestUtil.produce(kafka.bootstrapServers(), in, values);

    StreamTableEnvironment tEnv = SqlTestModels.tableEnv(2);
    tEnv.getConfig().set("execution.checkpointing.interval", "300ms");
    tEnv.getConfig().set("restart-strategy.type", "fixed-delay");
    tEnv.getConfig().set("restart-strategy.fixed-delay.attempts", "5");
    tEnv.getConfig().set("restart-strategy.fixed-delay.delay", "1s");
    String kafkaTable = " 'connector' = 'kafka', 'format' = 'json',"
        + " 'properties.bootstrap.servers' = '" + kafka.bootstrapServers() + "'";
    tEnv.executeSql("CREATE TABLE sets (request_id STRING, query STRING, candidates"
        + " ARRAY<ROW<id STRING, text STRING>>) WITH (" + kafkaTable + ", 'topic' = '" + in + "',"
        + " 'properties.group.id' = 'sql-failover', 'scan.startup.mode' = 'earliest-offset',"
        + " 'scan.bounded.mode' = 'latest-offset')");
    tEnv.executeSql("CREATE TABLE results (request_id STRING, top1_index INT, top1_score DOUBLE)"
        + " WITH (" + kafkaTable + ", 'topic' = '" + out + "',"
        + " 'sink.delivery-guarantee' = 'exactly-once',"
        + " 'sink.transactional-id-prefix' = 'sql-failover',"
        + " 'properties.transaction.timeout.ms' = '20000')");
    tEnv.executeSql(SqlTestModels.createModel("bm25", "query STRING, candidates"
        + " ARRAY<ROW<id STRING, text STRING>>", "top1_index INT, top1_score DOUBLE,"
        + " scores ARRAY<DOUBLE>", Map.of("model", "lexical", "batch.max-wait", "5ms")));
    TableResult insert = tEnv.executeSql("INSERT INTO results SELECT request_id, top1_index,"
        + " top1_score FROM ML_PREDICT(TABLE sets, MODEL bm25, DESCRIPTOR(query, candidates),"
        + " MAP['async', 'true', 'max-concurrent-operations', '16'])");

    FlinkTestCluster.killTaskManagerMidStream(miniCluster, kafka.bootstrapServers(), out, 200, SETS);
    insert.await(5, TimeUnit.MINUTES);

    // The killed producers' open transactions block read_committed readers until the broker
    // aborts them (transaction.timeout.ms): wait for them.
    List<ConsumerRecord<byte[], byte[]>> records =
        KafkaTestUtil.awaitCommitted(kafka.bootstrapServers(), out, SETS);
    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> results = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      JsonNode node = json.readTree(r.value());
      String id = node.get("request_id").asText();
      assertTrue(results.put(id, node) == null, "duplicate result for " + id);
    }
    assertEquals(SETS, results.size(), "one result per candidate set");
    for (Map.Entry<String, Integer> e : expectedTop1.entrySet()) {
      assertEquals(e.getValue(), results.get(e.getKey()).get("top1_index").asInt(), e.getKey());
    }
  }
}
