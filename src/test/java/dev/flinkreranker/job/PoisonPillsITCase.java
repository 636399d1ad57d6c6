package dev.flinkreranker.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.kafka.RecordEncoding;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkTestCluster;
import dev.flinkreranker.testutil.KafkaJobRun;
import dev.flinkreranker.testutil.KafkaTestUtil;
import dev.flinkreranker.testutil.PoisonScorer;
import dev.flinkreranker.validation.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison pills produced to a real topic, next to good requests: each becomes a dead letter with its
 * reason or a bounded result, the job runs to its end without a single failure (restarts are off,
 * so one would fail the test instead of looping), and records in = results + dead letters.
 *
 * <p>The good requests have event times 30 days and 2 years old, beyond the output topic's 7-day
 * retention, and the broker checks retention every 500 ms: results stamped with their event time
 * were deleted from committed output by that check; results are stamped with the time they are
 * written.
 */
class PoisonPillsITCase {
  private static final long RETENTION_CHECK_MS = 500;
  private static final int MAX_OUTPUT_BYTES = 200_000;
  private static final int MAX_DEAD_LETTER_PAYLOAD = 64 * 1024;

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension(
      Map.of("log.retention.check.interval.ms", Long.toString(RETENTION_CHECK_MS)));

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One input record and what it must become: a result (reason null) or that dead letter. */
  private record Case(String name, byte[] value, ReasonCode reason, String expectedTop1) {}

  @Test
  void everyPoisonPillIsAccountedForAndOldResultsSurviveRetention() throws Exception {
    String in = "poison-in";
    String out = "poison-results";
    String dlq = "poison-dead-letters";
    // One input partition: a dead letter's offset is then the index of its case.
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(in), 1, (short) 1);
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(out, dlq), 2,
        (short) 1);

    Instant now = Instant.now();
    List<Case> cases = new ArrayList<>();
    Random random = new Random(14);
    for (int i = 0; i < 40; i++) {
      CandidateSets.Generated g = CandidateSets.generate(i, random);
      // Older than the topic's retention (7 days by default).
      g.set().setEventTime(now.minus(Duration.ofDays(i % 2 == 0 ? 30 : 730)));
      cases.add(new Case("good " + i, CandidateSets.json(g.set(), i % 4 == 0), null,
          g.expectedTop1()));
    }

    // event_time that cannot be a timestamp, or runs ahead
    cases.add(pill("negative event_time", withEventTime(-5), ReasonCode.INVALID_EVENT_TIME));
    cases.add(pill("event_time past epoch millis",
        withEventTime("+300000000-01-01T00:00:00Z"), ReasonCode.INVALID_EVENT_TIME));
    cases.add(pill("event_time Long.MAX", withEventTime(Long.MAX_VALUE),
        ReasonCode.INVALID_EVENT_TIME));
    cases.add(pill("event_time not a long", json("{\"request_id\":\"t\",\"query\":\"q\","
        + "\"event_time\":1e30,\"candidates\":[{\"id\":\"a\",\"text\":\"b\"}]}"),
        ReasonCode.INVALID_EVENT_TIME));
    cases.add(pill("event_time two hours ahead",
        withEventTime(now.plus(Duration.ofHours(2)).toString()), ReasonCode.INVALID_EVENT_TIME));

    // sizes
    ObjectNode big = request("big-docs");
    ((ObjectNode) big.withArray("candidates").get(0)).put("text",
        "alpha beta gamma ".repeat(53_000)); // ~900 KB
    cases.add(new Case("900 KB request", bytes(big), null, null));
    byte[] malformed = new byte[1_000_000];
    java.util.Arrays.fill(malformed, (byte) 'x');
    malformed[0] = '{';
    cases.add(pill("1 MB malformed", malformed, ReasonCode.MALFORMED_JSON));
    ObjectNode many = request("many");
    ArrayNode candidates = many.putArray("candidates");
    for (int c = 0; c < 30_000; c++) {
      candidates.addObject().put("id", "c" + c).put("text", "t" + c);
    }
    cases.add(pill("30,000 candidates", bytes(many), ReasonCode.TOO_MANY_CANDIDATES));
    ObjectNode hugeQuery = request("huge-query");
    hugeQuery.put("query", "q ".repeat(150_000)); // a valid request, a 300 KB result
    cases.add(pill("result over output.max-record-bytes", bytes(hugeQuery),
        ReasonCode.RESULT_TOO_LARGE));
    cases.add(pill("long request_id", bytes(request("r".repeat(600))), ReasonCode.INVALID_FIELD));

    // JSON that is more or less than one object
    String one = new String(bytes(request("two-objects")), StandardCharsets.UTF_8);
    cases.add(pill("two objects on one line", json(one + " " + one), ReasonCode.MALFORMED_JSON));
    cases.add(pill("trailing garbage", json(one + "xyz"), ReasonCode.MALFORMED_JSON));

    // text that looks like something but is not
    for (String blank : List.of("\u00a0\u00a0", "\u200b", "\u3000 \u3000", "\ufeff\u2060")) {
      ObjectNode r = request("blank-" + (int) blank.charAt(0));
      r.put("query", blank);
      cases.add(pill("invisible query U+" + Integer.toHexString(blank.charAt(0)), bytes(r),
          ReasonCode.MISSING_QUERY));
    }
    cases.add(pill("lone surrogate in a text", json("{\"request_id\":\"s1\",\"query\":\"q\","
        + "\"candidates\":[{\"id\":\"a\",\"text\":\"x\\ud800y\"}]}"), ReasonCode.INVALID_UTF8));
    cases.add(pill("reversed surrogates in the query", json("{\"request_id\":\"s2\","
        + "\"query\":\"\\udc00\\ud800\",\"candidates\":[{\"id\":\"a\",\"text\":\"b\"}]}"),
        ReasonCode.INVALID_UTF8));
    cases.add(pill("lone surrogate in request_id", json("{\"request_id\":\"s3\\udfff\","
        + "\"query\":\"q\",\"candidates\":[{\"id\":\"a\",\"text\":\"b\"}]}"),
        ReasonCode.INVALID_UTF8));
    cases.add(pill("retrieval_score 1e400", json("{\"request_id\":\"inf\",\"query\":\"q\","
        + "\"candidates\":[{\"id\":\"a\",\"text\":\"b\",\"retrieval_score\":1e400}]}"),
        ReasonCode.INVALID_FIELD));

    // a model that returns NaN
    ObjectNode nan = request("nan");
    ((ObjectNode) nan.withArray("candidates").get(1)).put("text", PoisonScorer.NAN + " text");
    cases.add(pill("NaN score", bytes(nan), ReasonCode.SCORING_FAILED));

    KafkaTestUtil.produce(kafka.bootstrapServers(), in,
        cases.stream().map(Case::value).toList());

    new KafkaJobRun(kafka.bootstrapServers(), in, out, dlq, "poison")
        .set("output.max-record-bytes", Integer.toString(MAX_OUTPUT_BYTES))
        .set("async.timeout", "30s")
        .run(PoisonScorer.factory(), "poison-pills");

    // Everything is committed now. Let the broker run its retention check a few times: a result
    // stamped with its (old) event time would be deleted by it.
    Thread.sleep(4 * RETENTION_CHECK_MS);

    Map<String, JsonNode> results = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readCommitted(kafka.bootstrapServers(), out)) {
      assertTrue(r.value().length <= MAX_OUTPUT_BYTES, "result of " + r.value().length + " bytes");
      assertTrue(r.timestamp() >= now.toEpochMilli(), "results are stamped when written");
      JsonNode node = JSON.readTree(r.value());
      assertTrue(results.put(node.get("request_id").asText(), node) == null);
    }
    Map<Long, JsonNode> deadLetters = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readCommitted(kafka.bootstrapServers(), dlq)) {
      assertTrue(r.value().length <= MAX_OUTPUT_BYTES, "dead letter of " + r.value().length);
      JsonNode node = JSON.readTree(r.value());
      assertTrue(deadLetters.put(node.get("offset").asLong(), node) == null);
    }

    assertEquals(cases.size(), results.size() + deadLetters.size(), "in = results + dead letters");
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      JsonNode dead = deadLetters.get((long) i);
      if (c.reason() == null) {
        assertTrue(dead == null, c.name() + " was dead-lettered: " + dead);
        String id = JSON.readTree(c.value()).get("request_id").asText();
        JsonNode result = results.get(id);
        assertNotNull(result, "no result for " + c.name() + " (deleted by retention?)");
        if (c.expectedTop1() != null) {
          assertEquals(c.expectedTop1(), result.get("top1").get("id").asText(), c.name());
        }
        for (JsonNode ranked : result.get("ranked")) {
          assertTrue(ranked.get("text").asText().length() <= 200, c.name());
        }
        continue;
      }
      assertNotNull(dead, "no dead letter for " + c.name());
      assertEquals(c.reason().name(), dead.get("reason_code").asText(),
          c.name() + ": " + dead.get("reason").asText());
      assertEquals(in, dead.get("source_topic").asText());
      // Bounded, but the whole record can be found and verified.
      byte[] payload = dead.get("payload").binaryValue();
      assertEquals(c.value().length, dead.get("payload_size").asLong(), c.name());
      assertEquals(sha256(c.value()), dead.get("payload_sha256").asText(), c.name());
      boolean cut = c.value().length > MAX_DEAD_LETTER_PAYLOAD;
      assertEquals(cut, dead.get("payload_truncated").asBoolean(), c.name());
      assertEquals(Math.min(c.value().length, MAX_DEAD_LETTER_PAYLOAD), payload.length, c.name());
      assertFalse(dead.get("reason").asText().contains("Source:"), c.name());
    }
    // The 900 KB request gave a small result: texts are cut to output.text-max-chars.
    JsonNode bigResult = results.get("big-docs");
    assertTrue(bigResult.get("ranked").findValues("text_truncated").stream()
        .anyMatch(JsonNode::asBoolean));
  }

  private static Case pill(String name, byte[] value, ReasonCode reason) {
    return new Case(name, value, reason, null);
  }

  /** A small valid request with this id. */
  private static ObjectNode request(String id) {
    CandidateSet set = CandidateSets.generate(1, new Random(id.hashCode())).set();
    set.setRequestId(id);
    set.setEventTime(Instant.now().minus(Duration.ofHours(1)));
    return RecordEncoding.toJson(set);
  }

  private static byte[] withEventTime(long millis) {
    ObjectNode r = request("t" + millis);
    r.put("event_time", millis);
    return bytes(r);
  }

  private static byte[] withEventTime(String iso) {
    ObjectNode r = request("t" + iso);
    r.put("event_time", iso);
    return bytes(r);
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] value) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
  }
}
