package dev.flinkreranker.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.job.RankingFunction;
import dev.flinkreranker.kafka.CandidateSetCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * {@code --ordered}: after the bounded job has committed everything, merges the part files of
 * {@code results/} and {@code dead-letters/} into {@code results.jsonl|.avro} and
 * {@code dead-letters.jsonl|.avro}, sorted by input position, in canonical form, and removes the
 * part directories.
 *
 * <p>Why after the job and not a parallelism-1 sort operator inside it: a sort inside a streaming
 * job must buffer everything in state until the end of input anyway, and it would make the results
 * sink wait for it; the committed part files are already the exactly-once output, so sorting them is
 * a pure, repeatable function of them (running it twice gives the same bytes).
 *
 * <p>Canonical form: the fields that measure this run rather than the input and the model are
 * fixed: a result's {@code emitted_at} = its {@code event_time} and {@code queue_millis} =
 * {@code inference_millis} = 0; a dead letter's {@code failed_at} = 0 (1970-01-01). Sort key:
 * (source, partition, offset), from the result's {@code source.*} attributes and the dead letter's
 * own fields. Avro files get a sync marker derived from the schema instead of a random one.
 */
public final class OrderedOutput {
  private OrderedOutput() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Sort key of a record: where its input was read. */
  private record Position(String source, int partition, long offset) {}

  private static final Comparator<Position> ORDER = Comparator.comparing(Position::source)
      .thenComparingInt(Position::partition).thenComparingLong(Position::offset);

  /** Merged files written: results and dead letters. */
  public record Merged(Path results, Path deadLetters, long resultCount, long deadLetterCount) {}

  public static Merged merge(Path dir, CandidateSetCodec.Format format) {
    String ext = ReplayIo.extension(format);
    Path results = dir.resolve(ReplayIo.RESULTS_DIR + ext);
    Path deadLetters = dir.resolve(ReplayIo.DEAD_LETTERS_DIR + ext);
    long r;
    long d;
    if (format == CandidateSetCodec.Format.AVRO) {
      r = mergeAvro(dir.resolve(ReplayIo.RESULTS_DIR), results, RerankResult.class,
          OrderedOutput::canonical, OrderedOutput::position);
      d = mergeAvro(dir.resolve(ReplayIo.DEAD_LETTERS_DIR), deadLetters, DeadLetter.class,
          OrderedOutput::canonical, OrderedOutput::position);
    } else {
      r = mergeJson(dir.resolve(ReplayIo.RESULTS_DIR), results, true);
      d = mergeJson(dir.resolve(ReplayIo.DEAD_LETTERS_DIR), deadLetters, false);
    }
    deleteTree(dir.resolve(ReplayIo.RESULTS_DIR));
    deleteTree(dir.resolve(ReplayIo.DEAD_LETTERS_DIR));
    return new Merged(results, deadLetters, r, d);
  }

  /** Committed part files: FileSink hides pending and in-progress files behind a leading '.'. */
  static List<Path> committedParts(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ JSON lines

  private record JsonRow(Position position, byte[] bytes) {}

  private static long mergeJson(Path partsDir, Path target, boolean results) {
    List<JsonRow> rows = new ArrayList<>();
    try {
      int maxString = DEFAULT_MAX_STRING;
      ObjectMapper json = mapperForStrings(maxString);
      for (Path part : committedParts(partsDir)) {
        try (InputStream in = Files.newInputStream(part)) {
          LogFiles.LineReader lines = new LogFiles.LineReader(in);
          for (byte[] line; (line = lines.next()) != null; ) {
            if (lines.blank()) {
              continue;
            }
            if (line.length > maxString) {
              maxString = line.length;
              json = mapperForStrings(line.length);
            }
            rows.add(canonicalRow((ObjectNode) json.readTree(line), results));
          }
        }
      }
      rows.sort(Comparator.comparing(JsonRow::position, ORDER)
          .thenComparing(JsonRow::bytes, java.util.Arrays::compare));
      writeAtomically(target, out -> {
        for (JsonRow row : rows) {
          out.write(row.bytes());
          out.write('\n');
        }
      });
      return rows.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot merge " + partsDir, e);
    }
  }

  /** A result or dead letter in canonical form, with its sort key. */
  private static JsonRow canonicalRow(ObjectNode node, boolean results) throws IOException {
    Position pos;
    if (results) {
      node.set("emitted_at", node.get("event_time"));
      node.put("queue_millis", 0L);
      node.put("inference_millis", 0L);
      JsonNode a = node.path("attributes");
      pos = new Position(a.path(RankingFunction.SOURCE_TOPIC).asText(""),
          a.path(RankingFunction.SOURCE_PARTITION).asInt(0),
          a.path(RankingFunction.SOURCE_OFFSET).asLong(0));
    } else {
      node.put("failed_at", 0L);
      pos = new Position(node.path("source_topic").asText(""),
          node.path("partition").asInt(0), node.path("offset").asLong(0));
    }
    return new JsonRow(pos, JSON.writeValueAsBytes(node));
  }

  /**
   * Jackson refuses strings over 20 M characters (and names over 50,000) by default, but replay
   * writes what it read: a result holds the texts and attribute names of a record of up to
   * input.max-record-bytes, a dead letter its payload as base64. A string cannot be longer than
   * the line that holds it, so the limits grow to the longest line read: whatever replay wrote can
   * be read back, and nothing unbounded is allowed.
   */
  private static ObjectMapper mapperForStrings(int maxChars) {
    return new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxStringLength(maxChars).maxNameLength(maxChars).build())
        .build());
  }

  private static final int DEFAULT_MAX_STRING = StreamReadConstraints.DEFAULT_MAX_STRING_LEN;

  // ------------------------------------------------------------------ Avro

  private static <T extends SpecificRecordBase> long mergeAvro(Path partsDir, Path target,
      Class<T> type, java.util.function.UnaryOperator<T> canonical,
      java.util.function.Function<T, Position> position) {
    List<T> records = new ArrayList<>();
    try {
      for (Path part : committedParts(partsDir)) {
        try (InputStream in = Files.newInputStream(part);
            DataFileStream<T> s = new DataFileStream<>(in, new SpecificDatumReader<>(type))) {
          for (T r : s) {
            records.add(canonical.apply(r));
          }
        }
      }
      // Equal positions cannot happen (one input record, one output record); the sort is stable.
      records.sort(Comparator.comparing(position, ORDER));
      Schema schema = records.isEmpty()
          ? (Schema) type.getMethod("getClassSchema").invoke(null) : records.get(0).getSchema();
      writeAtomically(target, out -> {
        try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(type))) {
          w.create(schema, out, syncMarker(schema));
          for (T r : records) {
            w.append(r);
          }
        }
      });
      return records.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot merge " + partsDir, e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 16 bytes from the schema's hash: the same for every run, unlike Avro's random default. */
  private static byte[] syncMarker(Schema schema) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(schema.toString().getBytes(StandardCharsets.UTF_8));
      return java.util.Arrays.copyOf(h, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static RerankResult canonical(RerankResult r) {
    r.setEmittedAt(r.getEventTime());
    r.setQueueMillis(0L);
    r.setInferenceMillis(0L);
    return r;
  }

  static DeadLetter canonical(DeadLetter d) {
    d.setFailedAt(Instant.EPOCH);
    return d;
  }

  private static Position position(RerankResult r) {
    var a = r.getAttributes();
    return new Position(a.getOrDefault(RankingFunction.SOURCE_TOPIC, ""),
        Integer.parseInt(a.getOrDefault(RankingFunction.SOURCE_PARTITION, "0")),
        Long.parseLong(a.getOrDefault(RankingFunction.SOURCE_OFFSET, "0")));
  }

  private static Position position(DeadLetter d) {
    return new Position(d.getSourceTopic() == null ? "" : d.getSourceTopic(),
        d.getPartition() == null ? 0 : d.getPartition(),
        d.getOffset() == null ? 0 : d.getOffset());
  }

  // ------------------------------------------------------------------ files

  private interface Writing {
    void write(OutputStream out) throws IOException;
  }

  /** Writes next to the target, then renames: readers never see half a file. */
  private static void writeAtomically(Path target, Writing writing) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      writing.write(out);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }
}
