package dev.flinkreranker.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.validation.ReasonCode;
import dev.flinkreranker.validation.RejectedRecordException;
import dev.flinkreranker.validation.Text;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Decodes input record values into {@link CandidateSet}s, from binary Avro or from JSON with the
 * same field names. Every way a value can be wrong becomes a {@link RejectedRecordException} with a
 * {@link ReasonCode}; nothing is thrown past it.
 *
 * <p>Avro strings are read as raw {@link Utf8} bytes and checked strictly, because Avro's own
 * String conversion would silently replace invalid UTF-8 with U+FFFD.
 */
public final class CandidateSetCodec implements Serializable {

  static {
    // Garbage bytes can announce a 2-GB string or array; Avro checks these limits before it
    // allocates. They only take effect if set before Avro's SystemLimitException class loads.
    System.setProperty("org.apache.avro.limits.string.maxLength",
        System.getProperty("org.apache.avro.limits.string.maxLength", "67108864"));
    System.setProperty("org.apache.avro.limits.bytes.maxLength",
        System.getProperty("org.apache.avro.limits.bytes.maxLength", "67108864"));
    System.setProperty("org.apache.avro.limits.collectionItems.maxLength",
        System.getProperty("org.apache.avro.limits.collectionItems.maxLength", "1000000"));
  }

  /** Encoding of input values. */
  public enum Format {
    AVRO,
    JSON;

    public static Format parse(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "avro" -> AVRO;
        case "json" -> JSON;
        default -> throw new IllegalArgumentException("format must be avro or json, got '" + value + "'");
      };
    }
  }

  /**
   * The CandidateSet schema without the generated classes' {@code avro.java.string} hints, so that
   * the generic reader yields raw {@link Utf8} that we can check, instead of lossy Strings.
   */
  private static final Schema RAW_UTF8_SCHEMA = new Schema.Parser().parse(
      CandidateSet.getClassSchema().toString().replace(",\"avro.java.string\":\"String\"", ""));

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private final Format format;

  public CandidateSetCodec(Format format) {
    this.format = format;
  }

  public Format format() {
    return format;
  }

  /**
   * Decodes one value.
   *
   * @param fallbackEventTime used for JSON records without an {@code event_time} field (the Kafka
   *     record timestamp)
   */
  public CandidateSet decode(byte[] value, long fallbackEventTime) throws RejectedRecordException {
    if (value == null || value.length == 0) {
      throw new RejectedRecordException(ReasonCode.EMPTY_RECORD, "record value is empty");
    }
    return format == Format.AVRO ? decodeAvro(value) : decodeJson(value, fallbackEventTime);
  }

  // ---------------------------------------------------------------- Avro

  private static CandidateSet decodeAvro(byte[] value) throws RejectedRecordException {
    Schema schema = RAW_UTF8_SCHEMA;
    GenericRecord record;
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, null);
      record = new GenericDatumReader<GenericRecord>(schema, schema, GenericData.get())
          .read(null, decoder);
      if (!decoder.isEnd()) {
        throw new RejectedRecordException(ReasonCode.UNDECODABLE_AVRO,
            "trailing bytes after a CandidateSet: not a single binary-encoded CandidateSet");
      }
    } catch (RejectedRecordException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new RejectedRecordException(ReasonCode.UNDECODABLE_AVRO,
          "not a binary-encoded CandidateSet: " + e);
    }
    String requestId = null;
    try {
      requestId = avroString(record, "request_id");
      List<Candidate> candidates = new ArrayList<>();
      for (Object o : (List<?>) record.get("candidates")) {
        GenericRecord c = (GenericRecord) o;
        candidates.add(new Candidate(
            avroString(c, "id"), avroString(c, "text"),
            (Double) c.get("retrieval_score"), avroString(c, "source")));
      }
      Map<String, String> attributes = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) record.get("attributes")).entrySet()) {
        attributes.put(utf8(e.getKey(), "attributes key"), utf8(e.getValue(), "attributes value"));
      }
      Object time = record.get("event_time");
      Instant eventTime = time instanceof Instant t ? t : Instant.ofEpochMilli((Long) time);
      return new CandidateSet(requestId, avroString(record, "query"),
          avroString(record, "instruction"), candidates, eventTime,
          (Integer) record.get("top_k"), attributes);
    } catch (RejectedRecordException e) {
      throw e.withRequestId(requestId);
    }
  }

  private static String avroString(GenericRecord r, String field) throws RejectedRecordException {
    return utf8(r.get(field), field);
  }

  private static String utf8(Object value, String field) throws RejectedRecordException {
    if (value == null) {
      return null;
    }
    if (value instanceof Utf8 u) {
      return strictUtf8(ByteBuffer.wrap(u.getBytes(), 0, u.getByteLength()), field);
    }
    return value.toString();
  }

  private static String strictUtf8(ByteBuffer bytes, String what) throws RejectedRecordException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new RejectedRecordException(ReasonCode.INVALID_UTF8, what + " is not valid UTF-8");
    }
  }

  // ---------------------------------------------------------------- JSON

  private static CandidateSet decodeJson(byte[] value, long fallbackEventTime)
      throws RejectedRecordException {
    strictUtf8(ByteBuffer.wrap(value), "record value");
    JsonNode root = parseOneJsonValue(value);
    if (root == null || !root.isObject()) {
      throw new RejectedRecordException(ReasonCode.MALFORMED_JSON, "JSON value is not an object");
    }
    String requestId = root.path("request_id").isTextual() ? root.get("request_id").asText() : null;
    try {
      String id = requiredText(root, "request_id", "request_id");
      String query = root.has("query") && !root.get("query").isNull()
          ? requiredText(root, "query", "query") : null;
      if (query == null) {
        throw new RejectedRecordException(ReasonCode.MISSING_QUERY, "query is missing or null");
      }
      String instruction = optionalText(root, "instruction", "instruction");
      JsonNode cands = root.get("candidates");
      if (cands == null) {
        throw new RejectedRecordException(ReasonCode.MISSING_FIELD, "candidates is missing");
      }
      if (cands.isNull()) {
        throw new RejectedRecordException(ReasonCode.NULL_FIELD, "candidates is null");
      }
      if (!cands.isArray()) {
        throw new RejectedRecordException(ReasonCode.INVALID_FIELD, "candidates is not an array");
      }
      List<Candidate> candidates = new ArrayList<>(cands.size());
      for (int i = 0; i < cands.size(); i++) {
        JsonNode c = cands.get(i);
        String where = "candidates[" + i + "]";
        if (c.isNull()) {
          throw new RejectedRecordException(ReasonCode.NULL_FIELD, where + " is null");
        }
        if (!c.isObject()) {
          throw new RejectedRecordException(ReasonCode.INVALID_FIELD, where + " is not an object");
        }
        JsonNode score = c.get("retrieval_score");
        Double retrievalScore = null;
        if (score != null && !score.isNull()) {
          if (!score.isNumber()) {
            throw new RejectedRecordException(ReasonCode.INVALID_FIELD,
                where + ".retrieval_score is not a number");
          }
          retrievalScore = score.asDouble();
        }
        candidates.add(new Candidate(
            requiredText(c, "id", where + ".id"), requiredText(c, "text", where + ".text"),
            retrievalScore, optionalText(c, "source", where + ".source")));
      }
      Instant eventTime = eventTime(root.get("event_time"), fallbackEventTime);
      Integer topK = null;
      JsonNode k = root.get("top_k");
      if (k != null && !k.isNull()) {
        if (!k.canConvertToInt() || !k.isIntegralNumber()) {
          throw new RejectedRecordException(ReasonCode.INVALID_FIELD, "top_k is not an integer");
        }
        topK = k.asInt();
      }
      Map<String, String> attributes = new LinkedHashMap<>();
      JsonNode attrs = root.get("attributes");
      if (attrs != null && !attrs.isNull()) {
        if (!attrs.isObject()) {
          throw new RejectedRecordException(ReasonCode.INVALID_FIELD, "attributes is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isValueNode() || e.getValue().isNull()) {
            throw new RejectedRecordException(ReasonCode.INVALID_FIELD,
                "attributes." + e.getKey() + " must be a string, number or boolean");
          }
          attributes.put(e.getKey(), e.getValue().asText());
        }
      }
      return new CandidateSet(id, query, instruction, candidates, eventTime, topK, attributes);
    } catch (RejectedRecordException e) {
      throw e.withRequestId(requestId);
    }
  }

  /**
   * Parses exactly one JSON value: anything after it (a second object, garbage) makes the record
   * malformed rather than silently ignored. Reasons are short and name the position; Jackson's own
   * messages carry parser internals and a source excerpt.
   */
  private static JsonNode parseOneJsonValue(byte[] value) throws RejectedRecordException {
    try (JsonParser parser = JSON.createParser(value)) {
      JsonNode root;
      try {
        root = JSON.readTree(parser);
      } catch (JsonProcessingException e) {
        throw new RejectedRecordException(ReasonCode.MALFORMED_JSON,
            "malformed JSON " + where(e.getLocation()) + ": " + shortReason(e));
      }
      try {
        if (parser.nextToken() != null) {
          throw new RejectedRecordException(ReasonCode.MALFORMED_JSON, "malformed JSON: more data"
              + " after the first value " + where(parser.currentTokenLocation())
              + "; a record must hold exactly one JSON object");
        }
      } catch (JsonProcessingException e) {
        throw new RejectedRecordException(ReasonCode.MALFORMED_JSON, "malformed JSON: more data"
            + " after the first value " + where(e.getLocation())
            + "; a record must hold exactly one JSON object");
      }
      return root;
    } catch (IOException e) {
      throw new RejectedRecordException(ReasonCode.MALFORMED_JSON, "malformed JSON");
    }
  }

  private static String where(com.fasterxml.jackson.core.JsonLocation at) {
    return at == null ? "" : "at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** Jackson's message without codes, class names or source excerpts, at most one short line. */
  static String shortReason(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
      return "the record ends inside a JSON value";
    }
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
      return "a value exceeds the parser's limits (nesting depth, number or string length)";
    }
    String m = String.valueOf(e.getOriginalMessage());
    int nl = m.indexOf('\n');
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    m = m.replaceAll("\\s*\\(code [^)]*\\)", "")
        .replaceAll("\\p{Cntrl}", "?")
        .replaceAll("\\s*\\(for [^)]*\\)", "")
        .replaceAll("`[a-z][\\w.$]*\\.[A-Z][\\w$]*`", "a value");
    return m.length() > 160 ? m.substring(0, 160) + "..." : m;
  }

  private static String requiredText(JsonNode node, String field, String where)
      throws RejectedRecordException {
    JsonNode v = node.get(field);
    if (v == null) {
      throw new RejectedRecordException(ReasonCode.MISSING_FIELD, where + " is missing");
    }
    if (v.isNull()) {
      throw new RejectedRecordException(ReasonCode.NULL_FIELD, where + " is null");
    }
    if (!v.isTextual()) {
      throw new RejectedRecordException(ReasonCode.INVALID_FIELD, where + " is not a string");
    }
    return v.asText();
  }

  private static String optionalText(JsonNode node, String field, String where)
      throws RejectedRecordException {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : requiredText(node, field, where);
  }

  /** event_time: epoch millis, or an ISO-8601 instant or offset date-time. */
  static Instant eventTime(JsonNode v, long fallback) throws RejectedRecordException {
    if (v == null) {
      if (fallback < 0) {
        throw new RejectedRecordException(ReasonCode.INVALID_EVENT_TIME,
            "event_time is missing and the Kafka record has no timestamp to use instead");
      }
      return Instant.ofEpochMilli(fallback);
    }
    if (v.isNull()) {
      throw new RejectedRecordException(ReasonCode.NULL_FIELD, "event_time is null");
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return Instant.ofEpochMilli(v.asLong());
    }
    if (v.isTextual()) {
      String s = v.asText().trim();
      try {
        return s.chars().allMatch(Character::isDigit) && !s.isEmpty()
            ? Instant.ofEpochMilli(Long.parseLong(s))
            : OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException | NumberFormatException e) {
        throw new RejectedRecordException(ReasonCode.INVALID_EVENT_TIME, "event_time '"
            + Text.cut(s, 64) + "' is neither epoch millis nor an ISO-8601 date-time");
      }
    }
    throw new RejectedRecordException(ReasonCode.INVALID_EVENT_TIME,
        "event_time must be epoch millis (an integer) or an ISO-8601 string");
  }
}
