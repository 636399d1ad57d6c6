package dev.flinkreranker.sql;

import dev.flinkreranker.model.qwen3.TinyQwen3Checkpoint;
import dev.flinkreranker.model.safetensors.DType;
import dev.flinkreranker.scoring.ScoringService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/** Shared by the SQL ITCases: a tiny random checkpoint, a table environment, model DDL. */
final class SqlTestModels {
  private SqlTestModels() {}

  static Path tinyCheckpoint(Path dir) throws IOException {
    return TinyQwen3Checkpoint.builder().dtype(DType.BF16).seed(17).build()
        .writeTo(dir.resolve("tiny-qwen3"));
  }

  /** The WITH options of a model on {@code checkpoint}, CPU FP32, short inputs. */
  static Map<String, String> options(Path checkpoint) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("model", checkpoint.toString());
    options.put("device", "cpu");
    options.put("dtype", "fp32");
    options.put("max-length", "256");
    options.put("batch.max-wait", "20ms");
    return options;
  }

  /** The service a model with these options scores on (a test holds it to read its counters). */
  static ScoringService acquire(Map<String, String> options) {
    return ScoringService.acquire(
        Qwen3RerankerModelProviderFactory.scoringKey("test", Configuration.fromMap(options)),
        new HubScorerFactory(null, null));
  }

  static StreamTableEnvironment tableEnv(int parallelism) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    return StreamTableEnvironment.create(env);
  }

  static String createModel(String name, String input, String output, Map<String, String> with) {
    String options = with.entrySet().stream()
        .map(e -> "'" + e.getKey() + "' = '" + e.getValue().replace("'", "''") + "'")
        .collect(Collectors.joining(", "));
    return "CREATE MODEL " + name + " INPUT (" + input + ") OUTPUT (" + output + ")"
        + " WITH ('provider' = 'qwen3-reranker', " + options + ")";
  }

  static List<Row> collect(StreamTableEnvironment tEnv, String query) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }
}
