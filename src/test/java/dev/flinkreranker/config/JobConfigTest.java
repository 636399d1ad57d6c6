package dev.flinkreranker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

  @Test
  void profilesLoadAndOverridesWin(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("p.yaml");
    Files.writeString(yaml, """
        batch:
          max-pairs: 16
          max-wait: 20ms
        input.topics: [a, b]
        kafka.properties.security.protocol: SSL
        """);
    Configuration conf = JobConfig.load(yaml, List.of("batch.max-pairs=64", "model.name=lexical"));
    assertEquals(64, conf.get(RerankOptions.BATCH_MAX_PAIRS));
    assertEquals(Duration.ofMillis(20), conf.get(RerankOptions.BATCH_MAX_WAIT));
    assertEquals(List.of("a", "b"), conf.get(RerankOptions.INPUT_TOPICS));
    assertEquals("SSL", conf.toMap().get("kafka.properties.security.protocol"));
    // The job's batch settings come from the same keys.
    assertEquals(new dev.flinkreranker.scoring.BatchSettings(64, 16384, Duration.ofMillis(20), 4096,
            dev.flinkreranker.scoring.BatchSettings.DEFAULT_CALL_COST_TOKENS),
        dev.flinkreranker.job.RerankJob.batchSettings(conf));
    assertEquals(32768, dev.flinkreranker.job.RerankJob.batchSettings(
        JobConfig.load(null, List.of("batch.call-cost-tokens=32768"))).callCostTokens());
  }

  @Test
  void unknownKeysAreRejectedWithASuggestion() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JobConfig.load(null, List.of("batch.max-pair=3")));
    assertTrue(e.getMessage().contains("batch.max-pairs"), e.getMessage());
  }

  @Test
  void badValuesFailAtLoad() {
    assertThrows(IllegalArgumentException.class,
        () -> JobConfig.load(null, List.of("batch.max-pairs=many")));
    assertThrows(IllegalArgumentException.class, () -> JobConfig.load(null, List.of("novalue")));
  }

  @Test
  void shippedProfilesUseOnlyKnownKeys() {
    for (String p : List.of("job/local.yaml", "job/cluster.yaml")) {
      Configuration conf = JobConfig.load(Path.of(p), List.of());
      assertFalse(conf.toMap().isEmpty(), p);
    }
  }

  @Test
  void everyOptionIsDocumentedAndListedInTheConfigurationPage() throws Exception {
    String page = Files.readString(Path.of("docs/configuration.md"));
    for (ConfigOption<?> o : RerankOptions.all()) {
      assertFalse(o.description().toString().isBlank(), o.key());
      assertTrue(page.contains("`" + o.key() + "`"), "docs/configuration.md does not list " + o.key());
    }
  }
}
