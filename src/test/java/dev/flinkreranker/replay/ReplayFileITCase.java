package dev.flinkreranker.replay;

import dev.flinkreranker.testutil.FlinkTestCluster;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.PoisonScorer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * File replay end to end on a MiniCluster: a JSON lines log (plus a gzipped one) with bad lines and
 * repeated requests, replayed with different parallelism and batch sizes, must give the same bytes;
 * dead letters point at their line and are counted in the summary; repeated requests hit the cache.
 */
class ReplayFileITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int GOOD = 60;

  @TempDir static Path dir;
  private static Path logs;
  private static Path plainLog;
  /** Line number of each bad line of the plain log, by the reason it must be dead-lettered for. */
  private static final Map<Long, String> BAD_LINES = new HashMap<>();
  private static final List<String> GOOD_IDS = new ArrayList<>();
  /** The line over input.max-record-bytes: its number, size and SHA-256. */
  private static long hugeLine;
  private static long hugeSize;
  private static String hugeSha256;

  @BeforeAll
  static void writeLogs() throws Exception {
    logs = Files.createDirectories(dir.resolve("logs"));
    Random random = new Random(42);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      CandidateSet set = CandidateSets.generate(i, random).set();
      lines.add(new String(CandidateSets.json(set, false), StandardCharsets.UTF_8));
      GOOD_IDS.add(set.getRequestId());
      if (i == 10) {
        lines.add("");  // blank: skipped, but counted as a line
        lines.add("{\"request_id\": \"broken\", \"query\": ");
        BAD_LINES.put((long) lines.size(), "MALFORMED_JSON");
      }
      if (i == 12) {
        // Over input.max-record-bytes (1 MiB): read in bounded memory, dead-lettered; the line
        // numbers of the bad lines after it prove the reader went on at the next line.
        String huge = "{\"request_id\": \"huge\", \"query\": \"" + "q".repeat(3 << 19) + "\"}";
        lines.add(huge);
        BAD_LINES.put((long) lines.size(), "RECORD_TOO_LARGE");
        hugeLine = lines.size();
        hugeSize = huge.length();
        hugeSha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest
            .getInstance("SHA-256").digest(huge.getBytes(StandardCharsets.UTF_8)));
      }
      if (i == 20) {
        lines.add("{\"request_id\":\"empty\",\"query\":\"q\",\"candidates\":[]}");
        BAD_LINES.put((long) lines.size(), "NO_CANDIDATES");
      }
      if (i == 30) {
        CandidateSet poisoned = CandidateSets.generate(1000, random).set();
        poisoned.getCandidates().get(0).setText(PoisonScorer.POISON + " here");
        lines.add(new String(CandidateSets.json(poisoned, true), StandardCharsets.UTF_8));
        BAD_LINES.put((long) lines.size(), "SCORING_FAILED");
      }
    }
    // The same 10 requests again (a log repeats popular queries): all cache hits.
    for (int i = 0; i < 10; i++) {
      lines.add(lines.get(i));
    }
    plainLog = logs.resolve("a.jsonl");
    Files.write(plainLog, lines, StandardCharsets.UTF_8);

    // A second, gzipped log with 5 more requests, and a file that is not a log.
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(logs.resolve("b.jsonl.gz")))) {
      for (int i = GOOD; i < GOOD + 5; i++) {
        CandidateSet set = CandidateSets.generate(i, random).set();
        out.write(CandidateSets.json(set, i % 2 == 0));
        out.write('\n');
        GOOD_IDS.add(set.getRequestId());
      }
    }
    Files.writeString(logs.resolve("index.txt"), "a.jsonl\nb.jsonl.gz\n");
  }

  private static Replay.Outcome replay(String name, int parallelism, int batchPairs,
      Map<String, String> more) throws Exception {
    Map<String, String> settings = new HashMap<>(Map.of(
        "job.mode", "replay",
        "replay.input", logs.toString(),
        "replay.output", dir.resolve(name).toString(),
        "replay.ordered", "true",
        "replay.report", dir.resolve(name + "-report.json").toString(),
        "job.parallelism", Integer.toString(parallelism),
        "job.checkpoint-interval", "300ms",
        "batch.max-pairs", Integer.toString(batchPairs),
        "cache.enabled", "true",
        "ranking.top-k", "3"));
    settings.putAll(more);
    PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Replay.run(StreamExecutionEnvironment.getExecutionEnvironment(),
        JobConfig.fromMap(settings), PoisonScorer.factory(), new Replay.Console(err, false));
  }

  @Test
  void sameInputGivesIdenticalBytesAtAnyParallelism() throws Exception {
    Replay.Outcome first = replay("p1", 1, 32, Map.of());
    Replay.Outcome again = replay("p1-again", 1, 32, Map.of());
    Replay.Outcome parallel = replay("p2", 2, 3, Map.of());

    byte[] results = Files.readAllBytes(first.merged().results());
    byte[] deadLetters = Files.readAllBytes(first.merged().deadLetters());
    assertArrayEquals(results, Files.readAllBytes(again.merged().results()));
    assertArrayEquals(results, Files.readAllBytes(parallel.merged().results()));
    assertArrayEquals(deadLetters, Files.readAllBytes(again.merged().deadLetters()));
    assertArrayEquals(deadLetters, Files.readAllBytes(parallel.merged().deadLetters()));
    assertFalse(Files.exists(dir.resolve("p2").resolve(ReplayIo.RESULTS_DIR)),
        "part files are replaced by the merged file");

    // Results in input order: file a (lines), then file b; canonical timing fields.
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(first.merged().results())) {
      rows.add(JSON.readTree(line));
    }
    assertEquals(GOOD + 10 + 5, rows.size());
    List<String> ids = rows.stream().map(r -> r.get("request_id").asText()).toList();
    List<String> expected = new ArrayList<>(GOOD_IDS.subList(0, GOOD));
    expected.addAll(GOOD_IDS.subList(0, 10));
    expected.addAll(GOOD_IDS.subList(GOOD, GOOD + 5));
    assertEquals(expected, ids);
    for (JsonNode r : rows) {
      assertEquals(r.get("event_time"), r.get("emitted_at"));
      assertEquals(0, r.get("queue_millis").asLong());
      assertEquals(0, r.get("inference_millis").asLong());
    }
    assertTrue(rows.get(rows.size() - 1).get("attributes").get("source.topic").asText()
        .endsWith("b.jsonl.gz"));
  }

  @Test
  void badLinesBecomeDeadLettersThatPointAtTheLineAndAreCounted() throws Exception {
    Replay.Outcome outcome = replay("dead", 2, 8, Map.of());

    Map<Long, String> found = new HashMap<>();
    for (String line : Files.readAllLines(outcome.merged().deadLetters())) {
      JsonNode d = JSON.readTree(line);
      assertEquals(plainLog.toAbsolutePath().toString(), d.get("source_topic").asText());
      assertEquals(0, d.get("failed_at").asLong());
      found.put(d.get("offset").asLong(), d.get("reason_code").asText());
      if (d.get("offset").asLong() == hugeLine) {
        // The reader kept a prefix; the dead letter still knows the whole line.
        assertEquals(hugeSize, d.get("payload_size").asLong());
        assertEquals(hugeSha256, d.get("payload_sha256").asText());
        assertTrue(d.get("payload_truncated").asBoolean());
        assertTrue(d.get("reason").asText().contains(hugeSize + " bytes"), d.get("reason").asText());
      }
    }
    assertEquals(BAD_LINES, found);

    ReplaySummary s = outcome.summary();
    assertEquals(Map.of("MALFORMED_JSON", 1L, "NO_CANDIDATES", 1L, "SCORING_FAILED", 1L,
        "RECORD_TOO_LARGE", 1L), s.deadLetters());
    assertEquals(GOOD + 10 + 5, s.results());
    assertEquals(GOOD + 10 + 5 + 4, s.expected());
    assertEquals(s.expected(), s.recordsIn());
    // The 10 repeated requests are scored from the cache: at least their pairs are hits.
    long repeatedPairs = 0;
    for (String line : Files.readAllLines(outcome.merged().results()).subList(GOOD, GOOD + 10)) {
      repeatedPairs += JSON.readTree(line).get("candidate_count").asLong();
    }
    assertTrue(s.cache().hits() >= repeatedPairs,
        s.cache().hits() + " hits, " + repeatedPairs + " repeated pairs");
    assertTrue(s.cache().lookups() > s.cache().hits());

    JsonNode report = JSON.readTree(dir.resolve("dead-report.json").toFile());
    assertEquals(4, report.get("dead_letters").get("total").asLong());
    assertEquals(1, report.get("dead_letters").get("by_reason").get("SCORING_FAILED").asLong());
    // Every candidate of every result is in the score distribution (the poisoned request is not).
    long candidates = 0;
    for (String line : Files.readAllLines(outcome.merged().results())) {
      candidates += JSON.readTree(line).get("candidate_count").asLong();
    }
    JsonNode scores = report.get("evaluation").get("scores");
    assertEquals(candidates, scores.get("count").asLong());
    assertEquals(candidates, scores.get("histogram").findValues("count").stream()
        .mapToLong(JsonNode::asLong).sum());
  }

  @Test
  void replayCommandOverTheLabelledSamplesReportsTheEvaluation() throws Exception {
    Path out = dir.resolve("samples-out");
    Path report = dir.resolve("samples-report.json");
    int exit = dev.flinkreranker.cli.Main.run("replay", "--input", "job/samples",
        "--output", out.toString(), "--ordered", "--report", report.toString(),
        "--model", "lexical");
    assertEquals(0, exit);
    // 12 labelled samples (7 of ours, the seed's 5) and one without candidates
    // (job/samples/08-dead-letter-example.jsonl).
    assertEquals(12, Files.readAllLines(out.resolve("results.jsonl")).size());
    assertEquals(1, Files.readAllLines(out.resolve("dead-letters.jsonl")).size());
    JsonNode evaluation = JSON.readTree(report.toFile()).get("evaluation");
    assertEquals(12, evaluation.get("labelled_requests").asLong());
    // Only the seed's scenarios 1 and 2 list their relevant candidate first.
    JsonNode retrieval = evaluation.get("retrieval");
    assertEquals(0.1667, retrieval.get("top1_accuracy").asDouble());
    // So reranking, even with BM25, has something to gain, and gains on every measure.
    JsonNode reranked = evaluation.get("reranked");
    for (String metric : List.of("top1_accuracy", "mrr@10", "ndcg@10")) {
      assertTrue(reranked.get(metric).asDouble() > retrieval.get(metric).asDouble(),
          metric + ": " + evaluation);
    }
  }

  @Test
  void avroContainerLogsReplayToAvroFilesDeterministically() throws Exception {
    Path avroLogs = Files.createDirectories(dir.resolve("avro-logs"));
    Random random = new Random(7);
    try (DataFileWriter<CandidateSet> w =
        new DataFileWriter<>(new SpecificDatumWriter<>(CandidateSet.class))) {
      w.create(CandidateSet.getClassSchema(), avroLogs.resolve("log.avro").toFile());
      for (int i = 0; i < 25; i++) {
        w.append(CandidateSets.generate(i, random).set());
      }
    }
    Map<String, String> avro = Map.of("replay.input", avroLogs.resolve("*.avro").toString(),
        "output.format", "avro");
    Replay.Outcome one = replay("avro-1", 1, 32, avro);
    Replay.Outcome two = replay("avro-2", 2, 4, avro);
    assertEquals(25, one.summary().results());
    assertTrue(one.merged().results().toString().endsWith("results.avro"));
    assertArrayEquals(Files.readAllBytes(one.merged().results()),
        Files.readAllBytes(two.merged().results()));
  }
}
