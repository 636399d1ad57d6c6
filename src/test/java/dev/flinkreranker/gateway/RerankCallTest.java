package dev.flinkreranker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import dev.flinkreranker.score.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading the dialects, unwrapping the Qwen3 prompt template, writing answers. */
class RerankCallTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  // vLLM's Qwen3-Reranker example builds its inputs with these templates.
  static String wrapQuery(String instruction, String query) {
    return Qwen3Reranker.PREFIX + "<Instruct>: " + instruction + "\n<Query>: " + query + "\n";
  }

  static String wrapDocument(String doc) {
    return "<Document>: " + doc + Qwen3Reranker.SUFFIX;
  }

  @Test
  void templateWrappedInputsBecomeThePlainOnesAndAreWrappedOnce() throws Exception {
    String instruction = "Given a web search query, retrieve relevant passages that answer the query";
    RerankCall wrapped = RerankCall.rerank(JSON.createObjectNode()
        .put("query", wrapQuery(instruction, "What is the capital of China?"))
        .set("documents", JSON.valueToTree(List.of(wrapDocument("The capital of China is Beijing."),
            wrapDocument("Gravity is a force.\nIt attracts.")))));
    CandidateSet set = wrapped.toCandidateSet("r", 0);
    assertEquals("What is the capital of China?", set.getQuery());
    assertEquals(instruction, set.getInstruction());
    assertEquals(List.of("The capital of China is Beijing.", "Gravity is a force.\nIt attracts."),
        set.getCandidates().stream().map(Candidate::getText).toList());
    // What the model then sees is exactly what a plain client's request gives: one prompt.
    String body = Qwen3Reranker.body(new Pair(set.getQuery(), set.getCandidates().get(0).getText(),
        set.getInstruction()));
    assertEquals("<Instruct>: " + instruction + "\n<Query>: What is the capital of China?\n"
        + "<Document>: The capital of China is Beijing.", body);
  }

  @Test
  void plainInputsAreLeftAlone() {
    PromptTemplate.Query q = PromptTemplate.unwrapQuery("what is <Query>: in a prompt?\n");
    assertEquals("what is <Query>: in a prompt?\n", q.query());
    assertNull(q.instruction());
    assertEquals("a <Document>: b", PromptTemplate.unwrapDocument("a <Document>: b"));
    // A query wrapped without an instruction keeps the request's own instruction.
    assertEquals("q", PromptTemplate.unwrapQuery(Qwen3Reranker.PREFIX + "<Query>: q\n").query());
  }

  @Test
  void readsEachDialect() throws Exception {
    RerankCall cohere = RerankCall.rerank(JSON.readTree(
        "{\"model\":\"m\",\"query\":\"q\",\"documents\":[{\"text\":\"a\"},\"b\"],\"top_n\":1,"
            + "\"return_documents\":false,\"unknown\":[1]}"));
    assertEquals(RerankCall.Dialect.RERANK, cohere.dialect());
    assertEquals(List.of("a", "b"), cohere.documents());
    assertEquals(1, cohere.topN());
    RerankCall tei = RerankCall.rerank(JSON.readTree(
        "{\"query\":\"q\",\"texts\":[\"a\"],\"raw_scores\":true,\"return_text\":true}"));
    assertEquals(RerankCall.Dialect.TEI, tei.dialect());
    RerankCall score = RerankCall.score(JSON.readTree("{\"text_1\":[\"q\"],\"text_2\":\"a\"}"));
    assertEquals(List.of("a"), score.documents());
    assertEquals(400, assertThrows(ApiException.class, () -> RerankCall.score(JSON.readTree(
        "{\"text_1\":[\"q\",\"r\"],\"text_2\":[\"a\",\"b\"]}"))).status);
    assertEquals(400, assertThrows(ApiException.class, () -> RerankCall.rerank(JSON.readTree(
        "{\"query\":\"q\",\"documents\":\"a\"}"))).status);
    assertEquals(400, assertThrows(ApiException.class, () -> RerankCall.rerank(JSON.readTree(
        "{\"query\":\"q\",\"documents\":[\"a\"],\"top_n\":-1}"))).status);
  }

  @Test
  void answersInEachDialectsShape() throws Exception {
    double[] scores = {0.25, 0.75, 0.5};
    List<String> docs = List.of("a", "b", "c");
    JsonNode rerank = new RerankCall(RerankCall.Dialect.RERANK, null, "q", null, docs, 2, true,
        false).answer("id", scores, 7, "served");
    assertEquals("served", rerank.get("model").asText());
    assertEquals(7, rerank.get("usage").get("prompt_tokens").asInt());
    assertEquals(2, rerank.get("results").size());
    assertEquals(1, rerank.get("results").get(0).get("index").asInt());
    assertEquals("b", rerank.get("results").get(0).get("document").get("text").asText());
    assertEquals(0.75, rerank.get("results").get(0).get("relevance_score").asDouble());

    JsonNode score = new RerankCall(RerankCall.Dialect.SCORE, null, "q", null, docs, 0, false,
        false).answer("id", scores, null, "served");
    assertEquals("list", score.get("object").asText());
    assertEquals(0.25, score.get("data").get(0).get("score").asDouble());
    assertEquals(2, score.get("data").get(2).get("index").asInt());
    assertNull(score.get("usage"), "no made-up token counts");

    JsonNode tei = new RerankCall(RerankCall.Dialect.TEI, null, "q", null, docs, 0, false, true)
        .answer("id", scores, null, "served");
    assertEquals(1, tei.get(0).get("index").asInt());
    assertEquals(Math.log(3), tei.get(0).get("score").asDouble(), 1e-12);
    assertNull(tei.get(0).get("text"));
  }

  @Test
  void rawScoreIsTheLogitOfTheProbability() {
    double logit = 2.5;
    assertEquals(logit, RerankCall.logit(1 / (1 + Math.exp(-logit))), 1e-9);
    assertEquals(RerankCall.MAX_LOGIT, RerankCall.logit(1.0));
    assertEquals(-RerankCall.MAX_LOGIT, RerankCall.logit(0.0));
  }
}
