package dev.flinkreranker.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line syntax of replay inputs, outputs and ranges, and the progress line. */
class ReplaySpecTest {

  @TempDir Path dir;

  @Test
  void endpointsAreKafkaTopicsOrPaths() {
    Endpoint k = Endpoint.parse("kafka:rerank.candidates", "input");
    assertTrue(k.isKafka());
    assertEquals("rerank.candidates", k.topic());
    Endpoint files = Endpoint.parse("logs/a.jsonl; logs/2026-*/ *.gz", "input");
    assertFalse(files.isKafka());
    assertEquals(List.of("logs/a.jsonl", "logs/2026-*/ *.gz"), files.paths());
    assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("kafka:", "input"));
    assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(" ", "input"));
  }

  @Test
  void rangesParseTimesAndOffsets() {
    assertEquals(Instant.parse("2026-11-01T00:00:00Z"), KafkaRange.parseTime("2026-11-01T00:00Z"));
    assertEquals(Instant.parse("2026-10-31T23:00:00Z"),
        KafkaRange.parseTime("2026-11-01T00:00+01:00"));
    assertEquals(Instant.ofEpochMilli(1795510800000L), KafkaRange.parseTime("1795510800000"));
    assertThrows(IllegalArgumentException.class, () -> KafkaRange.parseTime("yesterday"));
    assertTrue(KafkaRange.parseOffsets("earliest") instanceof KafkaRange.Bound.Earliest);
    assertTrue(KafkaRange.parseOffsets("latest-at-start") instanceof KafkaRange.Bound.LatestAtStart);
    assertEquals(new KafkaRange.Bound.Offsets(new TreeMap<>(Map.of(0, 120L, 1, 98L))),
        KafkaRange.parseOffsets("0:120, 1:98"));
    assertThrows(IllegalArgumentException.class, () -> KafkaRange.parseOffsets("0=120"));
    assertEquals(3, new KafkaRange("t", Map.of(0, 5L, 1, 0L), Map.of(0, 7L, 1, 1L)).size());
  }

  @Test
  void fileInputsRejectRangesAndKafkaOutputRejectsOrdered() {
    assertThrows(IllegalArgumentException.class, () -> ReplaySpec.of(JobConfig.fromMap(Map.of(
        "replay.input", "logs", "replay.output", "out", "replay.from", "2026-11-01T00:00Z"))));
    assertThrows(IllegalArgumentException.class, () -> ReplaySpec.of(JobConfig.fromMap(Map.of(
        "replay.input", "logs", "replay.output", "kafka:t", "replay.ordered", "true"))));
    ReplaySpec ok = ReplaySpec.of(JobConfig.fromMap(Map.of(
        "replay.input", "kafka:in", "replay.output", "out", "replay.to", "2026-11-02T00:00Z")));
    assertTrue(ok.from() instanceof KafkaRange.Bound.Earliest);
    assertEquals(new KafkaRange.Bound.AtTime(Instant.parse("2026-11-02T00:00:00Z")), ok.to());
  }

  @Test
  void directoriesAndGlobsExpandToLogFilesOnly() throws Exception {
    Files.createDirectories(dir.resolve("2026-11-01"));
    Files.createDirectories(dir.resolve("2026-11-02"));
    Files.writeString(dir.resolve("2026-11-01/a.jsonl"), "{}\n");
    Files.writeString(dir.resolve("2026-11-01/b.jsonl.gz"), "");
    Files.writeString(dir.resolve("2026-11-02/c.avro"), "");
    Files.writeString(dir.resolve("index.txt"), "a.jsonl\n");

    assertEquals(List.of(dir.resolve("2026-11-01/a.jsonl"), dir.resolve("2026-11-01/b.jsonl.gz"),
        dir.resolve("2026-11-02/c.avro")), LogFiles.expand(List.of(dir.toString())));
    assertEquals(List.of(dir.resolve("2026-11-01/a.jsonl"), dir.resolve("2026-11-01/b.jsonl.gz")),
        LogFiles.expand(List.of(dir + "/2026-11-0?/*.jsonl*")));
    assertEquals(List.of(dir.resolve("2026-11-02/c.avro")),
        LogFiles.expand(List.of(dir + "/**.avro")));
    assertThrows(IllegalArgumentException.class,
        () -> LogFiles.expand(List.of(dir + "/*.parquet")));
    assertThrows(IllegalArgumentException.class,
        () -> LogFiles.commonFormat(LogFiles.expand(List.of(dir.toString()))));
  }

  @Test
  void progressLineShowsDoneTotalRateEtaAndDeadLetters() {
    assertEquals("[###############---------------]  50%  500/1000  100.0 rec/s  ETA 5s"
        + "  3 dead letters", Progress.line(500, 1000, 3, 5.0));
    assertEquals("1:01:01", Progress.formatSeconds(3661));
    assertEquals("2:05", Progress.formatSeconds(125));
  }

  @Test
  void percentilesUseNearestRankOverTheHistogram() {
    // Scores 0.1, 0.2, 0.2, 0.9 in bins of 1e-4: p50 = 2nd value (0.2), p90 = 4th (0.9).
    TreeMap<Integer, Integer> bins = new TreeMap<>(Map.of(1000, 1, 2000, 2, 9000, 1));
    assertEquals(0.20005, ReplaySummary.percentile(bins, 4, 0.5, 0.1, 0.9), 1e-12);
    assertEquals(0.9, ReplaySummary.percentile(bins, 4, 0.9, 0.1, 0.9), 1e-12);
  }
}
