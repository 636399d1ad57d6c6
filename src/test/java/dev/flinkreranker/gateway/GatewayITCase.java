package dev.flinkreranker.gateway;

import static dev.flinkreranker.gateway.GatewayRig.get;
import static dev.flinkreranker.gateway.GatewayRig.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkTestCluster;
import dev.flinkreranker.testutil.PoisonScorer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway in front of the real job on a real KRaft broker and a MiniCluster, driven by a plain
 * HTTP client in every dialect, with the seed client's exact request.
 */
class GatewayITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVED = "qwen3-reranker-8b";
  private static GatewayRig rig;

  @BeforeAll
  static void start() throws Exception {
    // Avro results: the gateway decodes the job's output format, whichever it is.
    rig = GatewayRig.start(kafka.bootstrapServers(), "gw", "avro",
        c -> c.servedModelName(SERVED));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals(status, error.get("code").asInt());
    assertFalse(error.get("message").asText().isBlank());
    return error;
  }

  @Test
  void answersTheSeedClientsExactRequest() throws Exception {
    // seed-scenarios.md: the page's client, scenario 5, byte for byte.
    String body = "{\"model\": \"qwen3-reranker-8b\", \"query\": \"fastest way to merge two sorted"
        + " lists in Python\", \"documents\": [\"list1 + list2\", \"heapq.merge(list1, list2)\","
        + " \"A merge algorithm has time complexity O(n+m). It compares elements from both"
        + " lists...\"], \"return_documents\": true}";
    JsonNode r = ok(post(rig.gateway, "/v1/rerank", body));
    assertEquals(SERVED, r.get("model").asText());
    assertTrue(r.get("id").asText().startsWith("rerank-gw-"));
    assertTrue(r.get("usage").get("total_tokens").asInt() > 0);
    JsonNode docs = JSON.readTree(body).get("documents");
    JsonNode results = r.get("results");
    assertEquals(3, results.size());
    Set<Integer> indexes = new HashSet<>();
    double previous = Double.MAX_VALUE;
    for (JsonNode x : results) {
      int i = x.get("index").asInt();
      indexes.add(i);
      assertEquals(docs.get(i).asText(), x.get("document").get("text").asText());
      double s = x.get("relevance_score").asDouble();
      assertTrue(s >= 0 && s <= 1 && s <= previous, "sorted probabilities: " + results);
      previous = s;
    }
    assertEquals(Set.of(0, 1, 2), indexes);
    // The same pairs through vLLM's /score: the same scores, in input order.
    JsonNode score = ok(post(rig.gateway, "/v1/score", JSON.createObjectNode()
        .put("model", SERVED).put("text_1", JSON.readTree(body).get("query").asText())
        .set("text_2", docs).toString()));
    assertEquals("list", score.get("object").asText());
    for (JsonNode x : results) {
      JsonNode d = score.get("data").get(x.get("index").asInt());
      assertEquals(x.get("index").asInt(), d.get("index").asInt());
      assertEquals("score", d.get("object").asText());
      assertEquals(x.get("relevance_score").asDouble(), d.get("score").asDouble(), 0.0);
    }
  }

  private static final String QUERY = "where is the qzx harbor lantern";
  private static final List<String> DOCS = List.of(
      "a castle by the meadow", "the qzx harbor lantern is here by the harbor", "violin orbit",
      "lantern market");

  private static ObjectNode request(String query, List<String> docs) {
    ObjectNode o = JSON.createObjectNode().put("query", query);
    o.set("documents", JSON.valueToTree(docs));
    return o;
  }

  /** Scores by document index through /v1/score. */
  private static double[] scores(String query, List<String> docs) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("text_1", query);
    body.set("text_2", JSON.valueToTree(docs));
    JsonNode data = ok(post(rig.gateway, "/score", body.toString())).get("data");
    double[] s = new double[docs.size()];
    for (int i = 0; i < s.length; i++) {
      assertEquals(i, data.get(i).get("index").asInt(), "input order");
      s[i] = data.get(i).get("score").asDouble();
    }
    return s;
  }

  @Test
  void speaksEachDialect() throws Exception {
    double[] expected = scores(QUERY, DOCS);
    assertTrue(expected[1] > expected[3] && expected[3] > expected[0], "BM25: " + expected[1]);
    // vLLM / Jina / Cohere on every path, top_n honoured, documents as objects accepted.
    for (String path : List.of("/rerank", "/v1/rerank", "/v2/rerank")) {
      ObjectNode body = request(QUERY, DOCS).put("top_n", 2).put("return_documents", false);
      body.set("documents", JSON.valueToTree(DOCS.stream().map(d -> Map.of("text", d)).toList()));
      JsonNode results = ok(post(rig.gateway, path, body.toString())).get("results");
      assertEquals(2, results.size(), path);
      assertEquals(1, results.get(0).get("index").asInt(), path);
      assertEquals(3, results.get(1).get("index").asInt(), path);
      assertEquals(expected[1], results.get(0).get("relevance_score").asDouble(), 0.0, path);
      assertFalse(results.get(0).has("document"), "return_documents false: " + path);
    }
    // TEI: told apart by `texts`; raw scores are the logits of the probabilities.
    ObjectNode tei = JSON.createObjectNode().put("query", QUERY).put("raw_scores", true)
        .put("return_text", true);
    tei.set("texts", JSON.valueToTree(DOCS));
    JsonNode teiAnswer = ok(post(rig.gateway, "/rerank", tei.toString()));
    assertTrue(teiAnswer.isArray());
    assertEquals(DOCS.size(), teiAnswer.size());
    assertEquals(1, teiAnswer.get(0).get("index").asInt());
    assertEquals(DOCS.get(1), teiAnswer.get(0).get("text").asText());
    for (JsonNode x : teiAnswer) {
      assertEquals(RerankCall.logit(expected[x.get("index").asInt()]), x.get("score").asDouble(),
          1e-9);
    }
    tei.put("raw_scores", false).put("return_text", false);
    JsonNode probabilities = ok(post(rig.gateway, "/rerank", tei.toString()));
    assertEquals(expected[1], probabilities.get(0).get("score").asDouble(), 0.0);
    assertFalse(probabilities.get(0).has("text"));
  }

  @Test
  void templateWrappedInputsScoreLikePlainOnes() throws Exception {
    String instruction = "Given a web search query, retrieve relevant passages that answer the query";
    List<String> wrappedDocs = DOCS.stream().map(RerankCallTest::wrapDocument).toList();
    ObjectNode wrapped = request(RerankCallTest.wrapQuery(instruction, QUERY), wrappedDocs);
    JsonNode w = ok(post(rig.gateway, "/v1/rerank", wrapped.toString())).get("results");
    JsonNode p = ok(post(rig.gateway, "/v1/rerank",
        request(QUERY, DOCS).put("instruction", instruction).toString())).get("results");
    assertEquals(DOCS.size(), w.size());
    for (int i = 0; i < w.size(); i++) {
      assertEquals(p.get(i).get("index").asInt(), w.get(i).get("index").asInt());
      assertEquals(p.get(i).get("relevance_score").asDouble(),
          w.get(i).get("relevance_score").asDouble(), 0.0);
      // The answer echoes the documents as the client sent them.
      assertEquals(wrappedDocs.get(w.get(i).get("index").asInt()),
          w.get(i).get("document").get("text").asText());
    }
  }

  @Test
  void badRequestsGetTheDeadLetterReasonAndVllmErrors() throws Exception {
    assertEquals("MISSING_QUERY", error(post(rig.gateway, "/v1/rerank",
        request("  ", DOCS).toString()), 400).get("reason_code").asText());
    assertEquals("NO_CANDIDATES", error(post(rig.gateway, "/v1/rerank",
        request(QUERY, List.of()).toString()), 400).get("reason_code").asText());
    assertEquals("BadRequestError", error(post(rig.gateway, "/v1/rerank", "{\"query\": "), 400)
        .get("type").asText());
    assertEquals("documents", error(post(rig.gateway, "/v1/rerank",
        "{\"query\":\"q\",\"documents\":[1]}"), 400).get("param").asText());
    JsonNode unknown = error(post(rig.gateway, "/v1/rerank",
        request(QUERY, DOCS).put("model", "bge-reranker").toString()), 404);
    assertEquals("NotFoundError", unknown.get("type").asText());
    // The job's own name is accepted as well as the served one.
    ok(post(rig.gateway, "/v1/rerank", request(QUERY, DOCS).put("model", "lexical").toString()));
    // A request only the job can reject comes back with the job's dead-letter reason.
    JsonNode failed = error(post(rig.gateway, "/v1/rerank",
        request(QUERY, List.of("fine", PoisonScorer.POISON + " here")).toString()), 500);
    assertEquals("SCORING_FAILED", failed.get("reason_code").asText());
  }

  @Test
  void modelsHealthAndMetrics() throws Exception {
    JsonNode models = ok(get(rig.gateway, "/v1/models"));
    assertEquals(SERVED, models.get("data").get(0).get("id").asText());
    assertEquals("lexical", models.get("data").get(0).get("root").asText());
    assertEquals(200, get(rig.gateway, "/health").statusCode());
    ok(post(rig.gateway, "/v1/rerank", request(QUERY, DOCS).toString()));
    HttpResponse<String> metrics = get(rig.gateway, "/metrics");
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(metrics.body().contains("gateway_requests_total{endpoint=\"/v1/rerank\",status=\"200\"}"),
        metrics.body());
    assertTrue(metrics.body().contains("# TYPE gateway_pending_requests gauge"));
    assertEquals(404, get(rig.gateway, "/../../etc/passwd").statusCode());
  }

  @Test
  void overloadIs503TimeoutIs504TooLargeIs413() throws Exception {
    // A second gateway whose input topic no job reads: its requests are never answered.
    Configuration conf = new Configuration(rig.conf);
    conf.set(RerankOptions.INPUT_TOPICS, List.of("nobody-reads"));
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of("nobody-reads"), 1,
        (short) 1);
    try (RerankGateway idle = RerankGateway.start(new GatewayConfig().port(0).job(conf)
        .maxPending(1).requestTimeout(Duration.ofSeconds(6)).maxBodyBytes(10_000))) {
      String body = request(QUERY, DOCS).toString();
      CompletableFuture<HttpResponse<String>> first =
          CompletableFuture.supplyAsync(() -> {
            try {
              return post(idle, "/v1/rerank", body);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      while (idle.pending() < 1 && !first.isDone()) {
        Thread.sleep(10);
      }
      error(post(idle, "/v1/rerank", body), 503);
      error(first.get(), 504);
      assertEquals(0, idle.pending());
      List<String> big = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        big.add("x".repeat(200));
      }
      assertEquals("RECORD_TOO_LARGE", error(post(idle, "/v1/rerank",
          request(QUERY, big).toString()), 413).get("reason_code").asText());
    }
  }
}
