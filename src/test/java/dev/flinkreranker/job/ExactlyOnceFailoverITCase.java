package dev.flinkreranker.job;

import dev.flinkreranker.testutil.FlinkTestCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.scoring.LexicalScorer;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.scoring.ForwardingScorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.ScoringService;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once under failover: 10,000 requests, and a TaskManager killed mid-stream (its in-flight
 * requests, its batcher and its model go with it). The read_committed output must still hold exactly
 * one result per request, none missing, none duplicated, with the scores of a failure-free run.
 */
class ExactlyOnceFailoverITCase {
  private static final int REQUESTS = 10_000;

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  /** BM25 that takes a little time per request, so the failure lands mid-stream. */
  static final class SlowLexical extends ForwardingScorer {
    SlowLexical() {
      super(new LexicalScorer());
    }

    static ScoringService.ScorerFactory factory() {
      return (ScorerSpec spec) -> new SlowLexical();
    }

    @Override
    public float[] scorePrepared(List<PreparedPair> pairs) {
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(700));
      return delegate.scorePrepared(pairs);
    }
  }

  @Test
  void killingATaskManagerMidStreamLosesAndDuplicatesNothing(
      @InjectMiniCluster MiniCluster miniCluster) throws Exception {
    String in = "failover-candidates";
    String out = "failover-results";
    String dlq = "failover-dead-letters";
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(in, out, dlq), 4,
        (short) 1);

    Random random = new Random(42);
    List<byte[]> values = new ArrayList<>();
    Map<String, Float> expectedTop1Score = new HashMap<>();
    Map<String, String> expectedTop1 = new HashMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      CandidateSet set = CandidateSets.generate(i, random).set();
      values.add(CandidateSets.json(set, false));
      // The failure-free scores: the same scorer on the same pairs, outside Flink.
      List<Pair> pairs = new ArrayList<>();
      for (Candidate c : set.getCandidates()) {
        pairs.add(Pair.of(set.getQuery(), c.getText()));
      }
      float[] s = new LexicalScorer().score(pairs);
      int best = 0;
      for (int c = 1; c < s.length; c++) {
        if (s[c] > s[best]) {
          best = c;
        }
      }
      expectedTop1.put(set.getRequestId(), set.getCandidates().get(best).getId());
      expectedTop1Score.put(set.getRequestId(), s[best]);
    }
    KafkaTestUtil.produce(kafka.bootstrapServers(), in, values);

    Configuration conf = JobConfig.fromMap(Map.ofEntries(
        Map.entry("kafka.bootstrap-servers", kafka.bootstrapServers()),
        Map.entry("input.topics", in),
        Map.entry("input.format", "json"),
        Map.entry("input.starting-offsets", "earliest"),
        Map.entry("output.topic", out),
        Map.entry("output.dead-letter-topic", dlq),
        Map.entry("output.transactional-id-prefix", "failover"),
        Map.entry("output.transaction-timeout", "15s"),
        Map.entry("job.bounded", "true"),
        Map.entry("job.checkpoint-interval", "300ms"),
        Map.entry("job.parallelism", "2"),
        Map.entry("async.capacity", "16")));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    RerankJob.build(env, conf, KafkaFactory.source(conf), KafkaFactory.resultSink(conf),
        KafkaFactory.deadLetterSink(conf), SlowLexical.factory());
    JobClient job = env.executeAsync("failover");

    FlinkTestCluster.killTaskManagerMidStream(miniCluster, kafka.bootstrapServers(), out, 1000,
        REQUESTS);

    job.getJobExecutionResult().get(5, TimeUnit.MINUTES);

    // The killed TaskManager's producers may leave a transaction open; the broker aborts it after
    // output.transaction-timeout, and until then read_committed consumers stop at it (the last
    // stable offset). Committed results behind it are not lost, only not yet readable: wait.
    List<ConsumerRecord<byte[], byte[]>> records;
    long readDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while ((records = KafkaTestUtil.readCommitted(kafka.bootstrapServers(), out)).size() < REQUESTS
        && System.nanoTime() < readDeadline) {
      Thread.sleep(500);
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> results = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      JsonNode node = json.readTree(r.value());
      String id = node.get("request_id").asText();
      assertTrue(results.put(id, node) == null, "duplicate result for " + id);
    }
    assertEquals(0, KafkaTestUtil.readCommitted(kafka.bootstrapServers(), dlq).size());
    assertEquals(REQUESTS, results.size(), "one result per request");
    for (Map.Entry<String, String> e : expectedTop1.entrySet()) {
      JsonNode r = results.get(e.getKey());
      assertEquals(e.getValue(), r.get("top1").get("id").asText(), e.getKey());
      assertEquals(expectedTop1Score.get(e.getKey()), (float) r.get("top1").get("score").asDouble(),
          e.getKey());
    }
  }
}
