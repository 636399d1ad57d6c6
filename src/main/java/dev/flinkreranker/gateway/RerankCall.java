package dev.flinkreranker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One HTTP rerank or score request, whatever its dialect: how it is read from the request body,
 * turned into a CandidateSet, and how its scores are written back in the dialect's answer shape.
 *
 * @param documents the documents as the client sent them (answers echo these)
 * @param topN how many results to return, 0 for all
 */
record RerankCall(Dialect dialect, String model, String query, String instruction,
    List<String> documents, int topN, boolean returnDocuments, boolean rawScores) {

  /** The request and answer shapes the gateway speaks. */
  enum Dialect {
    /** vLLM / Jina / Cohere {@code /rerank}: {query, documents, top_n, return_documents}. */
    RERANK,
    /** vLLM {@code /score}: {text_1, text_2}, scores in input order. */
    SCORE,
    /** Hugging Face TEI {@code /rerank}: {query, texts, return_text, raw_scores}. */
    TEI
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Reads a {@code /rerank} body: TEI when it has {@code texts}, else vLLM/Jina/Cohere. */
  static RerankCall rerank(JsonNode body) throws ApiException {
    requireObject(body);
    if (body.has("texts")) {
      return new RerankCall(Dialect.TEI, optionalText(body, "model"), optionalText(body, "query"),
          optionalText(body, "instruction"), texts(body, "texts"), 0,
          bool(body, "return_text", false), bool(body, "raw_scores", false));
    }
    int topN = 0;
    JsonNode n = body.get("top_n");
    if (n != null && !n.isNull()) {
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
        throw ApiException.badRequest("top_n must be a non-negative integer", "top_n");
      }
      topN = n.asInt();
    }
    integerOrNull(body, "truncate_prompt_tokens");
    return new RerankCall(Dialect.RERANK, optionalText(body, "model"), optionalText(body, "query"),
        optionalText(body, "instruction"), texts(body, "documents"), topN,
        bool(body, "return_documents", true), false);
  }

  /** Reads a vLLM {@code /score} body: one text_1 against one or many text_2. */
  static RerankCall score(JsonNode body) throws ApiException {
    requireObject(body);
    JsonNode t1 = body.get("text_1");
    String query;
    if (t1 != null && t1.isArray()) {
      if (t1.size() != 1 || !t1.get(0).isTextual()) {
        throw ApiException.badRequest("text_1 must be one string (one query against the texts of"
            + " text_2); send one request per query", "text_1");
      }
      query = t1.get(0).asText();
    } else {
      query = optionalText(body, "text_1");
    }
    JsonNode t2 = body.get("text_2");
    List<String> documents = t2 != null && t2.isTextual() ? List.of(t2.asText()) : texts(body, "text_2");
    integerOrNull(body, "truncate_prompt_tokens");
    return new RerankCall(Dialect.SCORE, optionalText(body, "model"), query,
        optionalText(body, "instruction"), documents, 0, false, false);
  }

  /**
   * The candidate set sent to the job: candidate ids are the documents' indexes, top_k is the number
   * of documents so that every score comes back, and template-wrapped inputs are unwrapped.
   */
  CandidateSet toCandidateSet(String requestId, long now) {
    PromptTemplate.Query q = PromptTemplate.unwrapQuery(query == null ? "" : query);
    String instr = q.instruction() != null ? q.instruction() : instruction;
    List<Candidate> candidates = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      candidates.add(new Candidate(Integer.toString(i),
          PromptTemplate.unwrapDocument(documents.get(i)), null, null));
    }
    return new CandidateSet(requestId, q.query(), instr, candidates, Instant.ofEpochMilli(now),
        documents.isEmpty() ? null : documents.size(), Map.of("via", "gateway"));
  }

  /**
   * The dialect's answer.
   *
   * @param scores the probability of each document, by index
   * @param promptTokens tokens of the request as the scorer counts them, or null when unknown
   */
  JsonNode answer(String requestId, double[] scores, Integer promptTokens, String servedModel) {
    List<Integer> byScore = IntStream.range(0, scores.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
        .toList();
    switch (dialect) {
      case TEI -> {
        ArrayNode out = F.arrayNode();
        for (int i : byScore) {
          ObjectNode r = out.addObject().put("index", i)
              .put("score", rawScores ? logit(scores[i]) : scores[i]);
          if (returnDocuments) {
            r.put("text", documents.get(i));
          }
        }
        return out;
      }
      case SCORE -> {
        ObjectNode out = F.objectNode().put("id", "score-" + requestId).put("object", "list")
            .put("created", System.currentTimeMillis() / 1000).put("model", servedModel);
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < scores.length; i++) {
          data.addObject().put("index", i).put("object", "score").put("score", scores[i]);
        }
        usage(out, promptTokens);
        return out;
      }
      default -> {
        ObjectNode out = F.objectNode().put("id", "rerank-" + requestId).put("model", servedModel);
        usage(out, promptTokens);
        ArrayNode results = out.putArray("results");
        int n = topN > 0 ? Math.min(topN, byScore.size()) : byScore.size();
        for (int i : byScore.subList(0, n)) {
          ObjectNode r = results.addObject().put("index", i);
          if (returnDocuments) {
            r.putObject("document").put("text", documents.get(i));
          }
          r.put("relevance_score", scores[i]);
        }
        return out;
      }
    }
  }

  /** Largest |logit| reported: where the probability rounds to 0 or 1 the logit is unknown. */
  static final double MAX_LOGIT = 30.0;

  /**
   * The raw score (logit of "yes" minus "no") recomputed from the probability: ln(p / (1 − p)),
   * clamped to ±{@link #MAX_LOGIT} where p is 0 or 1 within float precision.
   */
  static double logit(double p) {
    double l = Math.log(p) - Math.log1p(-p);
    return Double.isNaN(l) ? 0 : Math.max(-MAX_LOGIT, Math.min(MAX_LOGIT, l));
  }

  private static void usage(ObjectNode out, Integer promptTokens) {
    if (promptTokens != null) {
      out.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
    }
  }

  // ---------------------------------------------------------------- reading the body

  private static void requireObject(JsonNode body) throws ApiException {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("the request body must be a JSON object", null);
    }
  }

  private static String optionalText(JsonNode body, String field) throws ApiException {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest(field + " must be a string", field);
    }
    return v.asText();
  }

  private static boolean bool(JsonNode body, String field, boolean dflt) throws ApiException {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest(field + " must be true or false", field);
    }
    return v.asBoolean();
  }

  private static void integerOrNull(JsonNode body, String field) throws ApiException {
    JsonNode v = body.get(field);
    if (v != null && !v.isNull() && !(v.isIntegralNumber() && v.canConvertToInt())) {
      throw ApiException.badRequest(field + " must be an integer", field);
    }
  }

  /** A list of documents: strings, or objects with a string {@code text} (Cohere v1, Jina). */
  private static List<String> texts(JsonNode body, String field) throws ApiException {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw ApiException.badRequest(field + " must be a list of strings", field);
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode d = v.get(i);
      if (d.isTextual()) {
        out.add(d.asText());
      } else if (d.isObject() && d.path("text").isTextual()) {
        out.add(d.get("text").asText());
      } else {
        throw ApiException.badRequest(
            field + "[" + i + "] must be a string or an object with a string 'text'", field);
      }
    }
    return out;
  }
}
