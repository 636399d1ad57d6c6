package dev.flinkreranker.job;

import dev.flinkreranker.testutil.FlinkTestCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.cli.Main;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.model.qwen3.TinyQwen3Checkpoint;
import dev.flinkreranker.scoring.Scorers;
import dev.flinkreranker.testutil.CandidateSets;
import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.KafkaJobRun;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with a real (tiny, random) Qwen3 checkpoint in Hugging Face layout: the scores in the
 * results are the ones the {@code score} command prints for the same pairs, whatever batches the
 * streaming micro-batcher happened to form.
 */
class Qwen3JobITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path tmp;

  @Test
  void resultScoresEqualTheScoreCommand() throws Exception {
    Path model = TinyQwen3Checkpoint.builder().dtype(dev.flinkreranker.model.safetensors.DType.BF16).sharded(true)
        .tied(false).seed(11).build().writeTo(tmp.resolve("tiny-qwen3"));
    String in = "qwen3-candidates";
    String out = "qwen3-results";
    String dlq = "qwen3-dead-letters";
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), new Properties(), List.of(in, out, dlq), 2,
        (short) 1);

    List<CandidateSet> sets = new ArrayList<>();
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < 24; i++) {
      sets.add(CandidateSets.generate(i, random).set());
    }
    // Mixed scripts, an empty document and an instruction, as users send them.
    sets.add(new CandidateSet("mixed", "东京有哪些博物馆？", "Find museums", List.of(
        new Candidate("ja", "東京の国立科学博物館は人気です。", null, null),
        new Candidate("ar", "شرب الماء مفيد للصحة", null, null),
        new Candidate("empty", "", null, null)), Instant.EPOCH, 10, Map.of()));
    List<byte[]> values = new ArrayList<>();
    for (CandidateSet s : sets) {
      values.add(CandidateSets.json(s, false));
    }
    KafkaTestUtil.produce(kafka.bootstrapServers(), in, values);

    new KafkaJobRun(kafka.bootstrapServers(), in, out, dlq, "qwen3")
        .set("model.name", model.toString())
        .set("model.device", "cpu")
        .set("model.dtype", "fp32")
        .set("model.max-length", "256")
        .set("ranking.top-k", "100")
        .set("batch.max-pairs", "7")
        .run(Scorers::open, "qwen3-itcase");

    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> results = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestUtil.readAllCommitted(kafka.bootstrapServers(), out)) {
      JsonNode node = json.readTree(r.value());
      results.put(node.get("request_id").asText(), node);
    }
    assertEquals(sets.size(), results.size());

    // The same pairs through the `score` command.
    StringBuilder stdin = new StringBuilder();
    List<String> keys = new ArrayList<>();
    for (CandidateSet s : sets) {
      for (Candidate c : s.getCandidates()) {
        var line = json.createObjectNode().put("query", s.getQuery()).put("document", c.getText());
        if (s.getInstruction() != null) {
          line.put("instruction", s.getInstruction());
        }
        stdin.append(line).append('\n');
        keys.add(s.getRequestId() + "/" + c.getId());
      }
    }
    String[] printed = runScore(stdin.toString(), "score", "--model", model.toString(),
        "--device", "cpu", "--dtype", "fp32", "--max-length", "256").split("\n");
    assertEquals(keys.size(), printed.length);

    int compared = 0;
    for (int i = 0; i < keys.size(); i++) {
      String[] k = keys.get(i).split("/", 2);
      double expected = json.readTree(printed[i]).get("score").asDouble();
      for (JsonNode c : results.get(k[0]).get("ranked")) {
        if (c.get("id").asText().equals(k[1])) {
          assertEquals(expected, c.get("score").asDouble(), 1e-5, keys.get(i));
          compared++;
        }
      }
      assertTrue(results.get(k[0]).get("model").asText().contains("tiny-qwen3"));
    }
    assertEquals(keys.size(), compared, "every candidate's score was compared");
  }

  private static String runScore(String input, String... args) {
    InputStream stdin = System.in;
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Main.run(args));
    } finally {
      System.setIn(stdin);
      System.setOut(stdout);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
