package dev.flinkreranker.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.job.RankingFunction;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.RecordEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --ordered} reads back whatever replay wrote, including strings over Jackson's limits. */
class OrderedOutputTest {
  /** Jackson's default limit on a string, in characters. */
  private static final int JACKSON_MAX_STRING = 20_000_000;

  @TempDir Path dir;

  private static DeadLetter deadLetter(long offset, byte[] payload) {
    return DeadLetter.newBuilder()
        .setSourceTopic("/logs/a.jsonl").setPartition(0).setOffset(offset).setKey(null)
        .setPayload(ByteBuffer.wrap(payload)).setPayloadSize((long) payload.length)
        .setPayloadSha256(null).setPayloadTruncated(false)
        .setReasonCode("MALFORMED_JSON").setReason("not JSON").setRequestId(null)
        .setFailedAt(Instant.ofEpochMilli(123)).build();
  }

  private static void writePart(Path partsDir, String name, byte[]... lines) throws IOException {
    Files.createDirectories(partsDir);
    try (OutputStream out = Files.newOutputStream(partsDir.resolve(name))) {
      for (byte[] line : lines) {
        out.write(line);
        out.write('\n');
      }
    }
  }

  @Test
  void mergesLinesWithStringsOverJacksonsDefaultLimit() throws IOException {
    // A dead letter whose payload (base64 in JSON) is longer than 20 M characters...
    byte[] payload = new byte[JACKSON_MAX_STRING / 4 * 3 + 3000];
    Arrays.fill(payload, (byte) '{');
    writePart(dir.resolve(ReplayIo.DEAD_LETTERS_DIR), "part-0-0.jsonl",
        RecordEncoding.json(deadLetter(9, payload)), RecordEncoding.json(deadLetter(2, new byte[] {'x'})));
    // ... and a result of a record whose text is (a record limit raised past 20 MB).
    ObjectMapper json = new ObjectMapper();
    ObjectNode result = json.createObjectNode().put("request_id", "r").put("query", "q".repeat(JACKSON_MAX_STRING + 10))
        .put("event_time", 5L).put("emitted_at", 77L).put("queue_millis", 3L).put("inference_millis", 4L);
    result.putObject("attributes").put(RankingFunction.SOURCE_TOPIC, "/logs/a.jsonl")
        .put(RankingFunction.SOURCE_PARTITION, "0").put(RankingFunction.SOURCE_OFFSET, "4");
    writePart(dir.resolve(ReplayIo.RESULTS_DIR), "part-1-0.jsonl", json.writeValueAsBytes(result));

    OrderedOutput.Merged merged = OrderedOutput.merge(dir, CandidateSetCodec.Format.JSON);

    assertEquals(2, merged.deadLetterCount());
    List<String> deadLetters = Files.readAllLines(merged.deadLetters(), StandardCharsets.UTF_8);
    assertTrue(deadLetters.get(0).contains("\"offset\":2,"), "sorted by offset");
    assertTrue(deadLetters.get(1).contains("\"payload\":\"" + Base64.getEncoder().encodeToString(payload) + "\""));
    assertTrue(deadLetters.get(1).contains("\"failed_at\":0"), "canonical form");
    assertEquals(1, merged.resultCount());
    String line = Files.readAllLines(merged.results(), StandardCharsets.UTF_8).get(0);
    assertTrue(line.contains("\"query\":\"" + "q".repeat(JACKSON_MAX_STRING + 10) + "\""));
    assertTrue(line.contains("\"emitted_at\":5,\"queue_millis\":0,\"inference_millis\":0"), "canonical form");
  }
}
