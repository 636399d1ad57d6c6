package dev.flinkreranker.job;

import dev.flinkreranker.testutil.FlinkTestCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.KafkaJobRun;
import dev.flinkreranker.testutil.KafkaTestUtil;
import dev.flinkreranker.testutil.PoisonScorer;
import dev.flinkreranker.validation.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole job on a real KRaft broker and a Flink MiniCluster: hundreds of candidate sets with
 * every kind of bad input mixed in, read back with a read_committed consumer.
 */
class RerankJobITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a test record should become. */
  private record Expectation(String requestId, String top1, ReasonCode deadLetter) {}

  @ParameterizedTest
  @ValueSource(strings = {"avro", "json"})
  void ranksGoodRecordsAndDeadLettersEveryBadOne(String format) throws Exception {
    String in = "candidates-" + format;
    String out = "results-" + format;
    String dlq = "dead-letters-" + format;
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(in, out, dlq), 3,
        (short) 1);

    Random random = new Random(format.hashCode());
    List<byte[]> values = new ArrayList<>();
    List<Expectation> expected = new ArrayList<>();
    boolean avro = format.equals("avro");
    for (int i = 0; i < 520; i++) {
      CandidateSets.Generated g = CandidateSets.generate(i, random);
      CandidateSet set = g.set();
      String id = set.getRequestId();
      ReasonCode bad = i % 40 == 7 ? badKind(i / 40, avro) : null;
      byte[] value;
      if (bad == null) {
        value = encode(set, avro, i);
      } else {
        value = switch (bad) {
          case EMPTY_RECORD -> null;
          case UNDECODABLE_AVRO -> new byte[] {(byte) 0x9c, 0x01, 0x02, 0x03, 0x04, (byte) 0xff};
          case MALFORMED_JSON -> "{\"request_id\": \"x\", \"query\": ".getBytes(StandardCharsets.UTF_8);
          case INVALID_UTF8 -> {
            set.getCandidates().get(0).setText("MARKERMARKER");
            yield CandidateSets.corruptUtf8(encode(set, avro, i), "MARKERMARKER");
          }
          case MISSING_QUERY -> {
            set.setQuery("   ");
            yield encode(set, avro, i);
          }
          case NO_CANDIDATES -> {
            set.setCandidates(new ArrayList<>());
            yield encode(set, avro, i);
          }
          case TOO_MANY_CANDIDATES -> {
            List<Candidate> many = new ArrayList<>();
            for (int c = 0; c < 21; c++) {
              many.add(new Candidate("m" + c, "text " + c, null, null));
            }
            set.setCandidates(many);
            yield encode(set, avro, i);
          }
          case DUPLICATE_CANDIDATE_ID -> {
            set.getCandidates().get(1).setId(set.getCandidates().get(0).getId());
            yield encode(set, avro, i);
          }
          case NULL_FIELD -> {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                CandidateSets.json(set, false));
            ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("candidates").get(0))
                .putNull("text");
            yield JSON.writeValueAsBytes(node);
          }
          case RECORD_TOO_LARGE -> {
            set.getCandidates().get(0).setText("big ".repeat(20_000));
            yield encode(set, avro, i);
          }
          case SCORING_FAILED -> {
            set.getCandidates().get(0).setText(PoisonScorer.POISON + " in the text");
            yield encode(set, avro, i);
          }
          default -> throw new IllegalStateException(bad.name());
        };
      }
      values.add(value);
      boolean knownId = bad != null && bad != ReasonCode.EMPTY_RECORD
          && bad != ReasonCode.UNDECODABLE_AVRO && bad != ReasonCode.MALFORMED_JSON
          && bad != ReasonCode.RECORD_TOO_LARGE
          && !(bad == ReasonCode.INVALID_UTF8 && !avro);
      expected.add(new Expectation(bad == null || knownId ? id : null, g.expectedTop1(), bad));
    }
    KafkaTestUtil.produce(kafka.bootstrapServers(), in, values);

    new KafkaJobRun(kafka.bootstrapServers(), in, out, dlq, "itcase-" + format)
        .set("input.format", format)
        .set("input.max-candidates", "20")
        .set("input.max-record-bytes", "65536")
        .set("output.format", format.equals("avro") ? "json" : "avro")
        .set("ranking.top-k", "3")
        .run(PoisonScorer.factory(), "itcase-" + format);

    boolean avroOut = !format.equals("avro");
    Map<String, JsonNode> results = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readAllCommitted(kafka.bootstrapServers(), out)) {
      JsonNode node = decode(r.value(), avroOut, dev.flinkreranker.avro.RerankResult.class);
      assertTrue(results.put(node.get("request_id").asText(), node) == null,
          "duplicate result for " + node.get("request_id"));
    }
    List<JsonNode> deadLetters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readAllCommitted(kafka.bootstrapServers(), dlq)) {
      deadLetters.add(decode(r.value(), avroOut, dev.flinkreranker.avro.DeadLetter.class));
    }

    long good = expected.stream().filter(e -> e.deadLetter() == null).count();
    assertEquals(values.size(), results.size() + deadLetters.size(), "in = results + dead letters");
    assertEquals(good, results.size());
    for (Expectation e : expected) {
      if (e.deadLetter() == null) {
        JsonNode result = results.get(e.requestId());
        assertTrue(result != null, "no result for " + e.requestId());
        assertEquals(e.top1(), result.get("top1").get("id").asText(), e.requestId());
        assertEquals(1, result.get("top1").get("rank").asInt());
        assertEquals("lexical", result.get("model").asText());
        assertTrue(result.get("ranked").size() <= 3);
      }
    }
    // Every bad record is a dead letter with the right reason (and id and offset where known).
    Map<ReasonCode, Long> expectedReasons = new HashMap<>();
    expected.stream().filter(e -> e.deadLetter() != null)
        .forEach(e -> expectedReasons.merge(e.deadLetter(), 1L, Long::sum));
    Map<ReasonCode, Long> actualReasons = new HashMap<>();
    for (JsonNode d : deadLetters) {
      actualReasons.merge(ReasonCode.valueOf(d.get("reason_code").asText()), 1L, Long::sum);
      assertEquals(in, d.get("source_topic").asText());
      assertTrue(d.get("offset").asLong() >= 0);
      assertTrue(!d.get("reason").asText().isBlank());
    }
    assertEquals(expectedReasons, actualReasons);
    for (Expectation e : expected) {
      if (e.deadLetter() != null && e.requestId() != null) {
        assertTrue(deadLetters.stream().anyMatch(d -> e.requestId().equals(d.path("request_id").asText())
            && e.deadLetter().name().equals(d.get("reason_code").asText())),
            "dead letter for " + e.requestId() + " " + e.deadLetter());
      }
    }
  }

  private static ReasonCode badKind(int n, boolean avro) {
    List<ReasonCode> kinds = new ArrayList<>(List.of(ReasonCode.EMPTY_RECORD,
        avro ? ReasonCode.UNDECODABLE_AVRO : ReasonCode.MALFORMED_JSON, ReasonCode.INVALID_UTF8,
        ReasonCode.MISSING_QUERY, ReasonCode.NO_CANDIDATES, ReasonCode.TOO_MANY_CANDIDATES,
        ReasonCode.DUPLICATE_CANDIDATE_ID, ReasonCode.RECORD_TOO_LARGE, ReasonCode.SCORING_FAILED));
    if (!avro) {
      kinds.add(ReasonCode.NULL_FIELD); // binary Avro cannot carry a null in a non-null field
    }
    return kinds.get(n % kinds.size());
  }

  private static byte[] encode(CandidateSet set, boolean avro, int i) {
    return avro ? CandidateSets.avro(set) : CandidateSets.json(set, i % 2 == 0);
  }

  /** Output records as plain JSON trees, whichever format the job wrote. */
  private static <T extends org.apache.avro.specific.SpecificRecordBase> JsonNode decode(
      byte[] value, boolean avro, Class<T> type) throws Exception {
    if (!avro) {
      return JSON.readTree(value);
    }
    T record = new org.apache.avro.specific.SpecificDatumReader<>(type)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(value, null));
    return dev.flinkreranker.kafka.RecordEncoding.toJson(record);
  }
}
