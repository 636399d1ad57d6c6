package dev.flinkreranker.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes output records (results, dead letters) as binary Avro or as plain JSON with the schema's
 * field names. Plain means unions are written as their value (not Avro-JSON's {"double": 1.0}),
 * timestamps as epoch millis and bytes as base64, which is what consumers in other languages expect.
 */
public final class RecordEncoding {
  private RecordEncoding() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  public static byte[] avro(SpecificRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      @SuppressWarnings("unchecked")
      SpecificDatumWriter<SpecificRecord> writer =
          new SpecificDatumWriter<>((Class<SpecificRecord>) record.getClass());
      writer.write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] json(GenericRecord record) {
    try {
      return JSON.writeValueAsBytes(toJson(record));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] encode(GenericRecord record, CandidateSetCodec.Format format) {
    return format == CandidateSetCodec.Format.AVRO ? avro((SpecificRecord) record) : json(record);
  }

  /** The remaining bytes of an Avro {@code bytes} value, leaving the buffer's position alone. */
  public static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer dup = buffer.duplicate();
    byte[] bytes = new byte[dup.remaining()];
    dup.get(bytes);
    return bytes;
  }

  /** The plain JSON tree of an Avro record. */
  public static ObjectNode toJson(GenericRecord record) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    for (Schema.Field f : record.getSchema().getFields()) {
      node.set(f.name(), value(record.get(f.pos())));
    }
    return node;
  }

  private static JsonNode value(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    } else if (v instanceof GenericRecord r) {
      return toJson(r);
    } else if (v instanceof List<?> list) {
      ArrayNode a = f.arrayNode();
      list.forEach(x -> a.add(value(x)));
      return a;
    } else if (v instanceof Map<?, ?> map) {
      ObjectNode o = f.objectNode();
      map.forEach((k, x) -> o.set(k.toString(), value(x)));
      return o;
    } else if (v instanceof ByteBuffer b) {
      return f.binaryNode(bytes(b));
    } else if (v instanceof Instant t) {
      return f.numberNode(t.toEpochMilli());
    } else if (v instanceof Double d) {
      return f.numberNode(d);
    } else if (v instanceof Float x) {
      return f.numberNode(x);
    } else if (v instanceof Long x) {
      return f.numberNode(x);
    } else if (v instanceof Integer x) {
      return f.numberNode(x);
    } else if (v instanceof Boolean x) {
      return f.booleanNode(x);
    }
    return f.textNode(v.toString());
  }
}
