package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.replay.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The seed's scenarios as it published them (a copy of its scenarios.jsonl). */
  private static final Path SEED_SCENARIOS = Path.of("src/test/resources/seed-scenarios.jsonl");

  @Test
  void theIndexListsEverySampleFileAndTheJarCopyMatches() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(Path.of("job/samples"))) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl")).sorted().toList();
    }
    List<String> index = Files.readAllLines(Path.of("job/samples/index.txt")).stream()
        .filter(l -> !l.isBlank()).map(String::trim).sorted().toList();
    assertEquals(files, index);
    // Loading from the classpath (as the jar does) gives the same lines as the directory.
    assertEquals(Samples.load(Path.of("job/samples")), Samples.load(null));
  }

  @Test
  void everySampleDecodesAndEncodesAsAvro() {
    for (String line : Samples.load(Path.of("job/samples"))) {
      // Avro encoding goes through the JSON decoder: a broken sample would stay JSON.
      byte[] avro = LocalDemo.encode(line, CandidateSetCodec.Format.AVRO);
      if (!line.contains("no candidates")) {
        assertEquals(false, java.util.Arrays.equals(avro, line.getBytes()), line);
      }
    }
  }

  @Test
  void theSeedScenariosAreSamplesVerbatimWithTheirTop1AsLabel() throws Exception {
    Map<String, JsonNode> samples = samplesById();
    List<String> seedLines = Files.readAllLines(SEED_SCENARIOS, StandardCharsets.UTF_8);
    assertEquals(4, seedLines.size()); // scenario 3 is not published; see the next test
    for (String line : seedLines) {
      JsonNode seed = JSON.readTree(line);
      String id = seed.get("scenario").asText();
      JsonNode sample = samples.get(id);
      assertTrue(sample != null, "no sample with request_id " + id);
      assertArrayEquals(utf8(seed.get("query")), utf8(sample.get("query")), id);
      JsonNode candidates = sample.get("candidates");
      assertEquals(seed.get("candidates").size(), candidates.size(), id);
      for (int i = 0; i < candidates.size(); i++) {
        // Same texts in the seed's order, byte for byte.
        assertArrayEquals(utf8(seed.get("candidates").get(i)), utf8(candidates.get(i).get("text")),
            id + " candidate " + i);
      }
      String top1 = candidates.get(seed.get("expected_top1_index").asInt()).get("id").asText();
      assertEquals(Map.of(top1, 1.0), grades(sample), id);
    }
  }

  @Test
  void theWhitepaperScenarioHasFourLongPassagesAndLabelsTheRedTeamingOne() throws Exception {
    JsonNode sample = samplesById().get("seed-3-red-teaming-whitepaper");
    assertEquals("Which section discusses concrete red-teaming methodologies with human evaluators?",
        sample.get("query").asText());
    List<String> texts = new ArrayList<>();
    sample.get("candidates").forEach(c -> texts.add(c.get("text").asText()));
    assertEquals(4, texts.size());
    for (String t : texts) {
      assertTrue(t.length() > 6_000 && t.length() < 8_000, "passage of " + t.length() + " chars");
    }
    String labelled = sample.get("candidates").get(2).get("id").asText();
    assertEquals(Map.of(labelled, 1.0), grades(sample));
    assertTrue(texts.get(2).startsWith(
        "We conducted 3 rounds of manual red-teaming with domain-expert annotators"));
    // The automated toolchain passage mentions people only in its last words.
    String toolchain = texts.get(1);
    assertTrue(toolchain.endsWith("human-in-the-loop is possible."), toolchain);
    assertEquals(toolchain.length() - "human-in-the-loop is possible.".length(),
        toolchain.toLowerCase().indexOf("human"));
  }

  @Test
  void everySampleIsLabelledAndTheRelevantDocumentIsNotAlwaysFirst() throws Exception {
    int labelledFirst = 0;
    int labelled = 0;
    for (JsonNode sample : samplesById().values()) {
      String id = sample.get("request_id").asText();
      if (sample.get("candidates").isEmpty()) {
        continue; // the dead-letter example
      }
      Map<String, Double> grades = grades(sample);
      assertFalse(grades.isEmpty(), id + " has no labels, so replay cannot evaluate it");
      List<String> ids = new ArrayList<>();
      sample.get("candidates").forEach(c -> ids.add(c.get("id").asText()));
      assertTrue(ids.containsAll(grades.keySet()), id + " labels an unknown candidate");
      labelled++;
      boolean first = grades.getOrDefault(ids.get(0), 0.0) > 0;
      labelledFirst += first ? 1 : 0;
      // Only the seed's own scenarios keep the order they were published in.
      assertTrue(!first || id.startsWith("seed-"), id + " lists a relevant document first");
    }
    assertTrue(labelledFirst < labelled / 2, labelledFirst + " of " + labelled);
  }

  private static Map<String, JsonNode> samplesById() throws Exception {
    Map<String, JsonNode> byId = new HashMap<>();
    for (String line : Samples.load(Path.of("job/samples"))) {
      JsonNode sample = JSON.readTree(line);
      byId.put(sample.get("request_id").asText(), sample);
    }
    return byId;
  }

  private static Map<String, Double> grades(JsonNode sample) {
    Map<String, String> attributes = new HashMap<>();
    sample.path("attributes").properties()
        .forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
    return Labels.grades(attributes);
  }

  private static byte[] utf8(JsonNode text) {
    return text.asText().getBytes(StandardCharsets.UTF_8);
  }
}
