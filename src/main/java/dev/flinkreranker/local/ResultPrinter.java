package dev.flinkreranker.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.RecordEncoding;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows the results and dead-letter topics (read_committed, so only what the exactly-once sink
 * committed) and prints each record as it arrives: the query, the top-1 with its score, then the
 * rest of the ranking.
 */
public final class ResultPrinter implements Runnable, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TEXT_WIDTH = 100;

  private final String bootstrap;
  private final String resultsTopic;
  private final String deadLetterTopic;
  private final CandidateSetCodec.Format format;
  private final PrintStream out;
  private final boolean ansi;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong results = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();

  public ResultPrinter(String bootstrap, String resultsTopic, String deadLetterTopic,
      CandidateSetCodec.Format format, PrintStream out, boolean ansi) {
    this.bootstrap = bootstrap;
    this.resultsTopic = resultsTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.format = format;
    this.out = out;
    this.ansi = ansi;
  }

  /** Results plus dead letters printed so far. */
  public long printed() {
    return results.get() + deadLetters.get();
  }

  public long results() {
    return results.get();
  }

  public long deadLetters() {
    return deadLetters.get();
  }

  @Override
  public void run() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "result-printer-" + UUID.randomUUID());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(resultsTopic, deadLetterTopic));
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            if (r.topic().equals(resultsTopic)) {
              printResult(decode(r.value(), RerankResult.class));
              results.incrementAndGet();
            } else {
              printDeadLetter(decode(r.value(), DeadLetter.class));
              deadLetters.incrementAndGet();
            }
          } catch (IOException | RuntimeException e) {
            out.println("(cannot print a record of " + r.topic() + ": " + e.getMessage() + ")");
          }
        }
      }
    }
  }

  private <T extends org.apache.avro.specific.SpecificRecord> JsonNode decode(byte[] value,
      Class<T> type) throws IOException {
    if (format == CandidateSetCodec.Format.JSON) {
      return JSON.readTree(value);
    }
    T record = new SpecificDatumReader<>(type).read(null,
        DecoderFactory.get().binaryDecoder(value, null));
    return RecordEncoding.toJson((org.apache.avro.generic.GenericRecord) record);
  }

  void printResult(JsonNode r) {
    StringBuilder b = new StringBuilder();
    b.append('\n').append(style("1", "━━ " + r.path("request_id").asText()))
        .append("  ").append(quote(r.path("query").asText()))
        .append(String.format("  [%s · %s · queue %d ms · inference %d ms]",
            r.path("model").asText(), LocalDemo.count(r.path("candidate_count").asInt(), "candidate"),
            r.path("queue_millis").asLong(), r.path("inference_millis").asLong()))
        .append('\n');
    JsonNode top1 = r.path("top1");
    b.append(style("1;32", String.format(" ★ top-1  %.4f  %-18s %s", top1.path("score").asDouble(),
        top1.path("id").asText(), clip(top1.path("text").asText())))).append('\n');
    for (JsonNode c : r.path("ranked")) {
      if (c.path("rank").asInt() == 1) {
        continue;
      }
      b.append(String.format("   #%-5d %.4f  %-18s %s%s%n", c.path("rank").asInt(),
          c.path("score").asDouble(), c.path("id").asText(), clip(c.path("text").asText()),
          c.path("truncated").asBoolean() ? " (truncated)" : ""));
    }
    out.print(b);
    out.flush();
  }

  void printDeadLetter(JsonNode d) {
    out.println();
    out.println(style("1;33", "✗ dead letter " + d.path("reason_code").asText())
        + "  request " + (d.path("request_id").isNull() ? "?" : d.path("request_id").asText())
        + " (" + d.path("source_topic").asText() + "/" + d.path("partition").asText()
        + "@" + d.path("offset").asText() + "): " + d.path("reason").asText());
    out.flush();
  }

  private String style(String code, String text) {
    return ansi ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
  }

  private static String quote(String s) {
    return "\"" + clip(s) + "\"";
  }

  /** First characters of a text on one line. */
  public static String clip(String text) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    int end = oneLine.offsetByCodePoints(0, Math.min(TEXT_WIDTH, oneLine.codePointCount(0, oneLine.length())));
    return end < oneLine.length() ? oneLine.substring(0, end) + "…" : oneLine;
  }

  @Override
  public void close() {
    running.set(false);
  }
}
