package dev.flinkreranker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mistakes in a profile fail when it is loaded, naming the key (and the file). */
class JobConfigValidationTest {
  @TempDir Path dir;

  private IllegalArgumentException loadFails(String yaml) throws Exception {
    Path file = dir.resolve("profile.yaml");
    Files.writeString(file, yaml);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobConfig.load(file, List.of()));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    return e;
  }

  @Test
  void aKeySetTwiceIsRejectedNamingTheKeyAndTheLine() throws Exception {
    IllegalArgumentException e = loadFails("""
        job.name: a
        ranking.top-k: 5
        ranking.top-k: 3
        """);
    assertTrue(e.getMessage().contains("line 3: key 'ranking.top-k' is set twice"), e.getMessage());
  }

  @Test
  void aNestedKeySetTwiceIsRejected() throws Exception {
    IllegalArgumentException e = loadFails("""
        batch:
          max-pairs: 16
          max-pairs: 32
        """);
    assertTrue(e.getMessage().contains("key 'max-pairs' is set twice"), e.getMessage());
  }

  @Test
  void theNestedAndTheDottedFormOfOneKeyCollide() throws Exception {
    IllegalArgumentException e = loadFails("""
        ranking:
          top-k: 5
        ranking.top-k: 3
        """);
    assertTrue(e.getMessage().contains("key 'ranking.top-k' is set twice"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ranking.top-k=0", "ranking.top-k=-2", "job.checkpoint-interval=0",
      "job.checkpoint-interval=0ms", "job.checkpoint-interval=5ms", "job.checkpoint-interval=-1s",
      "job.checkpoint-interval=soon", "batch.max-pairs=0", "batch.max-tokens=0",
      "batch.queue-capacity=0", "async.capacity=0", "async.retries=-1", "async.timeout=0s",
      "job.parallelism=0", "job.parallelism=-2", "model.max-length=0", "input.max-candidates=0",
      "input.max-record-bytes=0", "cache.max-entries=0", "output.transaction-timeout=0s",
      "input.idle-timeout=0s", "batch.max-wait=-1ms", "replay.progress-interval=0s"})
  void anOutOfRangeValueFailsAtLoadNamingTheKey(String setting) {
    String key = setting.substring(0, setting.indexOf('='));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JobConfig.load(null, List.of(setting)));
    assertTrue(e.getMessage().startsWith("bad value for '" + key + "'"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ranking.top-k=1", "job.checkpoint-interval=10ms", "job.parallelism=-1",
      "job.parallelism=1", "async.retries=0", "batch.max-wait=0ms", "batch.call-cost-tokens=0",
      "input.max-out-of-orderness=0s"})
  void theEdgesOfEachRangeAreAccepted(String setting) {
    String key = setting.substring(0, setting.indexOf('='));
    assertEquals(setting.substring(key.length() + 1),
        JobConfig.load(null, List.of(setting)).toMap().get(key));
  }

  @Test
  void aProfileThatDoesNotExistIsNamed() {
    Path missing = dir.resolve("nope.yaml");
    Exception e = assertThrows(Exception.class, () -> JobConfig.load(missing, List.of()));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
        e.getMessage());
  }
}
